"""The layers of the code hold: `lint-imports` with the contracts of pyproject.toml ([tool.importlinter]).

cli -> verbs (grade, review, compiler, similarity, demo, check) -> gradebook -> sandbox, hidden, execute
-> guest, tdgrade_checks, data, ...; guest/ and tdgrade_checks/ import nothing else; no circle."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("importlinter", reason="import-linter is in the test extra: pip install -e '.[test]'")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the checkout at `root` (its src/ first on the path, its pyproject.toml)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root / "src"), os.environ.get("PYTHONPATH", "")]))
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)


def test_contracts_hold():
    run = lint_imports(ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout, run.stdout


@pytest.mark.parametrize("module, line, contract", [
    # the gradebook reaching up into a verb
    ("gradebook/result.py", "from ..review import team", "cli -> verbs"),
    # the sandboxed guest importing the grader
    ("guest/capped.py", "import tdgrade.gradebook.result", "guest/ (runs inside the sandbox)"),
    # a new circle inside a package
    ("common/files.py", "from . import ids", None),
])
def test_a_forbidden_import_breaks_a_contract(tmp_path, module, line, contract):
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "tdgrade" / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    if contract is None:  # a circle: ids imports files back
        ids = tmp_path / "src" / "tdgrade" / "common" / "ids.py"
        ids.write_text(ids.read_text(encoding="utf-8") + "\nfrom . import files  # noqa\n", encoding="utf-8")
        contract = "no circle between the modules of a package"
    run = lint_imports(tmp_path)
    assert run.returncode != 0, run.stdout
    broken = run.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, run.stdout
