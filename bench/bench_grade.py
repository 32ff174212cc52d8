"""Benchmark of `tdgrade grade` (not a test): overhead per submission, peak RSS, throughput 1 vs 2 jobs.

    python bench/bench_grade.py                      # fake lab (tests/corpus/labs), cheap
    python bench/bench_grade.py --lab fashion_mnist --submission solutions/fashion_mnist/fashion_mnist.ipynb

For one submission, in the same run, `--repeat` times each (median reported):
  exec   : the notebook alone, nbclient in a fresh kernel (tdgrade.execute.execute_notebook), no grading;
  tdgrade: `grade()` of that one submission, jobs=1 (sandbox, export, hidden tests in a clean process, files);
  otter  : `otter run -a autograder.zip` on the same notebook (autograder.zip made once by `otter generate`).
Overhead = tool time - exec time. Peak RSS per worker: the sandbox's process tree (runner + kernel)
and the hidden-test process, sampled every 0.25 s by the watchdog, plus the grader process itself.
Throughput: `--copies` copies of the submission graded with --jobs 1, then 2.
Results are printed and written as JSON (`--json`).
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def fake_lab():
    from tdgrade.labs import Lab

    labs = ROOT / "tests/corpus/labs"
    return Lab("fakelab", labs), [Lab("otherlab", labs)], labs / "solutions/fakelab/fakelab.ipynb"


def time_exec(lab, nb_path: Path, profile: str) -> float:
    import nbformat

    from tdgrade.execute import execute_notebook

    nb = nbformat.read(str(nb_path), as_version=4)
    with tempfile.TemporaryDirectory(prefix="bench-exec-") as work:
        shutil.copytree(lab.release_dir, work, dirs_exist_ok=True)
        t = time.perf_counter()
        execute_notebook(nb, Path(work), profile=profile, threads=1)
        return time.perf_counter() - t


def time_tdgrade(lab, others, subs: list[Path], profile: str, jobs: int, timeout: float) -> tuple[float, list]:
    import io

    from tdgrade.grade import grade
    from tdgrade.gradebook import results as gradebook

    with tempfile.TemporaryDirectory(prefix="bench-grade-") as tmp:
        out = Path(tmp) / "out"
        t = time.perf_counter()
        rc = grade(lab, [str(s) for s in subs], out, jobs=jobs, timeout=timeout, profile=profile,
                   other_labs=others, progress_stream=io.StringIO(), tty=False)
        wall = time.perf_counter() - t
        results, _ = gradebook.load_results(out)
        assert rc == 0, f"grade exit {rc}"
        return wall, results


def make_otter_zip(lab, dest: Path) -> Path:
    files = [p for p in Path(lab.release_dir).iterdir() if p.is_file() and p.suffix != ".ipynb"
             and p.name not in ("README.md", "requirements.txt", "environment.yml")]
    work = dest / "gen"
    shutil.copytree(lab.tests_dir, work / "tests")
    for f in files:
        shutil.copy(f, work / f.name)
    subprocess.run(["otter", "generate", "-t", "tests", "-o", "autograder.zip", *[f.name for f in files]],
                   cwd=work, check=True, capture_output=True)
    return work / "autograder.zip"


def time_otter(zip_path: Path, nb_path: Path, profile: str) -> tuple[float, float | None]:
    import os

    from tdgrade.data import kernel_env

    with tempfile.TemporaryDirectory(prefix="bench-otter-") as tmp:
        sub = Path(tmp) / nb_path.name
        shutil.copy(nb_path, sub)
        (Path(tmp) / "res").mkdir()
        env = {**os.environ, **kernel_env(profile)}
        t = time.perf_counter()
        subprocess.run(["otter", "run", "-a", str(zip_path), "-o", str(Path(tmp) / "res"), str(sub)], check=True,
                       capture_output=True, env=env)
        wall = time.perf_counter() - t
        res = json.loads((Path(tmp) / "res/results.json").read_text())
        score = sum(t.get("score") or 0 for t in res.get("tests", []) if t.get("name") != "Public Tests")
        return wall, score


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lab", default="fakelab", help="fakelab (default) or a real lab name (needs `tdgrade build`)")
    p.add_argument("--submission", type=Path, help="notebook to grade (default: the lab's solution)")
    p.add_argument("--profile", default="smoke", choices=("smoke", "full"))
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--copies", type=int, default=6, help="submissions for the throughput runs")
    p.add_argument("--timeout", type=float, default=1800)
    p.add_argument("--no-otter", action="store_true")
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)

    if a.lab == "fakelab":
        lab, others, default_sub = fake_lab()
    else:
        from tdgrade.labs import get_lab

        lab, others = get_lab(a.lab), None
        default_sub = Path(lab.solutions_dir) / lab.notebook_name
    sub = (a.submission or default_sub).resolve()
    report: dict = {"lab": lab.name, "profile": a.profile, "submission": str(sub), "repeat": a.repeat}

    exec_t, grade_t, otter_t, rss, hidden_rss, notebook_t = [], [], [], [], [], []
    otter_zip = None
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        if not a.no_otter:
            otter_zip = make_otter_zip(lab, Path(tmp))
        one = Path(tmp) / "one"
        one.mkdir()
        shutil.copy(sub, one / "bench.ipynb")
        for i in range(a.repeat):
            exec_t.append(time_exec(lab, sub, a.profile))
            wall, results = time_tdgrade(lab, others, [one / "bench.ipynb"], a.profile, 1, a.timeout)
            grade_t.append(wall)
            r = results[0]
            rss.append(r.peak_rss)
            hidden_rss.append(r.hidden_peak_rss or 0)
            notebook_t.append(r.timings.get("notebook") or 0)
            report.setdefault("tdgrade_score", f"{r.total:g}/{r.max_total:g} ({r.status})")
            if otter_zip:
                ot, score = time_otter(otter_zip, sub, a.profile)
                otter_t.append(ot)
                report.setdefault("otter_score", score)
            print(f"run {i + 1}: exec {exec_t[-1]:.2f} s, tdgrade {grade_t[-1]:.2f} s"
                  + (f", otter {otter_t[-1]:.2f} s" if otter_t else ""), flush=True)

        med = statistics.median
        report.update(exec_s=med(exec_t), tdgrade_s=med(grade_t), tdgrade_overhead_s=med(grade_t) - med(exec_t),
                      runner_notebook_s=med(notebook_t), peak_rss_sandbox_mib=max(rss) / 2**20,
                      peak_rss_hidden_mib=max(hidden_rss) / 2**20,
                      peak_rss_grader_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        if otter_t:
            report.update(otter_s=med(otter_t), otter_overhead_s=med(otter_t) - med(exec_t))
            report["overhead_ratio"] = report["tdgrade_overhead_s"] / report["otter_overhead_s"]

        many = Path(tmp) / "many"
        many.mkdir()
        for i in range(a.copies):
            shutil.copy(sub, many / f"student{i:02d}.ipynb")
        for jobs in (1, 2):
            wall, results = time_tdgrade(lab, others, sorted(many.iterdir()), a.profile, jobs, a.timeout)
            assert all(r.status == "graded" for r in results)
            report[f"throughput_jobs{jobs}_per_min"] = 60 * a.copies / wall
            report[f"batch_jobs{jobs}_s"] = wall
            print(f"{a.copies} submissions, jobs={jobs}: {wall:.1f} s", flush=True)

    print(json.dumps(report, indent=1))
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
