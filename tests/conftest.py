"""Shared fixtures: labs compiled from source, their solution executed once in the smoke profile.

`solution_values(lab)` is the dict the grader would see for the solution notebook: executed in a
kernel, exported through `tdgrade.artifacts` and loaded back. It is cached on disk
(`.tdgrade-cache/values-…`) under a key of everything the values depend on (`value_cache.py`:
source digest, seed, backend, library versions, exporter and checker code), so only the first run
after one of them changed pays for the execution.
"""
import copy
import json
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
import pytest

from tdgrade.artifacts import export_code, load_values
from tdgrade.compiler import compile_lab
from tdgrade.compiler.layout import solution_notebook
from tdgrade.compiler.solutions import source_digest
from tdgrade.data import ensure
from tdgrade.execute import cell_errors, execute_notebook
from tdgrade.hidden import Suite
from tdgrade.labs import get_lab
from value_cache import ValueCacheKey

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".tdgrade-cache"

# `TDGRADE_TEST_SEED=N` re-seeds every solution execution of the tests with N (`SEED = N`, so data
# splits and folds change too) and shifts the random streams (extra draws) right after the setup
# cell: the suite must pass for any N, since seeded training gives other values on another
# machine. Unset: the notebook's own seed.
SEED_ENV = "TDGRADE_TEST_SEED"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/golden/ from the current rendering (then review the diff and commit)")


def shifted_seed() -> int | None:
    raw = os.environ.get(SEED_ENV, "").strip()
    return int(raw) if raw else None


def reseeded(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """`nb` with a re-seeding cell after its setup cell when TDGRADE_TEST_SEED is set (else `nb`)."""
    seed = shifted_seed()
    if seed is None:
        return nb
    nb = copy.deepcopy(nb)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "SEED = " in c.source)
    nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(
        "import random as _r, numpy as _np, keras as _k\n"
        f"SEED = {seed}\n_k.utils.set_random_seed(SEED)\n"
        f"_r.random(); _np.random.random({seed} % 97 + 1); _k.random.uniform(({seed} % 89 + 1,))\n"))
    return nb


@pytest.fixture(scope="session")
def smoke_data():
    ensure(profiles=("full", "smoke"), allow_download=False, log=lambda *_: None)


class CompiledLab:
    """A lab compiled from source into a scratch folder (release, autograder, solution notebook)."""

    def __init__(self, name: str, scratch: Path):
        self.lab = get_lab(name, ROOT)
        self.release, self.autograder, self.assigned = compile_lab(self.lab, scratch)
        assigned = self.assigned
        self.solution = solution_notebook(assigned)
        self.digest = source_digest(self.lab.source_dir)
        self.suite = Suite.from_dir(self.autograder / "tests")
        self.public_suite = Suite.from_dir(self.release / "tests")

    def run_and_export(self, nb, profile: str, out: Path, timeout: int = 900):
        """Execute `nb` next to the release files; export the values hidden tests read into `out`."""
        with tempfile.TemporaryDirectory(prefix="tdgrade-test-") as work:
            shutil.copytree(self.release, work, dirs_exist_ok=True)
            execute_notebook(nb, Path(work), profile=profile, timeout=timeout,
                             after=[export_code(sorted(self.suite.names), str(out))])
        return nb


# Several pytest sessions in one process (mutation testing, bench/mutation_run.py: mutmut forks a
# worker per mutant from the process that ran the suite once) keep the compiled labs and the loaded
# solution values of the first session when this is set: neither depends on the checker library,
# whose mutated code the test files import when a case runs.
KEEP_LABS = os.environ.get("TDGRADE_TESTS_KEEP_LABS") == "1"
_KEPT_LABS: dict = {}
_KEPT_VALUES: dict = {}


@pytest.fixture(scope="session")
def compiled(tmp_path_factory):
    labs = _KEPT_LABS if KEEP_LABS else {}

    def get(name: str) -> CompiledLab:
        if name not in labs:
            scratch = Path(tempfile.mkdtemp(prefix=f"tdgrade-compiled-{name}-")) if KEEP_LABS else tmp_path_factory.mktemp(f"compiled-{name}")
            labs[name] = CompiledLab(name, scratch)
        return labs[name]

    return get


@pytest.fixture(scope="session")
def hidden_suite(compiled):
    return lambda name: compiled(name).suite


@pytest.fixture(scope="session")
def solution_values(compiled, smoke_data):
    """lab name -> exported values of its solution executed in the smoke profile (cached per digest)."""
    memo = _KEPT_VALUES if KEEP_LABS else {}

    def get(name: str) -> dict:
        if name not in memo:
            lab = compiled(name)
            code = "\n".join(c.source for c in lab.solution.cells if c.cell_type == "code")
            key = ValueCacheKey.current(name, "smoke", lab.digest, shifted_seed(), code)
            folder = key.folder(CACHE)
            if not (folder / "manifest.json").is_file():
                shutil.rmtree(folder, ignore_errors=True)
                nb = lab.run_and_export(reseeded(lab.solution), "smoke", folder)
                errors = cell_errors(nb)
                assert not errors, f"{name} solution raised in the smoke profile: {errors}"
                (folder / "cache-key.json").write_text(json.dumps(key.record(), indent=1, sort_keys=True))
            memo[name] = load_values(folder)
        return dict(memo[name])

    return get


@pytest.fixture(scope="session")
def blank_release_values(compiled, smoke_data, tmp_path_factory):
    """lab name -> exported values of the untouched student release executed in the smoke profile."""
    memo = {}

    def get(name: str) -> dict:
        if name not in memo:
            lab = compiled(name)
            out = tmp_path_factory.mktemp(f"blank-{name}")
            nb = nbformat.read(lab.release / lab.lab.notebook_name, as_version=4)
            lab.run_and_export(nb, "smoke", out)
            memo[name] = load_values(out)
        return dict(memo[name])

    return get


@pytest.fixture(scope="session")
def three_paths(compiled, tmp_path_factory):
    """lab name -> tests/parity.ThreePaths on its compiled autograder."""
    from parity import ThreePaths

    memo = {}

    def get(name: str):
        if name not in memo:
            memo[name] = ThreePaths(compiled(name), tmp_path_factory.mktemp(f"paths-{name}"))
        return memo[name]

    return get
