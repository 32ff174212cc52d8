"""The JAX compile cache's warm-up plan (`sandbox/warm_plan.py`, source/LAB/warmup.toml): parsed and
applied strictly, checked by the build against the solution, part of the cache's fingerprint, never
in a release; `compile_cache.warm` runs the solution then each variant into one cache."""
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from tdgrade.compiler import BuildError, _write_warm_plan
from tdgrade.compiler.solutions import source_digest
from tdgrade.labs import LAB_NAMES, get_lab
from tdgrade.sandbox import compile_cache, warm_plan
from tdgrade.sandbox.warm_plan import WARMUP_FILE, Edit, WarmPlanError

PLAN = """
[compile_only]
edits = [["epochs=20", "epochs=1"]]
[[variant]]
name = "batch_256"
why = "fm12"
edits = [["batch = 240", "batch = 256"]]
"""


def nb(*codes: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in codes])


def code(notebook) -> list[str]:
    return [c.source for c in notebook.cells if c.cell_type == "code"]


def test_runs_are_the_solution_then_each_variant_with_the_compile_only_edits_last():
    plan = warm_plan.parse(PLAN)
    runs = plan.runs()
    assert [r.name for r in runs] == ["solution", "batch_256"]
    assert runs[0].edits == (Edit("epochs=20", "epochs=1"),)
    assert runs[1].edits == (Edit("batch = 240", "batch = 256"), Edit("epochs=20", "epochs=1"))
    edited = warm_plan.apply(nb("batch = 240", "fit(epochs=20)\nfit(epochs=20)"), runs[1])
    assert code(edited) == ["batch = 256", "fit(epochs=1)\nfit(epochs=1)"]  # every occurrence


def test_applying_leaves_the_original_untouched_and_names_a_missing_text():
    original = nb("batch = 240")
    with pytest.raises(WarmPlanError, match=r"'batch_256'.*'epochs=20'"):
        warm_plan.apply(original, warm_plan.parse(PLAN).runs()[1])
    assert code(original) == ["batch = 240"]


@pytest.mark.parametrize("text, message", [
    ("[compile_only\n", "not valid TOML"),
    ("[warmup]\n", "unknown section"),
    ('[[variant]]\nname = "solution"\nedits = [["a", "b"]]\n', "unique `name`"),
    ('[[variant]]\nname = "x"\nedits = [["a", "b"]]\n[[variant]]\nname = "x"\nedits = [["a", "c"]]\n', "unique `name`"),
    ('[[variant]]\nname = "x"\nedits = [["a"]]\n', "pairs"),
    ('[[variant]]\nname = "x"\nedits = [["", "b"]]\n', "pairs"),
    ('[[variant]]\nname = "x"\n', "pairs"),
])
def test_a_malformed_plan_is_refused_in_english(text, message):
    with pytest.raises(WarmPlanError, match=message):
        warm_plan.parse(text)


def test_no_file_is_the_solution_alone_with_an_empty_digest(tmp_path):
    plan = warm_plan.load(tmp_path / WARMUP_FILE)
    assert [r.name for r in plan.runs()] == ["solution"] and plan.runs()[0].edits == () and plan.digest == ""


def test_the_build_refuses_a_plan_that_no_longer_matches_the_solution(tmp_path):
    (tmp_path / WARMUP_FILE).write_text(PLAN)
    with pytest.raises(BuildError, match="batch_256"):
        _write_warm_plan(tmp_path / WARMUP_FILE, nb("fit(epochs=20)"), tmp_path / "out.toml")
    assert not (tmp_path / "out.toml").exists()
    (tmp_path / WARMUP_FILE).write_text(PLAN.replace('"batch = 256"', '"batch = 240"'))
    with pytest.raises(BuildError, match="changes nothing"):
        _write_warm_plan(tmp_path / WARMUP_FILE, nb("batch = 240", "fit(epochs=20)"), tmp_path / "out.toml")
    (tmp_path / WARMUP_FILE).write_text(PLAN)
    _write_warm_plan(tmp_path / WARMUP_FILE, nb("batch = 240", "fit(epochs=20)"), tmp_path / "out.toml")
    assert (tmp_path / "out.toml").read_text() == PLAN


@pytest.mark.parametrize("name", LAB_NAMES)
def test_each_lab_plan_applies_to_its_committed_solution_and_reaches_the_autograder_not_the_release(name):
    lab = get_lab(name)
    plan = warm_plan.load(lab.source_dir / WARMUP_FILE)
    assert len(plan.runs()) > 1, f"{name}: no allowed variant is warmed"
    solution = nbformat.read(lab.solutions_dir / lab.notebook_name, as_version=4)
    assert warm_plan.check(plan, solution) == []
    assert (lab.autograder_dir / WARMUP_FILE).read_text() == (lab.source_dir / WARMUP_FILE).read_text()
    assert not list(lab.release_dir.rglob(WARMUP_FILE))


def test_editing_the_plan_does_not_re_execute_the_solution(tmp_path):
    (tmp_path / "lab.ipynb").write_text("{}")
    before = source_digest(tmp_path)
    (tmp_path / WARMUP_FILE).write_text(PLAN)
    assert source_digest(tmp_path) == before
    (tmp_path / "data.csv").write_text("1")
    assert source_digest(tmp_path) != before


def test_the_plan_is_part_of_the_cache_fingerprint():
    common = dict(cpuinfo="model name: x\nflags: avx\n", versions={"jax": "1", "jaxlib": "1", "keras": "3"}, cores=1)
    a = compile_cache.fingerprint("smoke", "", "code", plan_digest="", **common)
    b = compile_cache.fingerprint("smoke", "", "code", plan_digest=warm_plan.parse(PLAN).digest, **common)
    c = compile_cache.fingerprint("smoke", "", "code", plan_digest=warm_plan.parse(PLAN + "\n").digest, **common)
    assert len({a.digest(), b.digest(), c.digest()}) == 3


def _warm_setup(tmp_path, monkeypatch, fails: set[str]):
    (tmp_path / "tests").mkdir()
    (tmp_path / WARMUP_FILE).write_text(PLAN + '[[variant]]\nname = "other"\nedits = [["batch = 240", "batch = 260"]]\n')
    solution = tmp_path / "lab.ipynb"
    nbformat.write(nb('import os\nos.environ["KERAS_BACKEND"] = "jax"', "batch = 240", "fit(epochs=20)"), solution)
    ctx = SimpleNamespace(lab_name="jaxlab", profile="smoke", threads=1, solution_notebook=solution,
                          tests_dir=tmp_path / "tests")
    monkeypatch.setattr(compile_cache, "cache_root", lambda: tmp_path / "jax-compile")
    monkeypatch.delenv(compile_cache.DISABLE_ENV, raising=False)
    seen, said = [], []

    def fake_run(ctx, env, stop=None, run=None):
        edited = warm_plan.apply(nbformat.read(ctx.solution_notebook, as_version=4), run)
        seen.append((run.name, code(edited)))
        if run.name in fails:
            return f"{run.name} broke"
        (Path(env["JAX_COMPILATION_CACHE_DIR"]) / f"entry-{run.name}").write_text("x")
        return None

    monkeypatch.setattr(compile_cache.warmup, "run_solution", fake_run)
    return ctx, seen, said


def test_warm_runs_the_solution_then_every_variant_into_one_cache(tmp_path, monkeypatch):
    ctx, seen, said = _warm_setup(tmp_path, monkeypatch, fails={"other"})
    with compile_cache.reporting(said.append):
        folder = compile_cache.for_job(ctx)
    assert [name for name, _ in seen] == ["solution", "batch_256", "other"]
    assert seen[1][1][1:] == ["batch = 256", "fit(epochs=1)"]
    assert sorted(p.name for p in folder.iterdir()) == ["entry-batch_256", "entry-solution"]  # the failed one skipped
    assert any("warm-up variant 'other'" in line and "other broke" in line for line in said), said
    assert compile_cache.for_job(ctx) == folder and len(seen) == 3  # warmed once


def test_a_failing_solution_leaves_no_cache(tmp_path, monkeypatch):
    ctx, seen, said = _warm_setup(tmp_path, monkeypatch, fails={"solution"})
    with compile_cache.reporting(said.append):
        assert compile_cache.for_job(ctx) is None
    assert [name for name, _ in seen] == ["solution"]
    assert not [p for p in (tmp_path / "jax-compile").iterdir() if p.is_dir()]


@pytest.mark.parametrize("name", LAB_NAMES)
def test_the_plan_quotes_the_solution_so_no_student_facing_output_holds_it(name):
    """warmup.toml holds solution text (the batch size of fm12): not in the release, nor in the nbgrader
    course's source (nbgrader releases every file beside the notebook), nor in the Gradescope zip."""
    import zipfile

    lab = get_lab(name)
    assert not list(lab.release_dir.rglob(WARMUP_FILE))
    assert not list((lab.autograder_dir / "nbgrader").rglob(WARMUP_FILE))
    with zipfile.ZipFile(lab.autograder_dir / f"{name}-autograder.zip") as zf:
        assert not [n for n in zf.namelist() if n.endswith(WARMUP_FILE)]
