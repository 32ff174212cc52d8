"""`tdgrade check NOTEBOOK`: execute a student notebook and print its public checks, in French.

The same runner as the students' `python3 selfcheck.py NOTEBOOK` (shipped in release/LAB/), with
tdgrade's data profile for the kernel (`--profile smoke` uses the small offline data set).
"""
from pathlib import Path

from .data import kernel_env
from .student.selfcheck import run_notebook


def check_notebook(path: Path, profile: str = "full", timeout: int | None = None, log=print) -> int:
    """Return 0 when every public check passes, 1 otherwise (2 when the notebook cannot be read)."""
    log(f"Profil {profile}.")
    return run_notebook(Path(path), timeout=timeout, env=kernel_env(profile), log=log)
