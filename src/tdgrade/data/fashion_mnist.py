"""Fill keras's cache with Fashion-MNIST, offline when possible, verifying every file's sha256.

Sources, in order: the cache itself, a mirror folder (option or $TDGRADE_DATA_MIRROR), Debian's
`dataset-fashion-mnist` package, then keras's normal download. A file whose hash is wrong is never
used: a bad cached copy is replaced, a bad source is skipped.
"""
import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .idx import read_idx, write_idx

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
DEBIAN_DIR = Path("/usr/share/datasets/fashion-mnist")
SUBDIR = Path("datasets") / "fashion-mnist"
SHA256 = {
    "train-labels-idx1-ubyte.gz": "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056",
    "train-images-idx3-ubyte.gz": "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
    "t10k-labels-idx1-ubyte.gz": "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05",
    "t10k-images-idx3-ubyte.gz": "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
}
# The smoke subset: the first SMOKE_PER_CLASS[part] images of each class, original order.
SMOKE_PER_CLASS = {"train": 600, "t10k": 100}
SMOKE_SHA256 = {
    "train-labels-idx1-ubyte.gz": "2f79ac363aa5db62f0fa8e5c6d76afd2f96e347af63b899a85be6c3f255bc024",
    "train-images-idx3-ubyte.gz": "74df153e1d736137c085533200d77928ad1330a766dbfab0bc33ffdf137c8b83",
    "t10k-labels-idx1-ubyte.gz": "540f63e62544edb8406d1292429a47e6cdb42e4fa2eaa233f072b34e1f6bc46c",
    "t10k-images-idx3-ubyte.gz": "04516f9d284037ea6cce7310aafaed77e8f8c1547f1127ef4aa754c46f47f8f5",
}


class DataError(RuntimeError):
    """No verified copy of the data could be obtained; the message says what to do."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _is_valid(path: Path, expected: str) -> bool:
    return path.is_file() and sha256(path) == expected


def _install(src: Path, dst: Path) -> None:
    """Copy atomically so an interrupted copy never leaves a truncated file in the cache."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=dst.parent, delete=False, prefix=".part-") as tmp:
        with open(src, "rb") as f:
            shutil.copyfileobj(f, tmp)
    os.replace(tmp.name, dst)


def _download(name: str, dest_dir: Path) -> Path | None:
    try:
        from keras.utils import get_file

        return Path(get_file(name, origin=ORIGIN + name, file_hash=SHA256[name], cache_dir=str(dest_dir),
                             cache_subdir="dl"))
    except Exception:  # no network, HTTP error, hash mismatch: try nothing else, report below
        return None


def ensure_full(keras_home: Path, mirror: Path | None = None, allow_download: bool = True,
                log=print) -> Path:
    """Make `keras_home` hold verified Fashion-MNIST files; return the folder holding them."""
    target = keras_home / SUBDIR
    sources = [("mirror", mirror)] if mirror else []
    sources.append(("Debian package dataset-fashion-mnist", DEBIAN_DIR))
    missing = []
    for name, expected in SHA256.items():
        dst = target / name
        if _is_valid(dst, expected):
            continue
        if dst.exists():
            log(f"  {dst}: checksum mismatch (corrupt or truncated), replacing it")
        for label, folder in sources:
            candidate = folder / name
            if _is_valid(candidate, expected):
                _install(candidate, dst)
                log(f"  {name}: copied from {label} ({folder})")
                break
            if candidate.exists():
                log(f"  {candidate}: checksum mismatch, skipped")
        else:
            with tempfile.TemporaryDirectory() as tmp:
                got = _download(name, Path(tmp)) if allow_download else None
                if got and _is_valid(got, expected):
                    _install(got, dst)
                    log(f"  {name}: downloaded from {ORIGIN}")
                else:
                    missing.append(name)
    if missing:
        raise DataError(
            f"Fashion-MNIST: no verified copy of {', '.join(missing)}.\n"
            f"Fix one of these, then run `tdgrade data` again:\n"
            f"  - Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist  (files in {DEBIAN_DIR})\n"
            f"  - a folder holding the 4 .gz files: tdgrade data --mirror DIR  (or TDGRADE_DATA_MIRROR=DIR)\n"
            f"  - network access to {ORIGIN}"
        )
    return target


def ensure_smoke(smoke_home: Path, full_dir: Path, log=print) -> Path:
    """Write the smoke subset (deterministic bytes, checked against SMOKE_SHA256)."""
    target = smoke_home / SUBDIR
    if all(_is_valid(target / n, h) for n, h in SMOKE_SHA256.items()):
        return target
    target.mkdir(parents=True, exist_ok=True)
    for part, per_class in SMOKE_PER_CLASS.items():
        images = read_idx(full_dir / f"{part}-images-idx3-ubyte.gz")
        labels = read_idx(full_dir / f"{part}-labels-idx1-ubyte.gz")
        keep = smoke_indices(labels, per_class)
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{part}-{kind}-ubyte.gz"
            tmp = target / f".part-{name}"
            write_idx(tmp, array[keep])
            os.replace(tmp, target / name)
    bad = [n for n, h in SMOKE_SHA256.items() if not _is_valid(target / n, h)]
    if bad:
        raise DataError(f"smoke subset written to {target} does not match its recorded checksums: {bad}")
    log(f"  smoke subset written to {target}")
    return target


def smoke_indices(labels: np.ndarray, per_class: int) -> np.ndarray:
    """Indices of the first `per_class` samples of each class, in their original order."""
    rank = np.zeros(len(labels), dtype=int)
    for label in np.unique(labels):
        where = np.flatnonzero(labels == label)
        rank[where] = np.arange(len(where))
    return np.flatnonzero(rank < per_class)
