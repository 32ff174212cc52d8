"""Late policy: due date with an explicit timezone, penalty per started period with grace, cap and
zero, extensions, submission times from the Moodle worksheet (English and French), otter exports
and file times; grades.csv, feedback, report and the Moodle worksheet show it; nothing without --due."""
import csv
import io
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from review_helpers import prepared_outdir
from tdgrade.gradebook import late
from tdgrade.gradebook.late import LatePlan, Policy, Source, Submitted
from tdgrade.grade.students import Submission
from tdgrade.gradebook.answers import read_student
from tdgrade.gradebook.final import load_questions, load_scaffolding
from tdgrade.gradebook.publish import publish
from tdgrade.gradebook.marks import Mark, save_mark

PARIS = ZoneInfo("Europe/Paris")
DUE = datetime(2026, 12, 15, 23, 59, tzinfo=PARIS)


def test_due_date_needs_a_timezone():
    assert late.parse_due("2026-12-15 23:59 Europe/Paris") == DUE
    assert late.parse_due("2026-12-15 23:59+01:00") == DUE
    with pytest.raises(late.LateError, match="no timezone"):
        late.parse_due("2026-12-15 23:59")


def test_penalty_per_started_period_with_grace_cap_and_zero():
    policy = Policy(grace=timedelta(minutes=15), per="day", penalty=10, unit="percent", cap=30,
                    zero_after=timedelta(days=7))
    assert policy.points(timedelta(minutes=10), 48) == (0.0, False)  # within the grace period
    assert policy.points(timedelta(minutes=20), 48) == (4.8, False)  # one started day: 10 % of 48
    assert policy.points(timedelta(days=1, minutes=1), 48) == (9.6, False)  # two started days
    assert policy.points(timedelta(days=5), 48) == (14.4, False)  # capped at 30 %
    assert policy.points(timedelta(days=8), 48) == (48, True)  # later than zero_after
    hourly = Policy(grace=timedelta(0), per="hour", penalty=0.5, unit="points", cap=None)
    assert hourly.points(timedelta(hours=2, minutes=1), 20) == (1.5, False)


def test_policy_file_and_extensions(tmp_path):
    (tmp_path / "late.toml").write_text('grace = "0min"\nper = "hour"\npenalty = 1\nunit = "points"\n'
                                        '[extensions]\nalice_martin = "2026-12-17 23:59"\n', encoding="utf-8")
    (tmp_path / "ext.csv").write_text("student_id,due\nbruno_petit,2026-12-16 12:00+00:00\n", encoding="utf-8")
    plan = late.make_plan("2026-12-15 23:59 Europe/Paris", tmp_path / "late.toml", tmp_path / "ext.csv")
    assert plan.policy.per == "hour" and plan.policy.cap is None
    assert plan.extensions["alice_martin"] == datetime(2026, 12, 17, 23, 59, tzinfo=PARIS)  # the due date's zone
    assert plan.extensions["bruno_petit"] == datetime(2026, 12, 16, 12, 0, tzinfo=timezone.utc)
    (tmp_path / "bad.toml").write_text("penalti = 3\n", encoding="utf-8")
    with pytest.raises(late.LateError, match="unknown key"):
        late.make_plan("2026-12-15 23:59 Europe/Paris", tmp_path / "bad.toml")


def test_submission_time_from_otter_export_else_file_time(tmp_path):
    sub = Submission("alice", tmp_path / "x.zip", "x.zip", timestamp="_2026_12_16T08_30_00_000001", mtime=0.0)
    assert late.submission_time(sub, PARIS) == Submitted(datetime(2026, 12, 16, 8, 30, tzinfo=PARIS), Source.OTTER)
    sub = Submission("bob", tmp_path / "x.ipynb", "x.ipynb", mtime=DUE.timestamp() + 60)
    got = late.submission_time(sub, PARIS)
    assert got.source is Source.FILE and got.when == DUE + timedelta(minutes=1)


@pytest.mark.parametrize("text, expected", [
    ("Wednesday, 16 December 2026, 11:30 PM", datetime(2026, 12, 16, 23, 30, tzinfo=PARIS)),
    ("mercredi 16 décembre 2026, 23:30", datetime(2026, 12, 16, 23, 30, tzinfo=PARIS)),
    ("Tuesday, 3 October 2023, 12:05 AM", datetime(2023, 10, 3, 0, 5, tzinfo=PARIS)),
    ("-", None)])
def test_moodle_dates_in_both_languages(text, expected):
    assert late.parse_moodle_date(text, PARIS) == expected


HEADERS = {"en": ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade",
                  "Last modified (submission)", "Last modified (grade)", "Feedback comments"],
           "fr": ["Identifiant", "Nom complet", "Adresse de courriel", "Note", "Note maximale",
                  "Dernière modification (travail remis)", "Dernière modification (note)", "Feedback par commentaires"]}
SUBMITTED = {"en": ("Wednesday, 16 December 2026, 11:30 PM", "Tuesday, 15 December 2026, 10:00 PM"),
             "fr": ("mercredi 16 décembre 2026, 23:30", "mardi 15 décembre 2026, 22:00")}


def graded_outdir(tmp_path, extensions=None):
    """prepared_outdir with every manual answer graded (alice 8/8 in total) and a due date recorded."""
    outdir = prepared_outdir(tmp_path / "out")
    questions = load_questions(outdir)
    for sid in ("alice_martin", "bruno_petit"):
        answers = read_student(outdir, sid, questions, load_scaffolding(outdir))
        for q in questions:
            save_mark(outdir, Mark(question=q.name, student_id=sid, score=q.points,
                                   answer_sha256=answers[q.name].sha256))
    on_time = Submitted(DUE - timedelta(hours=1), Source.FILE)
    plan = LatePlan(DUE, Policy(grace=timedelta(minutes=15), per="day", penalty=10, unit="percent", cap=50),
                    extensions or {}, {sid: on_time for sid in ("alice_martin", "bruno_petit", "chloe_durand")})
    (outdir / late.POLICY_FILE).write_text(plan.to_json(), encoding="utf-8")
    return outdir


def worksheet(tmp_path, lang):
    sep = "." if lang == "en" else ","
    pid = "Participant " if lang == "en" else "Participant"
    rows = [HEADERS[lang],
            [f"{pid}1001", "Alice Martin", "", "", f"20{sep}00", SUBMITTED[lang][0], "-", ""],  # 23 h 31 late
            [f"{pid}1002", "Bruno Petit", "", "", f"20{sep}00", SUBMITTED[lang][1], "-", ""]]  # on time
    path = tmp_path / f"ws-{lang}.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_late_student_from_the_moodle_worksheet_in_every_output(tmp_path, lang):
    outdir = graded_outdir(tmp_path)
    publish(outdir, worksheet=worksheet(tmp_path, lang))
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    alice = rows["alice_martin"]
    assert (alice["submitted_from"], alice["late_by"], alice["penalty"]) == ("moodle", "23.52", "0.8")
    assert alice["submitted"].startswith("2026-12-16T23:30")
    assert alice["total"] == "7.2"  # 8 - 10 % of 8 (one started day)
    assert (rows["bruno_petit"]["penalty"], rows["bruno_petit"]["late_by"]) == ("0", "0")
    assert "Pénalité de retard :** −0,8 point(s)" in (outdir / "feedback" / "alice_martin.md").read_text()
    assert "en retard de 23 h 31 min" in (outdir / "feedback" / "alice_martin.md").read_text()
    report = (outdir / "report.html").read_text()
    assert "<h2>Retards</h2>" in report and "1 dépôt(s) en retard" in report
    ws = list(csv.reader(io.StringIO((outdir / "moodle-worksheet.csv").read_text())))
    grade = ws[1][ws[0].index(HEADERS[lang][3])]
    assert grade == ("18.00" if lang == "en" else "18,00")  # 7,2 / 8 on 20


def test_an_extension_moves_the_due_date(tmp_path):
    outdir = graded_outdir(tmp_path, extensions={"alice_martin": datetime(2026, 12, 17, 23, 59, tzinfo=PARIS)})
    publish(outdir, worksheet=worksheet(tmp_path, "en"))
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    assert (rows["alice_martin"]["late_by"], rows["alice_martin"]["penalty"], rows["alice_martin"]["total"]) == \
        ("0", "0", "8")
    assert "date limite prolongée" in (outdir / "feedback" / "alice_martin.md").read_text()


def test_nothing_is_applied_without_a_due_date(tmp_path):
    outdir = graded_outdir(tmp_path)
    (outdir / late.POLICY_FILE).unlink()
    publish(outdir, worksheet=worksheet(tmp_path, "en"))
    header = (outdir / "grades.csv").read_text().splitlines()[0]
    assert "penalty" not in header and "Retards" not in (outdir / "report.html").read_text()


def test_grade_with_due_dates_the_file_times_and_without_due_applies_nothing(tmp_path):
    import os

    from grade_helpers import copy_labs, run_grade

    lab, other = copy_labs(tmp_path / "labs")
    solution = (lab.solutions_dir / "fakelab.ipynb").read_bytes()
    for student, offset in (("alice", -3600), ("bob", 3600 * 30)):  # bob: 30 h late, two started days
        path = tmp_path / "subs" / student / "fakelab.ipynb"
        path.parent.mkdir(parents=True)
        path.write_bytes(solution)
        os.utime(path, (DUE.timestamp() + offset, DUE.timestamp() + offset))
    args = [tmp_path / "subs" / "alice", tmp_path / "subs" / "bob"]
    rc, log = run_grade(lab, other, args, tmp_path / "out", timeout=60, due="2026-12-15 23:59 Europe/Paris")
    assert rc == 0 and "due 2026-12-15T23:59:00+01:00" in log, log
    assert "found 2 file(s): 2 student(s); 2 to grade" in log  # intake accounting on the terminal
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((tmp_path / "out" / "grades.csv").read_text()))}
    assert (rows["bob"]["submitted_from"], rows["bob"]["penalty"], rows["bob"]["total"]) == ("file", "1", "4")
    assert (rows["alice"]["penalty"], rows["alice"]["total"]) == ("0", "5")
    rc, log = run_grade(lab, other, args, tmp_path / "out", timeout=60)  # no --due: no policy any more
    assert rc == 0 and "penalty" not in (tmp_path / "out" / "grades.csv").read_text().splitlines()[0]
    rc, log = run_grade(lab, other, args, tmp_path / "out2", timeout=60, due="2026-12-15 23:59")
    assert rc == 2 and "no timezone" in log
