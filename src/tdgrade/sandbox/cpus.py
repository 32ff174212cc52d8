"""Each grading slot on its own cores: the worker thread, and every process it starts, pinned.

Why: the thread caps of `execute.thread_env` do not reach XLA's CPU thread pool. jaxlib 0.10 sizes
its `tf_XLAEigen` pool from the process's CPU affinity mask and ignores `XLA_FLAGS`'
`intra_op_parallelism_threads=1` (measured here: 2 pool threads with the flag on 2 cores, 1 under
`taskset -c 0`). Two kernels side by side on 2 cores then run one Python thread and two busy pool
threads each, six runnable threads on two cores (load ~6 in a `--jobs 2` run, bench/README.md).
Pinning a slot to its share of the cores gives each kernel the pool size the grader asked for.

Linux keeps an affinity mask per thread and a child process inherits the mask of the thread that
started it, so pinning the worker thread pins the warm-up runs, the sandbox (bwrap, the kernel)
and the hidden-test process it starts, and leaves the other workers alone. Nothing is pinned when
the slots need more cores than the process may use (`--jobs` larger than the machine: the
grader's choice), or off Linux.
"""
from __future__ import annotations

import contextlib
import os
from typing import Iterator

from ..common.machine import core_ids


def for_slot(slot: int, threads: int, jobs: int, cores: list[int] | None = None) -> set[int] | None:
    """The cores of grading slot `slot` (0-based) when `jobs` slots of `threads` cores each fit in
    `cores` (default: `core_ids()`); None when they do not, or when there is nothing to split."""
    cores = core_ids() if cores is None else sorted(cores)
    threads, jobs = max(1, threads), max(1, jobs)
    if not cores or jobs * threads > len(cores) or not 0 <= slot < jobs:
        return None
    return set(cores[slot * threads:(slot + 1) * threads])


@contextlib.contextmanager
def pinned(cores: set[int] | None) -> Iterator[set[int] | None]:
    """Run the calling thread, and what it starts, on `cores`; its previous mask afterwards.
    Yields the cores in force, or None when nothing was pinned (no cores, or the kernel refused)."""
    if not cores:
        yield None
        return
    try:
        before = os.sched_getaffinity(0)  # pid 0: the calling thread
        os.sched_setaffinity(0, cores)
    except (AttributeError, OSError):
        yield None
        return
    try:
        yield set(cores)
    finally:
        with contextlib.suppress(OSError):
            os.sched_setaffinity(0, before)
