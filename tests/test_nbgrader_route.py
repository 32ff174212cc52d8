"""The nbgrader route is honest: support files shipped, a cell timeout that fits the lab, feedback
without hidden tests, the grader's profile in the test cells (never the notebook's), and manual
scores from formgrader merged into the tdgrade gradebook."""
import ast
import csv
import filecmp
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

from review_helpers import prepared_outdir
from tdgrade.compiler import compile_lab, gradescope_zip as gradescope, nbgrader_export
from tdgrade.hidden import Suite
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


def _notebook(course: Path, lab: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "source" / lab / f"{lab}.ipynb", as_version=4)


def _profile_arguments(cell) -> list:
    """The value each test call of the cell passes as TDGRADE_PROFILE (an ast node)."""
    return [k.value for node in ast.walk(ast.parse(cell.source)) if isinstance(node, ast.Call)
            for k in node.keywords if k.arg == gradescope.PROFILE_PARAM]


@pytest.mark.parametrize("lab", ["fashion_mnist", "keras_cv"])
def test_test_cells_pass_the_graders_profile_never_the_notebooks(lab, tmp_path):
    course = get_lab(lab).autograder_dir / "nbgrader"
    cells = [c for c in _notebook(course, lab).cells if nbgrader_export.is_test_cell(c)]
    takes_profile = [c for c in cells if any(a.arg == gradescope.PROFILE_PARAM for n in ast.parse(c.source).body
                                             if isinstance(n, ast.FunctionDef) for a in n.args.args)]
    assert takes_profile  # fm01, fm14, cv02...: cases whose facts or bars depend on the profile
    for cell in takes_profile:
        arguments = _profile_arguments(cell)
        assert arguments and all(isinstance(a, ast.Constant) and a.value == gradescope.GRADER_PROFILE
                                 for a in arguments), cell.source
    assert all("globals().get('TDGRADE_PROFILE')" not in c.source for c in _notebook(course, lab).cells)
    # the smoke copy changes those calls only; re-targeted back, it is the committed course again
    smoke = nbgrader_export.with_profile(course, tmp_path / "smoke", "smoke")
    smoke_cells = [c for c in _notebook(smoke, lab).cells if nbgrader_export.is_test_cell(c)]
    assert [c.source.replace("TDGRADE_PROFILE='smoke'", "TDGRADE_PROFILE='full'") for c in smoke_cells] == [
        c.source for c in cells]
    assert all(a.value == "smoke" for c in smoke_cells for a in _profile_arguments(c))
    back = nbgrader_export.with_profile(smoke, tmp_path / "full", "full")
    notebook = Path("source") / lab / f"{lab}.ipynb"
    assert filecmp.cmp(back / notebook, course / notebook, shallow=False)
    with pytest.raises(ValueError, match="unknown profile"):
        nbgrader_export.with_profile(course, tmp_path / "other", "medium")


def _fm14_between_the_bars() -> dict:
    """fm14 answered consistently by a model whose test accuracy is 0.70: above the smoke bar, below
    the full one (built, not trained: a fixed-output model on constructed labels)."""
    n, right = 1000, 700
    y_test = np.arange(n) % 10
    predicted = np.where(np.arange(n) < right, y_test, (y_test + 1) % 10)

    class FixedModel:
        def predict(self, x, verbose=0, batch_size=None):
            return np.eye(10, dtype="float32")[predicted[:len(x)]]

    history = SimpleNamespace(params={"epochs": 2}, history={
        "loss": [0.9, 0.8], "val_loss": [0.95, 0.85], "accuracy": [0.65, 0.71], "val_accuracy": [0.66, 0.70]})
    return {"model": FixedModel(), "x_test_prep": np.zeros((n, 784), dtype="float32"), "y_test": y_test,
            "history": history, "test_error_rate": 0.30, "val_error_rate": 0.30}


def _earns_points(cell_source: str, namespace: dict) -> bool:
    """nbgrader's rule for a code grade cell: full points when it runs without error."""
    try:
        exec(compile(cell_source, "<grade cell>", "exec"), dict(namespace))
    except Exception:  # noqa: BLE001 - any error scores 0
        return False
    return True


def test_a_notebook_that_sets_the_profile_gains_nothing_on_nbgrader(tmp_path):
    from tdgrade_checks import thresholds

    lab = get_lab("fashion_mnist")
    values = _fm14_between_the_bars()
    bars = {p: thresholds.threshold("fashion_mnist", "first_model_accuracy", p) for p in ("smoke", "full")}
    assert bars["smoke"] < 0.70 < bars["full"]
    # the profile decides this answer: tdgrade passes it on smoke, fails it on full
    (smoke_result,) = Suite.from_dir(lab.autograder_dir / "tests").run(values, "smoke", only=["fm14_taux_erreur"])
    (full_result,) = Suite.from_dir(lab.autograder_dir / "tests").run(values, "full", only=["fm14_taux_erreur"])
    assert smoke_result.passed and not full_result.passed, (smoke_result, full_result)
    assert "trop faible" in full_result.cases[-1].message

    def fm14_cell(course: Path) -> str:
        return next(c.source for c in _notebook(course, "fashion_mnist").cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == "fm14_taux_erreur_test_fm14_taux_erreur")

    course = lab.autograder_dir / "nbgrader"  # the committed course: the grader's profile, full
    # a notebook setting TDGRADE_PROFILE = "smoke" is still graded on the full bar: no point
    assert not _earns_points(fm14_cell(course), {**values, "TDGRADE_PROFILE": "smoke"})
    assert not _earns_points(fm14_cell(course), values)
    # and the smoke course grades on the smoke bar whatever the notebook says
    smoke_course = nbgrader_export.with_profile(course, tmp_path / "smoke", "smoke")
    assert _earns_points(fm14_cell(smoke_course), {**values, "TDGRADE_PROFILE": "full"})
    assert _earns_points(fm14_cell(smoke_course), values)


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
    from tdgrade.gradebook.publish import publish

    course = tmp_path / "course"  # a copy: the answers formgrader showed are edited below
    shutil.copytree(graded_course, course)
    db = course / "gradebook.db"
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
    # formgrader graded the same texts as the tdgrade notebooks hold (the merge checks it)
    from review_helpers import STUDENTS

    for student, old in (("alice", "alice_martin"), ("bob", "bruno_petit")):
        path = course / "autograded" / student / "minilab" / "minilab.ipynb"
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "q02_pourquoi_answer")
        cell.source = STUDENTS[old][1]
        nbformat.write(nb, path)
    merged = merge(outdir, db, "minilab")
    assert merged.saved == 2 and merged.unknown_students == [] and merged.unchecked == [], merged.summary()
    assert merge(outdir, db, "minilab").unchanged == 2  # idempotent
    publish(outdir)
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    assert rows["bob"]["q02_pourquoi"] == "0.5" and rows["alice"]["q02_pourquoi"] == "1"
    assert "Formule sans application." in (outdir / "feedback" / "bob.md").read_text()


# A test cell's argument that a later cell defines is None when nbgrader runs the cells in order, while
# tdgrade and otter see the end state: the paths would disagree. Allowed only where it is extra evidence.
LATER_ARGUMENTS = {
    # cv02's network is more evidence of what build_mlp builds; the provided cell's network is enough
    ("keras_cv", "test_cv01_enveloppe", "clf_2layers"),
    # the prompt allows cv_scores or optimizer_cv; the solution defines only one of them
    ("keras_cv", "test_cv03_defini", "optimizer_cv"),
    ("keras_cv", "test_cv03_choix", "optimizer_cv"),
}


def _names_bound(source: str) -> set[str]:
    bound = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound


@pytest.mark.parametrize("lab", ["fashion_mnist", "keras_cv"])
def test_every_test_cell_reads_only_what_earlier_cells_define(lab):
    """nbgrader runs a test cell where it stands: each argument must exist by then (cv01's provided cell
    once stood after cv01's tests, and nbgrader validate failed on the right solution)."""
    nb = nbformat.read(get_lab(lab).source_notebook, as_version=4)
    bound, later, tests_seen = {"TDGRADE_PROFILE"}, set(), 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        tests = [f for f in tree.body if isinstance(f, ast.FunctionDef) and f.name.startswith("test_")]
        for test in tests:
            tests_seen += 1
            later |= {(lab, test.name, a.arg) for a in test.args.args if a.arg not in bound}
        if not tests:
            bound |= _names_bound(cell.source)
    assert tests_seen >= 8
    assert later <= LATER_ARGUMENTS, f"arguments defined only after their test cell: {sorted(later - LATER_ARGUMENTS)}"


@pytest.mark.slow
def test_keras_cv_course_validates_with_its_support_files_and_fails_without(tmp_path, smoke_data):
    import os

    from tdgrade.data import kernel_env

    # the committed course grades on the full profile; this runs the smoke one (smoke data, smoke bars)
    course = nbgrader_export.with_profile(get_lab("keras_cv").autograder_dir / "nbgrader", tmp_path / "nbgrader",
                                          "smoke")
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
