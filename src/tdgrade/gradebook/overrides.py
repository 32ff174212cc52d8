"""A grader's override of an automatic question's score, with its mandatory reason.

One atomic file per (question, student): OUTDIR/manual/overrides/QUESTION/STUDENT.json. Every save
and every removal is also appended to OUTDIR/manual/journal.jsonl (the journal of manual scores)
with `"kind": "override"` and the grader's name, so the history stays on record after a removal.
The final grade (`final.combine`) replaces the question's automatic score by the override's; the
feedback and the class report say so, with the reason.
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..common.files import atomic_write
from .result import Result

_SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")  # the same rule as marks.py: a name is a path component


@dataclass
class Override:
    question: str  # an automatic question of the student's result
    student_id: str
    score: float  # replaces the automatic score of the question
    reason: str  # mandatory: shown to the student in the feedback
    grader: str = ""
    saved_at: float = 0.0
    previous_score: float | None = None  # the automatic score when the override was given

    @classmethod
    def from_dict(cls, data: dict) -> "Override":
        previous = data.get("previous_score")
        return cls(str(data["question"]), str(data["student_id"]), float(data["score"]), str(data["reason"]),
                   str(data.get("grader") or ""), float(data.get("saved_at") or 0.0),
                   None if previous is None else float(previous))


def _check(name: str) -> str:
    if not _SAFE.match(name) or name.startswith("."):
        raise ValueError(f"invalid name {name!r}")
    return name


def overrides_dir(outdir: Path) -> Path:
    return Path(outdir) / "manual" / "overrides"


def override_path(outdir: Path, question: str, student_id: str) -> Path:
    return overrides_dir(outdir) / _check(question) / f"{_check(student_id)}.json"


def _journal(outdir: Path, entry: dict) -> None:
    """One `write` of an O_APPEND file per line: concurrent savers never interleave a line."""
    path = Path(outdir) / "manual" / "journal.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def save_override(outdir: Path, override: Override) -> Override:
    """Write the override now (atomic) and journal it."""
    if not override.reason.strip():
        raise ValueError("an override needs a reason")
    if not override.saved_at:
        override.saved_at = time.time()
    atomic_write(override_path(outdir, override.question, override.student_id),
                 json.dumps(asdict(override), ensure_ascii=False))
    _journal(outdir, {"kind": "override", "action": "save", **asdict(override)})
    return override


def remove_override(outdir: Path, question: str, student_id: str, grader: str = "") -> Override | None:
    """Delete the override (the automatic score is back) and journal it; None when there was none."""
    path = override_path(outdir, question, student_id)
    current = load_override(path)
    if current is None:
        return None
    path.unlink(missing_ok=True)
    _journal(outdir, {"kind": "override", "action": "remove", "question": question, "student_id": student_id,
                      "grader": grader, "saved_at": time.time(), "removed": asdict(current)})
    return current


def load_override(path: Path) -> Override | None:
    try:
        return Override.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a torn file cannot exist (atomic rename); anything else is not ours


def load_overrides(outdir: Path) -> dict[tuple[str, str], Override]:
    """(question, student id) -> its override."""
    root = overrides_dir(outdir)
    out = {}
    for path in sorted(root.glob("*/*.json")) if root.is_dir() else []:
        override = load_override(path)
        if override is not None:
            out[(override.question, override.student_id)] = override
    return out


def overrides_for(result: Result, overrides: dict[tuple[str, str], Override]) -> list[Override]:
    """The overrides that apply to RESULT: those of its own automatic questions, in question order."""
    return [o for q in result.questions if (o := overrides.get((q.name, result.student_id))) is not None]


def overridden_total(result: Result, overrides: list[Override]) -> float:
    """The automatic total with each overridden question's score replaced by the grader's."""
    automatic = {q.name: q.score for q in result.questions}
    change = sum(o.score - automatic[o.question] for o in overrides if o.question in automatic)
    return round(result.total + change, 4)
