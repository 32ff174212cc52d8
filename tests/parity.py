"""One set of exported values scored through the three grading paths of a lab.

- tdgrade: `tdgrade.hidden.Suite` on the compiled test files (what `tdgrade grade` runs);
- otter: otter's own `ExceptionTestFile` scoring of the test files inside the autograder zip
  (what Gradescope's `run_autograder` and `otter run` compute);
- nbgrader: the grade cells of the nbgrader export executed as nbgrader's autograder does (a code
  grade cell earns its points when it runs without error), on the same values as globals.

The checker library is imported from this checkout in all three (the shipping tests prove each
path's own copy imports).
"""
import json
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


class ThreePaths:
    def __init__(self, compiled_lab, scratch: Path):
        self.suite = compiled_lab.suite
        name = compiled_lab.lab.name
        with zipfile.ZipFile(compiled_lab.autograder / f"{name}-autograder.zip") as zf:
            members = [m for m in zf.namelist() if m.startswith("tests/") and m.endswith(".py")]
            zf.extractall(scratch, members)
        self.otter_files = sorted((scratch / "tests").glob("*.py"))
        nb = json.loads((compiled_lab.autograder / "nbgrader" / "source" / name / f"{name}.ipynb").read_text())
        self.grade_cells = []
        for cell in nb["cells"]:
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if cell["cell_type"] == "code" and meta.get("grade") and not meta.get("solution"):
                question = meta["grade_id"].split("_test_", 1)[0]
                self.grade_cells.append((question, float(meta["points"]), "".join(cell["source"])))

    def otter_scores(self, values: dict, profile: str, only) -> tuple[dict, dict]:
        from otter.test_files import ExceptionTestFile

        scores, maximum = {}, {}
        for path in self.otter_files:
            test_file = ExceptionTestFile.from_file(str(path))
            if test_file.name not in only:
                continue
            test_file.run({**values, "TDGRADE_PROFILE": profile})
            scores[test_file.name], maximum[test_file.name] = float(test_file.score), float(test_file.possible)
        return scores, maximum

    def nbgrader_scores(self, values: dict, profile: str, only) -> dict:
        scores = {}
        for question, points, source in self.grade_cells:
            if question not in only:
                continue
            namespace = {**values, "TDGRADE_PROFILE": profile}
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
        otter, maximum = self.otter_scores(values, profile, only)
        assert maximum == {r.name: float(r.max_score) for r in results}, "otter and tdgrade disagree on maximum points"
        return Scores(tdgrade, otter, self.nbgrader_scores(values, profile, only), maximum)
