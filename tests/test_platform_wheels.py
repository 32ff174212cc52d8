"""Each release installs where students are (slow tier: it asks the package index, ~1 min per cell).

For every release's requirements.txt, pip resolves binary wheels only (`--only-binary=:all:`) for
each Python of the README (the newest python.org release and the two before it) on each platform:
Windows x64, macOS arm64, Linux x86_64 and aarch64. A manylinux wheel carries several tags
(manylinux2014 = manylinux_2_17, later glibc tags), so every tag a current distribution accepts
is passed. `--target` lets pip resolve for a foreign platform without installing anything.
"""
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tdgrade.compiler.release_readme import PYTHONS
from tdgrade.labs import LAB_NAMES, get_lab

pytestmark = pytest.mark.slow


def _manylinux(arch: str) -> list[str]:
    return [f"manylinux2014_{arch}"] + [f"manylinux_2_{minor}_{arch}" for minor in range(17, 36)]


PLATFORMS = {
    "windows-x64": ["win_amd64"],
    "macos-arm64": [f"macosx_{major}_0_arm64" for major in range(11, 16)],
    "linux-x86_64": _manylinux("x86_64"),
    "linux-aarch64": _manylinux("aarch64"),
}


CELLS = [(name, platform, python) for name in LAB_NAMES for platform in sorted(PLATFORMS) for python in PYTHONS]


def _resolve(name: str, platform: str, python: str, target) -> subprocess.CompletedProcess:
    tags = [arg for tag in PLATFORMS[platform] for arg in ("--platform", tag)]
    return subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
                           "--only-binary=:all:", "--target", str(target), *tags,
                           "--python-version", python, "-r", str(get_lab(name).release_dir / "requirements.txt")],
                          capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="module")
def resolutions(tmp_path_factory):
    """Every cell resolved at once: each pip run mostly waits on the index, so six at a time cut the
    tier's ~13 min of one-by-one runs to a few minutes without sharing any state (own target, own run)."""
    root = tmp_path_factory.mktemp("wheels")
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = {cell: pool.submit(_resolve, *cell, root / "-".join(cell)) for cell in CELLS}
        return {cell: future.result() for cell, future in futures.items()}


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("name", LAB_NAMES)
def test_release_requirements_resolve_to_wheels(name, platform, python, resolutions):
    done = resolutions[(name, platform, python)]
    assert done.returncode == 0, f"release/{name} on {platform}, Python {python}:\n{done.stderr[-3000:]}"
