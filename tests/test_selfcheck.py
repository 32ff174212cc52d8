"""What students see: `grader.check` in the release notebook and `python3 selfcheck.py`, in French only."""
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tdgrade.compiler import compile_lab
from tdgrade.execute import execute_notebook
from tdgrade.labs import Lab
from tdgrade.student.selfcheck import CheckReport, QuestionReport

FIXTURE = Path(__file__).parent / "fixtures" / "minilab"
# otter's English frame, test source and Python tracebacks: none may reach a student.
FORBIDDEN = ("assert ", "AssertionError", "Error at line", "Traceback", "results:", "Test case", "passed!",
             "failed", "def test_", "File \"")


def _shown(cell) -> tuple[str, str]:
    """(text/plain + streams, text/html) of a cell's outputs."""
    plain = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in cell.outputs)
    rich = "".join(o.get("data", {}).get("text/html", "") for o in cell.outputs)
    return plain, rich


def _assert_french_only(text: str) -> None:
    for word in FORBIDDEN:
        assert word not in text, f"{word!r} shown to the student:\n{text}"


def _cell_with(nb, needle: str) -> str:
    return next(c.source for c in nb.cells if c.cell_type == "code" and needle in c.source)


@pytest.fixture(scope="module")
def keras_cv_checks(compiled, tmp_path_factory):
    """The keras_cv release's first cells, then cv01 blank, not run, wrong and right, each checked."""
    lab = compiled("keras_cv")
    work = tmp_path_factory.mktemp("selfcheck-keras_cv")
    shutil.copytree(lab.release, work, dirs_exist_ok=True)
    release_nb = nbformat.read(work / "keras_cv.ipynb", as_version=4)
    code = [c for c in release_nb.cells if c.cell_type == "code"]
    right = _cell_with(lab.solution, "def build_mlp")
    blank = _cell_with(release_nb, "def build_mlp")

    wrong = "def build_mlp(n_hidden=1, hidden_units=32, meta=None):\n    return None\n\nclf = 'KerasClassifier'"
    check = 'grader.check("cv01_enveloppe_sklearn")'
    cells = [code[0].source, code[1].source, code[2].source,
             check,                      # 3: before the answer cell ran
             blank, check,               # 5: the release's `...`
             wrong, check,               # 7: a wrong type
             right, check,               # 9: the solution
             'grader.check("cv1")',      # 10: a mistyped question name
             "grader.check_all()"]       # 11: every question
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in cells],
                                  metadata=release_nb.metadata)
    execute_notebook(nb, work, profile="smoke", timeout=300)
    return nb


def test_release_init_cell_uses_the_french_wrapper(compiled):
    nb = nbformat.read(compiled("keras_cv").release / "keras_cv.ipynb", as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert "from selfcheck import Notebook" in first.source and "otter.Notebook" not in first.source
    assert (compiled("keras_cv").release / "selfcheck.py").is_file()


def test_not_run_yet_names_the_missing_variable(keras_cv_checks):
    plain, rich = _shown(keras_cv_checks.cells[3])
    assert plain.startswith("✘ cv01_enveloppe_sklearn : `build_mlp` n'est pas encore défini.")
    assert "n'existe pas encore dans le noyau" in plain and "<code>build_mlp</code>" in rich
    _assert_french_only(plain + rich)


def test_blank_answer_points_at_the_dots(keras_cv_checks):
    plain, rich = _shown(keras_cv_checks.cells[5])
    assert plain.startswith("✘ cv01_enveloppe_sklearn : `clf` n'est pas encore défini.")
    assert "`clf` vaut encore `...`" in plain
    _assert_french_only(plain + rich)


def test_wrong_answer_gets_the_first_failing_message(keras_cv_checks):
    plain, rich = _shown(keras_cv_checks.cells[7])
    assert plain.strip() == ("✘ cv01_enveloppe_sklearn : `clf` doit être un estimateur scikit-learn : "
                             "enveloppez votre fonction avec `KerasClassifier`.")
    assert rich.count("✘") == 1
    _assert_french_only(plain + rich)


def test_right_answer_passes(keras_cv_checks):
    plain, rich = _shown(keras_cv_checks.cells[9])
    assert plain.strip() == "✔ cv01_enveloppe_sklearn : vérifications publiques réussies."
    assert "✔" in rich
    _assert_french_only(plain + rich)


def test_mistyped_name_and_check_all(keras_cv_checks):
    plain, _ = _shown(keras_cv_checks.cells[10])
    assert "Aucune vérification ne porte ce nom" in plain and "cv01_enveloppe_sklearn" in plain
    plain, rich = _shown(keras_cv_checks.cells[11])
    lines = plain.strip().splitlines()
    assert lines[0] == "✔ cv01_enveloppe_sklearn : vérifications publiques réussies."
    assert [line[:6] for line in lines if line.startswith("✘")] == ["✘ cv02", "✘ cv03", "✘ cv04"]
    assert lines[-1] == "1/4 questions passent leurs vérifications publiques."
    _assert_french_only(plain + rich)
    assert all(not o.get("output_type") == "error" for c in keras_cv_checks.cells for o in c.outputs)


def test_crashing_check_is_a_french_line():
    """A public check that raises something else than AssertionError: type named, no traceback."""
    from otter.test_files.exception_test import ExceptionTestFile

    from tdgrade.student.selfcheck import translate

    test_file = ExceptionTestFile.from_string(
        "from otter.test_files import test_case\nname = 'q'\n"
        "@test_case(points=None)\ndef test_q(model):\n    assert model.layers[0] is not None, 'x'\n")
    env = {"model": 3}
    test_file.run(env)
    report = CheckReport([translate(test_file, env)])
    assert "AttributeError" in repr(report) and "`model`" in repr(report)
    _assert_french_only(repr(report) + report._repr_html_())


def test_html_escapes_student_text():
    report = CheckReport([QuestionReport("q1", False, "`x` vaut <script>alert(1)</script>")])
    assert "<script>" not in report._repr_html_() and "<code>x</code>" in report._repr_html_()


def test_shell_runner_as_shipped(tmp_path, smoke_data):
    """`python3 selfcheck.py NOTEBOOK` from the release folder, as the README says."""
    release, _, _ = compile_lab(Lab("minilab", FIXTURE), tmp_path / "build")
    blank = subprocess.run([sys.executable, "selfcheck.py", "minilab.ipynb"], cwd=release,
                           capture_output=True, text=True, timeout=300)
    assert blank.returncode == 1, blank.stderr
    assert "✘ q01_somme : `total` n'est pas encore défini." in blank.stdout
    assert "0/1 questions passent" in blank.stdout
    _assert_french_only(blank.stdout + blank.stderr)
    nb = nbformat.read(release / "minilab.ipynb", as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("total = ...", "total = 55\nraise ValueError('oups')")
    nbformat.write(nb, release / "minilab.ipynb")
    done = subprocess.run([sys.executable, "selfcheck.py", "minilab.ipynb"], cwd=release,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "✔ q01_somme" in done.stdout
    assert "erreur dans la cellule de code n°3 : ValueError: oups" in done.stdout


def test_cell_timeout_is_a_french_line(tmp_path, smoke_data):
    from tdgrade.check import check_notebook

    release, _, _ = compile_lab(Lab("minilab", FIXTURE), tmp_path / "build")
    nb = nbformat.read(release / "minilab.ipynb", as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("total = ...", "import time\ntime.sleep(300)")
    nbformat.write(nb, release / "minilab.ipynb")
    said = []
    assert check_notebook(release / "minilab.ipynb", profile="smoke", timeout=30, log=said.append) == 1
    out = "\n".join(said)
    assert "erreur dans la cellule de code n°3 : " in out  # the interrupted cell, named
    assert "✘ q01_somme : `total` n'est pas encore défini." in out
    _assert_french_only(out)
