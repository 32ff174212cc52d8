"""Every file found at intake accounted for: to grade, older attempt of X, held back by an id
collision, refused (and why), or given twice. Printed by `tdgrade grade` and `tdgrade grade --list`."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from ..common.files import atomic_write
from ..gradebook.results import INTAKE_FILE
from .students import Intake, OnCollision, Submission, intake, resolve_collisions


@dataclass
class Accounting:
    intake: Intake
    kept: list[Submission]  # to grade, or older attempts (duplicate_of set)
    held: list[Submission]  # not graded: id collision

    @property
    def students(self) -> int:
        return len({s.student_id for s in self.kept})

    def summary(self) -> str:
        attempts = sum(1 for s in self.kept if s.duplicate_of)
        return (f"found {self.intake.files_found} file(s): {self.students} student(s); "
                f"{len(self.kept) - attempts} to grade, {attempts} older attempt(s), "
                f"{len(self.held)} held back by id collisions, {len(self.intake.refused)} refused, "
                f"{len(self.intake.given_twice)} given twice")

    def lines(self) -> list[str]:
        """The summary, then one line per file that is not simply graded."""
        out = [self.summary()]
        out += [f"refused: {r.path}: {r.reason}" for r in self.intake.refused]
        out += [f"given twice (counted once): {p}" for p in self.intake.given_twice]
        return out


def write_intake(outdir: Path, acc: Accounting) -> None:
    data = {"summary": acc.summary(), "refused": [{"path": r.path, "reason": r.reason} for r in acc.intake.refused],
            "given_twice": acc.intake.given_twice}
    atomic_write(Path(outdir) / INTAKE_FILE, json.dumps(data, ensure_ascii=False, indent=1))


def account(paths, lab_name: str, on_collision: str = "fail", exclude=()) -> Accounting:
    found = intake(list(paths), lab_name, exclude=list(exclude))
    kept, held = resolve_collisions(found.submissions, found.collisions, OnCollision(on_collision))
    return Accounting(found, kept, held)


def evidence(sub: Submission) -> str:
    """Why this id: the kind of evidence and the file or folder it was read from."""
    kind = sub.id_source.value if sub.id_source else "?"
    number = f" (participant {sub.moodle_id})" if sub.moodle_id and "Moodle" in kind else ""
    return f"{kind}{number}: {sub.evidence}"


def list_ids(lab_name: str, paths, on_collision: str = "fail", stream=None) -> int:
    """`tdgrade grade --list`: the id each submission would get and its evidence, nothing graded.
    Exit 3 when collisions would hold submissions back."""
    stream = stream or sys.stdout
    acc = account(paths, lab_name, on_collision)
    held_paths = {s.display for s in acc.held}
    colliding = {c.student_id for c in acc.intake.collisions}
    for w in acc.intake.warnings:
        print(f"warning: {w}", file=stream)
    for sub in sorted(acc.kept + acc.held, key=lambda s: (s.student_id, s.display)):
        note = ("  [NOT graded: id collision]" if sub.display in held_paths
                else f"  [older attempt of {sub.student_id}: {sub.duplicate_of} is graded]" if sub.duplicate_of
                else "  [collision resolved]" if sub.student_id in colliding else "")
        print(f"{sub.student_id:<24} {sub.display}{note}\n{'':<24}   id from {evidence(sub)}", file=stream)
    for line in acc.lines()[1:]:
        print(line, file=stream)
    print(f"{acc.students} student(s), {len(acc.kept) + len(acc.held)} submission(s), "
          f"{len(acc.intake.collisions)} id collision(s)", file=stream)
    print(acc.summary(), file=stream)
    return 3 if acc.held else 0
