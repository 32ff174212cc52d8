"""A warm XLA compile cache for the kernels of a lab that trains with Keras on JAX.

Why: on CPU, JAX compiles each new model's train/test/predict steps with XLA, and that compile is
most of a smoke-profile notebook's cost. JAX can keep the compiled programs in a folder (its
persistent compilation cache) and reload them, with bit-identical results.

Why it is safe:
- the cache is filled only by the lab's TRUSTED solution notebook, run on the host with the graded
  kernels' settings; never by a student notebook, which could plant compiled code that other
  students' kernels would then execute;
- each sandbox gets its own copy of the cache (`jobs.prepare_workdir`), so whatever a kernel writes
  there is thrown away with its work folder;
- XLA's CPU code targets the host's instruction set: the folder's name carries a fingerprint of the
  CPU, the library versions, XLA's flags and the profile, so a cache never moves between machines.

One process per host warms a cache (an fcntl lock); meanwhile the other workers grade without it
rather than wait, so no core idles.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterator

import nbformat

from . import sandbox

FORMAT = 1  # part of the fingerprint: bump it when what a cache folder holds changes
SB_JAX_CACHE = "/tmp/jax-cache"  # where a sandbox sees its private copy
DISABLE_ENV = "TDGRADE_NO_JAX_CACHE"  # set (to anything) on a grading host: no cache there
# The lab's set-up cell is its one declaration of the backend: os.environ["KERAS_BACKEND"] = "jax",
# os.environ.setdefault("KERAS_BACKEND", "jax") or %env KERAS_BACKEND=jax.
_DECLARES_JAX = re.compile(r"""KERAS_BACKEND['"]?\s*(?:\]\s*=|,|=)\s*['"]?jax\b""")
# The warm-up's process: the solution run by `tdgrade.execute`, as `tdgrade build` runs it.
WARMUP_BOOT = """
import json, sys
sys.path.insert(0, {root!r})
import nbformat
from nbclient.exceptions import CellExecutionError
from tdgrade.execute import cell_errors, execute_notebook
job = json.load(open(sys.argv[1], encoding="utf-8"))
nb = nbformat.read(job["notebook"], as_version=4)
try:
    execute_notebook(nb, job["cwd"], profile=job["profile"], timeout=job["timeout"], env=job["env"],
                     threads=job["threads"], allow_errors=False)
except CellExecutionError:
    error = cell_errors(nb)[0]
    print(f"code cell {{error['code_cell']}} raised {{error['ename']}}: {{error['evalue']}}")
    raise SystemExit(1)
"""

_log = logging.getLogger(__name__)
_reporter: Callable[[str], None] | None = None
_failed: set[Path] = set()  # warm-ups that failed in this process: not retried for every submission
_unplanned: set[str] = set()  # JAX labs without a plan here (JAX not installed): said once
_failed_lock = threading.Lock()


def cache_vars(folder: str) -> dict[str, str]:
    """JAX's persistent cache on `folder`, keeping every program (by default it skips quick compiles).

    XLA's side caches are turned off: JAX points one (a GPU autotuning folder) inside the cache
    folder and that path enters every entry's key, so the warm-up's folder and the sandbox's
    `/tmp/jax-cache` would never share a key (measured: every program compiled again)."""
    return {"JAX_COMPILATION_CACHE_DIR": folder, "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1", "JAX_PERSISTENT_CACHE_ENABLE_XLA_CACHES": "none"}


def _code(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n\0".join(c.source for c in nb.cells if c.cell_type == "code")


@functools.lru_cache(maxsize=16)
def _solution_code(path: str, _mtime_ns: int) -> str:
    return _code(Path(path))


def solution_code(solution: Path | None) -> str | None:
    """The code cells of the solution notebook (read once per file version), None without one."""
    if solution is None or not Path(solution).is_file():
        return None
    return _solution_code(str(solution), Path(solution).stat().st_mtime_ns)


def declares_jax(code: str) -> bool:
    return bool(_DECLARES_JAX.search(code))


def cpu_identity(cpuinfo: str) -> tuple[str, str]:
    """(model name, flags) of the first processor described by /proc/cpuinfo's text."""
    found: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        key = key.strip()
        if key in ("model name", "flags", "Features", "CPU part") and key not in found:
            found[key] = value.strip()  # "Features"/"CPU part": what ARM kernels print instead
    return found.get("model name", found.get("CPU part", "")), found.get("flags", found.get("Features", ""))


@dataclass(frozen=True)
class Fingerprint:
    """What compiled code depends on (and the solution, so a rebuilt lab is warmed again)."""

    jax: str
    jaxlib: str
    keras: str
    cpu_model: str
    cpu_flags: str
    xla_flags: str
    profile: str
    solution: str  # sha256 of the solution's code cells
    format: int = FORMAT

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


def fingerprint(profile: str, xla_flags: str, code: str, *, cpuinfo: str | None = None,
                versions: dict[str, str] | None = None) -> Fingerprint:
    """Raises `metadata.PackageNotFoundError` when jax, jaxlib or keras is not installed."""
    if cpuinfo is None:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
    versions = versions or {name: metadata.version(name) for name in ("jax", "jaxlib", "keras")}
    model, flags = cpu_identity(cpuinfo)
    return Fingerprint(jax=versions["jax"], jaxlib=versions["jaxlib"], keras=versions["keras"], cpu_model=model,
                       cpu_flags=" ".join(sorted(flags.split())), xla_flags=xla_flags, profile=profile,
                       solution=hashlib.sha256(code.encode()).hexdigest())


@dataclass(frozen=True)
class Plan:
    """The cache one kind of job needs on this host."""

    lab: str
    folder: Path  # $TDGRADE_CACHE/jax-compile/<lab>-<profile>-<fingerprint[:16]>
    fingerprint: Fingerprint

    @property
    def lock_path(self) -> Path:
        return self.folder.with_name(self.folder.name + ".lock")


def plan_for(ctx) -> Plan | None:
    """The cache plan of `ctx`'s jobs, or None: not a JAX lab, no solution, JAX missing, or disabled."""
    from tdgrade.execute import thread_env

    code = solution_code(getattr(ctx, "solution_notebook", None))
    if os.environ.get(DISABLE_ENV) or code is None or not declares_jax(code):
        return None
    try:
        fp = fingerprint(ctx.profile, thread_env(ctx.threads or 1)["XLA_FLAGS"], code)
    except (metadata.PackageNotFoundError, OSError) as exc:
        with _failed_lock:
            first = ctx.lab_name not in _unplanned
            _unplanned.add(ctx.lab_name)
        if first:
            _say(f"warning: no JAX compile cache for {ctx.lab_name} ({type(exc).__name__}: {exc})", warning=True)
        return None
    return Plan(ctx.lab_name, cache_root() / f"{ctx.lab_name}-{ctx.profile}-{fp.digest()[:16]}", fp)


def cache_root() -> Path:
    """Where this host's compile caches live: $TDGRADE_CACHE/jax-compile (delete it to clear them)."""
    from tdgrade.data import cache_home

    return cache_home() / "jax-compile"


def for_job(ctx, stop: threading.Event | None = None) -> Path | None:
    """The ready master cache for this job, or None (grade without one).

    Not ready: if no other process or thread of this host is warming it, this worker warms it now
    (only this worker waits); if one is, None at once, so this worker grades meanwhile."""
    try:
        plan = plan_for(ctx)
    except Exception as exc:  # noqa: BLE001 - an unreadable solution notebook, say: grade without a cache
        _say(f"warning: no JAX compile cache for {ctx.lab_name} ({type(exc).__name__}: {exc})", warning=True)
        return None
    if plan is None:
        return None
    if plan.folder.is_dir():
        return plan.folder
    with _failed_lock:
        if plan.folder in _failed:
            return None
    plan.folder.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(plan.lock_path) as held:
        if not held:
            return None
        if plan.folder.is_dir():  # warmed by another process between our check and the lock
            return plan.folder
        try:
            if warm(plan, ctx, stop):
                return plan.folder
        except Exception as exc:  # noqa: BLE001 - a grader-side fault: grade without the cache, say why
            _say(f"warning: could not warm the JAX compile cache for {plan.lab} ({type(exc).__name__}: {exc}); "
                 "grading without it", warning=True)
    with _failed_lock:
        _failed.add(plan.folder)
    return None


@contextlib.contextmanager
def _exclusive(path: Path) -> Iterator[bool]:
    """Try to take `path`'s lock without waiting; flock, so two threads of one process exclude each other too."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def warm(plan: Plan, ctx, stop: threading.Event | None = None) -> bool:
    """Run the solution once with the graded kernels' settings, its cache on a staging folder renamed
    into place when it succeeded (atomic: a reader sees a whole cache or none). Call with the lock held."""
    import tdgrade

    for stale in plan.folder.parent.glob(f".warming-{plan.folder.name}-*"):  # left by a killed warm-up
        shutil.rmtree(stale, ignore_errors=True)
    _say(f"warming the JAX compile cache for {plan.lab} (runs the solution once; reused by later runs on "
         "this machine)")
    start = time.monotonic()
    staging = Path(tempfile.mkdtemp(prefix=f".warming-{plan.folder.name}-", dir=plan.folder.parent))
    try:
        entries, work = staging / "cache", staging / "work"
        entries.mkdir()
        shutil.copytree(ctx.release_dir, work, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        nb = nbformat.read(ctx.solution_notebook, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, work / ctx.notebook_name)
        job = {"notebook": str(work / ctx.notebook_name), "cwd": str(work), "profile": ctx.profile,
               "timeout": int(ctx.timeout), "threads": ctx.threads, "env": {**ctx.kernel_env, **cache_vars(str(entries))}}
        (staging / "job.json").write_text(json.dumps(job), encoding="utf-8")
        # Like a graded kernel's: none of the grader's own JAX_*/XLA_* settings (they would change the programs).
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "XLA_"))}
        boot = WARMUP_BOOT.format(root=str(Path(tdgrade.__file__).resolve().parents[1]))
        limits = sandbox.Limits(wall=ctx.timeout + 120, memory=ctx.memory + (512 << 20), nproc=ctx.nproc,
                                disk=ctx.disk)
        outcome = sandbox.run([sys.executable, "-I", "-c", boot, str(staging / "job.json")], mode="rlimits",
                              limits=limits, env=env, cwd=str(work), watch_dirs=[staging], stop=stop)
        count = sum(1 for _ in entries.iterdir())
        if outcome.killed or outcome.returncode != 0 or count == 0:
            why = (f"stopped ({outcome.killed})" if outcome.killed else
                   f"the solution failed: {_last_line(outcome.stderr_tail)}" if outcome.returncode else
                   "the solution compiled nothing")
            _say(f"warning: could not warm the JAX compile cache for {plan.lab}: {why}; grading without it",
                 warning=True)
            return False
        size = sum(p.stat().st_size for p in entries.iterdir())
        os.rename(entries, plan.folder)
        info = plan.folder.with_name(plan.folder.name + ".json")
        info.write_text(json.dumps(asdict(plan.fingerprint), indent=1), encoding="utf-8")
        _say(f"JAX compile cache for {plan.lab} ready in {time.monotonic() - start:.0f} s "
             f"({count} files, {size / 1e6:.1f} MB): {plan.folder}")
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


@contextlib.contextmanager
def reporting(say: Callable[[str], None]) -> Iterator[None]:
    """Send warm-up messages to `say` (the run's progress display) for the duration of a run; without
    it (a Dask worker) they go to the `logging` module."""
    global _reporter
    previous, _reporter = _reporter, say
    try:
        yield
    finally:
        _reporter = previous


def _say(text: str, warning: bool = False) -> None:
    reporter = _reporter
    if reporter is not None:
        reporter(text)
    else:
        (_log.warning if warning else _log.info)(text)
