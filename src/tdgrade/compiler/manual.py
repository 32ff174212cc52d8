"""Manual questions of a lab, compiled from the source notebook into `autograder/LAB/manual.json`.

For each `manual: true` question the grader needs its prompt, the model answer and a rubric. They
are written once in the source notebook: the model answer is the question's solution block; the
rubric is a markdown cell of that solution block whose first line is `<!-- RUBRIC -->`, followed by
one criterion per bullet, `- POINTS : texte` (other lines are ignored) (POINTS with a dot or a comma). Otter Assign drops solution
blocks from the student notebook, so the rubric never reaches `release/`; the leak scan checks it.

This module only reads the source notebook; `tdgrade review` and the gradebook read `manual.json`.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import yaml

from .preprocessors import split_solution

RUBRIC_MARKER = "<!-- RUBRIC -->"
MANUAL_FILE = "manual.json"
_ITEM = re.compile(r"^\s*[-*]\s*(\d+(?:[.,]\d+)?)\s*(?:pts?|points?)?\s*[:：]\s*(.+?)\s*$", re.I)
_DELIM = re.compile(r"^#\s*(BEGIN|END)\s+(QUESTION|SOLUTION|TESTS|PROMPT)\b", re.I)


class RubricError(ValueError):
    """A rubric that cannot be read (instructor error, English)."""


@dataclass(frozen=True)
class RubricItem:
    points: float
    text: str


@dataclass
class ManualQuestion:
    name: str
    points: float
    prompt: str  # French markdown shown to students
    model_answer: str  # markdown (text questions) or code (figure questions)
    answer_kind: str  # "markdown" or "code"
    rubric: list[RubricItem] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        """`fm15` for `fm15_commentaire`: the spec item the question belongs to."""
        return self.name.split("_", 1)[0]

    @classmethod
    def from_dict(cls, data: dict) -> "ManualQuestion":
        items = [RubricItem(float(i["points"]), str(i["text"])) for i in data.get("rubric", [])]
        return cls(str(data["name"]), float(data["points"]), str(data.get("prompt", "")),
                   str(data.get("model_answer", "")), str(data.get("answer_kind", "markdown")), items)


def is_rubric_cell(cell) -> bool:
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith(RUBRIC_MARKER)


def parse_rubric(source: str, question: str) -> list[RubricItem]:
    items = []
    for line in source.strip().split("\n")[1:]:
        if not re.match(r"^\s*[-*]\s", line):
            continue  # a heading or a sentence around the criteria
        match = _ITEM.match(line)
        if not match:
            raise RubricError(f"{question}: rubric line not of the form '- POINTS : criterion': {line!r}")
        items.append(RubricItem(float(match.group(1).replace(",", ".")), match.group(2)))
    if not items:
        raise RubricError(f"{question}: empty rubric")
    return items


def _delimiter(cell) -> tuple[str, str] | None:
    if cell.cell_type != "raw":
        return None
    match = _DELIM.match(cell.source.strip())
    return (match.group(1).upper(), match.group(2).upper()) if match else None


def manual_questions(source_notebook: Path) -> list[ManualQuestion]:
    """The manual questions of a source notebook, in notebook order."""
    nb = nbformat.read(source_notebook, as_version=4)
    out: list[ManualQuestion] = []
    current, block = None, None
    prompt, answer, code, rubric = [], [], [], []
    for cell in nb.cells:
        delim = _delimiter(cell)
        if delim == ("BEGIN", "QUESTION"):
            meta = yaml.safe_load(cell.source.strip().split("\n", 1)[1]) or {}
            current = meta if meta.get("manual") else None
            block, prompt, answer, code, rubric = None, [], [], [], []
            continue
        if current is None:
            continue
        if delim == ("END", "QUESTION"):
            name = str(current["name"])
            if len(rubric) > 1:
                raise RubricError(f"{name}: more than one rubric cell")
            items = parse_rubric(rubric[0], name) if rubric else []
            points = float(current.get("points", 1))
            if items and abs(sum(i.points for i in items) - points) > 1e-9:
                raise RubricError(f"{name}: rubric items sum to {sum(i.points for i in items):g}, "
                                  f"the question is worth {points:g}")
            kind = "code" if code else "markdown"
            out.append(ManualQuestion(name, points, "\n\n".join(prompt).strip(),
                                      "\n\n".join(code if code else answer).strip(), kind, items))
            current = None
            continue
        if delim:
            block = delim[1] if delim[0] == "BEGIN" else None
            continue
        if block == "SOLUTION":
            if is_rubric_cell(cell):
                rubric.append(cell.source)
            elif cell.cell_type == "code":
                code.append(split_solution(cell.source)[0].strip())
            else:
                answer.append(cell.source)
        elif block is None and cell.cell_type == "markdown":
            prompt.append(cell.source)
    return out


def rubric_lines(questions: list[ManualQuestion]) -> set[str]:
    """Criterion texts, for the leak scan (a rubric must never reach release/)."""
    return {" ".join(item.text.split()) for q in questions for item in q.rubric}


def write_manual(questions: list[ManualQuestion], path: Path) -> None:
    data = [asdict(q) for q in questions]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_manual(path: Path) -> list[ManualQuestion]:
    """The compiled manual questions (empty list when the lab has none or was built without them)."""
    try:
        return [ManualQuestion.from_dict(d) for d in json.loads(Path(path).read_text(encoding="utf-8"))]
    except FileNotFoundError:
        return []
