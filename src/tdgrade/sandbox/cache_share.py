"""Sharing one warm JAX compile cache between the machines of a cluster: the worker side.

The coordinator (`grade.cluster_cache`) has ONE worker per fingerprint warm the cache from the
lab's trusted solution (`warm_or_wait`), then copies it to the other workers of that fingerprint:
the warmer packs its folder into a tar blob (`pack`), Dask carries the blob from worker to worker,
and each receiver `install`s it. The rules of `compile_cache` hold on every machine:
- filled only by trusted code: a blob is only made from a folder `compile_cache.warm` completed;
- fingerprinted: a receiver recomputes its own fingerprint and refuses a blob made for another one
  (the coordinator groups workers by fingerprint; this is the second lock on that door);
- verified: the receiver checks the blob's sha256 against the one the coordinator read from the
  sender before unpacking anything (a truncated or mixed-up blob is refused), and unpacks regular
  files only, never a path outside its folder;
- atomic: unpacked into a staging folder renamed into place, so a job sees a whole cache or none;
- private copies: jobs copy an installed folder into their sandbox as they copy a warmed one.
Plain functions, no Dask: the coordinator's tasks call them with the worker's own context.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from . import compile_cache


class ShareError(Exception):
    """A cache that cannot be packed or installed (English, for the instructor)."""


@dataclass(frozen=True)
class Holding:
    """What one worker has of the run's cache."""

    state: str  # ready | warming (another process of its host holds the lock) | absent | none (no cache here)
    fingerprint: str = ""  # the full digest: workers with the same one share a cache
    folder: str = ""
    detail: str = ""  # why "none": an error, or empty (not a JAX lab, cache disabled)


@dataclass(frozen=True)
class Warmed:
    """How a `warm_or_wait` ended."""

    ok: bool
    why: str = ""  # when not ok
    seconds: float = 0.0
    files: int = 0
    size: int = 0  # bytes
    already: bool = False  # it was ready: warmed before, or by another process of that host meanwhile


@dataclass(frozen=True)
class Shipment:
    """A ready cache folder, packed for a worker of the same fingerprint."""

    lab: str
    fingerprint: str  # the digest it was warmed for
    name: str  # the folder's name under cache_root()
    sha256: str  # of `data`
    data: bytes  # an uncompressed tar of the folder's files (JAX compresses its entries already)
    files: int


def survey(ctx) -> Holding:
    try:
        plan = compile_cache.plan_for(ctx)
    except Exception as exc:  # noqa: BLE001 - JAX missing on that worker, unreadable solution: no cache there
        return Holding("none", detail=f"{type(exc).__name__}: {exc}")
    if plan is None:
        return Holding("none")
    digest = plan.fingerprint.digest()
    if plan.folder.is_dir():
        return Holding("ready", digest, str(plan.folder))
    return Holding("warming" if _locked(plan.folder) else "absent", digest, str(plan.folder))


def _locked(folder: Path) -> bool:
    lock = compile_cache.lock_file(folder)
    if not lock.exists():
        return False
    with compile_cache.exclusive(lock) as held:
        return not held


def warm_or_wait(ctx, stop: threading.Event | None = None) -> Warmed:
    """This worker's cache, warmed here unless ready; when another process of this host is warming
    it, wait for that one instead of warming a second time."""
    start = time.monotonic()
    try:
        plan = compile_cache.plan_for(ctx)
        if plan is None:
            return Warmed(False, "this worker has no JAX compile cache for the lab")
        already = plan.folder.is_dir()
        if not already:
            plan.folder.parent.mkdir(parents=True, exist_ok=True)
            with compile_cache.exclusive(compile_cache.lock_file(plan.folder), wait=True):
                already = plan.folder.is_dir()
                why = None if already else compile_cache.warm(plan, ctx, stop)
            if why:
                return Warmed(False, why, time.monotonic() - start)
        files = [p for p in plan.folder.rglob("*") if p.is_file()]
    except Exception as exc:  # noqa: BLE001 - disk, rights: the coordinator warns, the run goes on
        return Warmed(False, f"{type(exc).__name__}: {exc}", time.monotonic() - start)
    return Warmed(True, seconds=time.monotonic() - start, files=len(files),
                  size=sum(p.stat().st_size for p in files), already=already)


def pack(ctx) -> Shipment:
    """The ready cache of this worker's fingerprint as a tar blob."""
    plan = compile_cache.plan_for(ctx)
    if plan is None or not plan.folder.is_dir():
        raise ShareError("no ready JAX compile cache on this worker")
    buf, count = io.BytesIO(), 0
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(plan.folder.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue  # folders come with their files; JAX writes no links
            info = tarfile.TarInfo(path.relative_to(plan.folder).as_posix())
            info.size, info.mode = path.stat().st_size, 0o644
            with open(path, "rb") as f:
                tar.addfile(info, f)
            count += 1
    data = buf.getvalue()
    return Shipment(plan.lab, plan.fingerprint.digest(), plan.folder.name, hashlib.sha256(data).hexdigest(),
                    data, count)


def install(ctx, shipment: Shipment, sha256: str, source: str = "") -> str:
    """Put `shipment` in place as this worker's cache: "installed", "present" (it has one already) or
    "busy" (another process of this host is warming or installing it). Raises `ShareError` when the
    blob is not for this worker's fingerprint or not the one the coordinator announced."""
    plan = compile_cache.plan_for(ctx)
    if plan is None:
        raise ShareError("this worker has no JAX compile cache for the lab")
    if plan.fingerprint.digest() != shipment.fingerprint or plan.folder.name != shipment.name:
        raise ShareError("refused: the cache was warmed for another fingerprint (CPU, cores, versions)")
    if hashlib.sha256(shipment.data).hexdigest() != sha256 or shipment.sha256 != sha256:
        raise ShareError("refused: the cache's checksum does not match the sender's")
    if plan.folder.is_dir():
        return "present"
    plan.folder.parent.mkdir(parents=True, exist_ok=True)
    with compile_cache.exclusive(compile_cache.lock_file(plan.folder)) as held:
        if not held:
            return "busy"
        if plan.folder.is_dir():
            return "present"
        for stale in plan.folder.parent.glob(f".receiving-{plan.folder.name}-*"):  # left by a killed install
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f".receiving-{plan.folder.name}-", dir=plan.folder.parent))
        try:
            _unpack(shipment.data, staging)
            os.rename(staging, plan.folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        # As a warm-up leaves it, plus where it came from.
        plan.folder.with_name(plan.folder.name + ".json").write_text(json.dumps(asdict(plan.fingerprint), indent=1))
        plan.folder.with_name(plan.folder.name + ".received.json").write_text(json.dumps(
            {"from": source, "sha256": sha256, "files": shipment.files, "bytes": len(shipment.data)}, indent=1))
    return "installed"


def _unpack(data: bytes, dest: Path) -> None:
    """Regular files at relative paths inside `dest`, nothing else (no links, devices, `..`)."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
        for member in tar:
            parts = PurePosixPath(member.name).parts
            if not member.isfile() or not parts or member.name.startswith("/") or any(
                    p in ("", ".", "..") for p in parts):
                raise ShareError(f"refused: unexpected entry {member.name!r} in the cache's blob")
            target = dest.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with tar.extractfile(member) as src, open(target, "xb") as out:
                shutil.copyfileobj(src, out)
