"""Hidden tests: otter function-style test files, run on a dict of named values.

A test function's parameters name student values; a missing one is passed as None (as otter does).
`TDGRADE_PROFILE` is always the grader's profile, whatever the student defined. Messages are the
tests' own French assertion messages; any other exception becomes a French message naming the
exception type only, never the test's source.

Run as `python -I -m tdgrade.hidden --tests DIR --values DIR --profile P --out FILE` to grade
exported values in a clean process.

Keras backend of that process: the tests only read the exported models' configuration and predict
with them, which Keras' `numpy` backend does without importing TensorFlow (the TensorFlow import is
~5 s of CPU, half of this process; see bench/README.md). So `--keras-backend auto` (the default)
loads models with the numpy backend when Keras can use it (it needs `jax` installed), after checking
that every exported model loads there with its compile settings (when the first question that reads a
model starts: the questions before run without Keras in memory); otherwise, or with
`--keras-backend environment`, the backend is the grader environment's (`KERAS_BACKEND`, TensorFlow by
default; the `.keras` format is backend-neutral, so models trained on a lab's JAX backend load there
too). The student's kernel, the training and the calibration are unchanged: only inference moves. On that
path `import tensorflow` fails in this process: hidden tests and tdgrade_checks use the Keras API
only (none imports TensorFlow), and must keep doing so.
"""
import argparse
import importlib.util
import inspect
import json
import math
import os
import subprocess
import sys
from collections.abc import Mapping
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

    def run(self, values: Mapping, profile: str = "full", only: list[str] | None = None) -> list[QuestionResult]:
        """Every question (or those in `only`) in order. With `values` an `artifacts.LazyValues`, each
        question loads what it reads, then tells it which of those values later questions read."""
        todo = [(name, total, cases) for name, (total, cases) in self._questions.items()
                if only is None or name in only]
        done_with = getattr(values, "done_with", None)
        results = []
        for i, (name, total, cases) in enumerate(todo):
            results.append(QuestionResult(name, total, [c.run(values, profile) for c in cases]))
            if done_with is not None:
                done_with({p for c in cases for p in c.params}, {p for _, _, more in todo[i + 1:] for c in more for p in c.params})
        return results


def failing(results: list[QuestionResult]) -> set[str]:
    return {r.name for r in results if not r.passed}


INFERENCE_BACKEND = "numpy"


def _numpy_backend_loads(values_dir: Path, files: list[str]) -> dict | None:
    """Switch this process to Keras' numpy backend and check every exported model loads there, compile
    settings included (a model the numpy backend cannot rebuild must be graded with the environment's backend).
    Returns the loaded models by file name, for `LazyValues` to use rather than load them twice. On
    None, keras may already be imported with the numpy backend: the caller must start afresh."""
    environment_backend = os.environ.get("KERAS_BACKEND")
    os.environ["KERAS_BACKEND"] = INFERENCE_BACKEND
    # keras probes `tensorflow` when it is installed (serialisation helpers): keep it out of this process
    blocked = "tensorflow" not in sys.modules
    if blocked:
        sys.modules["tensorflow"] = None
    try:
        # Keras imports IPython only for its notebook helpers (guarded): 23 MiB this process never uses
        ipython_blocked = "IPython" not in sys.modules
        if ipython_blocked:
            sys.modules["IPython"] = None
        try:
            import keras
        finally:
            if ipython_blocked:
                sys.modules.pop("IPython", None)  # importable again by whoever needs it

        models = {Path(name).name: keras.saving.load_model(str(values_dir / Path(name).name), safe_mode=True)
                  for name in files}
        if keras.backend.backend() == INFERENCE_BACKEND:
            return models
    except Exception:  # noqa: BLE001 - any doubt: grade with the environment's backend
        pass
    if environment_backend is None:
        os.environ.pop("KERAS_BACKEND", None)
    else:
        os.environ["KERAS_BACKEND"] = environment_backend
    if blocked:
        sys.modules.pop("tensorflow", None)
    return None


def use_inference_backend(values_dir: Path) -> dict | None:
    """A dict (file name -> loaded model): this process now runs Keras on the numpy backend. {}:
    nothing changed (no jax, keras already imported, no model to load). None: the numpy backend
    cannot load a model; start afresh with the environment's backend."""
    if "keras" in sys.modules or importlib.util.find_spec("jax") is None:
        return {}
    try:
        manifest = json.loads((values_dir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # LazyValues reports it
    from .artifacts import model_files

    files = model_files(manifest)
    if not files:
        return {}
    return _numpy_backend_loads(values_dir, files)


class _EnvironmentBackendNeeded(BaseException):
    """A model the numpy backend cannot load: this process stops grading (a BaseException, so that
    no test's `except Exception` turns it into a failed case) and starts afresh."""


def _rerun_with_environment_backend(argv: list[str]) -> int:
    """A fresh process (keras cannot change backend once imported) with the environment's backend."""
    root = str(Path(__file__).resolve().parents[1])
    boot = (f"import sys; sys.path.insert(0, {root!r}); sys.modules.setdefault('rfc3987_syntax', None)\n"
            "from tdgrade.hidden import main; raise SystemExit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-I", "-c", boot, *argv, "--keras-backend", "environment"]).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tdgrade.hidden", description=__doc__.splitlines()[0])
    parser.add_argument("--tests", required=True, type=Path)
    parser.add_argument("--values", required=True, type=Path, help="folder written by the artifact export")
    parser.add_argument("--profile", default="full", choices=("full", "smoke"))
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--keras-backend", default="auto", choices=("auto", "environment"),
                        help="auto: Keras' numpy backend for inference when it can load every model; "
                             "environment: the grader environment's KERAS_BACKEND (TensorFlow by default)")
    raw_argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(raw_argv)

    def inference_models() -> dict:
        models = use_inference_backend(args.values)
        if models is None:
            raise _EnvironmentBackendNeeded()
        return models

    from .artifacts import LazyValues

    # Values loaded question by question, and Keras imported at the first question that reads a model,
    # never everything at once (peak RSS; bench/README.md, issue 24 part 4).
    values = LazyValues(args.values, before_models=inference_models if args.keras_backend == "auto" else None)
    try:
        results = Suite.from_dir(args.tests, stub_otter=True).run(values, args.profile)
    except _EnvironmentBackendNeeded:
        return _rerun_with_environment_backend(raw_argv)
    payload = [r.to_dict() for r in results]
    tmp = args.out.with_suffix(args.out.suffix + ".part")
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    tmp.replace(args.out)
    score = sum(r.score for r in results)
    print(f"{score:g} / {sum(r.max_score for r in results):g}" if math.isfinite(score) else "error")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
