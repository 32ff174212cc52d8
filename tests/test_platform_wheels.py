"""Each release installs where students are (slow tier: it asks the package index, ~1 min per cell).

For every release's requirements.txt, pip resolves binary wheels only (`--only-binary=:all:`) for
each Python of the README (the newest python.org release and the two before it) on each platform:
Windows x64, macOS arm64, Linux x86_64 and aarch64. A manylinux wheel carries several tags
(manylinux2014 = manylinux_2_17, later glibc tags), so every tag a current distribution accepts
is passed. `--target` lets pip resolve for a foreign platform without installing anything.
"""
import subprocess
import sys

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


@pytest.mark.parametrize("python", PYTHONS)
@pytest.mark.parametrize("platform", sorted(PLATFORMS))
@pytest.mark.parametrize("name", LAB_NAMES)
def test_release_requirements_resolve_to_wheels(name, platform, python, tmp_path):
    lab = get_lab(name)
    tags = [arg for tag in PLATFORMS[platform] for arg in ("--platform", tag)]
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
                           "--only-binary=:all:", "--target", str(tmp_path / "target"), *tags,
                           "--python-version", python, "-r", str(lab.release_dir / "requirements.txt")],
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, f"release/{name} on {platform}, Python {python}:\n{done.stderr[-3000:]}"
