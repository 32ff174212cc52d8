"""The output folder of `tdgrade grade`: one run at a time, one lab per folder, resumable.

    .tdgrade-grade.lock   held (flock) while a run writes here
    .tdgrade-grade.json   the lab marker: which lab, and the run's settings (report.html reads them)
    .work/                per-submission scratch folders; left over only by a killed run
    results/, feedback/, notebooks/, ...   see `tdgrade.gradebook.results`
"""
from __future__ import annotations

import fcntl
import json
import shutil
from pathlib import Path

from ..common.files import atomic_write
from ..gradebook import results
from ..gradebook.results import MARKER_FILE

LOCK_FILE = ".tdgrade-grade.lock"
WORK_DIR = ".work"


class OutputFolderError(Exception):
    """The output folder cannot take this run (English, for the instructor)."""


class OutputFolder:
    """OUTDIR of one run: `with OutputFolder(path).claim(lab): ...` locks it for `lab` until the end."""

    def __init__(self, path: Path | str):
        self.path = Path(path).resolve()
        self._lock = None

    @property
    def marker(self) -> Path:
        return self.path / MARKER_FILE

    @property
    def work(self) -> Path:
        return self.path / WORK_DIR

    def claim(self, lab_name: str) -> "OutputFolder":
        """Create, lock, check it holds no other lab's grades, mark it as `lab_name`'s, clear leftovers."""
        self.path.mkdir(parents=True, exist_ok=True)
        self.lock()
        try:
            self.check_lab(lab_name)
            self.write_marker({"lab": lab_name})
            self.clean_work()
        except BaseException:
            self.release()
            raise
        return self

    def __enter__(self) -> "OutputFolder":
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def lock(self) -> None:
        f = open(self.path / LOCK_FILE, "w")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            raise OutputFolderError(f"{self.path}: another `tdgrade grade` is writing here; wait for it or use "
                                    "another -o") from None
        self._lock = f

    def release(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def marked_lab(self) -> str | None:
        """The lab this folder holds grades of, if any."""
        try:
            lab = json.loads(self.marker.read_text(encoding="utf-8")).get("lab")
        except (OSError, ValueError, AttributeError):
            return None
        return lab if isinstance(lab, str) and lab else None

    def check_lab(self, lab_name: str) -> None:
        previous = self.marked_lab()
        if previous and previous != lab_name:
            raise OutputFolderError(f"{self.path} holds grades of lab {previous!r}; use another -o for {lab_name!r}")

    def write_marker(self, data: dict) -> None:
        atomic_write(self.marker, json.dumps(data, ensure_ascii=False))

    def clean_work(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    def already_graded(self, student_id: str, key: str) -> bool:
        """Resume: a result for this very submission and setup exists, and its status is not retried."""
        old = results.load_result(results.result_path(self.path, student_id))
        return old is not None and old.key == key and not old.status.retried
