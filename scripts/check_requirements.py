"""`pip check`, restricted to tdgrade's own requirement tree: exit 1 when a package tdgrade needs
(directly or through another) has a missing or conflicting requirement.

Why not plain `pip check`: machine images ship unrelated tools with their own pins (awscli pins
docutils, for one) whose conflicts say nothing about tdgrade and would fail every install.
Usage: python scripts/check_requirements.py [extra...]   (scripts/install.sh passes `test`)"""
from __future__ import annotations

import subprocess
import sys
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name


def requirement_tree(root: str, extras: set[str]) -> set[str]:
    """Canonical names of `root` and of everything it requires, recursively (with `extras` of root)."""
    seen: set[str] = set()
    todo = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        key = canonicalize_name(name)
        if key in seen:
            continue
        seen.add(key)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue  # reported by pip check as "requires X, which is not installed"
        for line in requires:
            req = Requirement(line)
            if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in wanted | {""}):
                todo.append((req.name, set(req.extras)))
    return seen


def main(extras: list[str], root: str = "tdgrade") -> int:
    tree = requirement_tree(root, set(extras))
    run = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True, text=True)
    ours = [line for line in run.stdout.splitlines() if line.split() and canonicalize_name(line.split()[0]) in tree]
    for line in ours:
        print(f"dependency conflict: {line}", file=sys.stderr)
    return 1 if ours else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
