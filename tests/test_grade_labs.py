"""`tdgrade grade` on the real labs (smoke profile): the solution gets full automatic marks, the blank
release zero. Heavy (TensorFlow trainings in the sandbox): marked slow."""
from types import SimpleNamespace

import nbformat
import pytest

from conftest import reseeded
from grade_helpers import results_by_id
from tdgrade.labs import LAB_NAMES


@pytest.mark.slow
@pytest.mark.parametrize("name", LAB_NAMES)
def test_solution_full_marks_and_blank_release_zero(name, compiled, smoke_data, tmp_path):
    from tdgrade.grade import grade

    c = compiled(name)
    lab = SimpleNamespace(name=name, release_dir=c.release, tests_dir=c.autograder / "tests",
                          notebook_name=c.lab.notebook_name, autograder_dir=c.autograder)
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(reseeded(c.solution), folder / "solution.ipynb")
    (folder / "blank.ipynb").write_bytes((c.release / c.lab.notebook_name).read_bytes())
    import io

    log = io.StringIO()
    rc = grade(lab, [folder], tmp_path / "out", jobs=2, profile="smoke", timeout=1200, memory="4G",
               other_labs=[], progress_stream=log, tty=False)
    assert rc == 0, log.getvalue()
    res, _ = results_by_id(tmp_path / "out")
    sol, blank = res["solution"], res["blank"]
    assert sol["status"] == "graded", (sol.get("status_detail"), sol.get("cell_errors"))
    failed = {q["name"]: [x["message"] for x in q["cases"] if not x["passed"]] for q in sol["questions"] if not q["passed"]}
    assert sol["total"] == sol["max_total"], failed
    assert blank["total"] == 0, [q for q in blank["questions"] if q["score"]]
