"""Leak scan: no solution line, hidden-test text or instructor metadata may reach release/.

Solution lines come from the autograder notebook's solution cells: every line outside a
`# BEGIN PROMPT` block counts, marked or not, so a line left unmarked in a solution cell is caught
when it shows up in the student notebook. Hidden-test lines are the lines of hidden test bodies that
no public test shares.
"""
import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .preprocessors import SOLUTION_TAG, split_solution

MIN_LINE = 14  # shorter lines ("plt.show()", "return x") are too common to be evidence
INSTRUCTOR_MARKERS = (
    re.compile(r"#\s*(BEGIN|END)\s+(SOLUTION|TESTS?|QUESTION|PROMPT)\b", re.I),
    re.compile(r"#\s*(ASSIGNMENT\s+CONFIG|HIDDEN)\b", re.I),
    re.compile(r"#\s*SOLUTION\s*$", re.I | re.M),
    re.compile(r"hidden\s*=\s*True"),
    re.compile(SOLUTION_TAG),
    re.compile(r"<!--\s*RUBRIC\s*-->", re.I),  # a manual question's rubric (tdgrade.compiler.manual)
)


@dataclass(frozen=True)
class Leak:
    path: str
    kind: str
    text: str

    def __str__(self):
        return f"{self.path}: {self.kind}: {self.text[:100]}"


def _norm(line: str) -> str:
    line = re.sub(r"\s*#\s*SOLUTION\s*$", "", line, flags=re.I)
    return " ".join(line.split())


def _significant(line: str) -> bool:
    return len(line) >= MIN_LINE and not line.startswith("#") and line.strip("()[]{}:,.'\" ") != ""


def solution_lines(autograder_notebook: Path) -> set[str]:
    """Lines of solution cells outside prompt blocks, minus lines students are given anyway."""
    nb = nbformat.read(autograder_notebook, as_version=4)
    secret, given = set(), set()
    for cell in nb.cells:
        if SOLUTION_TAG not in cell.metadata.get("tags", []):
            given |= {_norm(raw) for raw in cell.source.split("\n")}
            continue
        code, prompt = split_solution(cell.source)
        given |= {_norm(raw) for raw in prompt}
        secret |= {line for line in map(_norm, code.split("\n")) if _significant(line)}
    return secret - given


def _test_body_lines(path: Path) -> tuple[set[str], set[str]]:
    """(hidden lines, public lines) of one otter test file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden, public = set(), set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        is_hidden = any(isinstance(k.value, ast.Constant) and k.arg == "hidden" and k.value.value is True
                        for d in node.decorator_list if isinstance(d, ast.Call) for k in d.keywords)
        body = {_norm(line) for line in ast.unparse(node).split("\n")[1:]}
        (hidden if is_hidden else public).update(line for line in body if _significant(line))
    return hidden, public


def hidden_test_lines(tests_dir: Path) -> set[str]:
    hidden, public = set(), set()
    for path in sorted(tests_dir.glob("*.py")):
        h, p = _test_body_lines(path)
        hidden |= h
        public |= p
    return hidden - public


def _texts(path: Path):
    """(label, text) pieces of a release file worth scanning."""
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        yield "metadata", json.dumps(nb.get("metadata", {}), ensure_ascii=False)
        for i, cell in enumerate(nb.get("cells", [])):
            src = cell.get("source", "")
            yield f"cell {i}", "".join(src) if isinstance(src, list) else src
            yield f"cell {i} metadata", json.dumps(cell.get("metadata", {}), ensure_ascii=False)
            for out in cell.get("outputs", []):
                yield f"cell {i} output", json.dumps(out, ensure_ascii=False)
    else:
        try:
            yield "text", path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return


def scan(release_dir: Path, secret_solution: set[str], secret_tests: set[str],
         secret_phrases: set[str] = frozenset()) -> list[Leak]:
    """Leaks into release/. `secret_phrases` (rubric criteria) are searched anywhere in a text."""
    leaks = []
    phrases = {p for p in secret_phrases if len(p) >= MIN_LINE}
    for path in sorted(p for p in release_dir.rglob("*") if p.is_file()):
        rel = str(path.relative_to(release_dir))
        for label, text in _texts(path):
            lines = {_norm(line) for line in text.split("\n")}
            leaks += [Leak(rel, f"solution line ({label})", s) for s in sorted(secret_solution & lines)]
            leaks += [Leak(rel, f"hidden test line ({label})", s) for s in sorted(secret_tests & lines)]
            flat = " ".join(text.split())
            leaks += [Leak(rel, f"rubric criterion ({label})", p) for p in sorted(phrases) if p in flat]
            for marker in INSTRUCTOR_MARKERS:
                match = marker.search(text)
                if match:
                    leaks.append(Leak(rel, f"instructor marker ({label})", match.group(0)))
    return leaks
