"""One gradebook: grades.csv, moodle.csv, feedback/ and report.html from results + manual scores.

Called at the end of `tdgrade grade`, by the review page's "Publier" button and on its exit, and by
`tdgrade review OUTDIR --publish`. Everything is derived, nothing here is a source of truth.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..common.files import atomic_write
from . import feedback, moodle, report
from . import late as late_mod
from . import results as result_files
from .results import MARKER_FILE, load_intake
from .result import Result, Status
from .final import FinalGrade, combine


@dataclass
class Published:
    finals: list[FinalGrade]
    moodle_file: Path
    unmatched_students: list[str] = field(default_factory=list)
    unmatched_rows: list[str] = field(default_factory=list)
    not_graded: list[str] = field(default_factory=list)
    to_resubmit: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"wrote grades.csv, {self.moodle_file.name}, feedback/, report.html"]
        pending = [f.student_id for f in self.finals if not f.complete]
        if pending:
            lines.append(f"manual grading incomplete for {len(pending)} student(s) (no total yet): "
                         + ", ".join(pending[:10]) + (" ..." if len(pending) > 10 else ""))
        if self.unmatched_students:
            lines.append(f"NOT in {self.moodle_file.name} ({len(self.unmatched_students)} student(s) without a "
                         "Moodle match): " + ", ".join(self.unmatched_students))
        if self.unmatched_rows:
            lines.append(f"worksheet rows without a submission ({len(self.unmatched_rows)}): "
                         + ", ".join(self.unmatched_rows[:20]))
        if self.not_graded:
            lines.append(f"no grade and no feedback in {self.moodle_file.name} until manual grading is done "
                         f"({len(self.not_graded)}): " + ", ".join(self.not_graded[:20]))
        if self.to_resubmit:
            lines.append(f"unreadable notebook, to resubmit: left out of {self.moodle_file.name} "
                         f"({len(self.to_resubmit)}; --unreadable-as-zero grades them 0): " + ", ".join(self.to_resubmit))
        for conflict in self.conflicts:
            lines.append(f"Moodle conflict: {conflict}")
        return "\n".join(lines)


def read_marker(outdir: Path) -> dict:
    try:
        data = json.loads((Path(outdir) / MARKER_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _num(x: float) -> str:
    return f"{float(x):g}"


def grades_csv(finals: list[FinalGrade], auto_questions: list[str], late: dict | None = None) -> str:
    """Auto columns as before; with manual questions, their scores, the manual part and the total;
    with a due date (`late`: id -> Lateness), `submitted`, `late_by`, `penalty` and the total after it."""
    manual_names = [line.question.name for line in finals[0].manual] if finals else []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    extra = [*manual_names, "auto", "manual", "manual_graded"] if manual_names else []
    late_columns = ["submitted", "submitted_from", "late_by", "penalty"] if late is not None else []
    w.writerow(["student_id", "full_name", "moodle_id", "status", *auto_questions, *extra, *late_columns, "total",
                "max_total", "submission", "note"])
    for f in finals:
        r = f.result
        scores = {q.name: q.score for q in r.questions}
        scores.update({o.question: o.score for o in f.overrides})  # a grader's override wins
        note = ""
        if r.duplicates:
            note = f"{len(r.duplicates) + 1} dépôts, le plus récent est noté"
        if r.warnings:
            note = "; ".join(filter(None, [note, *r.warnings]))[:300]
        row = [r.student_id, r.full_name or "", r.moodle_id or "", r.status.value,
               *[_num(scores.get(q, 0)) for q in auto_questions]]
        if manual_names:
            row += ["" if line.score is None else _num(line.score) for line in f.manual]
            row += [_num(f.auto), _num(f.manual_score) if f.complete else "",
                    f"{f.manual_done}/{len(f.manual)}"]
            total = "" if f.total is None else _num(f.total)
            if f.total is None:
                note = "; ".join(filter(None, ["not yet graded (manual questions)", note]))
        else:
            total = _num(f.auto)
        if late is not None:
            row += _late_cells(late.get(f.student_id))
            if total and f.student_id in late:
                total = _num(late[f.student_id].apply(float(total)))
        w.writerow([*row, total, _num(f.max_total), r.submission, note])
    return buf.getvalue()


def _late_cells(lateness) -> list[str]:
    if lateness is None or lateness.submitted is None:
        return ["", "", "", ""]
    return [lateness.submitted.isoformat(timespec="minutes"), lateness.source.name.lower(),
            _num(round(lateness.late_by.total_seconds() / 3600, 2)),  # hours
            "zero" if lateness.zero else _num(lateness.penalty)]


def moodle_students(finals: list[FinalGrade], unreadable_as_zero: bool = False, late: dict | None = None
                    ) -> list[moodle.Student]:
    """An unreadable notebook is no grade of the student's work: left out (to resubmit) unless
    `unreadable_as_zero`. With a due date, the grade is after the late penalty."""
    late = late or {}
    out = []
    for f in finals:
        lateness = late.get(f.student_id)
        grade = lateness.apply(f.total) if lateness is not None else f.total
        out.append(moodle.Student(f.student_id, f.result.full_name or f.student_id, f.result.moodle_id,
                                  grade, f.max_total, feedback.moodle_comment(f.result, f, lateness),
                                  to_resubmit=f.result.status is Status.UNREADABLE and not unreadable_as_zero))
    return out


def lateness_of(outdir: Path, finals: list[FinalGrade], worksheet: Path | None) -> dict | None:
    """id -> Lateness when `tdgrade grade --due` recorded a plan in OUTDIR, else None (nothing applied).
    The worksheet's submission times, when given, come first."""
    plan = late_mod.read_plan(outdir)
    if plan is None:
        return None
    times = {}
    if worksheet is not None:
        times = moodle.submission_times(Path(worksheet), moodle_students(finals), plan.due.tzinfo)
    return {f.student_id: plan.lateness(f.student_id, f.max_total, times.get(f.student_id)) for f in finals}


def publish(outdir: Path, *, worksheet: Path | None = None, scale: float | None = None, lang: str = "en",
            write_feedback: bool = True, unreadable_as_zero: bool = False) -> Published:

    outdir = Path(outdir)
    marker = read_marker(outdir)
    lab = marker.get("lab")
    results, duplicates = result_files.load_results(outdir, lab)
    finals = combine(outdir, results)
    auto_questions = marker.get("questions") or _auto_questions(results)
    late = lateness_of(outdir, finals, worksheet)
    atomic_write(outdir / "grades.csv", grades_csv(finals, list(auto_questions), late))
    students = moodle_students(finals, unreadable_as_zero, late)
    if worksheet is not None:
        filled = moodle.fill_worksheet(Path(worksheet), students, scale)
        target = outdir / "moodle-worksheet.csv"
    else:
        filled = moodle.fresh_worksheet(students, lang, scale)
        target = outdir / "moodle.csv"
    atomic_write(target, filled.text)
    if write_feedback:
        for f in finals:
            kw = {"lab": lab or f.result.lab, "timeout": marker.get("timeout"), "memory": marker.get("memory"),
                  "late": (late or {}).get(f.student_id)}
            atomic_write(outdir / "feedback" / f"{f.student_id}.md", feedback.render_markdown(f.result, final=f, **kw))
            atomic_write(outdir / "feedback" / f"{f.student_id}.html", feedback.render_html(f.result, final=f, **kw))
    points = marker.get("points") or {q: m for q, m in _auto_questions(results).items()}
    report.write_report(outdir, results, duplicates, points, lab=lab or "", profile=marker.get("profile", ""),
                        mode=marker.get("mode", "bwrap"), mode_reason=marker.get("mode_reason", ""),
                        settings=marker.get("settings"), finals=finals, collisions=result_files.load_collisions(outdir),
                        unmatched=filled.unmatched_students, to_resubmit=filled.to_resubmit,
                        moodle_conflicts=filled.conflicts, late=late, intake=load_intake(outdir))
    return Published(finals, target, filled.unmatched_students, filled.unmatched_rows, filled.not_graded,
                     filled.to_resubmit, filled.conflicts)


def _auto_questions(results: list[Result]) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in results:
        for q in r.questions:
            out.setdefault(q.name, q.max_score)
    return out
