"""CPU cost of a student's self-checks: `from selfcheck import Notebook` + N `grader.check` calls.

Compares two versions of `selfcheck.py` (default: `main`'s, which subclasses otter.Notebook, and
this tree's) on the fashion_mnist release's public tests, in fresh Python processes, alternating
the versions so both see the same machine state. Every name a test reads is `...` (a blank
release notebook): each check fails on its first assertion, as in a submission's early cells.

Usage: python bench/bench_selfcheck.py [--old-ref main] [--checks 47] [--repeat 5]
"""
import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RELEASE = ROOT / "release" / "fashion_mnist"

CHILD = r"""
import json, resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
c0, w0 = cpu(), time.perf_counter()
from selfcheck import Notebook
grader = Notebook("fashion_mnist.ipynb")
c1 = cpu()
names, questions = json.loads(sys.argv[1]), json.loads(sys.argv[2])
globals().update({name: ... for name in names})
failed = sum(not grader.check(q).passed for q in questions)
c2, w2 = cpu(), time.perf_counter()
print(json.dumps({"import": c1 - c0, "checks": c2 - c1, "total": c2 - c0, "wall": w2 - w0,
                  "failed": failed, "otter": "otter" in sys.modules}))
"""


def test_names(tests_dir: Path) -> list[str]:
    """Every parameter name of the public tests (read from the source: no import of the tests here)."""
    import ast

    names = set()
    for path in tests_dir.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef):
                names |= {a.arg for a in node.args.args}
    return sorted(names - {"env", "TDGRADE_PROFILE"})


def lab_copy(selfcheck_source: str, where: Path) -> Path:
    where.mkdir(parents=True)
    shutil.copytree(RELEASE / "tests", where / "tests")
    shutil.copyfile(RELEASE / "fashion_mnist.ipynb", where / "fashion_mnist.ipynb")
    (where / "selfcheck.py").write_text(selfcheck_source, encoding="utf-8")
    return where


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old-ref", default="main", help="git ref of the old selfcheck.py")
    parser.add_argument("--checks", type=int, default=47, help="grader.check calls per process")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    old = subprocess.run(["git", "show", f"{args.old_ref}:src/tdgrade/student/selfcheck.py"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    new = (ROOT / "src" / "tdgrade" / "student" / "selfcheck.py").read_text(encoding="utf-8")
    questions = sorted(p.stem for p in (RELEASE / "tests").glob("*.py"))
    asked = [questions[i % len(questions)] for i in range(args.checks)]
    names = test_names(RELEASE / "tests")
    runs = {"old": [], "new": []}
    with tempfile.TemporaryDirectory() as tmp:
        labs = {label: lab_copy(src, Path(tmp) / label) for label, src in (("old", old), ("new", new))}
        for _ in range(args.repeat):
            for label, lab in labs.items():
                done = subprocess.run([sys.executable, "-E", "-c", CHILD, json.dumps(names), json.dumps(asked)],
                                      cwd=lab, capture_output=True, text=True, check=True)
                runs[label].append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"{args.checks} checks on {len(questions)} fashion_mnist questions, {args.repeat} fresh processes each, "
          "median CPU seconds (user+sys, getrusage):")
    for label, rows in runs.items():
        med = {k: statistics.median(r[k] for r in rows) for k in ("import", "checks", "total", "wall")}
        print(f"  {label}: import+Notebook() {med['import']:.3f}  checks {med['checks']:.3f}  "
              f"total {med['total']:.3f}  (wall {med['wall']:.3f}; failed {rows[0]['failed']}/{args.checks}; "
              f"otter imported: {rows[0]['otter']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
