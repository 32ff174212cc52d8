"""Stage 4: the executed solution notebook, re-executed only when the lab's source changed."""
import hashlib
import shutil
import tempfile
import time
from pathlib import Path

import nbformat

from ..execute import cell_errors, execute_notebook
from ..sandbox.warm_plan import WARMUP_FILE
from . import preprocessors as pp

# Read by the grader only, never by the solution's execution: editing it must not re-execute the solution.
NOT_EXECUTED = {WARMUP_FILE}


def source_digest(source_dir: Path) -> str:
    """sha256 over every file of source/LAB (names and bytes) that the solution's execution can see."""
    digest = hashlib.sha256()
    for path in sorted(p for p in source_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and ".ipynb_checkpoints" not in p.parts and p.relative_to(source_dir).as_posix() not in NOT_EXECUTED):
        digest.update(str(path.relative_to(source_dir)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def recorded_digest(notebook: Path) -> str | None:
    if not notebook.is_file():
        return None
    return nbformat.read(notebook, as_version=4).metadata.get("tdgrade", {}).get("source_sha256")


def execute_solution(nb, support_dir: Path, digest: str, profile: str = "full", log=print):
    """Execute `nb` next to the release's public tests and support files; fail on any cell error."""
    with tempfile.TemporaryDirectory(prefix="tdgrade-solution-") as tmp:
        shutil.copytree(support_dir, tmp, dirs_exist_ok=True)
        started = time.monotonic()
        execute_notebook(nb, Path(tmp), profile=profile, allow_errors=True)
        seconds = time.monotonic() - started
    errors = cell_errors(nb)
    if errors:
        raise RuntimeError("the solution notebook raised errors:\n  "
                           + "\n  ".join(f"cell {e['cell']}: {e['ename']}: {e['evalue']}" for e in errors))
    log(f"  solution executed ({profile} profile) in {seconds:.0f} s")
    nb.metadata["tdgrade"] = {"source_sha256": digest, "profile": profile}
    return pp.stable_ids(nb)
