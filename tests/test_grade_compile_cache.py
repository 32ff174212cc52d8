"""The JAX compile cache (`tdgrade.sandbox.compile_cache`): warmed from the trusted solution only,
copied privately into each sandbox, never changed by a student, same grades with or without it.

The lab here is a tiny Keras-on-JAX MLP (2 epochs on 256 generated samples), built in a temporary
folder, so a kernel costs a few seconds. Its submissions print the listing of their compile-cache
folder before and after training: entries present before the kernel compiled anything, and none
added by training, show the kernel loaded its programs from the cache (no timing involved).
"""
import hashlib
import json
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest

from grade_helpers import copy_labs, grade_cases, results_by_id, run_grade
from tdgrade.artifacts import load_values
from tdgrade.execute import thread_env
from tdgrade.sandbox import compile_cache
from tdgrade import sandbox
from tdgrade.grade import worker
from tdgrade.labs import Lab

needs_bwrap = pytest.mark.skipif(sandbox.probe()[0] != "bwrap", reason="bwrap sandbox not usable here")

SETUP = 'import os\nos.environ["KERAS_BACKEND"] = "jax"\nimport numpy as np\nimport keras'
TRAIN = """
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(256, 8)).astype("float32")
y = (x.sum(axis=1) > 0).astype("float32")
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"),
                          keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
history = model.fit(x, y, epochs=2, batch_size=64, verbose=0)
losses = [float(v) for v in history.history["loss"]]
weights = np.concatenate([w.ravel() for w in model.get_weights()])
"""
BLANK = "losses = ...\nweights = ..."
LISTING = ("import os, json\n_d = os.environ.get('JAX_COMPILATION_CACHE_DIR')\n"
           "print('{tag}', json.dumps(sorted(os.listdir(_d)) if _d else None))")
HOSTILE = """
import os
import numpy as np
d = os.environ["JAX_COMPILATION_CACHE_DIR"]
names = sorted(os.listdir(d))
for name in names[::2]:
    with open(os.path.join(d, name), "wb") as f:
        f.write(b"planted by a student")
for name in names[1::2]:
    os.remove(os.path.join(d, name))
with open(os.path.join(d, "planted-cache"), "wb") as f:
    f.write(b"not a program")
print("VANDALISED", len(names))
losses = [1.0, 0.5]
weights = np.zeros(3)
"""
TEST_FILE = '''OK_FORMAT = False

import numpy as np
from otter.test_files import test_case

name = "q1_mlp"
points = 2

@test_case(points=1, hidden=False)
def test_q1_public(losses):
    assert losses is not None, "La variable `losses` n'est pas définie."

@test_case(points=1, hidden=True)
def test_q1_hidden(losses, weights):
    assert len(losses) == 2 and np.all(np.isfinite(np.asarray(weights, dtype=float))), "Entraînement incomplet."
'''


PROSE = "# TD factice JAX\n\nUn petit réseau entraîné avec Keras sur JAX."


def _nb(*codes: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell(PROSE)] + [nbformat.v4.new_code_cell(c) for c in codes]
    return nb


def make_jax_lab(root: Path, solution_cells: tuple[str, ...] = (SETUP, TRAIN)) -> Lab:
    lab = Lab("jaxlab", root)
    for folder, nb in ((lab.release_dir, _nb(SETUP, BLANK)), (lab.solutions_dir, _nb(*solution_cells))):
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / lab.notebook_name)
    lab.tests_dir.mkdir(parents=True)
    (lab.tests_dir / "q1_mlp.py").write_text(TEST_FILE, encoding="utf-8")
    return lab


def submit(folder: Path, student: str, *codes: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(_nb(*codes), folder / f"{student}.ipynb")
    return folder


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode() + b"\0" + (path.read_bytes() if path.is_file() else b"/"))
    return h.hexdigest()


def printed(outdir: Path, student: str) -> str:
    """What the student's graded notebook printed."""
    nb = nbformat.read(outdir / "notebooks" / f"{student}.ipynb", as_version=4)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def listings(outdir: Path, student: str) -> dict[str, list | None]:
    """{'BEFORE': names, 'AFTER': names} printed by the submission's listing cells."""
    text = printed(outdir, student)
    return {line.split(" ", 1)[0]: json.loads(line.split(" ", 1)[1]) for line in text.splitlines()
            if line.startswith(("BEFORE ", "AFTER "))}


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    root = tmp_path / "jax-compile"
    monkeypatch.setattr(compile_cache, "cache_root", lambda: root)
    monkeypatch.delenv(compile_cache.DISABLE_ENV, raising=False)
    return root


@pytest.fixture
def captured_values(monkeypatch):
    """student id -> the values the hidden tests read (the exported values folder, loaded)."""
    captured = {}
    original = worker.run_hidden

    def run_hidden(ctx, root, stop):
        captured[root.name.rsplit("-", 2)[0]] = load_values(root / "values")
        return original(ctx, root, stop)

    monkeypatch.setattr(worker, "run_hidden", run_hidden)
    return captured


# ---------------------------------------------------------------- end to end, real kernels


@needs_bwrap
def test_warm_cache_is_used_gives_the_same_values_and_survives_a_hostile_kernel(tmp_path, cache_root,
                                                                                 captured_values, monkeypatch):
    lab = make_jax_lab(tmp_path / "lab")
    _fakelab, other = copy_labs(tmp_path / "labs")
    honest = (LISTING.format(tag="BEFORE"), SETUP, TRAIN, LISTING.format(tag="AFTER"))
    mounts = "import os\nprint(open('/proc/self/mountinfo').read(), os.environ['JAX_COMPILATION_CACHE_DIR'])"

    def grade(n: int, student: str, *cells: str):
        return run_grade(lab, other, [submit(tmp_path / f"s{n}", student, *cells)], tmp_path / f"out{n}",
                         timeout=120, memory="3G")

    rc, log = grade(1, "alice", *honest, mounts)
    assert rc == 0, log
    assert "warming the JAX compile cache for jaxlab" in log and "ready in" in log, log
    [master] = [p for p in cache_root.iterdir() if p.is_dir()]
    master_hash, master_names = tree_hash(master), sorted(p.name for p in master.iterdir())
    seen = listings(tmp_path / "out1", "alice")
    assert seen["BEFORE"] == master_names and master_names, seen  # entries there before the kernel compiled
    assert seen["AFTER"] == seen["BEFORE"], "training compiled programs the warm cache did not hold"
    text = printed(tmp_path / "out1", "alice")
    assert " /tmp/jax-cache " in text and compile_cache.SB_JAX_CACHE + "\n" in text, text[-2000:]
    assert str(tmp_path) not in text, "a host path of the run is visible in the sandbox"

    rc, log = grade(2, "mallory", HOSTILE)
    assert rc == 0, log
    assert "warming" not in log, log  # the ready cache is reused, not warmed again
    assert f"VANDALISED {len(master_names)}" in printed(tmp_path / "out2", "mallory")
    assert tree_hash(master) == master_hash, "a sandboxed kernel changed the master cache"

    rc, log = grade(3, "bob", *honest)
    assert rc == 0, log
    assert listings(tmp_path / "out3", "bob")["AFTER"] == master_names

    monkeypatch.setenv(compile_cache.DISABLE_ENV, "1")
    rc, log = grade(4, "carol", *honest)
    assert rc == 0, log
    assert listings(tmp_path / "out4", "carol") == {"BEFORE": None, "AFTER": None}  # no cache at all

    results = {sid: results_by_id(tmp_path / f"out{i}")[0][sid]
               for i, sid in enumerate(("alice", "mallory", "bob", "carol"), 1)}
    assert all(r["status"] == "graded" and r["total"] == 2.0 for r in results.values()), results
    # Same machine, same programs: loading them from the cache must give the very bits a fresh compile gives.
    for sid in ("alice", "bob"):
        assert captured_values[sid]["losses"] == captured_values["carol"]["losses"], sid
        assert np.array_equal(captured_values[sid]["weights"], captured_values["carol"]["weights"]), sid


@needs_bwrap
def test_a_failed_warm_up_warns_and_grades_without_cache(tmp_path, cache_root):
    lab = make_jax_lab(tmp_path / "lab", (SETUP.split("\nimport numpy")[0], "raise RuntimeError('solution cassée')"))
    _fakelab, other = copy_labs(tmp_path / "labs")
    cheap = submit(tmp_path / "s", "alice", LISTING.format(tag="BEFORE"), "import numpy as np",
                   "losses = [1.0, 0.5]\nweights = np.zeros(3)")
    rc, log = run_grade(lab, other, [cheap], tmp_path / "out", timeout=60, memory="3G")
    assert rc == 0, log
    assert "warning: could not warm the JAX compile cache for jaxlab" in log, log
    assert "RuntimeError: solution cassée" in log, log
    result = results_by_id(tmp_path / "out")[0]["alice"]
    assert result["status"] == "graded" and result["total"] == 2.0, result
    assert listings(tmp_path / "out", "alice")["BEFORE"] is None
    assert not [p for p in cache_root.iterdir() if p.is_dir()], list(cache_root.iterdir())  # nothing half-made


@needs_bwrap
def test_a_lab_without_jax_gets_no_cache_and_no_cache_variables(tmp_path, cache_root):
    lab, other = copy_labs(tmp_path / "labs")
    probe = "import os\nprint('JAXVARS', sorted(k for k in os.environ if k.startswith('JAX_')))"
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.ipynb").write_bytes(grade_cases.dump(grade_cases.solution(probe)))
    rc, log = run_grade(lab, other, [folder], tmp_path / "out")
    assert rc == 0, log
    assert "JAX compile cache" not in log
    text = printed(tmp_path / "out", "alice")
    assert "JAXVARS []" in text, text
    assert not cache_root.exists()


# ---------------------------------------------------------------- units


def _ctx(solution: Path, **kw) -> SimpleNamespace:
    return SimpleNamespace(**{"lab_name": "jaxlab", "profile": "smoke", "threads": 1, "solution_notebook": solution,
                              **kw})


def test_two_concurrent_callers_warm_once_and_the_other_does_not_wait(tmp_path, cache_root, monkeypatch):
    lab = make_jax_lab(tmp_path / "lab")
    ctx = _ctx(lab.solutions_dir / lab.notebook_name)
    entered, release, calls = threading.Event(), threading.Event(), []

    def fake_warm(plan, ctx, stop=None):
        calls.append(plan.folder)
        entered.set()
        assert release.wait(30)
        plan.folder.mkdir()
        (plan.folder / "entry-cache").write_bytes(b"x")
        return None  # done

    monkeypatch.setattr(compile_cache, "warm", fake_warm)
    first = {}
    warmer = threading.Thread(target=lambda: first.setdefault("got", compile_cache.for_job(ctx)))
    warmer.start()
    try:
        assert entered.wait(30)
        assert compile_cache.for_job(ctx) is None  # returned while the warm-up is still blocked
    finally:
        release.set()
        warmer.join(30)
    assert first["got"] is not None and first["got"].is_dir() and first["got"].parent == cache_root
    assert compile_cache.for_job(ctx) == first["got"]
    assert len(calls) == 1


def test_fingerprint_changes_with_xla_flags_profile_cpu_and_cores():
    cpu = "processor\t: 0\nmodel name\t: Example CPU 3000\nflags\t\t: fpu sse2 avx2\n\nprocessor\t: 1\nflags\t: x\n"
    versions = {"jax": "0.10.2", "jaxlib": "0.10.2", "keras": "3.15.1"}

    def fp(profile="smoke", flags=thread_env(1)["XLA_FLAGS"], cpuinfo=cpu, code="x = 1", cores=2):
        return compile_cache.fingerprint(profile, flags, code, cpuinfo=cpuinfo, versions=versions, cores=cores).digest()

    base = fp()
    assert base == fp()
    assert compile_cache.cpu_identity(cpu) == ("Example CPU 3000", "fpu sse2 avx2")
    assert fp(flags=thread_env(2)["XLA_FLAGS"]) != base
    assert fp(profile="full") != base
    assert fp(cpuinfo=cpu.replace("avx2", "avx2 avx512f")) != base
    assert fp(cpuinfo=cpu.replace("Example CPU 3000", "Other CPU")) != base
    assert fp(code="x = 2") != base  # a rebuilt lab is warmed again
    assert fp(cores=1) != base  # XLA's code for 1 and 2 visible cores gives different weights


def test_thread_env_caps_xla_threads():
    assert thread_env(1)["XLA_FLAGS"] == "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    assert thread_env(3)["XLA_FLAGS"] == "--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads=3"
    assert thread_env(2)["OMP_NUM_THREADS"] == "2" and thread_env(None) == {}


@pytest.mark.parametrize("code, jax", [
    ('os.environ["KERAS_BACKEND"] = "jax"', True),
    ("os.environ['KERAS_BACKEND']='jax'", True),
    ('os.environ.setdefault("KERAS_BACKEND", "jax")', True),
    ("%env KERAS_BACKEND=jax", True),
    ('os.environ["KERAS_BACKEND"] = "tensorflow"', False),
    ("import keras", False),
])
def test_the_set_up_cell_declares_the_backend(code, jax):
    assert compile_cache.declares_jax(code) is jax


def test_no_plan_for_a_lab_without_solution_or_jax(tmp_path, cache_root, monkeypatch):
    lab = make_jax_lab(tmp_path / "lab")
    assert compile_cache.for_job(_ctx(None)) is None
    tf_solution = tmp_path / "tf.ipynb"
    nbformat.write(_nb('import os\nos.environ["KERAS_BACKEND"] = "tensorflow"'), tf_solution)
    assert compile_cache.plan_for(_ctx(tf_solution)) is None
    assert compile_cache.plan_for(_ctx(lab.solutions_dir / lab.notebook_name)) is not None
    monkeypatch.setenv(compile_cache.DISABLE_ENV, "1")
    assert compile_cache.plan_for(_ctx(lab.solutions_dir / lab.notebook_name)) is None
    assert not cache_root.exists()


def test_each_work_folder_gets_a_copy_not_links_and_sees_it_at_a_neutral_path(tmp_path):
    from tdgrade.sandbox import jobs

    master = tmp_path / "master"
    master.mkdir()
    (master / "jit_f-abc-cache").write_bytes(b"program")
    ctx = SimpleNamespace(release_dir=tmp_path / "no-release", notebook_name="lab.ipynb", mode="rlimits")
    root, _uid = jobs.prepare_workdir(ctx, "alice", "{}", 0, compile_cache=master)
    try:
        copy = root / jobs.JAX_CACHE / "jit_f-abc-cache"
        assert copy.read_bytes() == b"program"
        assert copy.stat().st_ino != (master / "jit_f-abc-cache").stat().st_ino
        assert (master / "jit_f-abc-cache").stat().st_nlink == 1
        binds, env = jobs.compile_cache_view(root, bw=True)
        assert binds == [(root / jobs.JAX_CACHE, "/tmp/jax-cache")]
        assert env["JAX_COMPILATION_CACHE_DIR"] == "/tmp/jax-cache" and str(tmp_path) not in json.dumps(env)
        assert jobs.compile_cache_view(root, bw=False)[1]["JAX_COMPILATION_CACHE_DIR"] == str(root / jobs.JAX_CACHE)
    finally:
        shutil.rmtree(root)
    bare, _uid = jobs.prepare_workdir(ctx, "bob", "{}", 0)
    try:
        assert jobs.compile_cache_view(bare, bw=True) == ([], {})
    finally:
        shutil.rmtree(bare)
