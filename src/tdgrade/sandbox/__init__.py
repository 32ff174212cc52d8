"""Stage 2: run a command in a sandbox with wall-time, memory, process and disk limits.

With `bwrap` (bubblewrap) the command sees a read-only system (/usr, /etc, the Python installation),
a private /tmp (tmpfs, size-capped), fresh /proc and /dev, the folders it is given, and nothing else:
no network (own network namespace with only loopback), own PID namespace (everything dies with it),
own IPC and UTS namespaces, killed with its parent (`--die-with-parent`), new session (no terminal
injection).

Run by root, bwrap is started WITHOUT a user namespace (its other namespaces are those of
`--unshare-all`) and the sandboxed runner drops to a dedicated unprivileged uid (leased per grading
process and worker slot, `uids.py`, so concurrent runs never share one):
inside a user namespace mapped to root, RLIMIT_NPROC does not apply (the kernel charges the tasks to
the root user), while a real unprivileged uid is limited. Run by another user, bwrap uses
`--unshare-all --unshare-user --disable-userns` and the uid's own task count is raised by the limit.

Limits: RLIMIT_DATA (memory, set by the runner; it counts heap and anonymous mappings, unlike
RLIMIT_AS which TensorFlow's virtual reservations exhaust), RLIMIT_NPROC, RLIMIT_FSIZE, RLIMIT_CORE=0,
and a watchdog here that samples the sandbox's process tree every 0.25 s: summed RSS above the memory
limit, a process count pinned at the limit, too much data written, or wall time exceeded -> the whole
tree is killed and the reason recorded.

Without bwrap the command still runs, with the same rlimits and watchdog, and the grader warns loudly:
student code can then read any file the grader can.
"""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import bwrap, watchdog
from .bwrap import is_root, probe, python_dirs  # noqa: F401 - the sandbox's public face
from .watchdog import user_task_count  # noqa: F401

FALLBACK_WARNING = ("bwrap (bubblewrap) is not usable here: submissions ran WITHOUT a sandbox, only with "
                    "resource limits. Student code could read the hidden tests and other submissions and "
                    "reach the network. Install bubblewrap (apt-get install bubblewrap) and grade again.")


@dataclass
class Limits:
    wall: float  # hard wall time of the whole sandboxed command, seconds
    memory: int  # bytes: RLIMIT_DATA per process, and summed RSS of the tree
    nproc: int = 512  # tasks (processes + threads)
    fsize: int = 1 << 30  # largest file
    disk: int = 2 << 30  # total bytes written in the writable folders
    files: int = 50_000  # files created in the writable folders
    tmpfs: int = 256 << 20  # size of the private /tmp


@dataclass
class Outcome:
    returncode: int | None
    killed: str | None = None  # timeout | memory | nproc | disk | interrupted
    wall: float = 0.0
    peak_rss: int = 0
    peak_tasks: int = 0
    stderr_tail: str = ""
    extra: dict = field(default_factory=dict)


def run(argv: list[str], *, mode: str, limits: Limits, env: dict[str, str], cwd: str,
        ro: list[tuple[Path, str]] = (), rw: list[tuple[Path, str]] = (), secrets: list[Path] = (),
        watch_dirs: list[Path] = (), stop: threading.Event | None = None, tmp_dirs: list[str] = (),
        pass_fds: tuple[int, ...] = (), on_start=None, masks: list[str] = ()) -> Outcome:
    """Run `argv` sandboxed (mode "bwrap") or only limited (mode "rlimits"); wait, watch, kill if needed.

    In bwrap mode `cwd` and the bind destinations are paths inside the sandbox; in rlimits mode the
    command runs on the host and `cwd` is a host path. `pass_fds` are inherited by the command (bwrap
    passes them through); `on_start()` runs once it was started; `masks` are files hidden behind
    /dev/null inside the sandbox.
    """
    if mode == "bwrap":
        cmd = bwrap.bwrap_command(list(argv), ro=list(ro), rw=list(rw), secrets=list(secrets), cwd=cwd,
                                  tmpfs_size=limits.tmpfs, tmp_dirs=list(tmp_dirs), masks=list(masks))
        run_cwd = "/"
    else:
        watchdog.become_subreaper()
        cmd, run_cwd = list(argv), cwd
    start = time.monotonic()
    args_fd = None
    if mode == "bwrap":
        cmd, args_fd = bwrap.through_fd(cmd)
        pass_fds = (*pass_fds, args_fd)
    with watchdog.LIVE_LOCK:
        try:
            proc = subprocess.Popen(cmd, env=env, cwd=run_cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True, pass_fds=tuple(pass_fds))
        finally:
            if args_fd is not None:
                os.close(args_fd)
        watchdog.LIVE.add(proc.pid)
    if on_start is not None:
        on_start()
    tail = bytearray()

    def drain():
        while True:
            chunk = proc.stdout.read1(65536) if hasattr(proc.stdout, "read1") else proc.stdout.read(65536)
            if not chunk:
                return
            tail.extend(chunk)
            if len(tail) > 65536:
                del tail[:-32768]

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    out = Outcome(returncode=None)
    try:
        watchdog.watch(proc, out, limits, list(watch_dirs), stop, start)
    finally:
        watchdog.finish(proc, sandboxed=mode == "bwrap")
        reader.join(timeout=2)
    out.returncode = proc.returncode
    out.wall = time.monotonic() - start
    out.stderr_tail = bytes(tail[-8192:]).decode("utf-8", "replace")
    return out
