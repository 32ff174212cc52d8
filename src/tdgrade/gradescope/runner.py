"""tdgrade's Gradescope runner, shipped as `tdgrade_gradescope.py` at the root of the otter zip.

The zip's `run_otter.py` calls `main(AUTOGRADER_DIR)` (Gradescope: `/autograder`). It makes otter's
own runner grade like `tdgrade grade`:

- the profile is the grader's, fixed when the zip was built (`tdgrade_gradescope.json`): it is
  exported to the kernel (`TDGRADE_PROFILE`, `KERAS_HOME` pointing at the data `setup.sh`
  installed) and written as a constant in every test file, which no longer reads the notebook's
  `TDGRADE_PROFILE` global;
- every test runs once, on the notebook's final values: the plugin `GradeFinalValues` drops the
  results of the checks the notebook ran itself mid-way (otter would keep those);
- `results.json` is rewritten in French: per question, each case's outcome with tdgrade's own
  message (the test's French assertion message; for any other exception, the exception type and
  the variables read), never otter's English frame, test source or a traceback. Per-question
  results are visible to students once the instructor publishes the grades (`after_published`);
  otter's stdout stays hidden.

Standard library and otter only: tdgrade is not installed on Gradescope's image.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

CONFIG_FILE = "tdgrade_gradescope.json"
PROFILE_PARAM = "TDGRADE_PROFILE"
PLUGIN = "tdgrade_gradescope.GradeFinalValues"
DEFAULT_FAILURE = "Réponse incorrecte."
QUESTION_VISIBILITY = "after_published"  # shown to students when the instructor publishes grades
# Appended to the notebook before otter's own final cell (which runs every test not run yet): the
# checks the notebook ran mid-way are forgotten, so every test sees the final values, as in tdgrade.
RESET_CELL = "from otter.execute import Checker as _tdgrade_checker\n_tdgrade_checker.clear_results()\n"


@dataclass(frozen=True)
class GraderConfig:
    """The grader's configuration, baked into the zip by `tdgrade build`."""

    lab: str
    profile: str
    keras_home: str  # relative to the zip's folder (source/)
    datasets: tuple = ()

    @classmethod
    def load(cls, source_dir: Path) -> "GraderConfig":
        raw = json.loads((Path(source_dir) / CONFIG_FILE).read_text(encoding="utf-8"))
        return cls(raw["lab"], raw["profile"], raw["keras_home"], tuple(raw.get("datasets", ())))

    def kernel_env(self, source_dir: Path) -> dict[str, str]:
        """What the notebook's kernel must see: the grader's profile and its data."""
        return {PROFILE_PARAM: self.profile, "KERAS_HOME": str(Path(source_dir).resolve() / self.keras_home)}


try:
    from otter.plugins import AbstractOtterPlugin
except ImportError:  # pragma: no cover - otter is installed wherever this file runs
    AbstractOtterPlugin = object


class GradeFinalValues(AbstractOtterPlugin):
    """otter plugin: every test runs on the notebook's final values (see RESET_CELL)."""

    def before_execution(self, submission):
        import nbformat

        if isinstance(submission, str):  # a .py submission: otter runs it as one cell
            return submission + "\n\n" + RESET_CELL
        submission.cells.append(nbformat.v4.new_code_cell(RESET_CELL))
        return submission


# --------------------------------------------------------------------------- French results
def crash_message(kind: str, params: list[str]) -> str:
    """tdgrade's message for a test that crashed on the student's values (`tdgrade.hidden`)."""
    names = ", ".join(f"`{p}`" for p in params if p not in (PROFILE_PARAM, "env")) or "aucune"
    return (f"Le test n'a pas pu s'exécuter sur votre réponse ({kind}). Vérifiez le type et "
            f"la forme des variables utilisées par cette question : {names}.")


def case_message(otter_message: str, params: list[str]) -> str:
    """The French message of a failed case from otter's text, which is
    "❌ Test case failed / Error at line N in test Q: / <source line> / Type: message"."""
    lines = (otter_message or "").split("\n")
    framed = len(lines) >= 4 and lines[1].startswith("Error at line")
    detail = "\n".join(lines[3:]) if framed else (lines[-1] if lines else "")
    kind, _, text = detail.partition(": ")
    kind = kind.strip()
    if kind == "AssertionError":
        return text.strip() or DEFAULT_FAILURE
    if not kind.isidentifier():
        kind = "Exception"
    return crash_message(kind, params)


def _case_params(tests_dir: Path, question: str) -> dict[str, list[str]]:
    """case name -> parameter names of its test function (the pickled results lack the functions)."""
    from otter.test_files import ExceptionTestFile

    path = Path(tests_dir) / f"{question}.py"
    if not path.is_file():
        return {}
    test_file = ExceptionTestFile.from_file(str(path))
    return {tc.name: list(tc.body._get_func_params()) for tc in test_file.test_cases}


def _fmt(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def question_entry(test_file, tests_dir: Path) -> dict:
    """One question of results.json: score, status and French Markdown feedback."""
    params = _case_params(tests_dir, test_file.name)
    lines = []
    for tcr in test_file.test_case_results:
        kind = "test caché" if tcr.test_case.hidden else "test public"
        if tcr.passed:
            lines.append(f"- {kind} : réussi")
        else:
            message = case_message(tcr.message, params.get(tcr.test_case.name, []))
            lines.append(f"- {kind} : **échec** — {' '.join(message.split())}")
    score, possible = round(float(test_file.score), 5), round(float(test_file.possible), 5)
    return {"name": test_file.name, "score": score, "max_score": possible,
            "status": "passed" if test_file.passed_all else "failed", "visibility": QUESTION_VISIBILITY,
            "output": f"{_fmt(score)} / {_fmt(possible)}\n\n" + "\n".join(lines), "output_format": "md"}


def french_results(results, tests_dir: Path, config: GraderConfig) -> dict:
    """results.json for Gradescope from otter's GradingResults."""
    header = (f"Correction automatique du TD `{config.lab}` (profil `{config.profile}`). "
              "Le détail par question est visible une fois les notes publiées.")
    if getattr(results, "_catastrophic_error", None) is not None:
        return failure_results(config, "le notebook n'a pas pu être exécuté jusqu'au bout "
                                       "(noyau arrêté, mémoire ou temps dépassés).")
    tests = [question_entry(results.get_result(name), tests_dir) for name in sorted(results.test_files)]
    return {"score": round(sum(t["score"] for t in tests), 5), "output": header, "output_format": "md",
            "stdout_visibility": "hidden", "tests": tests}


def failure_results(config: GraderConfig, reason: str) -> dict:
    """A submission otter could not grade: 0, with the reason in French (otter's detail stays hidden)."""
    return {"score": 0, "output": f"Correction automatique du TD `{config.lab}` impossible : {reason}",
            "output_format": "md", "stdout_visibility": "hidden", "tests": []}


def _runtime_reason(exc: Exception, lab: str) -> str:
    text = str(exc)
    if "Received submission for assignment" in text:
        return f"ce notebook n'est pas celui du TD `{lab}` (déposez le notebook distribué pour ce TD)."
    if "More than one" in text:
        return "le dépôt contient plusieurs notebooks ; déposez-en un seul."
    if "No gradable files" in text:
        return "aucun notebook (.ipynb) dans le dépôt."
    return "erreur de la plateforme de correction ; prévenez votre enseignant·e."


# --------------------------------------------------------------------------- entry point
def main(autograder_dir: str = "/autograder") -> int:
    from otter.run.run_autograder import main as run_autograder
    from otter.run.run_autograder.utils import OtterRuntimeError

    root = Path(autograder_dir).resolve()
    source = root / "source"
    config = GraderConfig.load(source)
    os.environ.update(config.kernel_env(source))
    results_path = root / "results" / "results.json"
    try:
        run_autograder(str(root), plugins=[PLUGIN], logo=False)
    except OtterRuntimeError as exc:
        output = failure_results(config, _runtime_reason(exc, config.lab))
        results_path.write_text(json.dumps(output, indent=2, ensure_ascii=False),
                                encoding="utf-8")
        print(f"tdgrade: otter could not grade this submission: {exc}", file=sys.stderr)
        return 1
    import dill

    with open(root / "results" / "results.pkl", "rb") as f:
        results = dill.load(f)
    output = french_results(results, source / "tests", config)
    results_path.write_text(json.dumps(output, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0
