"""Peak RSS of the hidden-test process, per stage (bench helper, not a test; issue 24 part 4).

    # 1. once: grade a notebook and keep the exported values the hidden process reads
    python bench/bench_hidden_memory.py capture fashion_mnist SUBMISSION_DIR VALUES_DIR --profile full
    # 2. as often as needed: the hidden process alone on those values
    python bench/bench_hidden_memory.py measure fashion_mnist VALUES_DIR --profile full [--repeat 3]
    # the same, started by the grader's own `run_hidden` (bwrap, peak RSS sampled by the watchdog)
    python bench/bench_hidden_memory.py sandbox fashion_mnist VALUES_DIR --profile full [--repeat 2]

`capture` runs `tdgrade grade` (sandbox, jobs 1) and copies the values folder before the grader's
hidden-test process reads it (the grader deletes its work folder afterwards); it prints the result
record's own figures: the kernel tree's peak RSS (`peak_rss`), the hidden process's (`hidden_peak_rss`)
and the timings.

`measure` runs, with the `tdgrade` of `PYTHONPATH` (so the same values can be measured before and
after a change):
  - the hidden process exactly as the grader boots it (outside bwrap), `--repeat` times: peak RSS
    (ru_maxrss of the child), wall, CPU, and the score line;
  - the same `main()` once more with stage marks: the process's high-water mark (VmHWM, reset
    between stages through /proc/self/clear_refs) and current RSS after start-up (python, numpy,
    tdgrade), the Keras backend choice (imports Keras and loads the models), `load_values` when the
    code loads every value at once, and each question (its values, its checks).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The stage-marking child: tdgrade's own main(), with marks around the functions of each stage.
STAGES = r"""
import os, sys, time, json
sys.modules.setdefault("rfc3987_syntax", None)
marks = []
def _status():
    out = {}
    for line in open("/proc/self/status"):
        if line.startswith(("VmHWM", "VmRSS")):
            out[line.split(":")[0]] = int(line.split()[1]) * 1024
    return out
def mark(stage):
    s = _status()
    marks.append({"stage": stage, "peak": s["VmHWM"], "rss": s["VmRSS"], "t": time.monotonic()})
    with open("/proc/self/clear_refs", "w") as f:  # resets VmHWM to the current RSS
        f.write("5")
mark("start")
from tdgrade import hidden, artifacts
mark("imports (python, numpy, tdgrade)")
def wrap(owner, attr, stage_of):
    inner = getattr(owner, attr)
    def wrapped(*args, **kwargs):
        out = inner(*args, **kwargs)
        mark(stage_of(args, out))
        return out
    setattr(owner, attr, wrapped)
wrap(hidden, "use_inference_backend", lambda a, o: "backend choice (import keras, load the models)")
wrap(artifacts, "load_values", lambda a, o: "load_values (every value at once)")
wrap(hidden._Case, "run", lambda a, o: "case " + a[0].name)
rc = hidden.main(sys.argv[2:])
json.dump(marks, open(sys.argv[1], "w"))
raise SystemExit(rc)
"""


def question_of(case: str, questions: list[str]) -> str:
    """fm07_transformation for test_fm07_transformation (the test files name their cases after the question)."""
    key = case.removeprefix("test_").split("_")[0]
    return next((q for q in questions if q.split("_")[0] == key), case)


def run_boot(lab, values: Path, profile: str, out: Path) -> dict:
    """The hidden process as `grade.worker.run_hidden` starts it without bwrap."""
    from tdgrade.data import kernel_env
    from tdgrade.execute import thread_env
    from tdgrade.grade.worker import HIDDEN_BOOT

    pkg_root = str(Path(__import__("tdgrade").__file__).resolve().parents[1])
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(out.parent), "MPLCONFIGDIR": str(out.parent / "mpl"),
           **thread_env(1), **kernel_env(profile)}
    argv = [sys.executable, "-I", "-c", HIDDEN_BOOT.format(root=pkg_root), "--tests", str(lab.tests_dir),
            "--values", str(values), "--profile", profile, "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall": round(wall, 2), "cpu": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
            "peak_rss_mib": round(after.ru_maxrss / 1024), "score": proc.stdout.strip()[-40:],
            "rc": proc.returncode, "stderr": proc.stderr[-500:] if proc.returncode else ""}


def run_stages(lab, values: Path, profile: str, tmp: Path) -> list[dict]:
    from tdgrade.data import kernel_env
    from tdgrade.execute import thread_env
    from tdgrade.hidden import Suite

    pkg_root = str(Path(__import__("tdgrade").__file__).resolve().parents[1])
    marks = tmp / "marks.json"
    env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "TF_CPP_MIN_LOG_LEVEL": "3", "HOME": str(tmp),
           "MPLCONFIGDIR": str(tmp / "mpl"), "PYTHONPATH": pkg_root, **thread_env(1), **kernel_env(profile)}
    argv = [sys.executable, "-c", STAGES, str(marks), "--tests", str(lab.tests_dir), "--values", str(values),
            "--profile", profile, "--out", str(tmp / "stages.json")]
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    raw = json.loads(marks.read_text())
    questions = sorted(Suite.from_dir(lab.tests_dir).questions)
    stages: list[dict] = []
    for prev, m in zip(raw, raw[1:]):
        name = m["stage"]
        if name.startswith("case "):
            name = question_of(name[5:], questions)
        if stages and stages[-1]["stage"] == name:  # the cases of one question: one stage
            stages[-1].update(peak=max(stages[-1]["peak"], m["peak"]), rss=m["rss"],
                              s=round(stages[-1]["s"] + m["t"] - prev["t"], 2))
        else:
            stages.append({"stage": name, "peak": m["peak"], "rss": m["rss"], "s": round(m["t"] - prev["t"], 2)})
    return stages


def measure(args) -> None:
    from tdgrade.labs import get_lab

    lab = get_lab(args.lab)
    values = Path(args.values).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-hidden-mem-") as tmp:
        tmp = Path(tmp)
        runs = [run_boot(lab, values, args.profile, tmp / "result.json") for _ in range(args.repeat)]
        results = json.loads((tmp / "result.json").read_text())
        stages = run_stages(lab, values, args.profile, tmp)
    print(f"tdgrade from {Path(__import__('tdgrade').__file__).parent}; load {os.getloadavg()[0]:.2f}")
    for r in runs:
        print(f"hidden process (grader boot): peak RSS {r['peak_rss_mib']} MiB, wall {r['wall']} s, "
              f"CPU {r['cpu']} s, score {r['score']} {r['stderr']}")
    print(f"{'stage':58s} {'peak MiB':>9s} {'RSS after':>9s} {'s':>6s}")
    for s in stages:
        print(f"{s['stage'][:58]:58s} {s['peak'] / 2**20:9.0f} {s['rss'] / 2**20:9.0f} {s['s']:6.2f}")
    if args.json:
        summary = [{"name": q["name"], "score": q["score"], "messages": [c["message"] for c in q["cases"]]}
                   for q in results]
        Path(args.json).write_text(json.dumps({"runs": runs, "stages": stages, "results": summary},
                                              ensure_ascii=False, indent=1))


def sandbox(args) -> None:
    """The grader's own `run_hidden` (bwrap, watchdog sampling) on a copy of the values folder."""
    from types import SimpleNamespace

    from tdgrade.data import kernel_env
    from tdgrade.grade import worker
    from tdgrade.labs import get_lab

    env = kernel_env(args.profile)
    ctx = SimpleNamespace(tests_dir=get_lab(args.lab).tests_dir, profile=args.profile, mode="bwrap", memory=4 << 30,
                          nproc=512, threads=1, kernel_env=env, data_dirs=[Path(env["KERAS_HOME"])],
                          hidden_timeout=600.0)
    for _ in range(args.repeat):
        root = Path(tempfile.mkdtemp(prefix="bench-hidden-bwrap-"))
        try:
            shutil.copytree(args.values, root / "values")
            (root / "hidden").mkdir()
            (root / "tmp").mkdir()
            t = time.perf_counter()
            data, err, rss = worker.run_hidden(ctx, root, None)
            score = sum(q["score"] for q in data) if data else err[-300:]
            print(f"hidden process in bwrap: peak RSS {rss / 2**20:.0f} MiB, wall {time.perf_counter() - t:.1f} s, "
                  f"score {score}; load {os.getloadavg()[0]:.2f}")
        finally:
            shutil.rmtree(root, ignore_errors=True)


def capture(args) -> None:
    from tdgrade.cli_grade import main
    from tdgrade.grade import worker

    dest = Path(args.values).resolve()
    original = worker.run_hidden

    def run_hidden(ctx, root, stop):
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(root / "values", dest)
        return original(ctx, root, stop)

    worker.run_hidden = run_hidden
    out = Path(tempfile.mkdtemp(prefix="bench-hidden-capture-"))
    rc = main([args.lab, args.submission, "-o", str(out), "--profile", args.profile, "--jobs", "1"])
    for path in sorted(out.rglob("*.json")):
        try:
            record = json.loads(path.read_text())
        except ValueError:
            continue
        if isinstance(record, dict) and "hidden_peak_rss" in record:
            print(f"{path.name}: total {record['total']}/{record['max_total']}, kernel tree peak RSS "
                  f"{record['peak_rss'] / 2**20:.0f} MiB, hidden process peak RSS "
                  f"{record['hidden_peak_rss'] / 2**20:.0f} MiB, timings {record['timings']}")
    print(f"grade exit {rc}; results in {out}; values in {dest}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="verb", required=True)
    cap = sub.add_parser("capture")
    cap.add_argument("lab")
    cap.add_argument("submission")
    cap.add_argument("values")
    cap.add_argument("--profile", default="full", choices=("full", "smoke"))
    mea = sub.add_parser("measure")
    mea.add_argument("lab")
    mea.add_argument("values")
    mea.add_argument("--profile", default="full", choices=("full", "smoke"))
    mea.add_argument("--repeat", type=int, default=1)
    mea.add_argument("--json", help="write runs, stages and the results' scores and messages here")
    box = sub.add_parser("sandbox")
    box.add_argument("lab")
    box.add_argument("values")
    box.add_argument("--profile", default="full", choices=("full", "smoke"))
    box.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    {"capture": capture, "measure": measure, "sandbox": sandbox}[args.verb](args)


if __name__ == "__main__":
    main()
