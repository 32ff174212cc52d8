"""The typed result record (`tdgrade.gradebook.result`): exact JSON round-trip of real result files, old
ones included; every `Status` handled by feedback, report, gradebook and resume; unknown statuses
refused with a clear English error."""
import json
from pathlib import Path

import pytest

from grade_helpers import copy_labs, run_grade
from tdgrade.gradebook import feedback, results as gradebook, report
from tdgrade.grade import worker
from tdgrade.grade.outdir import OutputFolder
from tdgrade.gradebook.result import RAN, RETRY, CaseResult, QuestionResult, Result, ResultError, Status
from tdgrade.gradebook.publish import grades_csv
from tdgrade.gradebook.final import FinalGrade

# results/ of a batch graded by tdgrade before the Result record existed (tests/fixtures/README.md)
OLD_RESULTS = Path(__file__).parent / "fixtures" / "results_before_redesign"


def _old_files():
    return sorted(OLD_RESULTS.rglob("*.json"))


def test_old_result_files_round_trip_exactly():
    files = _old_files()
    seen = set()
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        result = Result.from_json(data, source=str(path))
        assert result.to_json() == data, path.name  # same keys, same values, same JSON types
        seen.add(result.status)
    # the fixture covers the statuses that write different keys (runner, cell errors, no notebook...)
    assert {Status.GRADED, Status.TIMEOUT, Status.KERNEL_DIED, Status.UNREADABLE, Status.WRONG_LAB,
            Status.DUPLICATE} <= seen, seen


def test_old_output_folder_loads_through_gradebook(tmp_path):
    for path in _old_files():
        target = tmp_path / "results" / path.relative_to(OLD_RESULTS)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    main, dups = gradebook.load_results(tmp_path)
    assert main and dups and all(isinstance(r, Result) for r in main + dups)
    assert all(d.status is Status.DUPLICATE for d in dups)
    timeout = next(r for r in main if r.status is Status.TIMEOUT)
    assert timeout.timeout_cell is not None and timeout.questions and timeout.questions[0].cases


def test_worker_results_are_written_unchanged(tmp_path, monkeypatch):
    """What the worker returns (a Result built from its record) is exactly what lands in results/ID.json."""
    lab, other = copy_labs(tmp_path / "labs")
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.ipynb").write_bytes((lab.solutions_dir / "fakelab.ipynb").read_bytes())
    (folder / "bob.ipynb").write_bytes(b'{"cells": [')
    raw = {}
    grade_one = worker._grade

    def spy(*args, **kwargs):
        record, notebook = grade_one(*args, **kwargs)
        raw[record["student_id"]] = json.loads(json.dumps(record))
        return record, notebook

    monkeypatch.setattr(worker, "_grade", spy)
    rc, log = run_grade(lab, other, [folder], tmp_path / "out")
    assert rc == 0, log
    assert set(raw) == {"alice", "bob"}
    for sid, data in raw.items():
        written = json.loads((tmp_path / "out" / "results" / f"{sid}.json").read_text(encoding="utf-8"))
        assert written == data
        assert Result.from_json(data).to_json() == data
    assert (raw["alice"]["status"], raw["bob"]["status"]) == ("graded", "unreadable")


def _result(status: Status, sid: str = "zoe") -> Result:
    cases = [CaseResult("test_q1", hidden=True, passed=False, points=2.0, message="La somme est fausse.")]
    return Result(student_id=sid, status=status, lab="fakelab", submission=f"class/{sid}.ipynb",
                  status_detail="un détail", questions=[QuestionResult("q1", 0.0, 2.0, False, cases)],
                  max_total=2.0, runner={"timeout_cell": 3, "deaths": [4]}, sandbox="bwrap")


@pytest.mark.parametrize("status", list(Status))
def test_feedback_explains_every_status_in_french(status):
    result = _result(status)
    label = feedback.STATUS_LABELS[status]
    sentence = feedback.status_explanation(result, timeout=60, memory=1 << 30)
    assert label and len(sentence) > 30 and sentence.endswith((".", "…"))
    assert any(word in sentence for word in (" le ", " la ", " les ", " un ", " de ", " à ", " été ")), sentence
    md = feedback.render_markdown(result, timeout=60, memory=1 << 30)
    assert f"**État :** {label}" in md and sentence in md
    assert ("La somme est fausse." in md) == status.ran  # case messages only when the notebook ran
    assert label in feedback.render_html(result) and label in feedback.moodle_comment(result)


def test_report_gradebook_and_resume_handle_every_status(tmp_path):
    results = [_result(status, sid=status.value) for status in Status]
    page = report.render(results, [], {"q1": 2.0}, lab="fakelab", profile="smoke", mode="bwrap")
    for status in Status:
        assert f"<code>{status.value}</code>" in page and feedback.STATUS_LABELS[status] in page
    csv_lines = grades_csv([FinalGrade(r) for r in results], ["q1"]).splitlines()
    assert [line.split(",")[3] for line in csv_lines[1:]] == [s.value for s in Status]
    folder = OutputFolder(tmp_path)
    for r in results:
        r.key = "k"
        gradebook.write_student_files(tmp_path, r, None, lab="fakelab", timeout=60, memory=1 << 30)
        assert folder.already_graded(r.student_id, "k") is (r.status not in RETRY)
        assert not folder.already_graded(r.student_id, "another key")
    assert RAN == {s for s in Status if s.ran} and Status.GRADER_ERROR in RETRY and not RAN & RETRY


def test_unknown_status_in_an_old_file_fails_loudly(tmp_path, capsys):
    (tmp_path / "results").mkdir()
    data = _result(Status.GRADED).to_json()
    (tmp_path / "results" / "zoe.json").write_text(json.dumps({**data, "status": "exploded"}), encoding="utf-8")
    with pytest.raises(ResultError, match=r"zoe\.json: unknown status 'exploded' \(known: graded, "):
        gradebook.load_results(tmp_path)
    from tdgrade.cli import main

    assert main(["review", str(tmp_path), "--publish"]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "unknown status 'exploded'" in err and "--force" in err
    assert not (tmp_path / "grades.csv").exists()


def test_unknown_keys_are_kept_and_malformed_files_named():
    data = {**_result(Status.GRADED).to_json(), "export_bounds": {"q1": "too big"}}
    assert Result.from_json(data).to_json() == data
    with pytest.raises(ResultError, match=r"bad\.json: malformed result file"):
        Result.from_json({"student_id": "x", "status": "graded", "questions": [{"score": 1}]}, source="bad.json")
