"""The whole fashion_mnist notebook per Keras backend, on one pinned core (not a test).

    python bench/bench_notebook_backend.py                 # tensorflow, jax cold, jax warm; smoke
    python bench/bench_notebook_backend.py --json bench/results/notebook-backend-DATE.json

One fit (`bench_backend.py`) hides what a notebook pays per *model*: XLA compiles every new model's
train, test and predict steps, and the lab builds ten models. So this runs the lab's complete
submission (the solution, outputs stripped, as `tdgrade demo` makes it) three ways, each in a fresh
kernel pinned with `taskset` to one core (so wall time is CPU time, as when two workers keep both
cores busy), with the grader's one-thread environment:

  tensorflow : the set-up cell rewritten to the lab's former TensorFlow cell (import tensorflow,
               op determinism), everything else identical;
  jax cold   : the lab as shipped (JAX), an empty persistent compile cache;
  jax warm   : the lab as shipped, the cache the cold run filled (what `tdgrade grade` gives every
               kernel once `grade/compile_cache.py` has warmed it from the solution).

Per-stage timings come from `stage_timing.run_cells` (nbclient's record_timing); the kernel's CPU
time from the children's rusage.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

JAX_SETUP = re.compile(r'os\.environ\.setdefault\("KERAS_BACKEND", "jax"\)\n')
TF_IMPORT = ("    import keras\n", "    import tensorflow as tf\n    import keras\n")
TF_DETERMINISM = "\nimport tensorflow as tf\ntf.config.experimental.enable_op_determinism()\n"


def tensorflow_variant(nb) -> None:
    """The lab's set-up cell as it was before the move to JAX (TensorFlow backend, op determinism)."""
    cell = next(c for c in nb.cells if c.cell_type == "code" and JAX_SETUP.search(c.source))
    cell.source = JAX_SETUP.sub('os.environ["KERAS_BACKEND"] = "tensorflow"\nos.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"\n',
                                cell.source)
    cell.source = cell.source.replace(*TF_IMPORT) + TF_DETERMINISM


def child(variant: str, profile: str, cache: str) -> None:
    """One variant in this (pinned) process: prints one JSON line."""
    import nbformat

    from stage_timing import run_cells
    from tdgrade.demo import sample_class
    from tdgrade.labs import get_lab

    lab = get_lab("fashion_mnist")
    tmp = Path(tempfile.mkdtemp(prefix="bench-nb-backend-"))
    try:
        complete = sample_class(lab, tmp / "subs")[0]
        nb = nbformat.read(complete, as_version=4)
        if variant == "tensorflow":
            tensorflow_variant(nb)
        else:
            from tdgrade.sandbox.compile_cache import cache_vars

            os.environ.update(cache_vars(cache))  # what a graded kernel gets
        path = tmp / "nb.ipynb"
        nbformat.write(nb, path)
        stages, _ = run_cells(lab, path, profile, tmp / "work", tmp / "values")
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        fits = round(sum(v for k, v in stages.items() if k.startswith("fit:")), 1)
        print(json.dumps({"variant": variant, "kernel_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
                          "notebook_wall_s": stages["notebook total (wall)"], "fits_s": fits, "stages": stages}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--profile", default="smoke", choices=("smoke", "full"))
    p.add_argument("--core", type=int, default=1, help="the core every run is pinned to")
    p.add_argument("--json", type=Path)
    p.add_argument("--child", nargs=2, metavar=("VARIANT", "CACHE"), help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.child:
        child(a.child[0], a.profile, a.child[1])
        return 0
    load = lambda: " ".join(Path("/proc/loadavg").read_text().split()[:3])  # noqa: E731
    report = {"command": " ".join(["python", *sys.argv]), "date": time.strftime("%Y-%m-%d %H:%M"),
              "profile": a.profile, "core": a.core, "runs": []}
    with tempfile.TemporaryDirectory(prefix="bench-xla-cache-") as cache:
        for variant in ("tensorflow", "jax cold", "jax warm"):
            before = load()
            proc = subprocess.run(["taskset", "-c", str(a.core), sys.executable, __file__, "--profile", a.profile,
                                   "--child", variant, cache], capture_output=True, text=True)
            if proc.returncode:
                raise SystemExit(f"{variant} failed:\n{proc.stderr[-3000:]}")
            run = {**json.loads(proc.stdout.strip().splitlines()[-1]), "load_before": before, "load_after": load()}
            report["runs"].append(run)
            print(json.dumps({k: v for k, v in run.items() if k != "stages"}), flush=True)
    if a.json:
        a.json.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
