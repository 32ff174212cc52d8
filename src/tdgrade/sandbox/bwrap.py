"""The bwrap (bubblewrap) command line of a sandbox, and whether bwrap works here.

See `sandbox` for what the sandbox allows. Options go to bwrap through a file descriptor
(`--args FD`), so the sandbox's /proc/1/cmdline shows no host path.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")

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


def through_fd(cmd: list[str]) -> tuple[list[str], int]:
    """`bwrap OPTIONS -- ARGV` -> `bwrap --args FD -- ARGV` and FD (a memfd the caller passes, then closes)."""
    split = cmd.index("--")
    fd = os.memfd_create("bwrap-args")
    os.write(fd, b"".join(a.encode() + b"\0" for a in cmd[1:split]))
    os.lseek(fd, 0, os.SEEK_SET)
    return [cmd[0], "--args", str(fd), *cmd[split:]], fd
