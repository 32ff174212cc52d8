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
from tdgrade.student.selfcheck import CheckReport, QuestionReport, TestFile, run_public

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
    test_file = TestFile.from_source(
        "from otter.test_files import test_case\nname = 'q'\n"
        "@test_case(points=None)\ndef test_q(model):\n    assert model.layers[0] is not None, 'x'\n")
    report = CheckReport([run_public(test_file, {"model": 3})])
    assert "AttributeError" in repr(report) and "`model`" in repr(report)
    _assert_french_only(repr(report) + report._repr_html_())


PARITY_TEST = """\
from otter.test_files import test_case

OK_FORMAT = False

name = "q01_parite"
points = 2

@test_case(points=None, hidden=False)
def test_defini(total):
    assert total is not None and total is not ..., "`total` n'est pas encore défini."

@test_case(points=None, hidden=False)
def test_valeur(total, n, TDGRADE_PROFILE):
    import math
    assert math.isclose(total, n * (n + 1) / 2), f"`total` doit valoir la somme de 1 à {n} ({TDGRADE_PROFILE})."
"""
PARITY_ENVS = {
    "right": {"total": 55, "n": 10},
    "wrong": {"total": 54, "n": 10},
    "missing answer": {"n": 10},
    "dots": {"total": ..., "n": 10},
    "missing other name": {"total": 55},   # n is None: a TypeError inside the check
    "crashing": {"total": "55", "n": 10},  # a string: TypeError in isclose
}


@pytest.mark.parametrize("env_name", PARITY_ENVS)
def test_selfcheck_and_hidden_tests_agree(tmp_path, env_name):
    """The same public test file and values: the same pass/fail in selfcheck (no otter) and in
    tdgrade.hidden (otter's classes), case by case."""
    from tdgrade.hidden import Suite
    from tdgrade.student.selfcheck import check_question

    (tmp_path / "q01_parite.py").write_text(PARITY_TEST, encoding="utf-8")
    env = dict(PARITY_ENVS[env_name], TDGRADE_PROFILE="smoke")
    [graded] = Suite.from_dir(tmp_path, include_hidden=False).run(env, profile="smoke")
    test_file = TestFile.from_file(tmp_path / "q01_parite.py")
    assert [c.name for c in graded.cases] == [c.func.__name__ for c in test_file.cases]
    for case, result in zip(test_file.cases, graded.cases):
        alone = TestFile(test_file.name, test_file.path, [case])
        assert run_public(alone, env).passed == result.passed, (env_name, case.func.__name__)
    shown = check_question(tmp_path, "q01_parite", env)
    assert shown.passed == graded.passed == (env_name == "right")
    if not shown.passed:  # the first failing case's own message on both sides
        first = next(c for c in graded.cases if not c.passed)
        assert shown.message == first.message or "n'a pas pu s'exécuter" in shown.message + first.message


RELEASE_TESTS = Path(__file__).resolve().parents[1] / "release" / "fashion_mnist" / "tests"


@pytest.mark.parametrize("env", [
    {"output_units": 10, "output_activation": "softmax"},
    {"output_units": 10.0, "output_activation": "softmax"},
    {"output_units": ..., "output_activation": "softmax"},
    {"output_activation": "softmax"},
], ids=["right", "wrong type", "dots", "missing"])
def test_release_test_file_agrees_with_hidden(env):
    from tdgrade.hidden import Suite
    from tdgrade.student.selfcheck import check_question

    graded = {r.name: r.passed for r in Suite.from_dir(RELEASE_TESTS, include_hidden=False).run(env, "smoke")}
    assert check_question(RELEASE_TESTS, "fm08_sortie", env).passed == graded["fm08_sortie"]
    assert check_question(RELEASE_TESTS, "fm01_chargement", env).passed == graded["fm01_chargement"] is False


def test_loader_keeps_otter_semantics():
    """Parameters bound by name (missing: None, `env`: the globals), cases in file order, unnamed
    cases named as otter names them, hidden cases loaded but never run by selfcheck."""
    seen = {}
    test_file = TestFile.from_source(
        "from otter.test_files import test_case\nimport otter.test_files\nfrom otter import test_files\n"
        "assert otter.test_files.test_case is test_case is test_files.test_case\nname = 'q'\n"
        "@test_case(hidden=True)\ndef test_cache(x):\n    raise AssertionError('jamais montré')\n"
        "@test_case(points=1)\ndef test_vu(x, absent, env):\n    SEEN.update(x=x, absent=absent, env=env)\n")
    test_file.cases[1].func.__globals__["SEEN"] = seen
    assert [(c.name, c.hidden) for c in test_file.cases] == [("q - 1", True), ("q - 2", False)]
    env = {"x": 7}
    assert run_public(test_file, env).passed
    assert seen == {"x": 7, "absent": None, "env": env}


def test_broken_test_file_is_a_french_line(tmp_path):
    (tmp_path / "q.py").write_text("from otter.test_files import ExceptionTestFile\nname = 'q'\n")
    (tmp_path / "ok.py").write_text("OK_FORMAT = True\nname = 'ok'\ntest = {'name': 'ok', 'suites': []}\n")
    from tdgrade.student.selfcheck import check_question

    for question, error in (("q", "ImportError"), ("ok", "ValueError")):
        shown = check_question(tmp_path, question, {})
        assert not shown.passed and f"({error})" in shown.message
        _assert_french_only(shown.text())


SHIPPED_CHECK = """\
import sys
from selfcheck import Notebook
grader = Notebook("lab.ipynb")
total, n = 54, 10
print(grader.check("q01_parite"), flush=True)
print("otter loaded:", "otter" in sys.modules, flush=True)
if sys.argv[1] == "then-import-otter":
    import otter
    from otter.test_files import test_case
    print("real otter:", otter.Notebook.__module__, test_case.__module__, "otter.check" in sys.modules)
"""


@pytest.fixture(scope="module")
def shipped_lab(tmp_path_factory):
    """selfcheck.py as shipped in release/LAB/, next to a tests/ folder."""
    from tdgrade.compiler.layout import SELFCHECK

    lab = tmp_path_factory.mktemp("shipped")
    shutil.copyfile(SELFCHECK, lab / "selfcheck.py")
    (lab / "tests").mkdir()
    (lab / "tests" / "q01_parite.py").write_text(PARITY_TEST, encoding="utf-8")
    (lab / "student.py").write_text(SHIPPED_CHECK, encoding="utf-8")
    return lab


def _run_student(lab: Path, mode: str) -> str:
    done = subprocess.run([sys.executable, "-E", "student.py", mode], cwd=lab, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_check_never_imports_otter(shipped_lab):
    out = _run_student(shipped_lab, "check-only")
    assert "✘ q01_parite : `total` doit valoir la somme de 1 à 10 (None)." in out  # no TDGRADE_PROFILE: None
    assert "otter loaded: False" in out


def test_student_importing_otter_after_a_check_gets_the_real_package(shipped_lab):
    out = _run_student(shipped_lab, "then-import-otter")
    assert "otter loaded: False" in out
    assert "real otter: otter.check.notebook otter.test_files.exception_test True" in out


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


def _minilab_release(tmp_path, total: str, answer: str | None) -> Path:
    """The minilab release with `total = ...` replaced by `total` and the written answer by `answer`."""
    release, _, _ = compile_lab(Lab("minilab", FIXTURE), tmp_path / "build")
    nb = nbformat.read(release / "minilab.ipynb", as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("total = ...", total)
        if answer is not None and cell.cell_type == "markdown" and "_Écrivez votre réponse ici" in cell.source:
            cell.source = answer
    nbformat.write(nb, release / "minilab.ipynb")
    return release


def _rendu(release: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "selfcheck.py", "--rendu", "minilab.ipynb"], cwd=release,
                          capture_output=True, text=True, timeout=300)
    _assert_french_only(done.stdout)
    assert done.stderr == "", done.stderr  # no English kernel warning after the French lines
    return done


def test_rendu_complete_notebook_is_ready(tmp_path, smoke_data):
    done = _rendu(_minilab_release(tmp_path, "total = 55", "La somme de 1 à n vaut n(n+1)/2, soit 55."))
    assert done.returncode == 0, done.stdout
    assert "du début à la fin, dans un noyau Python neuf" in done.stdout
    assert "la correction accorde 30 min au notebook entier." in done.stdout
    assert "Réponses rédigées (1 point, corrigées par l'enseignant·e) : toutes remplies." in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "✔ PRÊT À RENDRE : déposez minilab.ipynb tel quel, sans le renommer."


def test_rendu_half_done_notebook_lists_what_is_left(tmp_path, smoke_data):
    done = _rendu(_minilab_release(tmp_path, "total = ...", None))
    assert done.returncode == 1
    out = done.stdout
    assert "Encore des `...` à remplacer par votre code (1 cellule(s)) :" in out
    assert "  – question 1, cellule de code n°3 (ligne 1)" in out
    assert "1 encore vide(s), 1 point en jeu" in out and "  – Question 2 (1 point)" in out
    assert "✘ q01_somme : `total` n'est pas encore défini." in out
    assert out.strip().splitlines()[-1].startswith(
        "✘ PAS ENCORE PRÊT À RENDRE : 1 vérification(s) publique(s) en échec ; 1 cellule(s) avec `...` ; "
        "1 réponse(s) rédigée(s) vide(s).")


def test_rendu_keeps_the_kernel_process_log_off_the_students_terminal(tmp_path, smoke_data):
    # ipykernel sometimes logs an English traceback while it shuts down (CI saw "Socket operation on
    # non-socket"); this kernel writes to its process stderr as it exits, which is the same channel
    noisy = "total = 55\nimport atexit, os\natexit.register(os.write, 2, b'ERROR:tornado.general: kernel noise')"
    done = _rendu(_minilab_release(tmp_path, noisy, "La somme vaut 55."))
    assert done.returncode == 0, done.stdout
    assert "kernel noise" not in done.stdout


def test_rendu_crashing_notebook_is_not_ready(tmp_path, smoke_data):
    done = _rendu(_minilab_release(tmp_path, "total = 55\nraise ValueError('oups')", "Ma réponse."))
    assert done.returncode == 1
    assert "erreur dans la cellule de code n°3 : ValueError: oups" in done.stdout
    assert done.stdout.strip().splitlines()[-1].startswith("✘ PAS ENCORE PRÊT À RENDRE : 1 cellule(s) en erreur.")


def test_check_all_lists_the_empty_written_answers():
    from tdgrade.student.selfcheck import written_answers

    facts = {"written": [{"name": "q02_pourquoi", "points": 1.5, "prompt": "**Question 2 (suite)** : pourquoi ?",
                          "scaffolds": ["_Écrivez votre réponse ici, à la place de ce texte._", "# Votre code ici"]}]}
    prompt = {"cell_type": "markdown", "metadata": {"editable": False}, "source": ["**Question 2 (suite)** : pourquoi ?"]}
    locked = {"cell_type": "markdown", "metadata": {"editable": False}, "source": "**Question 3**"}

    def notebook(*answers):
        return {"cells": [prompt, *({"cell_type": "markdown", "metadata": {}, "source": a} for a in answers), locked,
                          {"cell_type": "markdown", "metadata": {}, "source": "après la question : ne compte pas"}]}

    blank = written_answers(notebook("_Écrivez votre réponse ici, à la place de ce texte._", "# Votre code ici"), facts)
    assert [(w.label, w.points, w.answered) for w in blank] == [("Question 2 (suite)", 1.5, False)]
    assert written_answers(notebook("_Écrivez votre réponse ici, à la place de ce texte._", "plt.imshow(x)"),
                           facts)[0].answered
    report = CheckReport([QuestionReport("q01", True)], blank)
    assert report.text().splitlines()[-2:] == [
        "Réponses rédigées (1,5 point, corrigées par l'enseignant·e) : 1 encore vide(s), 1,5 point en jeu "
        "(d'après la dernière sauvegarde du notebook) :", "  – Question 2 (suite) (1,5 point)"]
    assert "Question 2 (suite)" in report._repr_html_()
    assert written_answers({"cells": []}, facts)[0].answered is False  # prompt deleted: not answered


def test_cv03_hint_on_a_blank_notebook_names_the_prompt_variable():
    """cv03 accepts `cv_scores` or the optional `optimizer_cv`: a blank notebook has `cv_scores = ...`
    and no `optimizer_cv`; the hint must point at the `...` to replace, not at the optional name."""
    from tdgrade.labs import get_lab

    test_file = TestFile.from_file(get_lab("keras_cv").release_dir / "tests" / "cv03_choix_optimiseur.py")
    report = run_public(test_file, {"cv_scores": ..., "best_optimizer": ...})
    assert not report.passed
    assert report.hint == "`cv_scores` vaut encore `...` : remplacez les `...` par votre code et exécutez la cellule."
    not_run = run_public(test_file, {})  # the cell has not run: both are missing, the hint says to run it
    assert "n'existent pas encore dans le noyau" in not_run.hint
