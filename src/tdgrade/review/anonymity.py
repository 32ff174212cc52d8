"""Anonymous grading (`tdgrade review --anonymous`): pseudonyms and a shuffled order per question.

Graders see `copie-017`, never a student id or name, and meet the answers of each question in an
order of their own, so a student's position (alphabetical: the same student always first) gives
nothing away and no question is graded under the impression the previous one left. Pseudonyms come
from a random secret kept in OUTDIR/manual/anonymity.json (made once): they stay the same across
restarts and for every grader of the team. Names come back only in the published gradebook.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path

from ..common.files import atomic_write
from ..gradebook.marks import locked, manual_dir

SECRET_FILE = "anonymity.json"


def _secret(outdir: Path) -> bytes:
    path = manual_dir(outdir) / SECRET_FILE
    with locked(outdir):
        try:
            return bytes.fromhex(json.loads(path.read_text(encoding="utf-8"))["secret"])
        except (OSError, ValueError, KeyError, TypeError):
            secret = secrets.token_bytes(32)
            atomic_write(path, json.dumps({"secret": secret.hex()}))
            return secret


class Pseudonyms:
    """student id <-> `copie-NNN`, and each question's shuffled order."""

    def __init__(self, outdir: Path, students: list[str]):
        self._secret = _secret(outdir)
        ranked = sorted(students, key=lambda sid: self._digest("pseudonym", sid))
        width = max(3, len(str(len(students))))
        self.of = {sid: f"copie-{n + 1:0{width}d}" for n, sid in enumerate(ranked)}
        self.student = {p: sid for sid, p in self.of.items()}

    def _digest(self, *parts: str) -> bytes:
        return hmac.new(self._secret, "\0".join(parts).encode("utf-8"), hashlib.sha256).digest()

    def order(self, question: str, students: list[str]) -> list[str]:
        return sorted(students, key=lambda sid: self._digest("order", question, sid))
