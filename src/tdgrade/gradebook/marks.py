"""Manual marks, one file per (question, student): OUTDIR/manual/marks/QUESTION/STUDENT.json.

A mark records what the grader decided, not a number to trust blindly: the ids of the rubric items
ticked, plus an adjustment typed by hand with its reason. The score is computed from the rubric as
it is now (`rubric.live_score`), so editing a criterion re-scores every mark that ticked it. Marks
from formgrader or from before rubric ids (`adjustment` None) keep the score they were given.

Saving is a compare-and-swap under a file lock: the page sends the revision of the mark it showed,
and a save over a mark someone changed since is refused (`SaveConflict`) with both scores, unless
the grader chose to replace it. Every save, and every refused one, is appended to
OUTDIR/manual/journal.jsonl (one `write` of an O_APPEND file per line) with the grader's name, so
two graders' scores for one answer both stay on record. A mark holds the sha256 of the answer it
was given to: after `tdgrade grade --force` an unchanged answer keeps it, a changed one is to grade again.
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..common.files import atomic_write

_SAFE = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass
class Mark:
    question: str
    student_id: str
    score: float  # the score when saved (the live one follows the rubric: rubric.live_score)
    answer_sha256: str
    comment: str = ""  # for the student
    items: list[str] = field(default_factory=list)  # ids of the rubric items ticked ("r1", "r2", ...)
    grader: str = ""
    saved_at: float = 0.0
    adjustment: float | None = None  # points typed over the rubric's sum; None: a plain score (no rubric link)
    reason: str = ""  # why the adjustment
    revision: int = 0  # 1 for the first save of this answer's mark, +1 at each save

    @classmethod
    def from_dict(cls, data: dict) -> "Mark":
        items = data.get("items") or []
        if items and all(isinstance(x, bool) for x in items):  # marks saved before rubric ids: ticks in order
            items = [f"r{i + 1}" for i, on in enumerate(items) if on]
        adjustment = data.get("adjustment")
        return cls(str(data["question"]), str(data["student_id"]), float(data["score"]),
                   str(data["answer_sha256"]), str(data.get("comment") or ""), [str(x) for x in items],
                   str(data.get("grader") or ""), float(data.get("saved_at") or 0.0),
                   None if adjustment is None else float(adjustment), str(data.get("reason") or ""),
                   int(data.get("revision") or 0))


class SaveConflict(Exception):
    """Someone saved this answer's mark after the page that tries to save was loaded."""

    def __init__(self, current: Mark, attempted: Mark):
        super().__init__(f"{current.question}/{current.student_id}: changed by {current.grader or '?'}")
        self.current = current
        self.attempted = attempted


def _check(name: str) -> str:
    if not _SAFE.match(name) or name.startswith("."):
        raise ValueError(f"invalid name {name!r}")
    return name


def manual_dir(outdir: Path) -> Path:
    return Path(outdir) / "manual"


def marks_dir(outdir: Path) -> Path:
    return manual_dir(outdir) / "marks"


def mark_path(outdir: Path, question: str, student_id: str) -> Path:
    return marks_dir(outdir) / _check(question) / f"{_check(student_id)}.json"


@contextlib.contextmanager
def locked(outdir: Path):
    """One writer at a time on OUTDIR's marks, across threads and processes (two review servers)."""
    manual_dir(outdir).mkdir(parents=True, exist_ok=True)
    fd = os.open(manual_dir(outdir) / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def journal(outdir: Path, kind: str, record: dict) -> None:
    """Append one line to OUTDIR/manual/journal.jsonl (kinds: mark, conflict, rubric, split, override)."""
    line = json.dumps({"kind": kind, "at": time.time(), **record}, ensure_ascii=False)
    manual_dir(outdir).mkdir(parents=True, exist_ok=True)
    fd = os.open(manual_dir(outdir) / "journal.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)


def read_mark(outdir: Path, question: str, student_id: str) -> Mark | None:
    try:
        return Mark.from_dict(json.loads(mark_path(outdir, question, student_id).read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a torn file cannot exist (atomic rename); anything else is not ours


def save_mark(outdir: Path, mark: Mark, base_revision: int | None = None) -> Mark:
    """Write one mark now (atomic) and journal it.

    `base_revision`: the revision the grader's page showed (0: no mark then). When the stored mark has
    another revision, nothing is written, the attempt is journaled and SaveConflict is raised.
    None skips the check (a script that owns the answer, e.g. a merge that checked already)."""
    with locked(outdir):
        current = read_mark(outdir, mark.question, mark.student_id)
        current_revision = current.revision if current else 0
        mark.saved_at = mark.saved_at or time.time()
        if base_revision is not None and base_revision != current_revision:
            journal(outdir, "conflict", {"attempted": asdict(mark), "current_revision": current_revision,
                                          "base_revision": base_revision})
            raise SaveConflict(current, mark)
        mark.revision = current_revision + 1
        data = json.dumps(asdict(mark), ensure_ascii=False)
        atomic_write(mark_path(outdir, mark.question, mark.student_id), data)
        journal(outdir, "mark", asdict(mark))
    return mark


def load_marks(outdir: Path, question: str | None = None) -> dict[tuple[str, str], Mark]:
    """(question, student id) -> its latest mark; only QUESTION's when given (a page reads 300 files, not 6,000)."""
    out = {}
    root = marks_dir(outdir)
    pattern = f"{_check(question)}/*.json" if question else "*/*.json"
    for path in sorted(root.glob(pattern)) if root.is_dir() else []:
        try:
            mark = Mark.from_dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        out[(mark.question, mark.student_id)] = mark
    return out


def read_journal(outdir: Path) -> list[dict]:
    path = manual_dir(outdir) / "journal.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            record.setdefault("kind", "mark")  # lines written before kinds existed were marks
            out.append(record)
    return out
