"""Shared pieces of the calibration scripts (bench/calibrate_*.py).

One job: what both labs' calibrations do the same way — a covering plan of the choices a student
may make, shifted random streams, one thread of the lab's Keras backend, resumable run files, per-key summaries,
the threshold rules and the record's header (machine, versions).  Imports no TensorFlow at module
level: a profile's process must set its environment (KERAS_HOME, TDGRADE_PROFILE, thread counts)
before Keras is imported.
"""
from __future__ import annotations

import dataclasses
import datetime
import json
import math
import os
import platform
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]
CALIBRATION_DIR = ROOT / "tests" / "calibration"
DEFAULT_RUNS_DIR = Path(os.environ.get("TDGRADE_CALIBRATION_RUNS", "/tmp/tdgrade-calibration"))
STEP = 0.005  # thresholds are multiples of this
MIN_MARGIN = 0.02
SHIFT_MAX = 1000  # each stream gets 0..SHIFT_MAX-1 extra draws before a training


# ---------------------------------------------------------------- threshold rules
def floor_to_step(value: float) -> float:
    """Round down to a multiple of STEP (the epsilon keeps 0.85 from becoming 0.845)."""
    return round(math.floor(value / STEP + 1e-9) * STEP, 3)


def ceil_to_step(value: float) -> float:
    return round(math.ceil(value / STEP - 1e-9) * STEP, 3)


@dataclass(frozen=True)
class KeySummary:
    """Spread of one recorded quantity over the runs of one profile."""

    n: int
    mean: float
    min: float
    max: float
    std: float  # sample standard deviation (n - 1)

    @classmethod
    def of(cls, values: Sequence[float]) -> "KeySummary":
        n = len(values)
        mean = sum(values) / n
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1)) if n > 1 else 0.0
        return cls(n, round(mean, 4), round(min(values), 4), round(max(values), 4), round(std, 4))

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def lower_bar(values: Sequence[float]) -> float:
    """Accuracy bar: min - max(0.02, 3 * std), rounded down to a multiple of 0.005."""
    summary = KeySummary.of(values)
    return floor_to_step(summary.min - max(MIN_MARGIN, 3 * summary.std))


def upper_bar(values: Sequence[float]) -> float:
    """Ratio bar (lower is better): max + max(0.02, 3 * std), rounded up to a multiple of 0.005."""
    summary = KeySummary.of(values)
    return ceil_to_step(summary.max + max(MIN_MARGIN, 3 * summary.std))


# ---------------------------------------------------------------- covering plan
def balanced_levels(levels: Sequence, count: int, rng: random.Random) -> list:
    """`count` values in which every level appears count // len(levels) or one more times, shuffled."""
    values = [levels[i % len(levels)] for i in range(count)]
    rng.shuffle(values)
    return values


def spread_integers(low: int, high: int, count: int, rng: random.Random) -> list[int]:
    """`count` integers evenly spread over [low, high] (both ends included), shuffled."""
    if count == 1:
        return [high]
    values = [round(low + (high - low) * i / (count - 1)) for i in range(count)]
    rng.shuffle(values)
    return values


def force_first(columns: dict[str, list], wanted: dict[str, object]) -> None:
    """Put `wanted` at index 0 of each column by swapping with a later index: counts stay balanced."""
    for name, value in wanted.items():
        column = columns[name]
        if column[0] == value:
            continue
        if value in column:
            j = column.index(value)
            column[0], column[j] = column[j], column[0]
        else:
            column[0] = value


@dataclass(frozen=True)
class StreamShift:
    """Extra draws made before a training, as if earlier cells had consumed the streams differently."""

    numpy: int
    python: int
    tensorflow: int
    keras: int

    @classmethod
    def draw(cls, rng: random.Random) -> "StreamShift":
        return cls(*(rng.randrange(SHIFT_MAX) for _ in range(4)))

    def as_list(self) -> list[int]:
        return [self.numpy, self.python, self.tensorflow, self.keras]

    def apply(self) -> None:
        import keras
        import numpy as np

        np.random.random(self.numpy)
        for _ in range(self.python):
            random.random()
        if keras.backend.backend() == "tensorflow":  # the TensorFlow stream only exists for that backend
            import tensorflow as tf

            tf.random.uniform((self.tensorflow,))
        keras.random.uniform((self.keras,))  # advances Keras's global SeedGenerator (initializers, dropout)


# ---------------------------------------------------------------- process set-up
def single_thread_env(profile: str, keras_home: Path | None = None, backend: str = "tensorflow") -> None:
    """Environment of one profile's process (the lab's Keras backend, one thread); call before importing Keras."""
    os.environ["KERAS_BACKEND"] = backend
    if backend == "jax":  # the grader's settings: one XLA thread, compiled steps reused across runs
        import sys

        sys.path.insert(0, str(ROOT / "src"))
        from tdgrade.execute import xla_flags
        from tdgrade.sandbox.compile_cache import cache_vars

        os.environ["XLA_FLAGS"] = xla_flags(1)
        for name, value in cache_vars(str(DEFAULT_RUNS_DIR / "jax-cache")).items():  # bit-identical results
            os.environ.setdefault(name, value)
    os.environ["TDGRADE_PROFILE"] = profile
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # like the notebooks' set-up cell
    for name in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        os.environ[name] = "1"
    if keras_home is not None:
        os.environ["KERAS_HOME"] = str(keras_home)
    else:
        os.environ.pop("KERAS_HOME", None)


def start_backend(seed: int) -> None:
    """Seed like the notebooks; with TensorFlow, one thread and op determinism as its set-up cell does."""
    import keras

    if keras.backend.backend() != "tensorflow":  # JAX on CPU is deterministic for a seed
        keras.utils.set_random_seed(seed)
        return
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # already initialised by an earlier run of this process: the setting holds
    tf.get_logger().setLevel("ERROR")
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


# ---------------------------------------------------------------- run files (resumable)
def runs_file(runs_dir: Path, lab: str, profile: str) -> Path:
    return runs_dir / f"{lab}-{profile}.jsonl"


def read_runs(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def append_run(path: Path, run: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        handle.write(json.dumps(run) + "\n")


# ---------------------------------------------------------------- record header
def machine() -> str:
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    return f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, no GPU, Keras backend {backend}, 1 thread"


def versions(extra: Iterable[str] = ()) -> dict[str, str | None]:
    """The versions the calibration ran with: every library in the test value cache's key
    (tests/value_cache.py) plus `extra`, read from the installed distributions (None when not
    installed), and the Keras backend."""
    from importlib import metadata

    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in ("keras", "jax", "jaxlib", "tensorflow", "numpy", "scikit-learn", *extra):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    out["keras_backend"] = os.environ.get("KERAS_BACKEND", "tensorflow")
    return out


def today() -> str:
    return datetime.date.today().isoformat()


def write_record(path: Path, record: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=1) + "\n")
