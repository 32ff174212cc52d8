"""`tdgrade grade` with manual questions on the fake lab: the gradebook waits for manual scores,
`--force` keeps the scores of unchanged answers, a changed answer is to grade again."""
import csv
import io
import json

from grade_helpers import copy_labs, run_grade
from tdgrade.gradebook import final, marks as store
from tdgrade.gradebook.answers import read_student

MANUAL = [{"name": "q3_commentaire", "points": 1.0, "answer_kind": "code", "model_answer": "words = sorted(WORDS)",
           "prompt": "## Question 3\n\nRangez dans `words` (une `list` de `str`) les mots de `WORDS` par ordre "
                     "alphabétique.", "rubric": [{"points": 1.0, "text": "utilise sorted"}]}]


def _rows(out):
    return {r["student_id"]: r for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}


def test_force_regrade_keeps_manual_scores_of_unchanged_answers(tmp_path):
    lab, other = copy_labs(tmp_path / "labs")
    (lab.autograder_dir / "manual.json").write_text(json.dumps(MANUAL, ensure_ascii=False))
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.ipynb").write_bytes((lab.solutions_dir / "fakelab.ipynb").read_bytes())
    (folder / "bob.ipynb").write_bytes((lab.release_dir / "fakelab.ipynb").read_bytes())
    out = tmp_path / "out"
    rc, log = run_grade(lab, other, [folder], out)
    assert rc == 0, log
    rows = _rows(out)
    assert (rows["alice"]["total"], rows["alice"]["manual_graded"]) == ("", "0/1")  # not yet graded
    assert (rows["bob"]["total"], rows["bob"]["q3_commentaire"]) == ("0", "0")  # empty answer: 0, complete
    assert "manual grading incomplete for 1 student(s)" in log

    questions = final.load_questions(out)
    answer = read_student(out, "alice", questions, final.load_scaffolding(out))["q3_commentaire"]
    assert answer.text == "words = sorted(WORDS)"
    store.save_mark(out, store.Mark("q3_commentaire", "alice", 0.5, answer.sha256, "Trier ne suffit pas."))
    rc, log = run_grade(lab, other, [folder], out, force=True)
    assert rc == 0 and "grading 2 submission(s)" in log
    rows = _rows(out)
    assert (rows["alice"]["total"], rows["alice"]["max_total"]) == ("5.5", "6")
    assert "Trier ne suffit pas." in (out / "feedback" / "alice.md").read_text()

    nb = json.loads((folder / "alice.ipynb").read_text())
    cell = next(c for c in nb["cells"] if "sorted(WORDS)" in "".join(c["source"]))
    cell["source"] = "words = sorted(WORDS, key=str)"
    (folder / "alice.ipynb").write_text(json.dumps(nb))
    rc, log = run_grade(lab, other, [folder], out)
    assert rc == 0 and "grading 1 submission(s)" in log
    assert _rows(out)["alice"]["total"] == ""  # the answer changed: its old score no longer counts
