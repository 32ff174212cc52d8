"""The nbgrader route is honest: support files shipped, a cell timeout that fits the lab, feedback
without hidden tests, and manual scores from formgrader merged into the tdgrade gradebook."""
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from review_helpers import prepared_outdir
from tdgrade.compiler import compile_lab, nbgrader_export
from tdgrade.labs import Lab, get_lab

FIXTURE = Path(__file__).parent / "fixtures" / "minilab"


def _nbgrader(course: Path, *args: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--force"], cwd=course, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    """minilab with a rubric on its manual question, released, submitted, autograded, feedback made."""
    root = tmp_path_factory.mktemp("minilab")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    source = root / "source" / "minilab" / "minilab.ipynb"
    nb = nbformat.read(source, as_version=4)
    end = next(i for i, c in enumerate(nb.cells) if i > 15 and c.source.strip() == "# END SOLUTION")
    nb.cells.insert(end, nbformat.v4.new_markdown_cell("<!-- RUBRIC -->\n- 0,5 : formule n(n+1)/2\n"
                                                       "- 0,5 : application à n = 10"))
    nbformat.write(nb, source)
    (root / "source" / "minilab" / "aide.py").write_text("VALEUR = 1\n")  # a support file
    _, autograder, _ = compile_lab(Lab("minilab", root), tmp_path_factory.mktemp("build"))
    assert json.loads((autograder / "manual.json").read_text())[0]["rubric"][1]["points"] == 0.5
    course = tmp_path_factory.mktemp("course") / "nbgrader"
    shutil.copytree(autograder / "nbgrader", course)
    _nbgrader(course, "generate_assignment", "minilab")
    blank = json.loads((course / "release" / "minilab" / "minilab.ipynb").read_text())
    for student, answer in (("alice", "total = 55"), ("bob", "total = 54")):
        nb = json.loads(json.dumps(blank))
        for cell in nb["cells"]:
            if "VOTRE CODE ICI" in "".join(cell["source"]):
                cell["source"] = answer
        folder = course / "submitted" / student / "minilab"
        folder.mkdir(parents=True)
        (folder / "minilab.ipynb").write_text(json.dumps(nb))
    _nbgrader(course, "autograde", "minilab")
    return course


def test_export_ships_support_files_and_a_cell_timeout(graded_course):
    assert (graded_course / "source" / "minilab" / "aide.py").read_text() == "VALEUR = 1\n"
    assert (graded_course / "release" / "minilab" / "aide.py").is_file()  # released with the notebook
    released = (graded_course / "release" / "minilab" / "minilab.ipynb").read_text()
    assert "RUBRIC" not in released and "application à n = 10" not in released
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(graded_course)).load_config()
    assert config.Execute.timeout == nbgrader_export.CELL_TIMEOUT >= 10 * 57  # longest solution cell: 57 s


def test_keras_cv_export_holds_its_support_files():
    lab = get_lab("keras_cv")
    course_source = lab.autograder_dir / "nbgrader" / "source" / "keras_cv"
    for name in ("dataset_utils.py", "boston_house_prices.csv"):
        assert (course_source / name).read_bytes() == (lab.source_dir / name).read_bytes()


def test_generate_feedback_never_shows_hidden_tests(graded_course):
    _nbgrader(graded_course, "generate_feedback", "minilab")
    html = (graded_course / "feedback" / "bob" / "minilab" / "minilab.html").read_text()
    assert "test_q01_defini" in html  # the public test is shown
    autograded = (graded_course / "autograded" / "bob" / "minilab" / "minilab.ipynb").read_text()
    hidden_body = ("def test_q01_valeur", "secret-hidden-marker", "values.as_int")
    for secret in (*hidden_body, "most recent call last"):
        assert secret in autograded, secret  # what feedback starts from
    # (the grade cell's id, `q01_somme_test_q01_valeur`, names the hidden test in nbgrader's table of
    # contents: the test's name, never its source or thresholds)
    for secret in (*hidden_body, "most recent call last", "Cell In[", "HIDDEN TESTS"):
        assert secret not in html, secret
    assert "Échec" in html  # bob's failure is reported by its message


def test_manual_scores_from_formgrader_merge_into_the_gradebook(graded_course, tmp_path):
    from nbgrader.api import Gradebook

    from tdgrade.review.nbgrader_scores import merge
    from tdgrade.review.publish import publish

    db = graded_course / "gradebook.db"
    with Gradebook(f"sqlite:///{db}") as gb:  # what formgrader does when a grader types a score and a comment
        for student, score, text in (("alice", 1.0, "Parfait."), ("bob", 0.5, "Formule sans application.")):
            grade = gb.find_grade("q02_pourquoi_answer", "minilab", "minilab", student)
            grade.manual_score = score
            comment = gb.find_comment("q02_pourquoi_answer", "minilab", "minilab", student)
            comment.manual_comment = text
        gb.db.commit()
        assert {g.name for g in gb.find_submission_notebook("minilab", "minilab", "alice").grades} >= {
            "q02_pourquoi_answer"}
    # A tdgrade OUTDIR whose manual question is nbgrader's `q02_pourquoi` and whose students are alice, bob.
    outdir = prepared_outdir(tmp_path / "out")
    questions = json.loads((outdir / "manual/questions.json").read_text())
    questions[0]["name"] = "q02_pourquoi"
    (outdir / "manual/questions.json").write_text(json.dumps(questions))
    for old, new in (("alice_martin", "alice"), ("bruno_petit", "bob")):
        for folder, ext in (("results", ".json"), ("notebooks", ".ipynb")):
            (outdir / folder / f"{old}{ext}").rename(outdir / folder / f"{new}{ext}")
        data = json.loads((outdir / "results" / f"{new}.json").read_text())
        data["student_id"] = new
        (outdir / "results" / f"{new}.json").write_text(json.dumps(data))
    merged = merge(outdir, db, "minilab")
    assert merged.saved == 2 and merged.unknown_students == []
    assert merge(outdir, db, "minilab").unchanged == 2  # idempotent
    publish(outdir)
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    assert rows["bob"]["q02_pourquoi"] == "0.5" and rows["alice"]["q02_pourquoi"] == "1"
    assert "Formule sans application." in (outdir / "feedback" / "bob.md").read_text()


@pytest.mark.slow
def test_keras_cv_course_validates_with_its_support_files_and_fails_without(tmp_path, smoke_data):
    import os

    from tdgrade.data import kernel_env

    course = tmp_path / "nbgrader"
    shutil.copytree(get_lab("keras_cv").autograder_dir / "nbgrader", course)
    env = {**os.environ, **kernel_env("smoke")}

    def validate():
        return subprocess.run([sys.executable, "-m", "nbgrader", "validate", "source/keras_cv/keras_cv.ipynb"],
                              cwd=course, env=env, capture_output=True, text=True, timeout=1800)

    proc = validate()
    assert "Success! Your notebook passes all the tests." in proc.stdout, proc.stdout[-3000:] + proc.stderr[-3000:]
    (course / "source" / "keras_cv" / "dataset_utils.py").unlink()
    proc = validate()
    # nbgrader reports the grade cells that fail (the data the import should have given), not the
    # import cell itself: the same notebook that passed with its support file now fails
    assert "Success!" not in proc.stdout and "VALIDATION FAILED" in proc.stdout, proc.stdout[-2000:]
