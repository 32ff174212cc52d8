"""Watching a sandboxed process tree: memory, tasks, disk and wall time, and killing it whole.

The watchdog samples /proc every `POLL` seconds: summed RSS above the memory limit (checked as PSS,
since a fork bomb's copy-on-write pages would otherwise count hundreds of times), a task count pinned
at the limit, too much written in the watched folders, or the wall time -> the tree is killed and the
reason recorded. Without bwrap, orphans are re-parented to the grader (subreaper) and swept.
"""
from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
POLL = 0.25

def _proc_table() -> dict[int, tuple[int, int, int, int]]:
    """pid -> (ppid, rss bytes, threads, uid) for every process."""
    table = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                raw = f.read()
            st = os.stat(f"/proc/{name}")
        except OSError:
            continue
        rest = raw[raw.rfind(b")") + 2:].split()
        try:
            table[int(name)] = (int(rest[1]), int(rest[21]) * PAGE, int(rest[17]), st.st_uid)
        except (IndexError, ValueError):
            continue
    return table


def tree(root: int, table: dict | None = None) -> list[int]:
    table = table if table is not None else _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, *_rest) in table.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in table:
            out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _dir_usage(paths: list[Path], max_files: int) -> tuple[int, int]:
    total = files = 0
    stack = [str(p) for p in paths]
    while stack and files <= max_files:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                for e in it:
                    files += 1
                    try:
                        if e.is_dir(follow_symlinks=False):
                            stack.append(e.path)
                        else:
                            total += e.stat(follow_symlinks=False).st_blocks * 512
                    except OSError:
                        continue
        except OSError:
            continue
    return total, files


def _pss(pids: list[int]) -> int:
    """Proportional set size of the tree: shared pages of forked processes counted once."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError):
            continue
    return total


def user_task_count(uid: int) -> int:
    return sum(t for (_pp, _rss, t, u) in _proc_table().values() if u == uid)


_REAPER_SET = False
LIVE: set[int] = set()
LIVE_LOCK = threading.Lock()


def become_subreaper() -> None:
    """Fallback mode: orphans of sandboxed processes are re-parented to us, so we can kill them."""
    global _REAPER_SET
    if _REAPER_SET:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        _REAPER_SET = True
    except (OSError, AttributeError):
        pass


def sweep_orphans() -> None:
    """Kill and reap our children that no worker started (daemons that escaped a fallback run)."""
    me = os.getpid()
    with LIVE_LOCK:
        table = _proc_table()
        for pid, (ppid, *_r) in table.items():
            if ppid == me and pid not in LIVE:
                for victim in tree(pid, table):
                    try:
                        os.kill(victim, signal.SIGKILL)
                    except OSError:
                        pass
                try:
                    os.waitpid(pid, os.WNOHANG)
                except (ChildProcessError, OSError):
                    pass


def kill_tree(proc: subprocess.Popen) -> None:
    for _ in range(3):
        pids = tree(proc.pid)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if proc.poll() is not None and len(pids) <= 1:
            break
        time.sleep(0.05)


def watch(proc: subprocess.Popen, out, limits, watch_dirs: list[Path], stop: threading.Event | None,
          start: float) -> None:
    """Wait for `proc`, killing its tree when a limit is passed; fills `out` (a sandbox.Outcome)."""
    pinned_since = None
    last_disk = 0.0
    def reap() -> bool:
        # wait4 instead of Popen.poll (its ru_maxrss is not used: it counts the grader's pages forked
        # before exec, so peak RSS comes from sampling the tree).
        if proc.returncode is not None:
            return True
        try:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        except ChildProcessError:
            proc.poll()
            return proc.returncode is not None
        if pid == 0:
            return False
        proc.returncode = os.waitstatus_to_exitcode(status)
        return True

    while not reap():
        now = time.monotonic()
        if stop is not None and stop.is_set():
            out.killed = "interrupted"
        elif now - start > limits.wall:
            out.killed = "timeout"
        else:
            table = _proc_table()
            pids = tree(proc.pid, table)
            rss = sum(table[p][1] for p in pids)
            tasks = sum(table[p][2] for p in pids)
            # Summed RSS counts a page once per process sharing it (a fork bomb's copy-on-write
            # pages add up to hundreds of GiB): past the limit, the proportional size is the truth.
            pss = _pss(pids) if rss > limits.memory else rss
            out.peak_rss, out.peak_tasks = max(out.peak_rss, min(rss, pss)), max(out.peak_tasks, tasks)
            if tasks > limits.nproc + 16:  # only without RLIMIT_NPROC (fallback as root)
                out.killed = "nproc"
            elif tasks >= limits.nproc - 8:  # forks fail at the limit: a fork bomb pins it there
                pinned_since = pinned_since or now
                if now - pinned_since > 2.0:
                    out.killed = "nproc"
            else:
                pinned_since = None
            threshold = limits.memory * 1.1 + (64 << 20)
            if not out.killed and rss > threshold and pss > threshold:
                out.killed = "memory"
            if not out.killed and watch_dirs and now - last_disk > 2.0:
                last_disk = now
                used, files = _dir_usage(list(watch_dirs), limits.files)
                if used > limits.disk or files > limits.files:
                    out.killed = "disk"
        if out.killed:
            kill_tree(proc)
            break
        time.sleep(POLL)
    while not reap():
        time.sleep(0.02)


def finish(proc: subprocess.Popen, sandboxed: bool) -> None:
    """After `watch` (or an error): nothing of the command's tree survives."""
    if proc.poll() is None:
        kill_tree(proc)
        proc.wait()
    with LIVE_LOCK:
        LIVE.discard(proc.pid)
    if not sandboxed:
        for pid in tree(proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        sweep_orphans()
