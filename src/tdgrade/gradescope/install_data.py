"""Install a lab's data for the Gradescope zip, every file checked against its sha256.

Shipped as `tdgrade_install_data.py` at the root of the otter zip and run by its `setup.sh` when
Gradescope builds the image (tdgrade is not installed there: standard library and numpy only).
The datasets, their checksums and the grader's profile come from `tdgrade_gradescope.json`, which
`tdgrade build` writes from `tdgrade.data` (so the hashes have one source).

    python3 tdgrade_install_data.py [--autograder-dir /autograder] [--mirror DIR_OR_URL]
                                    [--offline] [--mirror-only]

Sources, in order: `--mirror` (or $TDGRADE_DATA_MIRROR), a folder or a URL prefix holding the
original `.gz` files; Debian's `dataset-fashion-mnist` folder; the dataset's origin URL (unless
`--offline`); `--mirror-only` tries the mirror alone. A file whose sha256 differs is rejected, never installed. The smoke profile gets the
subset `tdgrade data` derives (first N images of each class), checked against its own hashes.
Exit status 0 when every file is installed and verified, 1 otherwise (the image build then fails
instead of grading on wrong data).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import shutil
import struct
import sys
import tempfile
import urllib.request
from pathlib import Path

CONFIG_FILE = "tdgrade_gradescope.json"
FULL_STAGING = "tdgrade-data/full"  # where the verified originals go when the profile is smoke


class InstallError(RuntimeError):
    pass


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fetch(source: str, name: str, dest: Path) -> bool:
    """Copy `source`/`name` to `dest`; False when the source has no such file."""
    try:
        if source.startswith(("http://", "https://", "file://")):
            with urllib.request.urlopen(source.rstrip("/") + "/" + name, timeout=60) as response, \
                    open(dest, "wb") as out:
                shutil.copyfileobj(response, out)
        else:
            path = Path(source) / name
            if not path.is_file():
                return False
            shutil.copyfile(path, dest)
        return True
    except OSError:
        return False


def install_file(name: str, expected: str, target: Path, sources: list[str], log=print) -> None:
    """Put a verified copy of `name` at `target`/`name` (kept when already valid)."""
    dst = target / name
    if dst.is_file() and sha256(dst) == expected:
        return
    target.mkdir(parents=True, exist_ok=True)
    for source in sources:
        with tempfile.NamedTemporaryFile(dir=target, prefix=".part-", delete=False) as tmp:
            part = Path(tmp.name)
        try:
            if not _fetch(source, name, part):
                continue
            got = sha256(part)
            if got != expected:
                log(f"  {source}/{name}: sha256 {got} != expected {expected}: rejected")
                continue
            os.replace(part, dst)
            log(f"  {name}: installed from {source} (sha256 verified)")
            return
        finally:
            part.unlink(missing_ok=True)
    raise InstallError(f"{name}: no source gave a file with the expected sha256 {expected} "
                       f"(tried: {', '.join(sources) or 'nothing'})")


def _read_idx(path: Path):
    import numpy as np

    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    shape = struct.unpack(">" + "I" * ndim, raw[4:4 + 4 * ndim])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def _write_idx(path: Path, array) -> None:
    """Byte-for-byte as `tdgrade.data.idx.write_idx` (gzip without file name, mtime 0)."""
    import numpy as np

    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(">" + "I" * array.ndim, *array.shape)
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(header + array.tobytes())


def _first_per_class(labels, per_class: int):
    import numpy as np

    rank = np.zeros(len(labels), dtype=int)
    for label in np.unique(labels):
        where = np.flatnonzero(labels == label)
        rank[where] = np.arange(len(where))
    return np.flatnonzero(rank < per_class)


def derive_smoke(full_dir: Path, target: Path, smoke: dict) -> None:
    """The smoke subset of the verified originals, checked against its recorded hashes."""
    target.mkdir(parents=True, exist_ok=True)
    for part, per_class in smoke["per_class"].items():
        labels = _read_idx(full_dir / f"{part}-labels-idx1-ubyte.gz")
        keep = _first_per_class(labels, per_class)
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{part}-{kind}-ubyte.gz"
            _write_idx(target / name, _read_idx(full_dir / name)[keep])
    bad = [n for n, h in smoke["sha256"].items() if sha256(target / n) != h]
    if bad:
        raise InstallError(f"smoke subset in {target} does not match its recorded sha256: {bad}")


def install(source_dir: Path, mirror: str | None = None, offline: bool = False, mirror_only: bool = False,
            log=print) -> None:
    config = json.loads((source_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    keras_home = source_dir / config["keras_home"]
    for dataset in config.get("datasets", []):
        sources = [s for s in (mirror, None if mirror_only else dataset.get("debian_dir")) if s]
        if not (offline or mirror_only):
            sources.append(dataset["origin"])
        smoke = config["profile"] == "smoke"
        full_dir = (source_dir / FULL_STAGING if smoke else keras_home) / dataset["subdir"]
        log(f"{dataset['name']}: installing into {keras_home / dataset['subdir']} (profile {config['profile']})")
        for name, expected in sorted(dataset["sha256"].items()):
            install_file(name, expected, full_dir, sources, log)
        if smoke:
            derive_smoke(full_dir, keras_home / dataset["subdir"], dataset["smoke"])
            log("  smoke subset written and verified")


def main(argv=None) -> int:
    here = Path(__file__).resolve().parent
    parser = argparse.ArgumentParser(description="Install the lab's data (sha256-verified) for the autograder.")
    parser.add_argument("--autograder-dir", type=Path, default=None,
                        help="Gradescope's autograder folder (default: the folder above this file's)")
    parser.add_argument("--mirror", default=os.environ.get("TDGRADE_DATA_MIRROR"),
                        help="folder or URL prefix holding the original files (default: $TDGRADE_DATA_MIRROR)")
    parser.add_argument("--offline", action="store_true", help="never try the dataset's origin URL")
    parser.add_argument("--mirror-only", action="store_true", help="try the mirror alone")
    args = parser.parse_args(argv)
    source_dir = args.autograder_dir / "source" if args.autograder_dir else here
    try:
        if args.mirror_only and not args.mirror:
            parser.error("--mirror-only needs --mirror or $TDGRADE_DATA_MIRROR")
        install(source_dir.resolve(), args.mirror, args.offline, args.mirror_only)
    except InstallError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
