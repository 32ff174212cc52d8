"""Execute a notebook with nbclient, with the data and thread settings of a profile."""
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from .data import kernel_env


def xla_flags(threads: int) -> str:
    """XLA's CPU thread settings (Keras on JAX). jaxlib 0.10 no longer sizes its CPU thread pool from
    them (it follows the affinity mask: `sandbox/cpus.py` pins each grading worker); they stay for
    older jaxlib and are part of the compile cache's fingerprint.

    The bare `intra_op_parallelism_threads=N` token (no dashes) is the form JAX's users pass; XLA
    aborts on `--intra_op_parallelism_threads`, which it does not know."""
    if threads <= 1:
        return "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    return f"--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={threads}"


def thread_env(threads: int | None) -> dict[str, str]:
    """Cap TensorFlow/BLAS/XLA threads, so parallel workers do not fight over cores."""
    if not threads:
        return {}
    n = str(threads)
    return {"TF_NUM_INTRAOP_THREADS": n, "TF_NUM_INTEROP_THREADS": "1", "OMP_NUM_THREADS": n,
            "OPENBLAS_NUM_THREADS": n, "MKL_NUM_THREADS": n, "XLA_FLAGS": xla_flags(threads)}


def notebook_env(profile: str, threads: int | None = None, extra: dict | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(kernel_env(profile))
    env.update(thread_env(threads))
    env.update(extra or {})
    return env


def execute_notebook(nb: nbformat.NotebookNode, cwd: Path, *, profile: str, timeout: int | None = None,
                     env: dict | None = None, threads: int | None = None, allow_errors: bool = True,
                     after: list[str] = (), kernel_name: str = "python3") -> list[nbformat.NotebookNode]:
    """Run every cell of `nb` in place in a fresh kernel started in `cwd`.

    `after` are extra code cells run in the same kernel once the notebook is done (e.g. the
    artifact export); they are not kept in `nb`, their executed cells are returned.
    """
    extra = [nbformat.v4.new_code_cell(source) for source in after]
    nb.cells.extend(extra)
    client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name, allow_errors=allow_errors,
                            resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute(env=notebook_env(profile, threads, env), cwd=str(cwd))
    finally:
        del nb.cells[len(nb.cells) - len(extra):]
    return extra


def cell_errors(nb: nbformat.NotebookNode) -> list[dict]:
    """Every error output, in order: cell index, code-cell number (1-based), ename, evalue (truncated)."""
    errors, code_no = [], 0
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code_no += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                errors.append({"cell": index, "code_cell": code_no, "ename": str(out.get("ename"))[:100],
                               "evalue": str(out.get("evalue"))[:300]})
    return errors
