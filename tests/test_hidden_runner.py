"""The hidden-test runner: otter function tests on a dict of values, French messages, no source."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import tdgrade

from tdgrade.compiler import compile_lab
from tdgrade.grade.worker import HIDDEN_BOOT
from tdgrade.hidden import Suite, failing
from tdgrade.labs import Lab

FIXTURE = Path(__file__).parent / "fixtures" / "minilab"


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("runner")
    _, autograder, _ = compile_lab(Lab("minilab", FIXTURE), tmp)
    return Suite.from_dir(autograder / "tests"), autograder / "tests"


def test_right_answer_scores_full(suite):
    results = suite[0].run({"total": 55})
    assert failing(results) == set() and results[0].score == results[0].max_score == 2


@pytest.mark.parametrize("value", [None, ..., 54, "abc", [55]])
def test_wrong_or_odd_answers_fail_with_french_message(suite, value):
    (result,) = suite[0].run({} if value is None else {"total": value})
    assert not result.passed and result.score < result.max_score
    for case in result.cases:
        if not case.passed:
            assert case.message and "def " not in case.message and "assert" not in case.message
            assert "secret-hidden-marker" not in case.message


def test_eq_always_true_does_not_win(suite):
    class Liar(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    (result,) = suite[0].run({"total": Liar(3)})
    assert not result.passed


def test_profile_comes_from_the_grader(suite):
    assert "TDGRADE_PROFILE" not in suite[0].names and suite[0].names == {"total"}


def test_cli_runs_in_a_clean_process(suite, tmp_path):
    from tdgrade.artifacts import export_code

    exec(export_code(["total"], str(tmp_path / "values")), {"total": 55})
    out = tmp_path / "result.json"
    # the grader's own boot line (isolated interpreter, tdgrade's folder first on sys.path); the
    # hidden case imports the checker library, so passing proves the process can import it
    boot = HIDDEN_BOOT.format(root=str(Path(tdgrade.__file__).resolve().parents[1]))
    subprocess.run([sys.executable, "-I", "-c", boot, "--tests", str(suite[1]), "--values",
                    str(tmp_path / "values"), "--profile", "smoke", "--out", str(out)], check=True,
                   capture_output=True)
    (result,) = json.loads(out.read_text())
    assert result["score"] == 2 and [c["points"] for c in result["cases"]] == [0, 2]
