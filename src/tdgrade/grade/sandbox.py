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

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
POLL = 0.25
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")

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


# --------------------------------------------------------------------------------------------
# Availability


_PROBE: tuple[str, str] | None = None
_PROBE_LOCK = threading.Lock()


def probe(force_mode: str | None = None) -> tuple[str, str]:
    """("bwrap", "") when bubblewrap works here, else ("rlimits", why). Cached."""
    global _PROBE
    if force_mode == "rlimits" or os.environ.get("TDGRADE_NO_BWRAP"):
        return "rlimits", "disabled by TDGRADE_NO_BWRAP" if os.environ.get("TDGRADE_NO_BWRAP") else "disabled"
    with _PROBE_LOCK:
        if _PROBE is None:
            exe = shutil.which("bwrap")
            if not exe:
                _PROBE = ("rlimits", "bwrap not found")
            else:
                cmd = [exe, *namespace_args(), "--proc", "/proc", "--dev", "/dev", *system_args(),
                       *[a for p in python_dirs() for a in ("--ro-bind", str(p), str(p))],
                       sys.executable, "-I", "-c", "import os; print('ok')"]
                try:
                    out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
                    _PROBE = ("bwrap", "") if out.stdout.strip() == "ok" else (
                        "rlimits", f"bwrap failed: {out.stderr.strip()[:300]}")
                except (OSError, subprocess.SubprocessError) as exc:
                    _PROBE = ("rlimits", f"bwrap failed: {exc}")
        return _PROBE


def is_root() -> bool:
    return os.geteuid() == 0


def namespace_args() -> list[str]:
    common = ["--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if is_root():
        # --unshare-all minus the user namespace (see module docstring: RLIMIT_NPROC).
        return [*common, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--unshare-cgroup-try", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return [*common, "--unshare-all", "--unshare-user", "--disable-userns", "--uid", "1000", "--gid", "1000"]


def system_args() -> list[str]:
    args = []
    for d in SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    return args


def python_dirs() -> list[Path]:
    """The interpreter's installation: prefixes and site-packages, not already under a system dir."""
    import site

    cands = [sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix]
    try:
        cands += site.getsitepackages()
    except AttributeError:
        pass
    out: list[Path] = []
    for c in cands:
        p = Path(c).resolve()
        if not p.is_dir() or any(str(p).startswith(d + "/") or str(p) == d for d in SYSTEM_DIRS):
            continue
        if any(p == q or q in p.parents for q in out):
            continue
        out = [q for q in out if p not in q.parents]
        out.append(p)
    return out


def _under(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def bwrap_command(argv: list[str], *, ro: list[tuple[Path, str]], rw: list[tuple[Path, str]],
                  secrets: list[Path], cwd: str, tmpfs_size: int, tmp_dirs: list[str] = (),
                  masks: list[str] = ()) -> list[str]:
    """`tmp_dirs`: folders under /tmp created world-writable (sticky) before the binds; `masks`: files
    replaced by an empty one (an editable install's `.pth` naming the checkout, say)."""
    cmd = [shutil.which("bwrap") or "bwrap", *namespace_args(), "--proc", "/proc", "--dev", "/dev",
           "--perms", "1777", "--size", str(tmpfs_size), "--tmpfs", "/tmp", *system_args()]
    for d in tmp_dirs:
        cmd += ["--perms", "1777", "--dir", d]
    # Folders bwrap creates to hold the mount points would be 0700: make them traversable.
    dests = [str(p) for p in python_dirs()] + [d for _s, d in ro] + [d for _s, d in rw]
    parents = sorted({str(a) for d in dests for a in Path(d).parents if str(a) != "/"},
                     key=lambda x: x.count("/"))
    for a in parents:
        if a == "/tmp" or a.startswith("/tmp/") or a in tmp_dirs:
            continue
        if not any(a == d or a.startswith(d + "/") for d in SYSTEM_DIRS):
            cmd += ["--perms", "0755", "--dir", a]
    bound: list[Path] = []
    for p in python_dirs():
        cmd += ["--ro-bind", str(p), str(p)]
        bound.append(p)
    for src, dst in ro:
        cmd += ["--ro-bind", str(src), dst]
        bound.append(Path(src).resolve())
    for src, dst in rw:
        cmd += ["--bind", str(src), dst]
    # Anything secret that happens to lie under a bound folder is hidden behind an empty tmpfs.
    for s in secrets:
        s = Path(s).resolve()
        for b in bound:
            if _under(s, b) and s.exists():
                cmd += ["--tmpfs", str(s)]
                break
    for m in masks:
        cmd += ["--ro-bind", "/dev/null", m]
    cmd += ["--chdir", cwd, "--", *argv]
    return cmd


# --------------------------------------------------------------------------------------------
# Watching a process tree


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
_LIVE: set[int] = set()
_LIVE_LOCK = threading.Lock()


def _become_subreaper() -> None:
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


def _sweep_orphans() -> None:
    """Kill and reap our children that no worker started (daemons that escaped a fallback run)."""
    me = os.getpid()
    with _LIVE_LOCK:
        table = _proc_table()
        for pid, (ppid, *_r) in table.items():
            if ppid == me and pid not in _LIVE:
                for victim in tree(pid, table):
                    try:
                        os.kill(victim, signal.SIGKILL)
                    except OSError:
                        pass
                try:
                    os.waitpid(pid, os.WNOHANG)
                except (ChildProcessError, OSError):
                    pass


def _kill(proc: subprocess.Popen) -> None:
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
        cmd = bwrap_command(list(argv), ro=list(ro), rw=list(rw), secrets=list(secrets), cwd=cwd,
                            tmpfs_size=limits.tmpfs, tmp_dirs=list(tmp_dirs), masks=list(masks))
        run_cwd = "/"
    else:
        _become_subreaper()
        cmd, run_cwd = list(argv), cwd
    start = time.monotonic()
    args_fd = None
    if mode == "bwrap":  # options through a file descriptor: /proc/1/cmdline in the sandbox shows no path
        args_fd = os.memfd_create("bwrap-args")
        os.write(args_fd, b"".join(a.encode() + b"\0" for a in cmd[1:cmd.index("--")]))
        os.lseek(args_fd, 0, os.SEEK_SET)
        cmd = [cmd[0], "--args", str(args_fd), *cmd[cmd.index("--"):]]
        pass_fds = (*pass_fds, args_fd)
    with _LIVE_LOCK:
        try:
            proc = subprocess.Popen(cmd, env=env, cwd=run_cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True, pass_fds=tuple(pass_fds))
        finally:
            if args_fd is not None:
                os.close(args_fd)
        _LIVE.add(proc.pid)
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

    try:
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
                _kill(proc)
                break
            time.sleep(POLL)
        while not reap():
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            _kill(proc)
            proc.wait()
        with _LIVE_LOCK:
            _LIVE.discard(proc.pid)
        if mode != "bwrap":
            for pid in tree(proc.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            _sweep_orphans()
        reader.join(timeout=2)
    out.returncode = proc.returncode
    out.wall = time.monotonic() - start
    out.stderr_tail = bytes(tail[-8192:]).decode("utf-8", "replace")
    return out
