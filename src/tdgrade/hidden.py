"""Hidden tests: otter function-style test files, run on a dict of named values.

A test function's parameters name student values; a missing one is passed as None (as otter does).
`TDGRADE_PROFILE` is always the grader's profile, whatever the student defined. Messages are the
tests' own French assertion messages; any other exception becomes a French message naming the
exception type only, never the test's source.

Run as `python -I -m tdgrade.hidden --tests DIR --values DIR --profile P --out FILE` to grade
exported values in a clean process.
"""
import argparse
import inspect
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

PROFILE_PARAM = "TDGRADE_PROFILE"


@dataclass
class CaseResult:
    name: str
    hidden: bool
    points: float
    passed: bool
    message: str


@dataclass
class QuestionResult:
    name: str
    max_score: float
    cases: list[CaseResult] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(c.points for c in self.cases if c.passed), 6)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.cases)

    def to_dict(self) -> dict:
        return {"name": self.name, "score": self.score, "max_score": self.max_score, "passed": self.passed,
                "cases": [asdict(c) for c in self.cases]}


def _crash_message(exc: Exception, params: list[str]) -> str:
    names = ", ".join(f"`{p}`" for p in params if p != PROFILE_PARAM) or "aucune"
    return (f"Le test n'a pas pu s'exécuter sur votre réponse ({type(exc).__name__}). Vérifiez le type et "
            f"la forme des variables utilisées par cette question : {names}.")


@dataclass
class _Case:
    name: str
    hidden: bool
    points: float
    func: object

    @property
    def params(self) -> list[str]:
        return list(inspect.signature(self.func).parameters)

    def run(self, values: dict, profile: str) -> CaseResult:
        kwargs = {p: (profile if p == PROFILE_PARAM else values.get(p)) for p in self.params}
        try:
            self.func(**kwargs)
            return CaseResult(self.name, self.hidden, self.points, True, "")
        except AssertionError as exc:
            message = str(exc).strip() or "Réponse incorrecte."
            return CaseResult(self.name, self.hidden, self.points, False, message)
        except Exception as exc:  # noqa: BLE001 - any crash is a failed case with a French message
            return CaseResult(self.name, self.hidden, self.points, False, _crash_message(exc, self.params))


def _exception_test_file(stub_parents: bool = False):
    """otter's ExceptionTestFile.

    With `stub_parents` (only in a short-lived grading process: the stubs stay in sys.modules),
    avoid `import otter`, which costs ~4 s (nbconvert, jsonschema, ...): the test files only need
    `otter.test_files.exception_test`, so its two parent packages are stubbed as bare namespace
    modules (the classes used are otter's own); on any failure, the plain import.
    """
    import importlib.util
    import sys
    import types

    if stub_parents and "otter.test_files" not in sys.modules:
        try:
            base = list(importlib.util.find_spec("otter").submodule_search_locations)[0]
            for name, path in (("otter", base), ("otter.test_files", base + "/test_files")):
                stub = types.ModuleType(name)
                stub.__path__ = [path]
                sys.modules[name] = stub
            from otter.test_files.exception_test import ExceptionTestFile, test_case

            sys.modules["otter.test_files"].ExceptionTestFile = ExceptionTestFile
            sys.modules["otter.test_files"].test_case = test_case
            return ExceptionTestFile
        except Exception:  # noqa: BLE001 - fall back to the real package
            for name in [n for n in sys.modules if n == "otter" or n.startswith("otter.")]:
                del sys.modules[name]
    from otter.test_files import ExceptionTestFile

    return ExceptionTestFile


class Suite:
    """All test files of a lab, ordered by question name."""

    def __init__(self, questions: dict[str, tuple[float, list[_Case]]]):
        self._questions = questions

    @classmethod
    def from_dir(cls, tests_dir: Path, include_hidden: bool = True, stub_otter: bool = False) -> "Suite":
        ExceptionTestFile = _exception_test_file(stub_otter)
        questions = {}
        for path in sorted(Path(tests_dir).glob("*.py")):
            test_file = ExceptionTestFile.from_file(str(path))
            cases = [_Case(tc.body.test_func.__name__, tc.hidden, float(tc.points or 0), tc.body.test_func)
                     for tc in test_file.test_cases if include_hidden or not tc.hidden]
            total = sum(c.points for c in cases)
            questions[test_file.name] = (total, cases)
        if not questions:
            raise FileNotFoundError(f"no otter test files in {tests_dir}")
        return cls(questions)

    @property
    def questions(self) -> dict[str, float]:
        """question name -> maximum score."""
        return {name: total for name, (total, _) in self._questions.items()}

    @property
    def names(self) -> set[str]:
        """Every value name some test reads (the grader exports exactly these)."""
        return {p for _, cases in self._questions.values() for c in cases for p in c.params} - {PROFILE_PARAM}

    def case_points(self) -> dict[str, dict[str, tuple[bool, float]]]:
        """question -> test function name -> (hidden, points)."""
        return {name: {c.name: (c.hidden, c.points) for c in cases} for name, (_, cases) in self._questions.items()}

    def names_of(self, question: str) -> list[str]:
        return sorted({p for c in self._questions[question][1] for p in c.params} - {PROFILE_PARAM})

    def run(self, values: dict, profile: str = "full", only: list[str] | None = None) -> list[QuestionResult]:
        results = []
        for name, (total, cases) in self._questions.items():
            if only is not None and name not in only:
                continue
            results.append(QuestionResult(name, total, [c.run(values, profile) for c in cases]))
        return results


def failing(results: list[QuestionResult]) -> set[str]:
    return {r.name for r in results if not r.passed}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tdgrade.hidden", description=__doc__.splitlines()[0])
    parser.add_argument("--tests", required=True, type=Path)
    parser.add_argument("--values", required=True, type=Path, help="folder written by the artifact export")
    parser.add_argument("--profile", default="full", choices=("full", "smoke"))
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)

    from .artifacts import load_values

    results = Suite.from_dir(args.tests, stub_otter=True).run(load_values(args.values), args.profile)
    payload = [r.to_dict() for r in results]
    tmp = args.out.with_suffix(args.out.suffix + ".part")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(args.out)
    score = sum(r.score for r in results)
    print(f"{score:g} / {sum(r.max_score for r in results):g}" if math.isfinite(score) else "error")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
