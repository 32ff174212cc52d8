"""Bad-input and tamper corpora (tests/corpus/grade_cases.py), each graded as one batch on the fake lab."""
import os
import subprocess
import time

import pytest

from grade_helpers import copy_labs, grade_cases, results_by_id, run_grade
from tdgrade import sandbox

needs_bwrap = pytest.mark.skipif(sandbox.probe()[0] != "bwrap", reason="bwrap sandbox not usable here")


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("bad")
    lab, other = copy_labs(base / "labs")
    cases = grade_cases.write_bad_corpus(base / "class")
    # 40 s: every honest case must fit the budget beside a hostile neighbour (fork bomb, memory
    # tree) on 2 cores; at 25 s a CI run saw memory_bomb (8 s alone) run out of time. Only
    # `while_true` waits for the budget.
    rc, log = run_grade(lab, other, [base / "class"], base / "out", timeout=40, disk="64M")
    return cases, base / "out", rc, log


def test_bad_corpus_is_large_enough():
    assert len(grade_cases.bad_cases()) >= 15


def test_bad_corpus_batch_completes(bad_batch):
    cases, out, rc, log = bad_batch
    assert rc == 0, log
    results, dups = results_by_id(out)
    assert set(results) == set(cases), log
    for name in ("grades.csv", "moodle.csv", "report.html"):
        assert (out / name).is_file()
    assert not (out / ".work").exists()


@pytest.mark.parametrize("case", [c.student for c in grade_cases.bad_cases()] + ["bernard"])
def test_bad_case_status(bad_batch, case):
    cases, out, _rc, log = bad_batch
    results, _ = results_by_id(out)
    expected, got = cases[case], results[case]
    assert got["status"] == expected.status, (got["status"], got.get("status_detail"), got.get("runner"))
    if expected.score is not None:
        assert got["total"] == expected.score, (got.get("status_detail"), got.get("runner"), got["questions"])
    fb = (out / "feedback" / f"{case}.md").read_text(encoding="utf-8")
    assert "Note automatique" in fb
    assert "def test_" not in fb and "assert " not in fb  # never the tests' source


def test_bad_corpus_details(bad_batch):
    cases, out, _rc, _log = bad_batch
    results, dups = results_by_id(out)
    assert [d["student_id"] for d in dups] == ["bernard"] and dups[0]["status"] == "duplicate"
    assert results["bernard"]["duplicates"] and "plus récent" in (out / "feedback/bernard.md").read_text()
    assert results["while_true"]["runner"]["timeout_cell"] == 6  # the `while True` cell (4 prose cells first)
    assert any("tronquée" in w for w in results["huge_output"]["warnings"])
    assert (out / "notebooks/huge_output.ipynb").stat().st_size < 2_000_000
    assert any("UTF-8" in w for w in results["non_utf8"]["warnings"])
    assert any("julia" in w for w in results["unknown_kernelspec"]["warnings"])
    assert {e["ename"] for e in results["exception_in_cell"]["cell_errors"]} == {"ValueError", "ZeroDivisionError"}
    assert "MemoryError" in {e["ename"] for e in results["memory_bomb"]["cell_errors"]}
    assert results["renamed_variables"]["questions"][0]["cases"][0]["message"]  # says `total` is missing
    # a limit's kill: the feedback names the limit and the cell that was running (4 prose cells first)
    for case, cell, words in (("fork_bomb", 7, "trop de processus"), ("memory_tree", 9, "mémoire autorisée"),
                              ("disk_filler", 9, "trop de données")):
        feedback = (out / f"feedback/{case}.md").read_text(encoding="utf-8")
        assert words in feedback and f"pendant la cellule n° {cell} du notebook" in feedback, feedback[:1500]


@pytest.fixture(scope="module")
def tamper_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("tamper")
    lab, other = copy_labs(base / "labs")
    markers = base / "markers"
    markers.mkdir()
    out = base / "out"
    cases = grade_cases.write_tamper_corpus(base / "class", out, markers, base / "labs")
    tests_before = {p.name: p.read_bytes() for p in (base / "labs/autograder/fakelab/tests").iterdir()}
    rc, log = run_grade(lab, other, [base / "class"], out, timeout=20)
    time.sleep(6)  # the detached daemons would act 4 s after their start
    yield cases, out, markers, base, tests_before, rc, log
    for junk in ("/usr/tdgrade_pwned", "/etc/tdgrade_pwned"):
        if os.path.exists(junk):
            os.unlink(junk)


def test_tamper_corpus_is_large_enough():
    assert len(grade_cases.tamper_cases(__import__("pathlib").Path("/x"), __import__("pathlib").Path("/y"))) - 1 >= 8


@needs_bwrap
@pytest.mark.parametrize("case", [c.student for c in grade_cases.tamper_cases(
    __import__("pathlib").Path("/x"), __import__("pathlib").Path("/y"))])
def test_tamper_case_scores_no_more_than_honest(tamper_batch, case):
    cases, out, *_rest, rc, log = tamper_batch
    results, _ = results_by_id(out)
    got = results[case]
    assert got["status"] == "graded", (got["status"], got.get("status_detail"))
    assert got["total"] <= grade_cases.HONEST_SCORE, got["questions"]
    if case == "honest":
        assert got["total"] == grade_cases.HONEST_SCORE


@needs_bwrap
def test_tamper_left_no_trace(tamper_batch):
    cases, out, markers, base, tests_before, rc, log = tamper_batch
    assert rc == 0, log
    assert list(markers.iterdir()) == []  # no network, no write outside, nothing unpickled, daemon dead
    assert not (base / "labs/tdgrade_pwned").exists() and not (out / "tdgrade_pwned").exists()
    assert not os.path.exists("/usr/tdgrade_pwned") and not os.path.exists("/etc/tdgrade_pwned")
    after = {p.name: p.read_bytes() for p in (base / "labs/autograder/fakelab/tests").iterdir()}
    assert after == tests_before
    results, _ = results_by_id(out)
    assert set(results) == set(cases)
    assert results["honest"]["total"] == grade_cases.HONEST_SCORE  # not rewritten by tamper_rewrite
    assert "999" not in (out / "grades.csv").read_text()
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "TDGRADE_TAMPER_DAEMON" not in ps
