"""The key of the test value cache (`.tdgrade-cache/values-…`, see conftest.py).

A cached folder holds the values a solution exported after a seeded execution: they depend on the
lab's source, the seed, the Keras backend, the versions of the libraries that train and export the
models, and the exporter's code; the checker code reads them (a changed checker must not pass on
values exported for the old one). Every one of those is in the key, so a local run cannot pass on
stale values: change any of them and the folder name changes (the old folder is left for `rm -rf`).
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

# Mutation testing (bench/mutation_run.py) runs the suite from mutants/, whose src/ holds the same
# exporter and the same checker code behind mutmut's trampolines: it names the unmutated src/ here,
# so the key, like the values, is that code's.
SRC = Path(os.environ.get("TDGRADE_TESTS_VALUES_SRC") or Path(__file__).resolve().parents[1] / "src")
# Distributions whose version changes trained or exported values (scikeras: keras_cv's wrappers).
VERSIONED = ("keras", "jax", "jaxlib", "tensorflow", "numpy", "scikit-learn", "scikeras")
# The exporter (guest encode/export, the loader in artifacts.py) and the checker library.
CODE = ("tdgrade/artifacts.py", "tdgrade/guest/encode.py", "tdgrade/guest/export.py", "tdgrade_checks")


def installed_versions() -> dict[str, str]:
    """distribution -> installed version ("absent" when not installed), without importing it."""
    out = {}
    for name in VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "absent"
    return out


def code_digest(src: Path = SRC) -> str:
    """sha256 over the exporter's and the checker library's source files (path and content)."""
    h = hashlib.sha256()
    for entry in CODE:
        path = src / entry
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            h.update(file.relative_to(src).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()


def notebook_backend(code: str) -> str:
    """The Keras backend a notebook's code declares (the grader's own rule), else TensorFlow."""
    from tdgrade.sandbox.compile_cache import declares_jax

    return "jax" if declares_jax(code) else "tensorflow"


@dataclass(frozen=True)
class ValueCacheKey:
    lab: str
    profile: str
    source_digest: str
    seed: int | None
    backend: str
    versions: tuple[tuple[str, str], ...]
    code_digest: str

    @classmethod
    def current(cls, lab: str, profile: str, source_digest: str, seed: int | None, notebook_code: str) -> "ValueCacheKey":
        return cls(lab, profile, source_digest, seed, notebook_backend(notebook_code),
                   tuple(sorted(installed_versions().items())), code_digest())

    def record(self) -> dict:
        out = asdict(self)
        out["versions"] = dict(self.versions)
        return out

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.record(), sort_keys=True).encode()).hexdigest()

    def folder(self, root: Path) -> Path:
        seed = "" if self.seed is None else f"-seed{self.seed}"
        return root / f"values-{self.lab}-{self.profile}-{self.digest()[:16]}{seed}"
