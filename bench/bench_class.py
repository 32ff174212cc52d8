"""A realistic class, graded and probed (issue 24; not a test).

    python bench/bench_class.py fashion_mnist --profile full               # grade + probe every variant
    python bench/bench_class.py fashion_mnist --profile smoke --steps grade
    python bench/bench_class.py fashion_mnist --steps probe --variants reference batch_256

Steps, in one run:
  sgemm : this machine's single-thread float32 matrix-product peak (numpy/OpenBLAS, 2048², best of 5),
          the physical floor the fits are compared with;
  grade : `tdgrade.grade.grade()` on the whole class (`bench/class_mix.py`), the default worker split
          (2 workers x 1 thread here); per submission its score, status, wall in its worker, stage
          timings and peak RSS (notebook and hidden process) from the result record;
  probe : each variant again, outside the sandbox, one thread, with a private copy of the warm compile
          cache as a graded kernel gets (`stage_timing.warm_cache_env`), and `fit_probe.PROBE` injected
          after the set-up cell: kernel CPU time, XLA compile seconds, persistent-cache hits and
          misses, and per fit its wall, compile seconds and GFLOP/s against the sgemm peak.
Results: bench/results/class-LAB-PROFILE-DATE.{json,md}, with the command line and the load.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from class_mix import CLASSES, build_class  # noqa: E402
from fit_probe import PROBE, PROBE_DUMP  # noqa: E402

SGEMM = """
import time, numpy as np
a = np.random.default_rng(0).random((2048, 2048), dtype=np.float32); b = a.T.copy(); best = 1e9
for _ in range(5):
    t = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t)
print(2 * 2048 ** 3 / best / 1e9)
"""


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def sgemm_peak() -> float:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    return round(float(subprocess.run([sys.executable, "-c", SGEMM], env=env, capture_output=True, text=True,
                                      check=True).stdout), 1)


def grade_step(lab, paths: dict[str, Path], profile: str, out: Path, jobs: int | None) -> dict:
    from tdgrade.grade import grade

    before, t = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    grade(lab, list(paths.values()), out, jobs=jobs, profile=profile, progress_stream=sys.stderr)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = {}
    for record in sorted((out / "results").glob("*.json")):
        data = json.loads(record.read_text())
        name = next((v for v in paths if v in record.stem or v in str(data.get("submission", ""))), record.stem)
        rows[name] = {"status": data.get("status"), "score": data.get("total"), "max": data.get("max_total"),
                      "timings": data.get("timings"), "peak_rss_mib": round((data.get("peak_rss") or 0) / 2 ** 20),
                      "hidden_peak_rss_mib": round((data.get("hidden_peak_rss") or 0) / 2 ** 20)}
    return {"wall_s": round(wall, 1), "per_hour": round(len(paths) * 3600 / wall, 1),
            "children_cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
            "submissions": rows}


def probe_one(lab, nb_path: Path, profile: str, tmp: Path) -> dict:
    import nbformat

    from stage_timing import run_cells, warm_cache_env

    folder = Path(tempfile.mkdtemp(prefix="probe-", dir=tmp))
    nb = nbformat.read(nb_path, as_version=4)
    setup = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "KERAS_BACKEND" in c.source)
    dump = folder / "probe.json"
    nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(PROBE))
    nb.cells.append(nbformat.v4.new_code_cell(
        "import resource as _pr2\n_PROBE['kernel_cpu_s'] = round(sum(_pr2.getrusage(_pr2.RUSAGE_SELF)[:2]), 2)\n"
        "_PROBE['kernel_peak_rss_mib'] = round(_pr2.getrusage(_pr2.RUSAGE_SELF).ru_maxrss / 1024)\n"
        + PROBE_DUMP.format(path=str(dump))))
    probed = folder / nb_path.name
    nbformat.write(nb, probed)
    cache = warm_cache_env(lab, profile, folder / "xla-cache")
    stages, _ = run_cells(lab, probed, profile, folder / "work", folder / "values", cache)
    data = json.loads(dump.read_text()) if dump.is_file() else {"error": "the probe did not run to the end"}
    data.pop("compiles", None)
    return {"notebook_wall_s": stages.get("notebook total (wall)"), "warm_cache": bool(cache), **data}


def markdown(record: dict) -> str:
    lines = [f"# {record['lab']}, {record['profile']} profile, {record['date']}", "",
             f"`{record['command']}` at {record['commit']}; sgemm peak {record.get('sgemm_gflops')} GFLOP/s (1 thread)", ""]
    if "grade" in record:
        g = record["grade"]
        lines += [f"## grade: {len(g['submissions'])} submissions in {g['wall_s']} s = **{g['per_hour']} /h** "
                  f"(load {g['load_before']} -> {g['load_after']})", "",
                  "| variant | kind | status | score | wall in worker s | notebook s | hidden s | RSS nb MiB | RSS hidden MiB |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name, row in g["submissions"].items():
            t = row.get("timings") or {}
            lines.append(f"| {name} | {record['kinds'].get(name, '')} | {row['status']} | {row['score']}/{row['max']} | "
                         f"{t.get('total', '')} | {t.get('notebook', '')} | {t.get('hidden', '')} | "
                         f"{row['peak_rss_mib']} | {row['hidden_peak_rss_mib']} |")
    if "probe" in record:
        lines += ["", "## probe (outside the sandbox, 1 thread, private copy of the warm cache)", "",
                  "| variant | notebook wall s | kernel CPU s | XLA compile s | compiles | cache hits | misses | fits: GFLOP/s (% of peak) | load |",
                  "|---|---|---|---|---|---|---|---|---|"]
        peak = record.get("sgemm_gflops") or 0
        for name, p in record["probe"].items():
            fits = ", ".join(f"{f['gflops_per_s']} ({100 * f['gflops_per_s'] / peak:.0f} %)" if peak else str(f['gflops_per_s'])
                             for f in p.get("fits", []))
            lines.append(f"| {name} | {p.get('notebook_wall_s')} | {p.get('kernel_cpu_s')} | {p.get('compile_s')} | "
                         f"{p.get('n_compiles')} | {p.get('hits')} | {p.get('misses')} | {fits} | {p.get('load')} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lab", choices=sorted(CLASSES))
    parser.add_argument("--profile", choices=["full", "smoke"], default="full")
    parser.add_argument("--steps", nargs="+", choices=["sgemm", "grade", "probe"], default=["sgemm", "grade", "probe"])
    parser.add_argument("--variants", nargs="+", help="only these variants (default: the whole class)")
    parser.add_argument("--jobs", type=int, help="grading workers (default: the grader's)")
    parser.add_argument("--tag", default="", help="added to the result file names")
    args = parser.parse_args()

    from tdgrade.labs import get_lab

    lab = get_lab(args.lab)
    stamp = time.strftime("%Y%m%d-%H%M")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    record = {"lab": lab.name, "profile": args.profile, "date": stamp, "commit": commit,
              "command": "python bench/bench_class.py " + " ".join(sys.argv[1:]),
              "kinds": {v.name: v.kind for v in CLASSES[lab.name]}}
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        paths = build_class(lab, Path(tmp), args.variants)
        if "sgemm" in args.steps:
            record["sgemm_gflops"] = sgemm_peak()
            print(f"sgemm peak, 1 thread: {record['sgemm_gflops']} GFLOP/s", flush=True)
        if "grade" in args.steps:
            load = loadavg()
            record["grade"] = grade_step(lab, paths, args.profile, Path(tmp) / "graded", args.jobs)
            record["grade"].update(load_before=load, load_after=loadavg())
            print(f"graded {len(paths)} in {record['grade']['wall_s']} s", flush=True)
        if "probe" in args.steps:
            record["probe"] = {}
            for name, path in paths.items():
                load = loadavg()
                record["probe"][name] = {**probe_one(lab, path, args.profile, Path(tmp)), "load": load}
                print(name, json.dumps(record["probe"][name])[:400], flush=True)
    out = ROOT / "bench" / "results" / f"class-{lab.name}-{args.profile}-{stamp}{args.tag}"
    out.with_suffix(".json").write_text(json.dumps(record, indent=1, ensure_ascii=False))
    out.with_suffix(".md").write_text(markdown(record))
    print(markdown(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
