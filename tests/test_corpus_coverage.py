"""Every hidden test case is failed by at least one known-wrong case of the corpora."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CORPORA = ["test_hidden_fashion_mnist.py", "test_hidden_keras_cv.py"]


@pytest.mark.slow  # re-runs both corpora in every grading path (390 s cold in CI): a guard, not a check of behaviour
def test_every_hidden_case_has_a_known_wrong_case(tmp_path, hidden_suite, solution_values):
    for lab in ("fashion_mnist", "keras_cv"):
        solution_values(lab)  # executed once per session, shared with the corpora through the disk cache
    out = tmp_path / "coverage.json"
    env = {**os.environ, "TDGRADE_COVERAGE_OUT": str(out), "PYTHONPATH": str(HERE)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "hidden_coverage_plugin",
                          *(str(HERE / c) for c in CORPORA)], cwd=HERE.parent, env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]
    report = json.loads(out.read_text())
    expected = {c.name for lab in ("fashion_mnist", "keras_cv")
                for _, cases in hidden_suite(lab)._questions.values() for c in cases if c.hidden}
    assert set(report["hidden"]) == expected, "some hidden cases never ran in the corpora"
    assert report["never_failed"] == [], f"hidden cases no known-wrong case fails: {report['never_failed']}"
