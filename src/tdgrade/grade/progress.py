"""Progress display: a one-line bar with ETA on a terminal, plain lines otherwise (CI, logs)."""
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
        self.last = ""

    def eta(self) -> float | None:
        if not self.durations:
            return None
        remaining = self.total - self.done
        elapsed = time.monotonic() - self.start
        rate = elapsed / self.done if self.done else None
        per = sum(self.durations) / len(self.durations) / self.jobs
        return remaining * (min(per, rate) if rate else per)

    def started(self, sid: str) -> None:
        with self.lock:
            self.running.add(sid)
            if self.tty:
                self._bar()

    def finished(self, sid: str, status: str, total: float, max_total: float, seconds: float) -> None:
        with self.lock:
            self.running.discard(sid)
            self.done += 1
            self.durations.append(seconds)
            eta = self.eta()
            eta_s = f" ETA {_dur(eta)}" if eta is not None and self.done < self.total else ""
            line = f"[{self.done}/{self.total}] {sid}: {status} {total:g}/{max_total:g} ({seconds:.1f} s){eta_s}"
            if self.tty:
                self.stream.write("\r\033[K" + line + "\n")
                self._bar()
            else:
                self.stream.write(line + "\n")
            self.stream.flush()

    def message(self, text: str) -> None:
        with self.lock:
            self.stream.write(("\r\033[K" if self.tty else "") + text + "\n")
            if self.tty:
                self._bar()
            self.stream.flush()

    def _bar(self) -> None:
        width = 28
        frac = self.done / self.total if self.total else 1.0
        filled = int(width * frac)
        eta = self.eta()
        eta_s = f"ETA {_dur(eta)}" if eta is not None else "ETA ?"
        running = ", ".join(sorted(self.running)[:3])
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} {100 * frac:3.0f}% "
                f"{eta_s} {_dur(time.monotonic() - self.start)} écoulé {('- ' + running) if running else ''}")
        self.stream.write("\r\033[K" + line[:160])
        self.stream.flush()

    def close(self) -> None:
        with self.lock:
            if self.tty:
                self.stream.write("\r\033[K")
            self.stream.write(f"{self.done}/{self.total} graded in {_dur(time.monotonic() - self.start)}"
                              + (f", {self.skipped} already graded (skipped)" if self.skipped else "") + "\n")
            self.stream.flush()
