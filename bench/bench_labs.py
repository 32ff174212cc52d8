"""Real-lab benchmark (not a test): tdgrade vs `otter run` vs nbgrader autograde on the same submissions.

    python bench/bench_labs.py                              # fashion_mnist and keras_cv, smoke profile
    python bench/bench_labs.py --labs keras_cv --skip nbgrader

For each lab, in ONE run, on the same four submissions made like `tdgrade demo` (the solution
stripped of outputs, the untouched release, the first half answered, the whole answered with a
crashing cell in the middle):
  tdgrade 1x2 : `grade()` with 1 worker (2 TensorFlow/BLAS/XLA threads);
  tdgrade 2x1 : `grade()` with 2 workers of 1 thread each (the grader's default split);
                before each, untimed, the blank submission is graded alone ("prewarm_s"): for a lab on
                JAX the first grading on a machine warms the compile cache, once for later runs;
  otter       : `otter run -a autograder/LAB/LAB-autograder.zip` per notebook, one after the other;
  nbgrader    : `nbgrader autograde LAB` on the lab's nbgrader export (autograder/LAB/nbgrader), the
                same four answers written into nbgrader's release notebook.
Throughput = submissions / wall time * 3600. The load average is read before and after each step.
Per-stage breakdown (the complete submission, outside the sandbox, 1 thread, with a copy of the warm
compile cache as a graded kernel gets for a JAX lab): kernel start, imports,
each fit, other cells, the export cell (record_timing of nbclient), then the hidden-test process on the
exported values with Keras' numpy backend (default) and with the grader environment's (`--keras-backend environment`).
Results: bench/results/labs-DATE.json and .md (with the command line).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import platform
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

from stage_timing import breakdown  # noqa: E402

VARIANTS = {"Alice Martin": "complete", "Bruno Petit": "blank", "Chloé Durand": "half", "David Leroy": "crashing"}


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def submissions(lab, folder: Path) -> dict[str, Path]:
    """variant -> notebook, made by `tdgrade demo`'s sample class (the unreadable file left out)."""
    from tdgrade.demo import sample_class

    out = {}
    for path in sample_class(lab, folder / "moodle"):
        student = path.parent.name.split("_")[0]
        if student in VARIANTS:
            dest = folder / "subs" / f"{VARIANTS[student]}.ipynb"
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, dest)
            out[VARIANTS[student]] = dest
    return out


def kernel_environ(profile: str, threads: int) -> dict[str, str]:
    from tdgrade.execute import notebook_env

    return {**notebook_env(profile, threads), "TF_CPP_MIN_LOG_LEVEL": "3"}


def run_tdgrade(lab, subs: dict[str, Path], profile: str, jobs: int, timed: dict[str, Path] | None = None) -> dict:
    """`subs["blank"]` graded alone first (untimed), then `timed` (default: all of `subs`)."""
    from tdgrade.grade import grade
    from tdgrade.gradebook import results as gradebook

    timed = subs if timed is None else timed

    with tempfile.TemporaryDirectory(prefix="bench-labs-grade-") as tmp:
        # Not timed: the blank submission graded alone. The first grading of a JAX lab on a machine
        # warms its compile cache (grade/compile_cache.py) once for all later runs; this keeps that
        # one-time cost out of the throughput and reports it apart.
        t = time.perf_counter()
        grade(lab, [str(subs["blank"])], Path(tmp) / "prewarm", jobs=jobs, profile=profile,
              progress_stream=io.StringIO(), tty=False)
        prewarm = round(time.perf_counter() - t, 1)
        out = Path(tmp) / "out"
        before, t = loadavg(), time.perf_counter()
        rc = grade(lab, [str(p) for p in timed.values()], out, jobs=jobs, profile=profile,
                   progress_stream=io.StringIO(), tty=False)
        wall = time.perf_counter() - t
        results, _ = gradebook.load_results(out)
    per = {}
    for r in results:
        per[r.student_id] = {"status": str(r.status), "score": r.total, "max": r.max_total,
                             "timings": r.timings, "hidden_peak_rss_mib": round((r.hidden_peak_rss or 0) / 2**20)}
    return {"wall_s": round(wall, 1), "per_hour": round(3600 * len(timed) / wall, 1), "exit": rc,
            "prewarm_s": prewarm, "load_before": before, "load_after": loadavg(), "submissions": per}


def run_otter(lab, subs: dict[str, Path], profile: str) -> dict:
    from tdgrade.compiler import gradescope_zip as gradescope

    built = next(lab.autograder_dir.glob("*-autograder.zip"))
    env = kernel_environ(profile, 2)
    with tempfile.TemporaryDirectory(prefix="bench-labs-otter-") as tmp:
        # the committed zip's tests carry the grader's profile (full), never the environment's
        zip_path = gradescope.with_profile(built, Path(tmp) / built.name, profile)
        per, before, t0 = {}, loadavg(), time.perf_counter()
        for variant, nb in subs.items():
            work = Path(tmp) / variant
            work.mkdir()
            shutil.copy(nb, work / lab.notebook_name)
            t = time.perf_counter()
            proc = subprocess.run(["otter", "run", "-a", str(zip_path), "-o", str(work), "--no-logo",
                                   str(work / lab.notebook_name)], capture_output=True, text=True, env=env)
            entry = {"wall_s": round(time.perf_counter() - t, 1), "exit": proc.returncode}
            try:
                res = json.loads((work / "results.json").read_text())
                entry["score"] = round(sum(x.get("score") or 0 for x in res.get("tests", [])), 2)
                entry["max"] = round(sum(x.get("max_score") or 0 for x in res.get("tests", [])), 2)
            except (OSError, ValueError):
                entry["error"] = proc.stderr[-300:]
            per[variant] = entry
        wall = time.perf_counter() - t0
    return {"wall_s": round(wall, 1), "per_hour": round(3600 * len(subs) / wall, 1), "command":
            f"otter run -a {built.relative_to(ROOT)} (re-targeted to {profile}) -o OUT NOTEBOOK (one after the other)",
            "load_before": before, "load_after": loadavg(), "submissions": per}


def _nbgrader_answers(lab, course: Path, subs: dict[str, Path]) -> None:
    """Write each variant's answers into nbgrader's release notebook.

    The k-th answer cell of tdgrade's release (a code cell the solution changes, the otter set-up cell
    aside) is the k-th solution cell of nbgrader's release. A cell the variant changed that is not an
    answer cell (the crashing line) is carried into the next answer cell.
    """
    import nbformat

    def code(path):
        return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]

    release, solution = code(lab.release_dir / lab.notebook_name), code(lab.solutions_dir / lab.notebook_name)
    answers = [i for i, (r, s) in enumerate(zip(release, solution)) if r != s and "otter" not in s]
    nb_release = nbformat.read(course / "release" / lab.name / lab.notebook_name, as_version=4)
    for variant, path in subs.items():
        ours = code(path)
        nb = nbformat.from_dict(json.loads(json.dumps(nb_release)))
        slots = [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
        assert len(slots) == len(answers), f"{lab.name}: {len(slots)} nbgrader answer cells, {len(answers)} here"
        pending, k = "", 0
        for i, source in enumerate(ours):
            if i in answers:
                if source != release[i] or pending:
                    slots[k].source = pending + source
                pending, k = "", k + 1
            elif source not in (release[i], solution[i]):
                pending += source.splitlines()[0] + "\n"
        folder = course / "submitted" / variant / lab.name
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / lab.notebook_name)


def run_nbgrader(lab, subs: dict[str, Path], profile: str) -> dict:
    env = kernel_environ(profile, 2)
    with tempfile.TemporaryDirectory(prefix="bench-labs-nbgrader-") as tmp:
        from tdgrade.compiler import nbgrader_export

        # the committed course's test cells pass the grader's profile (full), never the environment's
        course = nbgrader_export.with_profile(lab.autograder_dir / "nbgrader", Path(tmp) / "course", profile)
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", lab.name, "--force"], cwd=course,
                       check=True, capture_output=True, env=env)
        _nbgrader_answers(lab, course, subs)
        before, t = loadavg(), time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", lab.name, "--force"], cwd=course,
                              capture_output=True, text=True, env=env)
        wall = time.perf_counter() - t
        per = {}
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            for variant in subs:
                try:
                    s = gb.find_submission(lab.name, variant)
                    per[variant] = {"score": round(s.code_score, 2), "max": round(s.max_code_score, 2)}
                except Exception as exc:  # noqa: BLE001 - reported in the record
                    per[variant] = {"error": str(exc)[:200]}
    return {"wall_s": round(wall, 1), "per_hour": round(3600 * len(subs) / wall, 1), "exit": proc.returncode,
            "command": f"nbgrader autograde {lab.name} --force (course: autograder/{lab.name}/nbgrader, re-targeted to {profile})",
            "load_before": before, "load_after": loadavg(), "submissions": per,
            **({"stderr_tail": proc.stderr[-500:]} if proc.returncode else {})}


def markdown(report: dict) -> str:
    lines = [f"# Real-lab benchmark, {report['date']}", "", f"Command: `{report['command']}`  ",
             f"Commit: {report['commit']}; {report['machine']}; load average (1/5/15 min) at start "
             f"{report['load_start']}, at end {report['load_end']}.", ""]
    for lab, r in report["labs"].items():
        lines += [f"## {lab} ({report['profile']}), {len(r['submissions'])} submissions "
                  f"({', '.join(r['submissions'])})", "",
                  "| tool | wall | submissions/hour | scores | load before → after |", "|---|---|---|---|---|"]
        for tool in ("tdgrade 1x2", "tdgrade 2x1", *[k for k in r if k.startswith("tdgrade 2x1, ")], "otter", "nbgrader"):
            t = r.get(tool)
            if not t:
                continue
            scores = ", ".join(f"{k} {v.get('score', '?')}" for k, v in t["submissions"].items())
            lines.append(f"| {tool} | {t['wall_s']} s | {t['per_hour']} | {scores} | "
                         f"{t['load_before']} → {t['load_after']} |")
        prewarm = {tool: r[tool]["prewarm_s"] for tool in ("tdgrade 1x2", "tdgrade 2x1") if "prewarm_s" in r.get(tool, {})}
        if prewarm:
            lines += ["", "Untimed before each tdgrade step, the blank submission graded alone (includes the "
                      "one-time compile-cache warm-up when none was ready): "
                      + ", ".join(f"{k} {v} s" for k, v in prewarm.items()) + "."]
        b = r.get("breakdown")
        if b:
            lines += ["", "Stages of the complete submission (nbclient, 1 thread, outside the sandbox):", "",
                      "| stage | seconds |", "|---|---|"]
            lines += [f"| {k} | {v} |" for k, v in b["stages"].items()]
            lines += ["", "Hidden-test process on the exported values (wall / CPU seconds, peak RSS):", "",
                      "| Keras backend | wall | CPU | RSS MiB | score |", "|---|---|---|---|---|"]
            lines += [f"| {k} | {v['wall_s']} | {v['cpu_s']} | {v['rss_mib']} | {v['score']} |"
                      for k, v in b["hidden"].items()]
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--labs", nargs="+", default=["fashion_mnist", "keras_cv"])
    p.add_argument("--profile", default="smoke", choices=("smoke", "full"))
    p.add_argument("--skip", nargs="*", default=[], choices=("tdgrade", "otter", "nbgrader", "breakdown"))
    p.add_argument("--complete-copies", type=int, default=0, metavar="N",
                   help="also grade N copies of the complete submission with 2 workers (the worst-case mix)")
    p.add_argument("--out", type=Path, default=None, help="file stem (default bench/results/labs-DATE)")
    a = p.parse_args(argv)
    from tdgrade.labs import get_lab

    stamp = time.strftime("%Y%m%d-%H%M")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "command": " ".join(["python", *sys.argv]),
              "commit": commit, "profile": a.profile, "load_start": loadavg(),
              "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}", "labs": {}}
    stem = a.out or ROOT / "bench" / "results" / f"labs-{stamp}"
    stem.parent.mkdir(parents=True, exist_ok=True)

    def save():
        report["load_end"] = loadavg()
        report["peak_rss_bench_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        stem.with_suffix(".json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
        stem.with_suffix(".md").write_text(markdown(report))

    for name in a.labs:
        lab = get_lab(name)
        with tempfile.TemporaryDirectory(prefix=f"bench-labs-{name}-") as tmp:
            subs = submissions(lab, Path(tmp))
            r = report["labs"][name] = {"submissions": list(subs)}
            steps = []
            if "tdgrade" not in a.skip:
                steps += [("tdgrade 1x2", lambda: run_tdgrade(lab, subs, a.profile, 1)),
                          ("tdgrade 2x1", lambda: run_tdgrade(lab, subs, a.profile, 2))]
            if a.complete_copies:
                copies = {}
                for i in range(a.complete_copies):  # distinct files: one student each
                    copies[f"complete-{i:02d}"] = subs["complete"].with_name(f"complete-{i:02d}.ipynb")
                    shutil.copy(subs["complete"], copies[f"complete-{i:02d}"])
                steps.append((f"tdgrade 2x1, {a.complete_copies} complete",
                              lambda: run_tdgrade(lab, {**copies, "blank": subs["blank"]}, a.profile, 2, timed=copies)))
            if "otter" not in a.skip:
                steps.append(("otter", lambda: run_otter(lab, subs, a.profile)))
            if "nbgrader" not in a.skip:
                steps.append(("nbgrader", lambda: run_nbgrader(lab, subs, a.profile)))
            if "breakdown" not in a.skip:
                steps.append(("breakdown", lambda: breakdown(lab, subs["complete"], a.profile, Path(tmp))))
            for step, fn in steps:
                print(f"[{time.strftime('%H:%M:%S')}] {name}: {step} (load {loadavg()})", flush=True)
                r[step] = fn()
                print(f"    {json.dumps({k: v for k, v in r[step].items() if k != 'submissions'})[:400]}",
                      flush=True)
                save()
    save()
    print(f"wrote {stem.with_suffix('.json')} and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
