"""Offline data for the labs: cache locations per profile and the `tdgrade data` verb."""
import os
from pathlib import Path

from . import fashion_mnist

PROFILES = ("full", "smoke")


def full_keras_home() -> Path:
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras")


def cache_home() -> Path:
    """tdgrade's own cache folder: $TDGRADE_CACHE, else ~/.cache/tdgrade."""
    return Path(os.environ.get("TDGRADE_CACHE") or Path.home() / ".cache" / "tdgrade")


def smoke_keras_home() -> Path:
    return cache_home() / "keras-smoke"


def keras_home(profile: str) -> Path:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
    return full_keras_home() if profile == "full" else smoke_keras_home()


def kernel_env(profile: str) -> dict[str, str]:
    """Environment a notebook kernel needs to see the data of `profile`."""
    return {"KERAS_HOME": str(keras_home(profile)), "TDGRADE_PROFILE": profile}


def ensure(profiles=PROFILES, mirror: Path | None = None, allow_download: bool = True, log=print) -> None:
    """Fill the caches the given profiles need (smoke is derived from the verified full set)."""
    mirror = mirror or (Path(os.environ["TDGRADE_DATA_MIRROR"]) if os.environ.get("TDGRADE_DATA_MIRROR") else None)
    full_dir = fashion_mnist.ensure_full(full_keras_home(), mirror, allow_download, log)
    log(f"fashion-mnist (full): {full_dir} verified")
    if "smoke" in profiles:
        smoke_dir = fashion_mnist.ensure_smoke(smoke_keras_home(), full_dir, log)
        log(f"fashion-mnist (smoke): {smoke_dir} verified")
