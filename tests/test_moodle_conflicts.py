"""A Moodle file Moodle takes as meant: --scale against the worksheet's maximum, a participant number
that contradicts a name, no feedback before the grade is final, unreadable notebooks left out."""
import csv
import io

import pytest

from tdgrade.gradebook import moodle

HEADER = ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade", "Last modified (grade)",
          "Feedback comments"]


def worksheet(tmp_path, rows, header=HEADER):
    path = tmp_path / "ws.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows([header, *rows])
    return path


def cells(text):
    rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_scale_that_contradicts_the_worksheet_maximum_is_an_error_naming_both(tmp_path):
    path = worksheet(tmp_path, [["Participant 1", "Ana Lima", "", "", "20.00", "-", ""]])
    student = moodle.Student("ana_lima", "Ana Lima", "1", 47.75, 48.0, "ok")
    with pytest.raises(moodle.WorksheetError, match=r"--scale 100 conflicts with the maximum grade 20"):
        moodle.fill_worksheet(path, [student], scale=100)
    with pytest.raises(moodle.WorksheetError, match="100.*20"):
        moodle.check_worksheet(path, 100)
    assert cells(moodle.fill_worksheet(path, [student], scale=20).text)[0]["Grade"] == "19.90"
    assert cells(moodle.fill_worksheet(path, [student]).text)[0]["Grade"] == "19.90"  # the worksheet's maximum


def test_participant_number_contradicting_a_name_match_is_a_conflict_never_matched(tmp_path):
    path = worksheet(tmp_path, [["Participant 9999", "Ana Lima", "", "", "20.00", "-", ""],
                                ["Participant 2", "Bo Chen", "", "", "20.00", "-", ""]])
    students = [moodle.Student("ana_lima", "Ana Lima", "1", 20.0, 20.0, "ok"),
                moodle.Student("bo_chen", "Bo Chen", None, 10.0, 20.0, "ok")]  # no number: the name is enough
    filled = moodle.fill_worksheet(path, students)
    rows = cells(filled.text)
    assert rows[0]["Grade"] == "" and rows[0]["Feedback comments"] == ""
    assert rows[1]["Grade"] == "10.00"
    assert len(filled.conflicts) == 1 and "9999" in filled.conflicts[0] and "ana_lima" in filled.conflicts[0]
    assert filled.unmatched_rows == ["Participant 9999 Ana Lima"] and filled.unmatched_students == ["ana_lima"]


@pytest.mark.parametrize("fresh", [False, True])
def test_no_feedback_while_the_grade_is_not_final(tmp_path, fresh):
    students = [moodle.Student("ana_lima", "Ana Lima", "1", None, 20.0, "pas encore notée")]
    if fresh:
        filled = moodle.fresh_worksheet(students)
    else:
        path = worksheet(tmp_path, [["Participant 1", "Ana Lima", "", "", "20.00", "-", "ancien commentaire"]])
        filled = moodle.fill_worksheet(path, students)
    row = cells(filled.text)[0]
    assert row["Grade"] == "" and "pas encore" not in row["Feedback comments"]
    assert filled.not_graded == ["ana_lima"]
    if not fresh:
        assert row["Feedback comments"] == "ancien commentaire"  # what Moodle already has stays


def test_unreadable_notebook_is_left_out_unless_graded_as_zero(tmp_path):
    from tdgrade.gradebook.result import Result, Status
    from tdgrade.gradebook.final import FinalGrade
    from tdgrade.gradebook.publish import moodle_students

    result = Result(student_id="ana_lima", lab="fashion_mnist", status=Status.UNREADABLE, full_name="Ana Lima",
                    moodle_id="1")
    finals = [FinalGrade(result, [])]
    filled = moodle.fresh_worksheet(moodle_students(finals))
    row = cells(filled.text)[0]
    assert (row["Grade"], row["Feedback comments"]) == ("", "") and filled.to_resubmit == ["ana_lima"]
    filled = moodle.fresh_worksheet(moodle_students(finals, unreadable_as_zero=True))
    assert cells(filled.text)[0]["Grade"] == "0.00" and filled.to_resubmit == []


def test_grade_stops_before_grading_when_scale_contradicts_the_worksheet(tmp_path):
    from grade_helpers import copy_labs, run_grade

    lab, other = copy_labs(tmp_path / "labs")
    sub = tmp_path / "alice" / "fakelab.ipynb"
    sub.parent.mkdir()
    sub.write_bytes((lab.solutions_dir / "fakelab.ipynb").read_bytes())
    path = worksheet(tmp_path, [["Participant 1", "Ana Lima", "", "", "20.00", "-", ""]])
    rc, log = run_grade(lab, other, [sub.parent], tmp_path / "out", moodle_worksheet=path, scale=100)
    assert rc == 2 and "--scale 100 conflicts with the maximum grade 20" in log
    assert not (tmp_path / "out" / "results").exists() or not any((tmp_path / "out" / "results").iterdir())
