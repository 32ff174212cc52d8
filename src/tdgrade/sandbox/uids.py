"""Sandbox uids leased per grading process, so concurrent runs on one machine never share one.

RLIMIT_NPROC counts every task of a uid, machine-wide: if two `tdgrade grade` runs (or two Dask
workers) gave their sandboxes the same uid, a fork bomb in one would starve the other's kernels.
Each process therefore leases a block of `BLOCK` uids (an exclusive `flock` on a file named after
the block, held for the life of the process and dropped by the kernel when it dies, even on
SIGKILL), and slot N of that process uses the block's N-th uid.
"""
from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

UID_BASE = 61000
BLOCK = 256  # slots per process (more workers than this on one machine is not a use case)
BLOCKS = 64  # uids 61000 .. 77383
LOCK_DIR = Path(os.environ.get("TDGRADE_UID_LOCKS", "/run/tdgrade-uids" if os.access("/run", os.W_OK)
                               else "/tmp/tdgrade-uids"))

_lease: "Lease | None" = None
_lock = threading.Lock()


class NoFreeBlock(RuntimeError):
    pass


class Lease:
    """An exclusive block of sandbox uids, held while this object (and its file) is open."""

    def __init__(self, lock_dir: Path = LOCK_DIR):
        lock_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(lock_dir, 0o755)
        for block in range(BLOCKS):
            f = open(lock_dir / f"block-{block:02d}.lock", "a")
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                f.close()
                continue
            self.block, self._file = block, f
            return
        raise NoFreeBlock(f"all {BLOCKS} sandbox uid blocks are in use ({lock_dir}): too many concurrent "
                          "grading processes on this machine")

    def uid(self, slot: int) -> int:
        if not 0 <= slot < BLOCK:
            raise ValueError(f"slot {slot} outside 0..{BLOCK - 1}")
        return UID_BASE + self.block * BLOCK + slot

    def release(self) -> None:
        self._file.close()


def sandbox_uid(slot: int) -> int:
    """The uid of `slot` in this process's block (leased on first use, kept until the process ends)."""
    global _lease
    with _lock:
        if _lease is None:
            _lease = Lease()
        return _lease.uid(slot)
