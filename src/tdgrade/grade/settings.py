"""Run settings: limits and parallelism from the options and the machine, and the workers' `Context`.

`RunSettings.resolve` turns the options of `tdgrade grade` into numbers (defaults from the profile,
the cores and the free memory); `make_context` gathers everything a worker needs for one run.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..common.budgets import DEFAULT_TIMEOUT
from ..common.machine import cpus

DEFAULT_MEMORY = 4 << 30
DEFAULT_DISK = 2 << 30
GRADER_VERSION = "grade-2"  # part of every resume key: bump it to re-grade every submission


def parse_memory(text: str | int | None) -> int:
    """'4G', '4GiB', '512M', '2048MB' or a number of bytes -> bytes."""
    if text is None:
        return DEFAULT_MEMORY
    if isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*", str(text))
    if not m:
        raise ValueError(f"invalid memory size {text!r} (examples: 4G, 512M)")
    factor = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * factor)


def mem_available() -> int:
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 << 30


def default_jobs(memory: int) -> int:
    """One worker per core, fewer if the memory limit times the workers exceeds 80 % of free RAM."""
    return max(1, min(cpus(), int(mem_available() * 0.8 // max(memory, 1))))


@dataclass(frozen=True)
class RunSettings:
    """The limits and parallelism of one run, resolved to numbers."""

    profile: str
    timeout: float  # notebook budget per submission, seconds
    export_timeout: float  # more seconds for the export of values
    hidden_timeout: float
    memory: int  # bytes per submission
    disk: int  # bytes a submission may write
    nproc: int  # tasks (processes + threads) per submission
    jobs: int  # local workers
    threads: int  # TensorFlow/BLAS threads per worker

    @classmethod
    def resolve(cls, *, profile: str = "full", timeout: float | None = None, export_timeout: float | None = None,
                hidden_timeout: float = 300.0, memory: int | str | None = None, disk: int | str = DEFAULT_DISK,
                nproc: int = 512, jobs: int | None = None) -> "RunSettings":
        memory = parse_memory(memory)
        timeout = float(timeout or DEFAULT_TIMEOUT.get(profile, 1800.0))
        jobs = jobs if jobs is not None and jobs >= 1 else default_jobs(memory)
        return cls(profile=profile, timeout=timeout,
                   export_timeout=float(export_timeout or max(60.0, min(300.0, timeout / 5))),
                   hidden_timeout=float(hidden_timeout), memory=memory, disk=parse_memory(disk), nproc=nproc,
                   jobs=jobs, threads=max(1, cpus() // jobs))

    def summary(self, workers: int) -> dict:
        """The settings line of report.html (French labels)."""
        return {"timeout": f"{self.timeout:g} s", "mémoire": f"{self.memory / 2**30:g} Gio", "workers": workers,
                "threads/worker": self.threads}


@dataclass
class Context:
    """Everything a worker needs, shared by all workers of a run."""

    lab_name: str
    notebook_name: str
    release_dir: Path
    tests_dir: Path
    outdir: Path
    profile: str
    mode: str  # "bwrap" | "rlimits"
    names: list[str]
    questions: dict[str, float]  # auto question -> max points
    timeout: float  # notebook budget, seconds
    memory: int  # bytes
    threads: int = 1
    export_timeout: float = 120.0
    hidden_timeout: float = 300.0
    nproc: int = 512
    disk: int = 2 << 30  # bytes the sandbox may write (work + out folders)
    kernel_env: dict[str, str] = field(default_factory=dict)
    data_dirs: list[Path] = field(default_factory=list)
    secrets: list[Path] = field(default_factory=list)
    own_fps: set = field(default_factory=set)
    other_fps: dict = field(default_factory=dict)
    tests_hash: str = ""
    solution_notebook: Path | None = None  # trusted: warms the JAX compile cache (`compile_cache`)
    warm_cache: bool = True  # a job may warm that cache itself; False on a cluster (`cluster_cache`)

    def key(self, raw_sha: str) -> str:
        h = hashlib.sha256("\0".join([GRADER_VERSION, self.lab_name, self.profile, self.tests_hash, raw_sha]).encode())
        return h.hexdigest()


def worker_context(ctx: Context, nthreads: int | None = None) -> Context:
    """`ctx` as a Dask worker with `nthreads` task threads (default: the one running this task, else
    1) runs it: each submission's TensorFlow/BLAS/XLA threads capped at its cores ÷ its threads."""
    import dataclasses
    import os

    if nthreads is None:
        try:
            from distributed import get_worker

            nthreads = get_worker().state.nthreads
        except (ImportError, ValueError, AttributeError):
            nthreads = 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return dataclasses.replace(ctx, threads=max(1, cores // max(1, nthreads)))


def tests_fingerprint(tests_dir: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(Path(tests_dir).glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def other_labs(lab) -> list:
    """The labs whose notebooks are recognised as `wrong_lab` (every other lab of the checkout)."""
    from tdgrade.labs import LAB_NAMES, get_lab

    out = []
    for name in LAB_NAMES:
        if name == lab.name:
            continue
        try:
            out.append(get_lab(name, getattr(lab, "root", None)))
        except (SystemExit, Exception):  # noqa: BLE001 - a lab missing from this checkout is not an error
            continue
    return out


def secret_paths(outdir: Path, labs: list) -> list[Path]:
    """Folders a submission must never see: the output folder and every lab's tests and solutions."""
    out = [Path(outdir)]
    for lab in labs:
        out += [Path(p) for a in ("tests_dir", "autograder_dir", "solutions_dir", "source_dir")
                if (p := getattr(lab, a, None))]
    return out


def data_cache(profile: str, warn) -> tuple[dict[str, str], list[Path]]:
    """(kernel environment of the profile, data folders to mount); `warn` hears about a missing cache."""
    from tdgrade.data import kernel_env

    env = kernel_env(profile)
    home = env.get("KERAS_HOME")
    if home and not Path(home).is_dir():
        warn(f"warning: data cache {home} is missing: run `tdgrade data --profile {profile}`")
    return env, [Path(home)] if home and Path(home).is_dir() else []


def make_context(lab, outdir: Path, settings: RunSettings, suite, mode: str, others: list, warn) -> Context:
    """The workers' shared Context for grading `lab` into `outdir` under `settings`."""
    from .ingest import load_fingerprints

    def fingerprints(lb):
        return load_fingerprints(Path(lb.release_dir) / lb.notebook_name)

    kernel_env, data_dirs = data_cache(settings.profile, warn)
    tests_dir = Path(lab.tests_dir)
    return Context(
        lab_name=lab.name, notebook_name=lab.notebook_name, release_dir=Path(lab.release_dir), tests_dir=tests_dir,
        outdir=Path(outdir), profile=settings.profile, mode=mode, names=sorted(suite.names),
        questions=dict(suite.questions), timeout=settings.timeout, memory=settings.memory, threads=settings.threads,
        export_timeout=settings.export_timeout, hidden_timeout=settings.hidden_timeout, nproc=settings.nproc,
        disk=settings.disk, kernel_env=kernel_env, data_dirs=data_dirs,
        secrets=secret_paths(outdir, [lab, *others]), own_fps=fingerprints(lab),
        other_fps={lb.name: fingerprints(lb) for lb in others}, tests_hash=tests_fingerprint(tests_dir),
        solution_notebook=solution_notebook(lab))


def solution_notebook(lab) -> Path | None:
    """The lab's solution notebook, if it has one (a lab object may have no `solutions_dir`)."""
    folder = getattr(lab, "solutions_dir", None)
    path = Path(folder) / lab.notebook_name if folder else None
    return path if path is not None and path.is_file() else None
