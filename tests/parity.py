"""One set of exported values scored through the three grading paths of a lab.

- tdgrade: `tdgrade.hidden.Suite` on the compiled test files (what `tdgrade grade` runs);
- gradescope: the autograder zip re-targeted to the profile (`compiler.gradescope_zip.with_profile`),
  scored by the code its `run_otter.py` runs after the notebook executed: otter's `Checker` on
  each test file with the values as the notebook's globals, otter's `GradingResults`, then the
  zip's own French `results.json` (`tdgrade.gradescope.runner.french_results`). The notebook's
  `TDGRADE_PROFILE` global is set to the *other* profile: the zip must ignore it;
- nbgrader: the grade cells of the nbgrader export re-targeted to the profile
  (`compiler.nbgrader_export.with_profile`), executed as nbgrader's autograder does (a code grade
  cell earns its points when it runs without error), on the same values as globals; there too the
  notebook's `TDGRADE_PROFILE` global is the *other* profile, which the cells must ignore.

The checker library is imported from this checkout in all three (the shipping tests prove each
path's own copy imports).
"""
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Scores:
    tdgrade: dict
    otter: dict
    nbgrader: dict
    maximum: dict

    def disagreements(self) -> dict:
        return {q: (self.tdgrade.get(q), self.otter.get(q), self.nbgrader.get(q)) for q in self.tdgrade
                if not (abs(self.tdgrade[q] - self.otter.get(q, -1)) < 1e-9
                        and abs(self.tdgrade[q] - self.nbgrader.get(q, -1)) < 1e-9)}


def other_profile(profile: str) -> str:
    """What a hostile notebook sets TDGRADE_PROFILE to: the profile it is not graded on."""
    return "full" if profile == "smoke" else "smoke"


def feedback_lines(result) -> list[str]:
    """tdgrade's per-case feedback lines of one question (the wording of `grade/feedback.py`)."""
    lines = []
    for c in result.cases:
        kind = "test caché" if c.hidden else "test public"
        lines.append(f"- {kind} : réussi" if c.passed else f"- {kind} : **échec** — {' '.join(c.message.split())}")
    return lines


# Mutation testing of the checker library (bench/mutation_run.py) sets this: the library is the same
# code in the three paths, so only tdgrade's path is scored (the other two mirror it) and a mutant
# costs one in-process scoring instead of three.
TDGRADE_PATH_ONLY = "TDGRADE_TESTS_TDGRADE_PATH_ONLY"


class ThreePaths:
    def __init__(self, compiled_lab, scratch: Path):
        self.suite = compiled_lab.suite
        name = compiled_lab.lab.name
        self.lab_name, self.zip_path, self.scratch = name, compiled_lab.autograder / f"{name}-autograder.zip", scratch
        self.course = compiled_lab.autograder / "nbgrader"
        self._tests_dirs, self._grade_cells = {}, {}
        self.last_results = None  # the last results.json the Gradescope path produced

    def grade_cells(self, profile: str) -> list[tuple[str, float, str]]:
        """(question, points, source) of each grade cell of the nbgrader course for `profile`."""
        if profile not in self._grade_cells:
            from tdgrade.compiler import nbgrader_export

            course = nbgrader_export.with_profile(self.course, self.scratch / f"nbgrader-{profile}", profile)
            nb = json.loads((course / "source" / self.lab_name / f"{self.lab_name}.ipynb").read_text())
            cells = []
            for cell in nb["cells"]:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
                    question = meta["grade_id"].split("_test_", 1)[0]
                    cells.append((question, float(meta["points"]), "".join(cell["source"])))
            self._grade_cells[profile] = cells
        return self._grade_cells[profile]

    def tests_dir(self, profile: str) -> Path:
        """The zip's tests/ for `profile`, extracted once."""
        if profile not in self._tests_dirs:
            from tdgrade.compiler import gradescope_zip as gradescope

            folder = self.scratch / f"gradescope-{profile}"
            zip_path = gradescope.with_profile(self.zip_path, self.scratch / f"{profile}.zip", profile)
            with zipfile.ZipFile(zip_path) as zf:
                zf.extractall(folder, [m for m in zf.namelist() if m.startswith("tests/")])
            self._tests_dirs[profile] = folder / "tests"
        return self._tests_dirs[profile]

    def gradescope_results(self, values: dict, profile: str, only) -> dict:
        """results.json of the Gradescope zip for these final values (see the module docstring)."""
        from otter.execute import Checker
        from otter.nbmeta_config import NBMetadataConfig
        from otter.test_files import GradingResults

        from tdgrade.gradescope.runner import GraderConfig, french_results

        tests_dir = self.tests_dir(profile)
        hostile = {**values, "TDGRADE_PROFILE": other_profile(profile)}
        files = [Checker.check(str(path), NBMetadataConfig(), global_env=dict(hostile))
                 for path in sorted(tests_dir.glob("*.py")) if path.stem in only]
        config = GraderConfig(self.lab_name, profile, "unused")
        self.last_results = french_results(GradingResults(files), tests_dir, config)
        return self.last_results

    def otter_scores(self, values: dict, profile: str, only) -> tuple[dict, dict]:
        tests = self.gradescope_results(values, profile, only)["tests"]
        return {t["name"]: float(t["score"]) for t in tests}, {t["name"]: float(t["max_score"]) for t in tests}

    def nbgrader_scores(self, values: dict, profile: str, only) -> dict:
        scores = {}
        for question, points, source in self.grade_cells(profile):
            if question not in only:
                continue
            namespace = {**values, "TDGRADE_PROFILE": other_profile(profile)}
            try:
                exec(compile(source, f"<nbgrader {question}>", "exec"), namespace)
                earned = points
            except Exception:  # noqa: BLE001 - an error in a grade cell is what nbgrader scores 0
                earned = 0.0
            scores[question] = scores.get(question, 0.0) + earned
        return scores

    def score(self, values: dict, profile: str, only=None) -> Scores:
        only = set(self.suite.questions) if only is None else set(only)
        results = self.suite.run(values, profile, only=sorted(only))
        tdgrade = {r.name: float(r.score) for r in results}
        if os.environ.get(TDGRADE_PATH_ONLY) == "1":
            return Scores(tdgrade, dict(tdgrade), dict(tdgrade), {r.name: float(r.max_score) for r in results})
        otter, maximum = self.otter_scores(values, profile, only)
        assert maximum == {r.name: float(r.max_score) for r in results}, "otter and tdgrade disagree on maximum points"
        # results.json shows each case's outcome with tdgrade's own French message, in order
        for r, test in zip(results, self.last_results["tests"]):
            assert test["name"] == r.name and test["output"].split("\n")[2:] == feedback_lines(r), (r.name, test["output"])
        return Scores(tdgrade, otter, self.nbgrader_scores(values, profile, only), maximum)
