"""Code that runs inside the sandbox or the student's kernel imports nothing else of tdgrade.

`tdgrade.guest.runner` is bound into the sandbox as a single file and `tdgrade.guest.export` is sent
as source text into the kernel: an import of another tdgrade module would fail there (or, worse,
pull grader code next to student code).
"""
import ast
from pathlib import Path

import tdgrade.guest

GUEST = Path(tdgrade.guest.__file__).parent


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
    return found


def test_guest_modules_import_no_other_tdgrade_module():
    modules = sorted(GUEST.glob("*.py"))
    assert len(modules) >= 3, modules
    for path in modules:
        bad = {m for m in _imports(path) if m.startswith(("tdgrade", "."))}
        assert not bad, f"{path.name} imports {sorted(bad)}: guest code must stand alone"


def test_the_check_catches_a_tdgrade_import(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("from tdgrade.grade import worker\nfrom . import x\n", encoding="utf-8")
    assert _imports(planted) >= {"tdgrade.grade", "."}
