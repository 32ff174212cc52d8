"""Named single-point mutants of `tdgrade_checks`, each run against the fast checker tests.

Issue 23 measured that 9 of 20 hand-made mutants of the checker library went unnoticed by the
suite; this script re-applies those (and one per new leak check) to a copy of `src/`, runs the
tests that should kill each, and prints killed / survived. It is a spot check, not a mutation
score: the complete run with mutmut is bench/mutation_run.py (bench/README.md).

    python bench/mutation_spotcheck.py [--only NAME ...]

Each mutant runs `pytest -x` on tests/test_checks_library.py and, where the mutant sits in a check
only the keras_cv corpus exercises, tests/test_hidden_keras_cv.py (parity path excluded). The
keras_cv solution values come from the test value cache (`.tdgrade-cache`): its key digests the
checker code of this checkout (`tests/value_cache.py` reads `src/` beside it, not the mutated
copy), so the mutants reuse the values the unmutated suite exported (run it once first).
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = "tests/test_checks_library.py"
KERAS_CV = "tests/test_hidden_keras_cv.py"


@dataclass(frozen=True)
class Mutant:
    name: str
    module: str  # under src/tdgrade_checks/
    before: str
    after: str
    tests: tuple[str, ...] = (LIB,)


MUTANTS = [
    Mutant("output activation not checked (units only)", "models.py",
           "dense[-1][1] == classes and dense[-1][2] in outputs", "dense[-1][1] == classes"),
    Mutant("parameter count not compared", "models.py", "assert n_params == total_params", "assert True or n_params == total_params"),
    Mutant("dropout rate compared without abs()", "models.py", "abs(following[1] - dropout) < 1e-6", "(following[1] - dropout) < 1e-6"),
    Mutant("epochs check with or for and", "training.py", "lengths == [epochs] and fitted == epochs", "lengths == [epochs] or fitted == epochs"),
    Mutant("linear output accepted without from_logits", "training.py",
           'assert settings["from_logits"], "la couche', 'assert True or settings["from_logits"], "la couche'),
    Mutant("best_of compares with the first run", "estimators.py", "best = max(m for _, m in means)", "best = means[0][1]"),
    Mutant("cv04 every optimizer with every architecture dropped", "estimators.py",
           "assert all(len({c[i] for c in crossed}) >= axes[k]", "assert True or all(len({c[i] for c in crossed}) >= axes[k]"),
    Mutant("index bound <= n", "values.py", "out.max() < n)", "out.max() <= n)"),
    Mutant("fm07 mapping tolerance x100", "images.py", "tolerance = 1e-3 * max(", "tolerance = 1e-1 * max("),
    Mutant("fm14/fm16 smoke bar moved 0.585 -> 0.3", "thresholds.py", '"smoke": 0.585}', '"smoke": 0.3}'),
    Mutant("cv02 smoke bar moved 0.895 -> 0.5", "thresholds.py", '"smoke": 0.895}', '"smoke": 0.5}', (LIB, KERAS_CV)),
    Mutant("cv01 output activation of the built network not checked", "estimators.py",
           'assert output[2] == "softmax"', 'assert True or output[2] == "softmax"', (LIB, KERAS_CV)),
    Mutant("cv01 hidden layers' parameters not compared", "estimators.py",
           "assert len(hidden) == depth and", "assert True or len(hidden) == depth and", (LIB, KERAS_CV)),
    Mutant("leak: standardisation tolerance x1000", "leaks.py", "EXACT = 2e-5", "EXACT = 2e-2"),
    Mutant("leak: rows fitted on compared one way only", "leaks.py", "{n for n in seen if n != n_rows}", "{n for n in seen if n < n_rows}"),
    Mutant("leak: one fold fraction suffices", "leaks.py", "assert all(is_fraction_of(", "assert any(is_fraction_of("),
    Mutant("leak: test part's own statistics not checked", "leaks.py",
           "assert not standardised(xte, tol)", "assert True or not standardised(xte, tol)"),
]


def run(mutant: Mutant, scratch: Path) -> bool:
    """True when the mutant is killed (a test fails)."""
    src = scratch / "src"
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__"))
    path = src / "tdgrade_checks" / mutant.module
    text = path.read_text()
    assert text.count(mutant.before) == 1, f"{mutant.name}: the code to mutate is not found once in {mutant.module}"
    path.write_text(text.replace(mutant.before, mutant.after))
    env = {**os.environ, "PYTHONPATH": str(src)}
    tests = [str(ROOT / t) for t in mutant.tests]
    done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-k", "not every_path",
                           *tests], cwd=ROOT, env=env, capture_output=True, text=True)
    return done.returncode != 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="mutant names (substrings)")
    args = parser.parse_args()
    chosen = [m for m in MUTANTS if not args.only or any(o in m.name for o in args.only)]
    killed = 0
    with tempfile.TemporaryDirectory(prefix="tdgrade-mutants-") as scratch:
        for mutant in chosen:
            dead = run(mutant, Path(scratch))
            killed += dead
            print(f"{'killed ' if dead else 'SURVIVED'}  {mutant.name}", flush=True)
    print(f"{killed}/{len(chosen)} killed")
    return 0 if killed == len(chosen) else 1


if __name__ == "__main__":
    raise SystemExit(main())
