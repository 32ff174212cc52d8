"""Where one submission's grading time goes (bench helper, not a test).

The grader's runner does not record cell timings, so the notebook is executed here the way the
sandbox runner does it (nbclient, a fresh kernel, the lab's data profile, one thread) but with
`record_timing`, followed by the grader's export cell; then the hidden-test process runs on the
exported values as the grader starts it, once per Keras backend choice.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

FIT = re.compile(r"\.fit\(|\bfit_\w+\(|cross_val_score|cross_validate|GridSearchCV|RandomizedSearchCV")
IMPORTS = re.compile(r"^\s*import (tensorflow|keras)\b", re.M)


def _stamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _label(source: str) -> str:
    if "_tdgrade_export(" in source:
        return "export cell"
    if IMPORTS.search(source):
        return "imports (TensorFlow, Keras, ...)"
    if "otter" in source or "Notebook(" in source:
        return "set-up cell (grader = Notebook(...), imports otter)"
    fits = [ln.strip() for ln in source.splitlines() if FIT.search(ln) and not ln.lstrip().startswith(("from ", "import "))]
    if fits:
        return f"fit: {fits[0][:60]}"
    return "other cells"


def warm_cache_env(lab, profile: str, folder: Path) -> dict[str, str]:
    """For a lab on JAX: a copy of this machine's warm compile cache (one thread) in `folder`, and the
    variables a graded kernel gets for it; {} when the lab is not on JAX or no cache is ready."""
    from types import SimpleNamespace

    from tdgrade.sandbox import compile_cache

    ctx = SimpleNamespace(solution_notebook=lab.solutions_dir / lab.notebook_name, profile=profile, threads=1,
                          lab_name=lab.name, tests_dir=lab.tests_dir)  # the warm-up plan beside the tests
    plan = compile_cache.plan_for(ctx)
    if plan is None or not plan.folder.is_dir():
        print(f"no warm compile cache for {lab.name} ({profile}, 1 thread) on this machine", file=sys.stderr)
        return {}
    shutil.copytree(plan.folder, folder)
    return compile_cache.cache_vars(str(folder))


def run_cells(lab, nb_path: Path, profile: str, work: Path, values: Path,
              extra_env: dict[str, str] | None = None) -> tuple[dict, list]:
    import nbformat
    from nbclient import NotebookClient

    from tdgrade.artifacts import export_code
    from tdgrade.execute import notebook_env
    from tdgrade.hidden import Suite

    shutil.copytree(lab.release_dir, work, dirs_exist_ok=True)
    nb = nbformat.read(nb_path, as_version=4)
    names = sorted(Suite.from_dir(lab.tests_dir).names)
    nb.cells.append(nbformat.v4.new_code_cell(export_code(names, str(values))))
    client = NotebookClient(nb, timeout=None, kernel_name="python3", allow_errors=True, record_timing=True,
                            resources={"metadata": {"path": str(work)}})
    started, t = dt.datetime.now(dt.timezone.utc), time.perf_counter()
    client.execute(env={**notebook_env(profile, 1), "TF_CPP_MIN_LOG_LEVEL": "3", **(extra_env or {})}, cwd=str(work))
    total = time.perf_counter() - t
    stages: dict[str, float] = {}
    cells, first_input = [], None
    for index, cell in enumerate(nb.cells):
        timing = cell.metadata.get("execution", {}) if cell.cell_type == "code" else {}
        if "shell.execute_reply" not in timing or "iopub.execute_input" not in timing:
            continue
        begin = _stamp(timing["iopub.execute_input"])
        first_input = first_input or begin
        seconds = (_stamp(timing["shell.execute_reply"]) - begin).total_seconds()
        label = _label(cell.source)
        key = label if not label.startswith("fit:") or label not in stages else f"{label} (cell {index})"
        stages[key] = round(stages.get(key, 0) + seconds, 2)
        cells.append({"cell": index, "stage": label, "s": round(seconds, 2)})
    stages = {"kernel start (until the first cell runs)": round((first_input - started).total_seconds(), 2),
              **stages, "notebook total (wall)": round(total, 2)}
    return stages, cells


def run_hidden(lab, values: Path, profile: str, backend: str) -> dict:
    """The hidden-test process as the grader starts it (no sandbox here), with its CPU time and peak RSS."""
    from tdgrade.data import kernel_env
    from tdgrade.execute import thread_env
    from tdgrade.grade.worker import HIDDEN_BOOT

    import tdgrade

    out = values.parent / f"hidden-{backend}.json"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(values.parent), "MPLCONFIGDIR": str(values.parent / "mpl"),
           **thread_env(1), **kernel_env(profile)}
    argv = [sys.executable, "-I", "-c", HIDDEN_BOOT.format(root=str(Path(tdgrade.__file__).resolve().parents[1])),
            "--tests", str(lab.tests_dir), "--values", str(values), "--profile", profile, "--out", str(out),
            "--keras-backend", backend]
    t = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    try:
        score = sum(q["score"] for q in json.loads(out.read_text()))
    except (OSError, ValueError):
        score = f"failed (status {status})"
    # ru_maxrss of wait4 covers the process and, for the fallback run, its own child
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "rss_mib": round(usage.ru_maxrss / 1024), "score": score}


def breakdown(lab, nb_path: Path, profile: str, tmp: Path) -> dict:
    folder = tmp / "breakdown"
    values = folder / "values"
    cache = warm_cache_env(lab, profile, folder / "xla-cache")
    stages, cells = run_cells(lab, nb_path, profile, folder / "work", values, cache)
    hidden = {"numpy (auto, default)": run_hidden(lab, values, profile, "auto"),
              "environment's (TensorFlow)": run_hidden(lab, values, profile, "environment")}
    return {"stages": stages, "cells": cells, "hidden": hidden, "warm_compile_cache": bool(cache)}
