"""The nbgrader course export works with nbgrader itself: release without solutions, autograde."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tdgrade.compiler import compile_lab
from tdgrade.labs import Lab

FIXTURE = Path(__file__).parent / "fixtures" / "minilab"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    _, autograder, _ = compile_lab(Lab("minilab", FIXTURE), tmp_path_factory.mktemp("build"))
    course = tmp_path_factory.mktemp("course") / "nbgrader"
    shutil.copytree(autograder / "nbgrader", course)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "minilab", "--force"],
                   cwd=course, check=True, capture_output=True)
    return course


def _sources(path: Path) -> str:
    return "\n".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"])


def test_nbgrader_release_has_no_solution_nor_hidden_test(course):
    released = _sources(course / "release" / "minilab" / "minilab.ipynb")
    assert "VOTRE CODE ICI" in released and "VOTRE RÉPONSE ICI" in released
    assert "sum(valeurs)" not in released and "test_q01_valeur" not in released
    assert "test_q01_defini" in released


def test_nbgrader_autograde_scores_submissions(course, smoke_data):
    blank = json.loads((course / "release" / "minilab" / "minilab.ipynb").read_text())
    answered = json.loads(json.dumps(blank))
    for cell in answered["cells"]:
        if "VOTRE CODE ICI" in "".join(cell["source"]):
            cell["source"] = "total = 55"
    for student, nb in (("alice", answered), ("bob", blank)):
        folder = course / "submitted" / student / "minilab"
        folder.mkdir(parents=True)
        (folder / "minilab.ipynb").write_text(json.dumps(nb))
    subprocess.run([sys.executable, "-m", "nbgrader", "autograde", "minilab", "--force"], cwd=course,
                   check=True, capture_output=True)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {s: gradebook.find_submission("minilab", s).score for s in ("alice", "bob")}
        maximum = gradebook.find_assignment("minilab").max_score
    assert scores == {"alice": 2.0, "bob": 0.0} and maximum == 3.0  # 2 auto + 1 manual point


def test_profile_is_a_constant_and_an_unbaked_cell_is_refused():
    from tdgrade.compiler import nbgrader_export

    body = "def test_q(x, TDGRADE_PROFILE):\n    assert TDGRADE_PROFILE == 'full'"
    name, block = nbgrader_export._call_block(body, "full")
    assert name == "test_q" and block.endswith("test_q(x=globals().get('x'), TDGRADE_PROFILE='full')")
    cell = f"### BEGIN HIDDEN TESTS\n{block}\n### END HIDDEN TESTS"
    assert nbgrader_export.retarget_cell(cell, "smoke") == cell.replace("='full')", "='smoke')")
    exec(compile(cell, "<cell>", "exec"), {"x": 1, "TDGRADE_PROFILE": "smoke"})  # the notebook's value is ignored
    # a course built before the profile was baked (the notebook's global) cannot be re-targeted silently
    unbaked = block.replace("TDGRADE_PROFILE='full'", "TDGRADE_PROFILE=globals().get('TDGRADE_PROFILE')")
    with pytest.raises(ValueError, match="not a built-in profile constant"):
        nbgrader_export.retarget_cell(unbaked, "smoke")


def test_committed_courses_keep_no_otter_prompt_delimiter():
    """Otter's `# BEGIN PROMPT` raw cells would reach nbgrader's student release: none is left."""
    import nbformat

    from tdgrade.labs import LAB_NAMES, get_lab

    for name in LAB_NAMES:
        lab = get_lab(name)
        nb = nbformat.read(lab.autograder_dir / "nbgrader" / "source" / name / lab.notebook_name, as_version=4)
        delimiters = [c.source for c in nb.cells if c.cell_type == "raw"]
        assert delimiters == [], (name, delimiters[:3])
