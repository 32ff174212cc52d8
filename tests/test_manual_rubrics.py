"""Rubrics of manual questions: written in the source notebook, compiled into autograder/LAB/manual.json,
never in release/ (the leak scan catches one that gets there)."""
import json
import shutil

import nbformat
import pytest

from tdgrade.compiler import leaks, manual
from tdgrade.labs import LAB_NAMES, get_lab


@pytest.mark.parametrize("name", LAB_NAMES)
def test_every_manual_question_has_a_rubric_worth_its_points(name):
    lab = get_lab(name)
    questions = manual.manual_questions(lab.source_notebook)
    for q in questions:
        assert q.rubric, f"{q.name}: no rubric"
        assert sum(i.points for i in q.rubric) == pytest.approx(q.points)
        assert q.prompt.startswith("**Question") and q.model_answer
    compiled = json.loads((lab.autograder_dir / manual.MANUAL_FILE).read_text(encoding="utf-8"))
    assert [q["name"] for q in compiled] == [q.name for q in questions]
    if name == "fashion_mnist":
        kinds = {q.name: q.answer_kind for q in questions}
        assert len(questions) >= 20 and kinds["fm04_images"] == "code" and kinds["fm15_commentaire"] == "markdown"


def test_rubric_in_release_is_a_leak(tmp_path):
    lab = get_lab("fashion_mnist")
    questions = manual.manual_questions(lab.source_notebook)
    release = tmp_path / "release"
    shutil.copytree(lab.release_dir, release)
    secret = manual.rubric_lines(questions)
    assert leaks.scan(release, set(), set(), secret) == []  # the committed release is clean
    path = release / lab.notebook_name
    nb = nbformat.read(path, as_version=4)
    criterion = questions[0].rubric[0].text
    nb.cells[-1].source += f"\n\nIndice : {criterion}."  # a criterion pasted into a prompt
    nbformat.write(nb, path)
    found = leaks.scan(release, set(), set(), secret)
    assert [leak.kind for leak in found] == ["rubric criterion (cell %d)" % (len(nb.cells) - 1)]
    nb.cells[-1].source = "<!-- RUBRIC -->\n- 1 : autre chose"
    nbformat.write(nb, path)
    assert any("instructor marker" in leak.kind for leak in leaks.scan(release, set(), set(), secret))


def test_rubric_errors_are_reported_to_the_instructor(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_raw_cell("# BEGIN QUESTION\nname: q1_pourquoi\nmanual: true\npoints: 2"),
                nbformat.v4.new_markdown_cell("**Question 1** : pourquoi ?"),
                nbformat.v4.new_raw_cell("# BEGIN SOLUTION"),
                nbformat.v4.new_markdown_cell("Parce que."),
                nbformat.v4.new_markdown_cell("<!-- RUBRIC -->\nBarème :\n- 1,5 : dit pourquoi"),
                nbformat.v4.new_raw_cell("# END SOLUTION"),
                nbformat.v4.new_raw_cell("# END QUESTION")]
    path = tmp_path / "lab.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(manual.RubricError, match="sum to 1.5, the question is worth 2"):
        manual.manual_questions(path)
    nb.cells[4].source = "<!-- RUBRIC -->\n- un point : dit pourquoi"
    nbformat.write(nb, path)
    with pytest.raises(manual.RubricError, match="not of the form"):
        manual.manual_questions(path)
    nb.cells[4].source = "<!-- RUBRIC -->\n- 1,5 : dit pourquoi\n* 0.5 pt : bien écrit"
    nbformat.write(nb, path)
    (q,) = manual.manual_questions(path)
    assert [(i.points, i.text) for i in q.rubric] == [(1.5, "dit pourquoi"), (0.5, "bien écrit")]
    assert q.model_answer == "Parce que." and "RUBRIC" not in q.model_answer
