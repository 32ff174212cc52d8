"""Full mutation run of `tdgrade_checks` with mutmut, and its report (issue 23, part 2).

    pip install mutmut==3.8.1
    python bench/mutation_run.py run [--children N] [PATTERN ...]   # all mutants, or those matching mutmut globs
    python bench/mutation_run.py run --survivors     # the survivors again, with the current tests
    python bench/mutation_run.py run --sample N --seed S   # a batch of a random sample of the unchecked rest
    python bench/mutation_run.py report [--json FILE] [--diffs] [--known FILE]
    python bench/mutation_run.py check MUTANT PYTEST_ARG ...      # does this test kill MUTANT now?

`run` starts `nice -n 10 mutmut run --max-children N` (1 by default) from the checkout with the configuration of
pyproject's `[tool.mutmut]`: the library is mutated into `mutants/` (trampolines: one copy of the
code, the mutant chosen by the MUTANT_UNDER_TEST environment variable), the tests are the
in-process checker tests (`tests/test_checks_library.py`, `tests/test_hidden_*.py`,
`tests/test_known_right.py`, `-k "not every_path"`), and each mutant runs only the tests that
called the mutated function in mutmut's first, instrumented run. Two switches of the test suite
make a mutant cost its checks and nothing else:

- `TDGRADE_TESTS_TDGRADE_PATH_ONLY=1` (tests/parity.py): tdgrade's path alone, the otter and
  nbgrader scores mirror it (the checker library is the same code in the three paths);
- `TDGRADE_TESTS_KEEP_LABS=1` (tests/conftest.py): mutmut forks each mutant's worker from the
  process that ran the suite, which keeps the compiled labs and the loaded solution values.

- `TDGRADE_TESTS_VALUES_SRC=src` (tests/value_cache.py): the solution values come from the
  checkout's own test value cache (`mutants/.tdgrade-cache` is a link to it), keyed on the
  unmutated code, which `mutants/src` holds unchanged behind the trampolines. Fill it first with
  the plain suite (any test of each corpus, e.g. `pytest tests/test_hidden_fashion_mnist.py
  tests/test_hidden_keras_cv.py -k solution`): the run itself uses Keras' numpy backend (the
  grader's inference backend; no thread pools in the process mutmut forks from), on which the
  solutions cannot train.

mutmut keeps each mutant's verdict in `mutants/**/*.meta`: an interrupted run resumes where it
stopped (`run` again; `rm -rf mutants` after a change of the library or of the tests).

`check` runs the checkout's current tests (e.g. a new killing case) against one mutant of
`mutants/src`, the way a worker does (MUTANT_UNDER_TEST), without touching the run's own copy.

`report` prints the score (killed / (killed + survived + timeout)), the counts per module, and
every survivor (with `--diffs`, its one-line change), from those files.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
META = ROOT / "mutants" / "src" / "tdgrade_checks"
# mutmut's exit codes (mutmut/stats.py): 1 and 3 killed, 0 survived, 33 no test calls the function
STATUS = {1: "killed", 3: "killed", 0: "survived", 33: "no tests", 5: "no tests", 34: "skipped", 36: "timeout",
          24: "timeout", -24: "timeout", 152: "timeout", 255: "timeout", None: "not checked"}


def run(patterns: list[str], children: int = 1) -> int:
    # numpy backend: the grader's own inference backend (tdgrade.hidden), and no TensorFlow or JAX
    # thread pools in the process mutmut forks its workers from
    env = {**os.environ, "TDGRADE_TESTS_TDGRADE_PATH_ONLY": "1", "TDGRADE_TESTS_KEEP_LABS": "1",
           "TDGRADE_TESTS_VALUES_SRC": str(ROOT / "src"), "KERAS_BACKEND": "numpy", "PYTHONPATH": str(ROOT / "src")}
    cache = ROOT / "mutants" / ".tdgrade-cache"
    cache.parent.mkdir(exist_ok=True)
    if not cache.exists():
        cache.symlink_to(ROOT / ".tdgrade-cache", target_is_directory=True)
    print(f"load before: {os.getloadavg()}", flush=True)
    start = time.monotonic()
    done = subprocess.run(["nice", "-n", "10", sys.executable, "-m", "mutmut", "run", "--max-children", str(children), *patterns],
                          cwd=ROOT, env=env)
    print(f"mutmut run: exit {done.returncode}, {time.monotonic() - start:.0f} s, load after: {os.getloadavg()}")
    return done.returncode


def verdicts() -> dict[str, tuple[str, float | None]]:
    """mutant name -> (status, seconds)."""
    out = {}
    for meta in sorted(META.glob("*.py.meta")):
        data = json.loads(meta.read_text())
        durations = data.get("durations_by_key", {})
        for name, code in data.get("exit_code_by_key", {}).items():
            out[name] = (STATUS.get(code, f"suspicious ({code})"), durations.get(name))
    return out


def diff_line(name: str) -> str:
    """The changed line of a mutant (`mutmut show`), `-old` / `+new`."""
    shown = subprocess.run([sys.executable, "-m", "mutmut", "show", name], cwd=ROOT, capture_output=True, text=True).stdout
    changed = [line for line in shown.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return " | ".join(line.strip() for line in changed)


SAMPLE = ROOT / "mutants" / "sample.json"


def sample_unchecked(size: int, seed: int) -> list[str]:
    """A batch of a uniform random sample of the mutants that had no verdict when the first batch was
    drawn (the population, kept in mutants/sample.json): when the whole run does not fit in the time
    at hand (a fashion_mnist mutant costs 10-40 s of tests), the sample estimates the population's
    score. Batches draw without replacement, so stopping after any whole batch keeps it uniform."""
    import random

    state = json.loads(SAMPLE.read_text()) if SAMPLE.exists() else {
        "population": sorted(n for n, (status, _) in verdicts().items() if status == "not checked"), "batches": []}
    drawn = {n for batch in state["batches"] for n in batch["mutants"]}
    left = sorted(set(state["population"]) - drawn)
    batch = sorted(random.Random(seed).sample(left, min(size, len(left))))
    state["batches"].append({"seed": seed, "mutants": batch})
    SAMPLE.write_text(json.dumps(state, indent=1) + "\n")
    return batch


def sample_estimate(found: dict, known: dict | None = None) -> None:
    """The score of the whole library: exact outside the sampled population, estimated inside it
    (the sample's kill rate, with its 95 % Wilson interval, over the population).

    `known` (`report --known FILE`): a stratum whose verdicts with today's tests were established
    earlier (mutants judged in order, earlier sample batches whose survivors were each killed with
    `check` or written down as equivalent). It replaces the exact part, its batches leave the sample,
    and the estimate covers only the population's mutants no known batch drew."""
    import math

    if not SAMPLE.exists():
        return
    state = json.loads(SAMPLE.read_text())
    population = set(state["population"])
    known_seeds = set(known["batches"]) if known else set()
    drawn_known = {n for b in state["batches"] if b["seed"] in known_seeds for n in b["mutants"]}
    population -= drawn_known
    drawn = [n for b in state["batches"] if b["seed"] not in known_seeds for n in b["mutants"]]
    judged = [found[n][0] for n in drawn if found.get(n, ("not checked",))[0] in ("killed", "survived", "timeout")]
    if known:
        exact_killed, exact_graded = known["killed"], known["mutants"]
    else:
        exact = Counter(status for name, (status, _) in found.items() if name not in population)
        exact_killed, exact_graded = exact["killed"] + exact["timeout"], exact["killed"] + exact["survived"] + exact["timeout"]
    if not judged:
        return
    n, k = len(judged), sum(s != "survived" for s in judged)
    p, z = k / n, 1.96
    centre, half = (p + z * z / (2 * n)) / (1 + z * z / n), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    share = n / max(1, len([x for x in drawn if found.get(x, ("not checked",))[0] != "not checked"]))
    m = len(population) * share  # graded among the sampled run

    def whole(rate):
        return 100 * (exact_killed + rate * m) / (exact_graded + m)

    print(f"{'known stratum' if known else 'outside the sampled population (every mutant)'}: {exact_killed}/{exact_graded}")
    print(f"sample: {k}/{n} killed of {len(drawn)} drawn from a population of {len(population)} "
          f"= {100 * p:.1f} % (95 % interval {100 * (centre - half):.1f}-{100 * (centre + half):.1f} %)")
    print(f"whole library, estimated: {whole(p):.1f} % (95 % interval {whole(centre - half):.1f}-{whole(centre + half):.1f} %)")


def report(json_path: str | None, diffs: bool, known_path: str | None = None) -> int:
    found = verdicts()
    if not found:
        print("no mutmut results: run `python bench/mutation_run.py run` first")
        return 1
    counts = Counter(status for status, _ in found.values())
    graded = counts["killed"] + counts["survived"] + counts["timeout"]
    killed = counts["killed"] + counts["timeout"]  # a timeout is a mutant the tests noticed (an endless loop)
    times = [t for _, t in found.values() if t]
    print(f"mutants: {len(found)}  " + "  ".join(f"{k}: {v}" for k, v in sorted(counts.items())))
    if graded:
        print(f"score: {killed}/{graded} = {100 * killed / graded:.1f} %")
    sample_estimate(found, json.loads(Path(known_path).read_text()) if known_path else None)
    if times:
        print(f"seconds per tested mutant: mean {sum(times) / len(times):.1f}, max {max(times):.1f}")
    modules = Counter((name.split(".")[1], status) for name, (status, _) in found.items())
    for module in sorted({m for m, _ in modules}):
        print(f"  {module:12s} " + "  ".join(f"{s}: {modules[(module, s)]}" for s in ("killed", "survived", "timeout", "no tests", "not checked") if modules[(module, s)]))
    survivors = sorted(n for n, (s, _) in found.items() if s in ("survived", "no tests"))
    print(f"survivors and untested ({len(survivors)}):")
    rows = []
    for name in survivors:
        line = diff_line(name) if diffs else ""
        rows.append({"mutant": name, "status": found[name][0], "diff": line})
        print(f"  {name}  [{found[name][0]}]  {line}")
    if json_path:
        Path(json_path).write_text(json.dumps({"counts": dict(counts), "killed": killed, "graded": graded,
                                               "survivors": rows}, indent=1, ensure_ascii=False) + "\n")
    return 0


def check(mutant: str, pytest_args: list[str]) -> int:
    """Exit status of pytest on the current tests with `mutant` active (non-zero: killed)."""
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tdgrade-mutant-check-") as scratch:
        work = Path(scratch)
        shutil.copytree(ROOT / "tests", work / "tests", ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("src", "source", ".tdgrade-cache"):
            (work / name).symlink_to(ROOT / "mutants" / name if name == "src" else ROOT / name)
        shutil.copy2(ROOT / "pyproject.toml", work / "pyproject.toml")
        env = {**os.environ, "MUTANT_UNDER_TEST": mutant, "PYTHONPATH": str(work / "src"), "KERAS_BACKEND": "numpy",
               "TDGRADE_TESTS_TDGRADE_PATH_ONLY": "1", "TDGRADE_TESTS_VALUES_SRC": str(ROOT / "src")}
        done = subprocess.run(["nice", "-n", "10", sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                               "-o", "addopts=", *pytest_args], cwd=work, env=env)
    print(f"{mutant}: {'killed' if done.returncode else 'SURVIVED'}")
    return done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("patterns", nargs="*", help="mutmut name globs, e.g. 'tdgrade_checks.estimators*'")
    run_parser.add_argument("--children", type=int, default=1, help="mutants tested at once (one per free core)")
    run_parser.add_argument("--survivors", action="store_true",
                            help="run again every mutant that survived or had no test (after new tests or cases)")
    run_parser.add_argument("--sample", type=int, metavar="N",
                            help="a batch of N more of a uniform random sample of the mutants unchecked at the first batch")
    run_parser.add_argument("--seed", type=int, default=2026, help="seed of --sample (the same seed, the same sample)")
    report_parser = sub.add_parser("report")
    report_parser.add_argument("--json")
    report_parser.add_argument("--diffs", action="store_true")
    report_parser.add_argument("--known", help="JSON of a stratum whose verdicts with today's tests are established (see sample_estimate)")
    check_parser = sub.add_parser("check")
    check_parser.add_argument("mutant")
    check_parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.command == "check":
        return check(args.mutant, args.pytest_args)
    if args.command == "run" and args.survivors:
        args.patterns += sorted(n for n, (status, _) in verdicts().items() if status in ("survived", "no tests"))
        print(f"running again {len(args.patterns)} survivors with the current tests", flush=True)
    if args.command == "run" and args.sample:
        args.patterns += sample_unchecked(args.sample, args.seed)
        print(f"running a sample of {len(args.patterns)} unchecked mutants (seed {args.seed})", flush=True)
    return run(args.patterns, args.children) if args.command == "run" else report(args.json, args.diffs, args.known)


if __name__ == "__main__":
    raise SystemExit(main())
