"""The Gradescope zip grades like `tdgrade grade`, run the way Gradescope runs it, offline.

`gradescope_harness.py` lays out `/autograder` in a temporary folder (`source/` = the unzipped
autograder zip, `submission/`, `results/`, `submission_metadata.json`), runs the zip's own data
installer (as its `setup.sh` does, from a local mirror folder) and the zip's own `run_otter.py` (as
its `run_autograder` does; the folder is its argument instead of `/autograder`).

Why not every corpus case through a real notebook: one notebook execution costs 20 s (blank) to
4 minutes (a solution) here, and the corpora hold ~100 cases. So the evidence is split:
- complete harness, real notebooks, smoke profile: the blank release of keras_cv (default tier)
  and of fashion_mnist (slow tier), the solution of both labs (slow tier: ~4 minutes each here);
  full profile: a fashion_mnist notebook that sets the profile itself (default tier);
- value level: every known-wrong and known-right case (tests/test_hidden_*.py,
  tests/test_known_right.py) goes through `tests/parity.py`, whose otter path is now the code the
  zip's `run_otter.py` runs after the notebook executed (otter's `Checker` on the zip's test files
  re-targeted to the profile, `GradingResults`, the zip's French `results.json`), with the
  notebook's `TDGRADE_PROFILE` global set to the other profile. What the value level skips is the
  execution itself (kernel, otter's inserted cells, our plugin), which the real runs above cover.
"""
import ast
import json
import zipfile
from pathlib import Path

import dill
import nbformat
import pytest

import gradescope_harness as harness
from parity import feedback_lines
import tdgrade.gradescope
from tdgrade.compiler import gradescope_zip as gradescope, leaks
from tdgrade.data import fashion_mnist, full_keras_home
from tdgrade.hidden import Suite
from tdgrade.labs import get_lab

LABS = ("fashion_mnist", "keras_cv")
FM = "fashion_mnist"


@pytest.fixture(scope="module")
def mirror(smoke_data):
    """A local mirror: the verified Fashion-MNIST originals `tdgrade data` keeps."""
    return full_keras_home() / fashion_mnist.SUBDIR


@pytest.fixture(scope="module")
def autograder_root(compiled, mirror, tmp_path_factory):
    """(lab, profile) -> an /autograder folder for the lab's zip re-targeted to the profile, data installed."""
    roots = {}

    def get(lab: str, profile: str):
        if (lab, profile) not in roots:
            scratch = tmp_path_factory.mktemp(f"gradescope-{lab}-{profile}")
            zip_path = harness.zip_for(compiled(lab).autograder, lab, profile, scratch / f"{lab}.zip")
            root = harness.layout(zip_path, scratch / "autograder")
            done = harness.install_data(root, mirror)
            assert done.returncode == 0, done.stderr
            roots[lab, profile] = root
        return roots[lab, profile]

    return get


def _assert_like_tdgrade(run, results):
    """results.json: tdgrade's per-question scores, its French per-case feedback, published visibility."""
    assert run.returncode == 0, run.stderr[-3000:]
    got = run.results
    assert got["stdout_visibility"] == "hidden"
    assert run.scores() == {r.name: float(r.score) for r in results}
    for r, test in zip(results, got["tests"]):
        assert test["name"] == r.name and test["max_score"] == float(r.max_score)
        assert test["visibility"] == "after_published"
        assert test["output"].split("\n")[2:] == feedback_lines(r), (r.name, test["output"])


def _leaks(compiled_lab, texts: dict[str, str], folder):
    folder.mkdir()
    for name, text in texts.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    assigned = compiled_lab.assigned
    return leaks.scan(folder, leaks.solution_lines(assigned.autograder_dir / assigned.notebook_name),
                      leaks.hidden_test_lines(compiled_lab.autograder / "tests"))


# ------------------------------------------------------------------ the zip as built
@pytest.mark.parametrize("lab", LABS)
def test_committed_zip_fixes_the_grader_profile(lab):
    built = get_lab(lab).autograder_dir / f"{lab}-autograder.zip"
    with zipfile.ZipFile(built) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    config = json.loads(members[gradescope.CONFIG_FILE])
    assert config["lab"] == lab and config["profile"] == gradescope.GRADER_PROFILE == "full"
    assert bool(config["datasets"]) == (lab == FM)
    tests = {n: v.decode() for n, v in members.items() if n.startswith("tests/")}
    assert tests
    for name, source in tests.items():
        assert "TDGRADE_PROFILE = 'full'  #" in source, name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                assert "TDGRADE_PROFILE" not in [a.arg for a in node.args.args], (name, node.name)
    assert b"from tdgrade_gradescope import main" in members["run_otter.py"]
    assert members["setup.sh"].rstrip().endswith(b"python /autograder/source/tdgrade_install_data.py")
    for shipped, module in gradescope.SHIPPED.items():
        source = (Path(tdgrade.gradescope.__file__).parent / module).read_bytes()
        assert members[shipped] == source
        imported = {n.module or "" for n in ast.walk(ast.parse(source)) if isinstance(n, ast.ImportFrom)}
        imported |= {a.name for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Import) for a in n.names}
        assert not {m for m in imported if m.startswith("tdgrade")}, f"{module} must stand alone on Gradescope"


# ------------------------------------------------------------------ data installer
def test_installer_rejects_a_corrupted_file_and_derives_the_smoke_subset(compiled, mirror, tmp_path):
    bad_mirror = tmp_path / "mirror"
    bad_mirror.mkdir()
    for name in fashion_mnist.SHA256:
        (bad_mirror / name).write_bytes((mirror / name).read_bytes())
    corrupted = bad_mirror / "train-labels-idx1-ubyte.gz"
    data = bytearray(corrupted.read_bytes())
    data[100] ^= 0xFF
    corrupted.write_bytes(bytes(data))

    built = compiled(FM).autograder / f"{FM}-autograder.zip"
    root = harness.layout(built, tmp_path / "full")
    done = harness.install_data(root, bad_mirror, mirror_only=True)
    assert done.returncode == 1
    assert "train-labels-idx1-ubyte.gz: sha256" in done.stdout and "rejected" in done.stdout
    assert "no source gave a file with the expected sha256" in done.stderr
    installed = root / "source" / gradescope.KERAS_HOME / fashion_mnist.SUBDIR
    assert not (installed / "train-labels-idx1-ubyte.gz").exists()
    # with the other sources allowed, the corrupted copy is still rejected and a verified one used
    if fashion_mnist.DEBIAN_DIR.is_dir():
        done = harness.install_data(root, bad_mirror)
        assert done.returncode == 0 and "rejected" in done.stdout, done
        assert "train-labels-idx1-ubyte.gz: installed from /usr/share/datasets/fashion-mnist" in done.stdout
    assert harness.install_data(root, mirror, mirror_only=True).returncode == 0
    assert {n: fashion_mnist.sha256(installed / n) for n in fashion_mnist.SHA256} == fashion_mnist.SHA256

    smoke = harness.layout(harness.zip_for(compiled(FM).autograder, FM, "smoke", tmp_path / "smoke.zip"),
                           tmp_path / "smoke")
    assert harness.install_data(smoke, mirror).returncode == 0
    subset = smoke / "source" / gradescope.KERAS_HOME / fashion_mnist.SUBDIR
    assert {n: fashion_mnist.sha256(subset / n) for n in fashion_mnist.SMOKE_SHA256} == fashion_mnist.SMOKE_SHA256


# ------------------------------------------------------------------ real notebooks, complete harness
@pytest.mark.parametrize("lab", [pytest.param(FM, marks=pytest.mark.slow), "keras_cv"])
def test_blank_release_scores_as_in_tdgrade_with_french_feedback_and_no_leak(lab, compiled, autograder_root,
                                                                              blank_release_values, tmp_path):
    lab_c = compiled(lab)
    root = autograder_root(lab, "smoke")
    run = harness.run_autograder(root, lab_c.release / lab_c.lab.notebook_name)
    _assert_like_tdgrade(run, lab_c.suite.run(blank_release_values(lab), "smoke"))
    outputs = {t["name"]: t["output"] for t in run.results["tests"]}
    assert all("Test case failed" not in o and "Error at line" not in o for o in outputs.values())
    assert _leaks(lab_c, outputs, tmp_path / "ours") == []
    # control: otter's own results.json for the same run shows hidden test source, which the scan catches
    from otter.run import AutograderConfig

    with open(root / "results" / "results.pkl", "rb") as f:
        otter_json = dill.load(f).to_gradescope_dict(AutograderConfig({"show_hidden": True}))
    found = _leaks(lab_c, {t["name"]: t.get("output", "") for t in otter_json["tests"]}, tmp_path / "otter")
    assert any(leak.kind.startswith("hidden test line") for leak in found)


def _attack_notebook(release_nb):
    """The release answering fm01 with the smoke subset, after setting the profile to smoke."""
    nb = nbformat.read(release_nb, as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith("x_train, y_train, x_test"))
    cell.source = (
        'import os\nos.environ["TDGRADE_PROFILE"] = "smoke"\nTDGRADE_PROFILE = "smoke"\n'
        "(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()\n"
        "def _first(y, n):\n"
        "    return np.sort(np.concatenate([np.flatnonzero(y == k)[:n] for k in range(10)]))\n"
        "_tr, _te = _first(y_train, 600), _first(y_test, 100)\n"
        "x_train, y_train, x_test, y_test = x_train[_tr], y_train[_tr], x_test[_te], y_test[_te]\n")
    return nb


@pytest.mark.slow  # a real fashion_mnist notebook through the whole harness
def test_a_notebook_that_sets_the_profile_gains_nothing(compiled, autograder_root, solution_values, tmp_path):
    lab_c = compiled(FM)
    # the hole this closes: test files that read the profile from the notebook's globals (as built
    # before) give smoke-size answers full marks in a zip meant for the full profile
    smoke_answers = {**solution_values(FM), "TDGRADE_PROFILE": "smoke"}
    from otter.test_files import ExceptionTestFile

    unbaked = ExceptionTestFile.from_file(str(lab_c.autograder / "tests" / "fm01_chargement.py"))
    unbaked.run(smoke_answers)
    assert unbaked.score == unbaked.possible == 1
    # the zip (full profile) runs a notebook that sets TDGRADE_PROFILE (global and environment) to
    # smoke and answers fm01 with the smoke-size data: fm01 scores 0 with tdgrade's message
    submission = tmp_path / f"{FM}.ipynb"
    nbformat.write(_attack_notebook(lab_c.release / f"{FM}.ipynb"), submission)
    run = harness.run_autograder(autograder_root(FM, "full"), submission)
    assert run.returncode == 0, run.stderr[-3000:]
    fm01 = next(t for t in run.results["tests"] if t["name"] == "fm01_chargement")
    assert fm01["score"] == 0 and "test public : réussi" in fm01["output"], fm01
    (expected,) = lab_c.suite.run(smoke_answers, "full", only=["fm01_chargement"])
    assert fm01["output"].split("\n")[2:] == feedback_lines(expected)


def test_another_labs_notebook_gets_zero_with_a_french_reason(compiled, autograder_root):
    cv = compiled("keras_cv")
    run = harness.run_autograder(autograder_root(FM, "full"), cv.release / cv.lab.notebook_name)
    assert run.returncode == 1
    assert run.results["score"] == 0 and run.results["tests"] == []
    assert "n'est pas celui du TD `fashion_mnist`" in run.results["output"]


def test_failure_messages_are_tdgrades():
    from tdgrade.gradescope.runner import case_message

    framed = "❌ Test case failed\nError at line 7 in test q:\n  assert x == 3, 'msg'\n{}"
    assert case_message(framed.format("AssertionError: `x` vaut 2.\nEncore."), ["x"]) == "`x` vaut 2.\nEncore."
    assert case_message(framed.format("AssertionError: "), ["x"]) == "Réponse incorrecte."
    crash = case_message(framed.format("TypeError: unsupported operand"), ["x", "y"])
    assert crash.startswith("Le test n'a pas pu s'exécuter sur votre réponse (TypeError)")
    assert crash.endswith("`x`, `y`.") and "assert" not in crash
    from tdgrade.hidden import _crash_message

    assert crash == _crash_message(TypeError("unsupported operand"), ["x", "y"])


@pytest.mark.slow
@pytest.mark.parametrize("lab", LABS)
def test_solution_scores_full_marks_as_in_tdgrade(lab, compiled, autograder_root, solution_values, tmp_path):
    lab_c = compiled(lab)
    submission = tmp_path / lab_c.lab.notebook_name
    nbformat.write(lab_c.solution, submission)
    run = harness.run_autograder(autograder_root(lab, "smoke"), submission, timeout=1800)
    results = lab_c.suite.run(solution_values(lab), "smoke")
    assert all(r.score == r.max_score for r in results)
    _assert_like_tdgrade(run, results)


def test_suite_reads_the_same_tests_as_the_zip(compiled, tmp_path):
    """The zip's test files differ from autograder/LAB/tests only by the baked profile."""
    lab_c = compiled(FM)
    with zipfile.ZipFile(lab_c.autograder / f"{FM}-autograder.zip") as zf:
        zf.extractall(tmp_path, [n for n in zf.namelist() if n.startswith("tests/")])
    for path in sorted((lab_c.autograder / "tests").glob("*.py")):
        assert (tmp_path / "tests" / path.name).read_text() == gradescope.bake_profile(path.read_text(), "full")
    assert Suite.from_dir(tmp_path / "tests").questions == lab_c.suite.questions
