"""Facts about the machine the grader runs on, read by the pipeline (workers, threads) and the sandbox (compile cache)."""
from __future__ import annotations

import os


def cpus() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
