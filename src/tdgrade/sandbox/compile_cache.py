"""A warm XLA compile cache for the kernels of a lab that trains with Keras on JAX.

On CPU, JAX compiles each new model's train/test/predict steps with XLA, most of a smoke notebook's
cost; JAX's persistent compilation cache reloads those programs, with bit-identical results. Safe:
- only the lab's TRUSTED solution fills a cache, never a student notebook (which could plant
  compiled code that other students' kernels would execute);
- each sandbox gets its own copy (`jobs.prepare_workdir`), thrown away with its work folder;
- XLA's CPU code targets the host's instruction set: the folder's name carries a fingerprint of the
  CPU, the library versions, XLA's flags and the profile, so a cache never moves between machines.
One process per host warms a cache (an fcntl lock); meanwhile the other workers grade without it
rather than wait, so no core idles. Besides the solution, the lab's warm-up plan (`warm_plan`,
autograder/LAB/warmup.toml) runs the allowed choices that compile other programs (another batch size,
loss, optimizer), each a trusted edit of the solution, so those students pay no compilation either.
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
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable, Iterator

import nbformat

from ..common.machine import cpus
from . import warm_plan, warmup

FORMAT = 2  # in the fingerprint: bump it when what a cache folder holds changes
SB_JAX_CACHE = "/tmp/jax-cache"  # where a sandbox sees its private copy
DISABLE_ENV = "TDGRADE_NO_JAX_CACHE"  # set on a grading host: no cache there
ROOT_ENV = "TDGRADE_JAX_CACHE"  # the caches' folder, if not $TDGRADE_CACHE/jax-compile (e.g. shared by a cluster)
# The set-up cell is the lab's one declaration of its backend (os.environ["KERAS_BACKEND"] = "jax",
# os.environ.setdefault("KERAS_BACKEND", "jax"), %env KERAS_BACKEND=jax): no second setting to drift.
_DECLARES_JAX = re.compile(r"""KERAS_BACKEND['"]?\s*(?:\]\s*=|,|=)\s*['"]?jax\b""")

_log = logging.getLogger(__name__)
_reporter: Callable[[str], None] | None = None
_failed: set[str] = set()  # what failed in this process (a warm-up, a plan): not retried for every job
_failed_lock = threading.Lock()


def cache_vars(folder: str) -> dict[str, str]:
    """JAX's persistent cache on `folder`, keeping every program (by default it skips quick compiles).
    XLA's side caches are off: JAX puts one (GPU autotuning) inside the cache folder and that path
    enters every key, so the warm-up's folder and the sandbox's would never share a key (measured)."""
    return {"JAX_COMPILATION_CACHE_DIR": folder, "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1", "JAX_PERSISTENT_CACHE_ENABLE_XLA_CACHES": "none"}


def cache_root() -> Path:
    """This host's compile caches: $TDGRADE_JAX_CACHE, else $TDGRADE_CACHE/jax-compile (delete it to
    clear them). Safe to share between machines: each folder's name carries its fingerprint."""
    from tdgrade.data import cache_home

    return Path(os.environ[ROOT_ENV]) if os.environ.get(ROOT_ENV) else cache_home() / "jax-compile"


@functools.lru_cache(maxsize=16)
def _code(path: str, _mtime_ns: int) -> str:
    return "\n\0".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")


def declares_jax(code: str) -> bool:
    return bool(_DECLARES_JAX.search(code))


def cpu_identity(cpuinfo: str) -> tuple[str, str]:
    """(model name, flags) of the first processor of /proc/cpuinfo (ARM kernels say CPU part, Features)."""
    found: dict[str, str] = {}
    for key, _, value in (line.partition(":") for line in cpuinfo.splitlines()):
        found.setdefault(key.strip(), value.strip())
    return found.get("model name", found.get("CPU part", "")), found.get("flags", found.get("Features", ""))


@dataclass(frozen=True)
class Fingerprint:
    """What compiled code depends on, and the solution's code (a rebuilt lab is warmed again)."""

    jax: str
    jaxlib: str
    keras: str
    cpu_model: str
    cpu_flags: str
    cores: int  # cores this process may use: a 1-core and a 2-core run of the same model differ (measured)
    xla_flags: str
    profile: str
    solution: str  # sha256 of the solution's code cells
    warm_plan: str = ""  # sha256 of the lab's warmup.toml ("" without one): a new plan is warmed again
    format: int = FORMAT

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()


def fingerprint(profile: str, xla_flags: str, code: str, *, cpuinfo: str | None = None,
                versions: dict[str, str] | None = None, cores: int | None = None, plan_digest: str = "") -> Fingerprint:
    """Raises `metadata.PackageNotFoundError` when jax, jaxlib or keras is not installed."""

    cpuinfo = Path("/proc/cpuinfo").read_text(errors="replace") if cpuinfo is None else cpuinfo
    versions = versions or {name: metadata.version(name) for name in ("jax", "jaxlib", "keras")}
    model, flags = cpu_identity(cpuinfo)
    return Fingerprint(versions["jax"], versions["jaxlib"], versions["keras"], model, " ".join(sorted(flags.split())),
                       cores or cpus(), xla_flags, profile, hashlib.sha256(code.encode()).hexdigest(), plan_digest)


@dataclass(frozen=True)
class Plan:
    """The cache of one lab, profile and thread count on this host."""

    lab: str
    folder: Path  # cache_root()/<lab>-<profile>-<fingerprint[:16]>, complete or absent
    fingerprint: Fingerprint
    warm: warm_plan.WarmPlan = warm_plan.WarmPlan()  # what fills it: the solution, then each variant


def warm_plan_path(ctx) -> Path | None:
    """autograder/LAB/warmup.toml, beside the lab's tests (trusted, never mounted in a sandbox)."""
    tests = getattr(ctx, "tests_dir", None)
    return Path(tests).parent / warm_plan.WARMUP_FILE if tests else None


def wanted(ctx) -> bool:
    """The lab's solution declares JAX and the cache is not disabled: its jobs should get one."""
    return _jax_solution_code(ctx) is not None


def _jax_solution_code(ctx) -> str | None:
    """The code of the lab's solution when it declares JAX and the cache is not disabled, else None."""
    solution = getattr(ctx, "solution_notebook", None)
    if os.environ.get(DISABLE_ENV) or solution is None or not Path(solution).is_file():
        return None
    code = _code(str(solution), Path(solution).stat().st_mtime_ns)
    return code if declares_jax(code) else None


def plan_for(ctx) -> Plan | None:
    """None: the lab's solution does not declare JAX, there is none, or the cache is disabled."""
    from tdgrade.execute import thread_env

    code = _jax_solution_code(ctx)
    if code is None:
        return None
    warm = warm_plan.load(warm_plan_path(ctx))
    fp = fingerprint(ctx.profile, thread_env(ctx.threads or 1)["XLA_FLAGS"], code, plan_digest=warm.digest)
    return Plan(ctx.lab_name, cache_root() / f"{ctx.lab_name}-{ctx.profile}-{fp.digest()[:16]}", fp, warm)


def for_job(ctx, stop: threading.Event | None = None) -> Path | None:
    """The ready master cache for this job, or None (grade without one). When none is ready and no
    other process or thread of this host is warming it, this worker warms it first (only this worker
    waits); when one is, None at once. A context with `warm_cache` False never warms (a cluster's
    coordinator decides who does)."""
    try:
        plan = plan_for(ctx)
    except Exception as exc:  # noqa: BLE001 - JAX not installed, unreadable solution: grade without
        return _give_up(f"plan-{ctx.lab_name}",
                        f"no JAX compile cache for {ctx.lab_name} ({type(exc).__name__}: {exc})")
    if plan is None or plan.folder.is_dir():
        return plan and plan.folder
    if not getattr(ctx, "warm_cache", True):
        return None
    with _failed_lock:
        if str(plan.folder) in _failed:
            return None
    try:
        plan.folder.parent.mkdir(parents=True, exist_ok=True)
        with exclusive(lock_file(plan.folder)) as held:
            if not held or plan.folder.is_dir():  # being warmed / warmed since our check
                return plan.folder if held else None
            why = warm(plan, ctx, stop)
    except Exception as exc:  # noqa: BLE001 - a grader-side fault (disk, folder rights): grade without, say why
        why = f"{type(exc).__name__}: {exc}"
    if why is None:
        return plan.folder
    if stop is not None and stop.is_set():
        return None  # the run is stopping: nothing to warn about, the next run warms it
    return _give_up(str(plan.folder),
                    f"could not warm the JAX compile cache for {plan.lab}: {why}; grading without it")


def _give_up(key: str, warning: str) -> None:
    with _failed_lock:
        first = key not in _failed
        _failed.add(key)
    if first:
        _say("warning: " + warning, warning=True)
    return None


def lock_file(folder: Path) -> Path:
    """Held by whoever warms or installs `folder` on this host."""
    return folder.with_name(folder.name + ".lock")


@contextlib.contextmanager
def exclusive(path: Path, wait: bool = False) -> Iterator[bool]:
    """Take `path`'s lock if free, or once freed with `wait` (flock: threads of one process exclude
    each other too)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # releases the lock


def warm(plan: Plan, ctx, stop: threading.Event | None = None) -> str | None:
    """Run the solution, then each variant of the lab's warm-up plan (`warmup`), with their cache on
    one staging folder, renamed into place at the end (a reader sees a whole cache or none). None
    when done, else why not. A variant that fails is reported and skipped: what it compiled before
    failing is still trusted code. Lock held."""
    for stale in plan.folder.parent.glob(f".warming-{plan.folder.name}-*"):  # left by a killed warm-up
        shutil.rmtree(stale, ignore_errors=True)
    runs = plan.warm.runs()
    _say(f"warming the JAX compile cache for {plan.lab}: the solution and {len(runs) - 1} allowed variant(s) "
         "(once per machine; reused by later runs)")
    start = time.monotonic()
    staging = Path(tempfile.mkdtemp(prefix=f".warming-{plan.folder.name}-", dir=plan.folder.parent))
    skipped = []
    try:
        for number, run in enumerate(runs, start=1):
            began = time.monotonic()
            why = warmup.run_solution(ctx, cache_vars(str(staging)), stop, run)
            if why and (run.name == "solution" or (stop is not None and stop.is_set())):
                return why
            if why:
                skipped.append(run.name)
                _say(f"warning: warm-up variant {run.name!r} of {plan.lab} failed ({why}); its programs are compiled "
                     "when a student needs them", warning=True)
            else:
                _say(f"  warm-up {number}/{len(runs)} ({run.name}) done in {time.monotonic() - began:.0f} s")
        entries = list(staging.iterdir())
        if not entries:
            return "the solution compiled nothing"
        os.rename(staging, plan.folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    plan.folder.with_name(plan.folder.name + ".json").write_text(json.dumps(
        {**asdict(plan.fingerprint), "runs": [r.name for r in runs], "skipped": skipped}, indent=1))
    _say(f"JAX compile cache for {plan.lab} ready in {time.monotonic() - start:.0f} s ({len(entries)} files, "
         f"{sum(p.stat().st_size for p in plan.folder.iterdir()) / 1e6:.1f} MB): {plan.folder}")
    return None


@contextlib.contextmanager
def reporting(say: Callable[[str], None]) -> Iterator[None]:
    """Warm-up messages go to `say` (the run's progress display) during a run; elsewhere (a Dask
    worker) to `logging`."""
    global _reporter
    previous, _reporter = _reporter, say
    try:
        yield
    finally:
        _reporter = previous


def say(text: str, warning: bool = False) -> None:
    """A line for the instructor: the run's progress display, else `logging`."""
    _say(text, warning)


def _say(text: str, warning: bool = False) -> None:
    reporter = _reporter
    if reporter is not None:
        reporter(text)
    else:
        (_log.warning if warning else _log.info)(text)
