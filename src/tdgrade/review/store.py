"""Manual scores, one file per (question, student): OUTDIR/manual/marks/QUESTION/STUDENT.json.

Each score is written atomically (temporary file, fsync, rename) the moment the grader gives it, so
a crash or Ctrl-C loses nothing given. Two graders on the same OUTDIR write different files unless
they grade the same answer; every save is also appended to OUTDIR/manual/journal.jsonl (one
`write` of an O_APPEND file per line), so even two saves of the same answer both stay on record.
A score holds the sha256 of the answer it was given to: after a re-grade (`tdgrade grade --force`)
an unchanged answer keeps its score, a changed one is back to "not yet graded".
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..grade.gradebook import atomic_write

_SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass
class Mark:
    question: str
    student_id: str
    score: float
    answer_sha256: str
    comment: str = ""
    items: list[bool] = field(default_factory=list)  # rubric items ticked, in rubric order
    grader: str = ""
    saved_at: float = 0.0

    @classmethod
    def from_dict(cls, data: dict) -> "Mark":
        return cls(str(data["question"]), str(data["student_id"]), float(data["score"]),
                   str(data["answer_sha256"]), str(data.get("comment") or ""),
                   [bool(x) for x in data.get("items") or []], str(data.get("grader") or ""),
                   float(data.get("saved_at") or 0.0))


def _check(name: str) -> str:
    if not _SAFE.match(name) or name.startswith("."):
        raise ValueError(f"invalid name {name!r}")
    return name


def marks_dir(outdir: Path) -> Path:
    return Path(outdir) / "manual" / "marks"


def mark_path(outdir: Path, question: str, student_id: str) -> Path:
    return marks_dir(outdir) / _check(question) / f"{_check(student_id)}.json"


def save_mark(outdir: Path, mark: Mark) -> Mark:
    """Write one score now (atomic) and append it to the journal."""
    if not mark.saved_at:
        mark.saved_at = time.time()
    data = json.dumps(asdict(mark), ensure_ascii=False)
    atomic_write(mark_path(outdir, mark.question, mark.student_id), data)
    journal = Path(outdir) / "manual" / "journal.jsonl"
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (data + "\n").encode("utf-8"))
    finally:
        os.close(fd)
    return mark


def delete_mark(outdir: Path, question: str, student_id: str) -> None:
    try:
        mark_path(outdir, question, student_id).unlink()
    except FileNotFoundError:
        pass


def load_marks(outdir: Path) -> dict[tuple[str, str], Mark]:
    """(question, student id) -> its latest score."""
    out = {}
    root = marks_dir(outdir)
    for path in sorted(root.glob("*/*.json")) if root.is_dir() else []:
        try:
            mark = Mark.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # a torn file cannot exist (atomic rename); anything else is not ours
        out[(mark.question, mark.student_id)] = mark
    return out
