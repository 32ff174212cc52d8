"""Gradescope's autograder, offline: the `/autograder` layout in a folder, then the zip's own scripts.

Gradescope unzips the autograder into `/autograder/source`, runs `setup.sh` once when it builds the
image, then for each submission puts the student's files in `/autograder/submission` and runs
`run_autograder` (`python /autograder/source/run_otter.py`), which writes
`/autograder/results/results.json`. Here the folder is a temporary one: the zip's data installer
and `run_otter.py` both take it as an argument, and `setup.sh`'s other steps (apt, mamba, the
conda environment) are this machine's installed packages.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tdgrade.compiler import gradescope_zip as gradescope


@dataclass
class GradescopeRun:
    root: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def results(self) -> dict:
        return json.loads((self.root / "results" / "results.json").read_text(encoding="utf-8"))

    def scores(self) -> dict[str, float]:
        return {t["name"]: float(t["score"]) for t in self.results["tests"]}


def layout(zip_path: Path, root: Path) -> Path:
    """`root` laid out as Gradescope's /autograder, with the zip in source/."""
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    (root / "submission_metadata.json").write_text("{}", encoding="utf-8")  # Gradescope writes one
    return root


def install_data(root: Path, mirror: Path | None, offline: bool = True,
                 mirror_only: bool = False) -> subprocess.CompletedProcess:
    """The installer as setup.sh runs it (here: offline, from a local mirror folder)."""
    cmd = [sys.executable, str(root / "source" / "tdgrade_install_data.py"), "--autograder-dir", str(root)]
    if mirror is not None:
        cmd += ["--mirror", str(mirror)]
    if offline:
        cmd.append("--offline")
    if mirror_only:
        cmd.append("--mirror-only")
    env = {k: v for k, v in os.environ.items() if k != "TDGRADE_DATA_MIRROR"}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)


def run_autograder(root: Path, submission: Path, timeout: int = 900) -> GradescopeRun:
    """One submission through the zip's run_otter.py, as run_autograder does."""
    for old in (root / "submission").iterdir():
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    shutil.copy(submission, root / "submission")
    (root / "results" / "results.json").unlink(missing_ok=True)
    # a clean environment: nothing of the caller's profile or data may leak into the grading
    env = {k: v for k, v in os.environ.items() if k not in ("TDGRADE_PROFILE", "KERAS_HOME", "PYTHONPATH")}
    done = subprocess.run([sys.executable, str(root / "source" / "run_otter.py"), str(root)], cwd=root,
                          capture_output=True, text=True, env=env, timeout=timeout)
    return GradescopeRun(root, done.returncode, done.stdout, done.stderr)


def zip_for(autograder_dir: Path, lab: str, profile: str, dst: Path) -> Path:
    """The lab's built Gradescope zip, re-targeted to `profile`."""
    return gradescope.with_profile(autograder_dir / f"{lab}-autograder.zip", dst, profile)
