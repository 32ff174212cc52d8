"""Run a lab's TRUSTED solution notebook once on the host, the way graded kernels run: same profile,
threads and data, in a copy of the release folder, optionally with one run of the lab's warm-up plan
(`warm_plan`: the solution with exact edits). Used to fill the JAX compile cache (`compile_cache`);
a child process, so that a stopping run can kill it (and its kernel) at once.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat

from . import warm_plan, watchdog

BOOT = """
import json, sys
sys.path.insert(0, {root!r})
import nbformat
from nbclient.exceptions import CellExecutionError
from tdgrade.execute import cell_errors, execute_notebook
job = json.load(open(sys.argv[1], encoding="utf-8"))
nb = nbformat.read(job.pop("notebook"), as_version=4)
try:
    execute_notebook(nb, job.pop("cwd"), allow_errors=False, **job)
except CellExecutionError:
    e = cell_errors(nb)[0]
    raise SystemExit(f"code cell {{e['code_cell']}} raised {{e['ename']}}: {{e['evalue']}}")
"""


def run_solution(ctx, extra_env: dict[str, str], stop: threading.Event | None = None,
                 run: warm_plan.WarmRun | None = None) -> str | None:
    """Execute `ctx.solution_notebook` (outputs stripped, `run`'s edits applied) with the kernel
    environment of graded kernels plus `extra_env`. None when every cell ran, else why not (English)."""
    import tdgrade

    with tempfile.TemporaryDirectory(prefix="tdgrade-warmup-") as tmp:
        work, log, job_file = Path(tmp) / "work", Path(tmp) / "log", Path(tmp) / "job.json"
        shutil.copytree(ctx.release_dir, work, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        nb = nbformat.read(ctx.solution_notebook, as_version=4)
        if run is not None:
            nb = warm_plan.apply(nb, run)
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            cell.outputs, cell.execution_count = [], None
        nbformat.write(nb, work / ctx.notebook_name)
        job_file.write_text(json.dumps({
            "notebook": str(work / ctx.notebook_name), "cwd": str(work), "profile": ctx.profile,
            "timeout": int(ctx.timeout), "threads": ctx.threads, "env": {**ctx.kernel_env, **extra_env}}))
        # As for a graded kernel: none of the grader's own JAX_*/XLA_* settings (they change the programs).
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "XLA_"))}
        boot = BOOT.format(root=str(Path(tdgrade.__file__).resolve().parents[1]))
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-I", "-c", boot, str(job_file)], env=env, cwd=work,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        deadline = time.monotonic() + ctx.timeout + 120
        while proc.poll() is None and not (stop is not None and stop.is_set()) and time.monotonic() < deadline:
            time.sleep(0.2)
        stopped = proc.poll() is None
        watchdog.kill_tree(proc)  # its kernel too (own session, but still in the process tree)
        proc.wait()
        if stopped:
            return "stopped" if stop is not None and stop.is_set() else "timed out"
        if proc.returncode:
            lines = log.read_text(errors="replace").strip().splitlines()
            return f"the solution failed ({lines[-1][:300] if lines else f'exit {proc.returncode}'})"
        return None
