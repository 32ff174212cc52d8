"""Facts about the machine the grader runs on, read by the pipeline (workers, threads) and the sandbox (compile cache)."""
from __future__ import annotations

import os


def cpus() -> int:
    """How many cores the calling thread may run on: in a local grading worker, its slot's
    (`sandbox/cpus.py` pins it), which is what the compile cache's fingerprint must count."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def core_ids() -> list[int]:
    """The cores this process may run on (its main thread's mask), in order; [] when unknown."""
    try:
        return sorted(os.sched_getaffinity(os.getpid()))
    except (AttributeError, OSError):
        return []
