"""The review page on a class: grading actions needed (answer groups) and page times (issue 19).

    python bench/bench_review.py                    # demo class + synthetic class of 300, fashion_mnist
    python bench/bench_review.py --students 300 --json bench/results/review-DATE.json

Actions: one action grades a whole group (`review/groups.py`), so a question needs as many actions as
it has groups of non-empty answers. Demo class: `tdgrade.demo.sample_class` (answers read from the
unexecuted submissions, which hold the same written text). Synthetic class: for each of the lab's
written questions and each student, a draw from what graders meet (seeded): the model answer retyped
(case, punctuation, spacing, sometimes a typo), one of three short common answers, a blank, or an
answer of one's own (the model answer's sentences in another order, words dropped, a sentence added).

Times: a prepared OUTDIR with the synthetic class's notebooks, half of the answers graded (marks on
disk), then the index and question pages through Flask's test client, several times each.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
COMMON = ["Je ne sais pas.", "Voir le code ci-dessus.", "Les résultats sont bons."]


def _retyped(text: str, rng: random.Random) -> str:
    out = text.upper() if rng.random() < 0.2 else text
    out = out.replace(",", "") if rng.random() < 0.5 else out.replace(".", " .")
    out = "  ".join(out.split(" ")) if rng.random() < 0.3 else out
    if rng.random() < 0.3 and len(out) > 20:  # one typo: two letters swapped
        i = rng.randrange(5, len(out) - 5)
        out = out[:i] + out[i + 1] + out[i] + out[i + 2:]
    return out


def _own(text: str, rng: random.Random, n: int) -> str:
    sentences = [s for s in text.replace("\n", " ").split(". ") if s.strip()]
    rng.shuffle(sentences)
    words = " ".join(sentences).split()
    kept = [w for w in words if rng.random() > 0.25]
    return " ".join(kept) + f". J'ajoute mon observation numéro {n} sur ce résultat."


def synthetic_answers(questions, students: int, seed: int = 0) -> dict[str, dict[str, str]]:
    """student id -> {question: text} drawn as described in the module's docstring."""
    rng = random.Random(seed)
    out = {}
    for s in range(students):
        mine = {}
        for q in questions:
            draw = rng.random()
            if draw < 0.35:
                mine[q.name] = _retyped(q.model_answer, rng)
            elif draw < 0.50:
                mine[q.name] = rng.choice(COMMON)
            elif draw < 0.60:
                mine[q.name] = ""
            else:
                mine[q.name] = _own(q.model_answer, rng, s)
        out[f"student_{s:04d}"] = mine
    return out


def count_actions(questions, answers_by_student) -> tuple[int, int]:
    """(answers to grade, grading actions with groups) over every written question."""
    from tdgrade.gradebook.answers import Answer
    from tdgrade.review.groups import group_answers

    answers_total = actions = 0
    order = sorted(answers_by_student)
    for q in questions:
        answers = {sid: Answer(q.name, answers_by_student[sid].get(q.name, ""), "markdown") for sid in order}
        groups = group_answers(answers, order)
        answers_total += sum(g.size for g in groups)
        actions += len(groups)
    return answers_total, actions


def demo_class(lab) -> dict[str, dict[str, str]]:
    from tdgrade.demo import sample_class
    from tdgrade.gradebook.answers import read_answers, release_scaffolding
    from tdgrade.gradebook.final import load_manual

    questions = load_manual(lab.autograder_dir / "manual.json")
    given = release_scaffolding(lab.release_dir / lab.notebook_name)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in sample_class(lab, Path(tmp)):
            try:
                nb = nbformat.read(path, as_version=4)
            except Exception:  # the class's file that is not a notebook
                continue
            answers = read_answers(nb, questions, given)
            out[path.parent.name] = {name: ("" if a.empty else a.text) for name, a in answers.items()}
    return out


def prepared_outdir(outdir: Path, questions, answers_by_student) -> None:
    from tdgrade.gradebook.final import copy_lab_files

    (outdir / "results").mkdir(parents=True)
    (outdir / "notebooks").mkdir()
    for sid, mine in answers_by_student.items():
        cells = [new_markdown_cell("# TD")]
        for q in questions:
            prompt = new_markdown_cell("<!-- BEGIN QUESTION -->\n\n" + q.prompt)
            prompt.metadata.update({"editable": False, "deletable": False})
            cells += [prompt, new_markdown_cell(mine[q.name] or "_Rédigez votre réponse ici, à la place de ce texte._")]
        end = new_markdown_cell("<!-- END QUESTION -->")
        end.metadata.update({"editable": False, "deletable": False})
        nb = new_notebook(cells=cells + [end])
        nbformat.write(nb, outdir / "notebooks" / f"{sid}.ipynb")
        (outdir / "results" / f"{sid}.json").write_text(json.dumps({
            "student_id": sid, "lab": "bench", "status": "graded", "total": 1.0, "max_total": 1.0,
            "submission": f"{sid}.ipynb", "warnings": [], "cell_errors": [],
            "questions": [{"name": "auto", "score": 1.0, "max_score": 1.0, "passed": True, "cases": []}]}))
    (outdir / ".tdgrade-grade.json").write_text(json.dumps({"lab": "bench", "questions": ["auto"]}))
    copy_lab_files(outdir, questions, {"_Rédigez votre réponse ici, à la place de ce texte._"})


def page_times(outdir: Path, questions, repeat: int) -> dict:
    from tdgrade.gradebook import marks as store
    from tdgrade.review.app import Options, create_app

    started = time.perf_counter()
    app = create_app(outdir, token="t", options=Options(grader="bench"))
    startup = time.perf_counter() - started
    review = app.extensions["tdgrade_review"]
    for q in questions:  # half of each question's answers graded already
        for sid in review.order(q.name)[::2]:
            answer = review.answers[sid][q.name]
            if not answer.empty:
                store.save_mark(outdir, store.Mark(question=q.name, student_id=sid, score=0.5,
                                                   answer_sha256=answer.sha256, items=["r1"], adjustment=0.0))
    client = app.test_client()
    client.get("/?token=t")

    def timed(url):
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            resp = client.get(url)
            times.append(time.perf_counter() - t0)
            assert resp.status_code == 200, (url, resp.status_code)
        return {"median_s": round(statistics.median(times), 4), "max_s": round(max(times), 4)}

    name = questions[len(questions) // 2].name
    return {"startup_s": round(startup, 3), "index": timed("/"), "question_page": timed(f"/q/{name}?i=1"),
            "grading_marks_on_disk": sum(1 for _ in store.marks_dir(outdir).glob("*/*.json"))}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lab", default="fashion_mnist")
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    from tdgrade.labs import get_lab
    from tdgrade.gradebook.final import load_manual

    lab = get_lab(args.lab)
    questions = [q for q in load_manual(lab.autograder_dir / "manual.json") if q.answer_kind == "markdown"]
    demo = demo_class(lab)
    synthetic = synthetic_answers(questions, args.students)
    report = {"lab": args.lab, "written_questions": len(questions)}
    for label, answers in (("demo", demo), (f"synthetic_{args.students}", synthetic)):
        total, actions = count_actions(questions, answers)
        report[label] = {"students": len(answers), "answers_to_grade": total, "grading_actions": actions,
                         "ratio": round(actions / total, 3) if total else None}
    with tempfile.TemporaryDirectory() as tmp:
        prepared_outdir(Path(tmp) / "out", questions, synthetic)
        report["pages"] = page_times(Path(tmp) / "out", questions, args.repeat)
    text = json.dumps(report, indent=1, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
