"""Similar submissions: copies are flagged, independent work and the template never are."""
import copy
import csv
import json
import re

import nbformat
import pytest

from similarity_cases import (ANSWERS_A, ANSWERS_B, ANSWERS_COPY_OF_A, COPY_OF_B, INDEPENDENT_A,
                              INDEPENDENT_B)
from tdgrade.demo import sample_class
from tdgrade.similarity import analyse, analyse_outdir, load_model_answers


def _answer_cells(nb):
    return [c for c in nb.cells if "otter_answer_cell" in c.metadata.get("tags", [])]


def _filled(release_nb, sources):
    nb = copy.deepcopy(release_nb)
    cells = _answer_cells(nb)
    assert len(cells) == len(sources)
    for cell, source in zip(cells, sources):
        cell.source = source
    return nb


def _with_answers(release_nb, answers):
    """A fashion_mnist notebook whose written-answer placeholders hold `answers` (question -> text)."""
    nb = copy.deepcopy(release_nb)
    question = None
    for cell in nb.cells:
        found = re.search(r"\*\*Question (fm\d+)", cell.source)
        question = found.group(1) if found else question
        if cell.cell_type == "markdown" and "votre réponse ici" in cell.source and question in answers:
            cell.source = answers[question]
    return nb


@pytest.fixture(scope="module")
def keras_cv(compiled):
    lab = compiled("keras_cv")
    release = nbformat.read(lab.release / "keras_cv.ipynb", as_version=4)
    reference_answers = [c.source for c, r in zip(lab.solution.cells, release.cells)
                         if "otter_answer_cell" in r.metadata.get("tags", [])]
    return release, lab.solution, reference_answers


def _flagged(analysis):
    return {(p.a, p.b) for p in analysis.flagged}


def test_copy_with_renamed_variables_and_moved_cells_is_flagged(keras_cv):
    release, solution, reference = keras_cv
    class_ = {"anna": _filled(release, INDEPENDENT_A), "basile": _filled(release, INDEPENDENT_B),
              "bea": _filled(release, COPY_OF_B), "rita": _filled(release, reference)}
    analysis = analyse(class_, release, solution)
    assert _flagged(analysis) == {("basile", "bea")}
    pair = analysis.flagged[0]
    assert pair.code.score > 0.8
    # the passages shown side by side are the students' own text, names as each wrote them
    assert any("compare_optimizers" in p for p in pair.code.passages_a)
    assert any("tester_optims" in p for p in pair.code.passages_b)
    # independent work is far below the bar, not just under it
    independent = [p for p in analysis.pairs if (p.a, p.b) != ("basile", "bea")]
    assert all(p.code.score < 0.25 or p.code.overlap < 30 for p in independent), \
        [(p.a, p.b, p.code.score, p.code.overlap) for p in independent]


def test_copy_is_flagged_among_blank_notebooks_too(keras_cv):
    """The rule is pairwise: a class of untouched releases does not hide (or create) a copy."""
    release, solution, _ = keras_cv
    class_ = {f"blank{i}": copy.deepcopy(release) for i in range(3)}
    class_.update({"basile": _filled(release, INDEPENDENT_B), "bea": _filled(release, COPY_OF_B)})
    assert _flagged(analyse(class_, release, solution)) == {("basile", "bea")}


def test_template_alone_never_matches(keras_cv):
    """Untouched releases, with the prompt stubs re-typed or outputs added, share nothing to report."""
    release, solution, _ = keras_cv
    retyped = copy.deepcopy(release)
    for cell in _answer_cells(retyped):
        cell.source = cell.source.replace(" = ", "  =  ") + "\n"
    executed = copy.deepcopy(release)
    for cell in executed.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", text="sortie\n")]
    analysis = analyse({"a": release, "b": copy.deepcopy(release), "c": retyped, "d": executed}, release, None)
    assert len(analysis.pairs) == 6
    assert all(p.code.overlap == 0 and not p.texts and not p.flagged for p in analysis.pairs)


@pytest.mark.parametrize("lab_name", ["keras_cv", "fashion_mnist"])
def test_demo_class_is_not_flagged(compiled, lab_name, tmp_path):
    lab = compiled(lab_name)
    from tdgrade.grade.students import discover

    sample_class(lab.lab, tmp_path / "class")
    subs, _, _ = discover([tmp_path / "class"], lab_name)  # the demo is a Moodle bulk download
    notebooks = {}
    for sub in subs:
        try:
            notebooks[sub.student_id] = nbformat.read(sub.path, as_version=4)
        except Exception:  # the sample class's unreadable file
            continue
    assert len(notebooks) == 4
    release = nbformat.read(lab.lab.release_dir / lab.lab.notebook_name, as_version=4)
    solution = nbformat.read(lab.lab.solutions_dir / lab.lab.notebook_name, as_version=4)
    # the demo students all hand in the reference code and the model answers: no evidence of copying
    assert _flagged(analyse(notebooks, release, solution, load_model_answers(lab.autograder))) == set()


def test_written_answers_copy_flagged_independent_not(compiled):
    lab = compiled("fashion_mnist")
    release = nbformat.read(lab.release / "fashion_mnist.ipynb", as_version=4)
    class_ = {"alice": _with_answers(release, ANSWERS_A), "bob": _with_answers(release, ANSWERS_B),
              "carla": _with_answers(release, ANSWERS_COPY_OF_A), "dan": copy.deepcopy(release)}
    analysis = analyse(class_, release, None)
    assert _flagged(analysis) == {("alice", "carla")}
    # knowing the model answers changes nothing for answers that are not the model answer
    assert _flagged(analyse(class_, release, None, load_model_answers(lab.autograder))) == {("alice", "carla")}
    pair = analysis.flagged[0]
    assert {t.question for t in pair.flagged_texts} == {"fm08", "fm14"} and not pair.code_flagged
    assert any("dizaine d'époques la perte de validation remonte" in p for t in pair.flagged_texts
               for p in t.passages_a)
    others = [p for p in analysis.pairs if (p.a, p.b) != ("alice", "carla")]
    assert max(p.text_score for p in others) < 0.6


def test_outdir_csv_report_and_cli(keras_cv, compiled, tmp_path):
    """`tdgrade similarity OUTDIR` on a graded folder: CSV of every pair, section in report.html."""
    from tdgrade.cli import main
    from tdgrade.gradebook.report import write_report

    release, solution, _ = keras_cv
    lab = compiled("keras_cv").lab
    out = tmp_path / "graded"
    (out / "notebooks").mkdir(parents=True)
    for sid, sources in (("anna", INDEPENDENT_A), ("basile", INDEPENDENT_B), ("bea", COPY_OF_B)):
        nbformat.write(_filled(release, sources), out / "notebooks" / f"{sid}.ipynb")
    (out / ".tdgrade-grade.json").write_text(json.dumps({"lab": "keras_cv"}))
    write_report(out, [], [], {"cv01": 1.0}, lab="keras_cv", profile="smoke", mode="bwrap")
    assert main(["similarity", str(out)]) == 0
    rows = list(csv.DictReader(open(out / "similarity.csv", encoding="utf-8")))
    assert len(rows) == 3 and [(r["student_a"], r["student_b"], r["flagged"]) for r in rows][0] == ("basile", "bea", "yes")
    assert sum(r["flagged"] == "yes" for r in rows) == 1
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Dépôts similaires" in page and "<code>basile</code> ↔ <code>bea</code>" in page
    assert "tester_optims" in page and page.count("Dépôts similaires") == 1
    # the report, written again (e.g. after re-grading), keeps the section once
    write_report(out, [], [], {"cv01": 1.0}, lab="keras_cv", profile="smoke", mode="bwrap")
    assert main(["similarity", str(out)]) == 0
    assert (out / "report.html").read_text(encoding="utf-8").count("Dépôts similaires") == 1
    analysis = analyse_outdir(out, lab, log=lambda *_: None)
    assert len(analysis.students) == 3
