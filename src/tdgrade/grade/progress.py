"""Progress display: a rich progress bar with ETA on a terminal, plain lines otherwise (CI, logs).

Both modes print one line per finished submission; the bar (rich.progress) only adds the live
count, percentage, ETA, elapsed time and the students being graded.
"""
from __future__ import annotations

import sys
import threading
import time


def _dur(seconds: float) -> str:
    seconds = int(max(0, seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"


class Progress:
    def __init__(self, total: int, *, jobs: int = 1, stream=None, tty: bool | None = None, skipped: int = 0):
        self.total, self.jobs = total, max(1, jobs)
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.done = 0
        self.skipped = skipped
        self.start = time.monotonic()
        self.durations: list[float] = []
        self.running: set[str] = set()
        self.lock = threading.Lock()
        self._bar = self._task = None
        if self.tty:
            self._start_bar()

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress, TaskProgressColumn,
                                   TextColumn, TimeElapsedColumn)

        console = Console(file=self.stream, force_terminal=True, highlight=False, soft_wrap=True)
        self._bar = RichProgress(BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                                 # ETA from per-submission durations and workers (rich's own needs a steady rate)
                                 TextColumn("ETA {task.fields[eta]}"), TimeElapsedColumn(),
                                 TextColumn("{task.description}"), console=console, transient=True)
        self._task = self._bar.add_task("", total=self.total, eta="?")
        self._bar.start()

    def eta(self) -> float | None:
        if not self.durations:
            return None
        remaining = self.total - self.done
        elapsed = time.monotonic() - self.start
        rate = elapsed / self.done if self.done else None
        per = sum(self.durations) / len(self.durations) / self.jobs
        return remaining * (min(per, rate) if rate else per)

    def _running_text(self) -> str:
        running = sorted(self.running)
        return ("- " + ", ".join(running[:3]) + (" …" if len(running) > 3 else "")) if running else ""

    def started(self, sid: str) -> None:
        with self.lock:
            self.running.add(sid)
            if self._bar:
                self._bar.update(self._task, description=self._running_text())

    def finished(self, sid: str, status: str, total: float, max_total: float, seconds: float) -> None:
        with self.lock:
            self.running.discard(sid)
            self.done += 1
            self.durations.append(seconds)
            eta = self.eta()
            eta_s = f" ETA {_dur(eta)}" if eta is not None and self.done < self.total else ""
            line = f"[{self.done}/{self.total}] {sid}: {status} {total:g}/{max_total:g} ({seconds:.1f} s){eta_s}"
            if self._bar:
                self._bar.console.print(line, markup=False)
                self._bar.update(self._task, completed=self.done, description=self._running_text(),
                                 eta=_dur(eta) if eta is not None else "?")
            else:
                self.stream.write(line + "\n")
                self.stream.flush()

    def message(self, text: str) -> None:
        with self.lock:
            if self._bar:
                self._bar.console.print(text, markup=False)
            else:
                self.stream.write(text + "\n")
                self.stream.flush()

    def close(self) -> None:
        with self.lock:
            if self._bar:
                self._bar.stop()
            self.stream.write(f"{self.done}/{self.total} graded in {_dur(time.monotonic() - self.start)}"
                              + (f", {self.skipped} already graded (skipped)" if self.skipped else "") + "\n")
            self.stream.flush()
