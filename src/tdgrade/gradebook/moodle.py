"""Moodle assignment grading worksheet: write a fresh one, or fill the one downloaded from Moodle.

The importer's rules, from Moodle's source (mod/assign/feedback/offline/importgradeslib.php and
locallib.php `process_import_grades`, moodle/moodle on GitHub):
- columns are found by their exact header in the uploader's language: the id column is
  get_string('recordid', 'assign'), the grade get_string('grade'), and the row is refused without
  get_string('lastmodifiedgrade', 'assign'); a feedback column is matched by its plugin's name;
- the participant number is the id cell minus get_string('hiddenuser', 'assign') -- "Participant "
  in English, "Participant" (no space) in French;
- the grade goes through unformat_float (the language's decimal separator: "," in French); an
  empty grade, a negative one or one above the assignment's maximum is skipped;
- "Last modified (grade)" is compared with the grade's date in Moodle: a grade changed in Moodle
  after the worksheet was downloaded is not overwritten (so a round-trip keeps Moodle's value).
Strings: lang/en/assign.php and the French language pack (assign.php, assignfeedback_comments.php).
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from dataclasses import dataclass, field
from pathlib import Path

from ..common.ids import slugify  # the same folding as student ids
from .late import parse_moodle_date

# Every column of the worksheet Moodle downloads, by language.
HEADERS = {
    "en": {"id": "Identifier", "name": "Full name", "email": "Email address", "status": "Status",
           "grade": "Grade", "max": "Maximum Grade", "changeable": "Grade can be changed",
           "modified_submission": "Last modified (submission)", "modified": "Last modified (grade)",
           "feedback": "Feedback comments"},
    "fr": {"id": "Identifiant", "name": "Nom complet", "email": "Adresse de courriel", "status": "Statut",
           "grade": "Note", "max": "Note maximale", "changeable": "La note peut être modifiée",
           "modified_submission": "Dernière modification (travail remis)",
           "modified": "Dernière modification (note)", "feedback": "Feedback par commentaires"},
}
HIDDEN_USER = {"en": "Participant ", "fr": "Participant"}
DECIMAL = {"en": ".", "fr": ","}
YES = {"en": "Yes", "fr": "Oui"}
REQUIRED = ("id", "grade", "modified")  # without these the importer refuses the file
_PARTICIPANT = re.compile(r"^\s*Participant\s*(\d+)\s*$", re.I)


class WorksheetError(ValueError):
    """A worksheet tdgrade cannot fill (English, for the instructor)."""


@dataclass
class Student:
    """What the worksheet needs from the gradebook for one student."""

    student_id: str
    full_name: str
    participant: str | None  # Moodle's participant number (bulk-download folder), if known
    grade: float | None  # on the lab's scale; None = not yet graded (the cell is left empty)
    max_grade: float
    feedback: str  # written only with a final grade: Moodle imports feedback even when it skips the grade
    to_resubmit: bool = False  # unreadable notebook: no grade, no feedback, listed (unless graded as 0)


@dataclass
class Filled:
    text: str
    unmatched_students: list[str] = field(default_factory=list)  # graded here, no row in the file
    unmatched_rows: list[str] = field(default_factory=list)  # rows of the worksheet with no submission
    not_graded: list[str] = field(default_factory=list)  # matched, but grading incomplete: grade left empty
    to_resubmit: list[str] = field(default_factory=list)  # unreadable notebook: grade and feedback left empty
    conflicts: list[str] = field(default_factory=list)  # rows whose participant number contradicts a name match


def _fold(text: str) -> str:
    return slugify(text or "")


def format_grade(value: float, lang: str) -> str:
    return f"{value:.2f}".replace(".", DECIMAL[lang])


def parse_number(text: str) -> float | None:
    try:
        return float(str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))
    except ValueError:
        return None


def scaled(grade: float, lab_max: float, target_max: float | None) -> float:
    if target_max is None or lab_max <= 0:
        return round(grade, 2)
    return round(grade * target_max / lab_max, 2)


def detect_language(header: list[str]) -> str:
    for lang, names in HEADERS.items():
        if names["id"] in header and names["grade"] in header:
            return lang
    raise WorksheetError("not a Moodle grading worksheet: no Identifier/Grade (or Identifiant/Note) column; "
                         f"columns are {header}")


def read_worksheet(path: Path) -> tuple[list[str], list[list[str]], str, str]:
    """(header, rows, language, delimiter) of a worksheet downloaded from Moodle."""
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise WorksheetError(f"{path}: empty file")
    header = rows[0]
    return header, [r for r in rows[1:] if any(cell.strip() for cell in r)], detect_language(header), delimiter


def _index(students: list[Student]):
    by_participant = {s.participant: s for s in students if s.participant}
    by_key: dict[str, Student] = {}
    for s in students:
        for key in (s.student_id, _fold(s.full_name)):
            if key:
                by_key.setdefault(key, s)
    return by_participant, by_key


def _match(row: dict[str, str], names: dict[str, str], by_participant, by_key) -> tuple[Student | None, str]:
    """(the student of this row or None, a conflict to list or ""). The participant number decides;
    a name or e-mail match is taken only when it does not contradict the row's number."""
    m = _PARTICIPANT.match(row.get(names["id"], ""))
    number = m.group(1) if m else None
    if number and number in by_participant:
        return by_participant[number], ""
    email = row.get(names["email"], "")
    for key in (_fold(row.get(names["name"], "")), _fold(email), _fold(email.split("@")[0])):
        if key and key in by_key:
            student = by_key[key]
            if number and student.participant and student.participant != number:
                return None, (f"row {row.get(names['id'], '')!r} ({row.get(names['name'], '')}) has the name of "
                              f"{student.student_id}, whose participant number is {student.participant}: not matched")
            return student, ""
    return None, ""


def _check_scale(path: Path, scale: float | None, row_max: float | None) -> float | None:
    """The maximum to rescale to; `--scale` must agree with the worksheet (the importer skips a grade
    above the assignment's maximum, silently)."""
    if scale is not None and row_max is not None and abs(scale - row_max) > 1e-9:
        raise WorksheetError(f"--scale {scale:g} conflicts with the maximum grade {row_max:g} in {path}: Moodle "
                             "would skip every grade above it; drop --scale (grades are rescaled to the "
                             "worksheet's maximum) or change the assignment's maximum grade in Moodle")
    return scale if scale is not None else row_max


def check_worksheet(path: Path, scale: float | None = None) -> None:
    """Raise WorksheetError now (before grading) if `path` cannot be filled with this `scale`."""
    header, rows, lang, _ = read_worksheet(path)
    names = HEADERS[lang]
    for key in REQUIRED:
        if names[key] not in header:
            raise WorksheetError(f"{path}: column {names[key]!r} missing; Moodle's importer needs it")
    for raw in rows:
        _check_scale(path, scale, parse_number(dict(zip(header, raw)).get(names["max"], "")))


def fill_worksheet(path: Path, students: list[Student], scale: float | None = None) -> Filled:
    """The downloaded worksheet with Grade and Feedback filled, every other column and row kept."""
    check_worksheet(path, scale)
    header, rows, lang, delimiter = read_worksheet(path)
    names = HEADERS[lang]
    if names["feedback"] not in header:
        header = [*header, names["feedback"]]
    by_participant, by_key = _index(students)
    filled = Filled("")
    seen = set()
    out_rows = []
    for raw in rows:
        raw = raw + [""] * (len(header) - len(raw))
        row = dict(zip(header, raw))
        student, conflict = _match(row, names, by_participant, by_key)
        if conflict:
            filled.conflicts.append(conflict)
        if student is None:
            filled.unmatched_rows.append(f"{row.get(names['id'], '')} {row.get(names['name'], '')}".strip())
        else:
            seen.add(student.student_id)
            target = _check_scale(path, scale, parse_number(row.get(names["max"], "")))
            row[names["grade"]], feedback = _cells(student, target, lang, filled)
            if feedback is not None:
                row[names["feedback"]] = feedback
        out_rows.append([row[h] for h in header])
    filled.unmatched_students = [s.student_id for s in students if s.student_id not in seen]
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(out_rows)
    filled.text = buf.getvalue()
    return filled


def _cells(student: Student, target: float | None, lang: str, filled: Filled) -> tuple[str, str | None]:
    """(grade cell, feedback cell or None to leave it as it is): both only for a final grade."""
    if student.to_resubmit:
        filled.to_resubmit.append(student.student_id)
        return "", None
    if student.grade is None:
        filled.not_graded.append(student.student_id)
        return "", None
    return format_grade(scaled(student.grade, student.max_grade, target), lang), student.feedback


def fresh_worksheet(students: list[Student], lang: str = "en", scale: float | None = None) -> Filled:
    """A worksheet with every column the importer reads, for students with a participant number.

    Students without one (submissions not from a Moodle bulk download) cannot be imported this
    way: they are listed in `unmatched_students`.
    """
    names = HEADERS[lang]
    columns = ["id", "name", "email", "status", "grade", "max", "changeable", "modified_submission", "modified",
               "feedback"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([names[c] for c in columns])
    filled = Filled("")
    for s in students:
        if not s.participant:
            filled.unmatched_students.append(s.student_id)
            continue
        target = scale if scale is not None else s.max_grade
        grade, feedback = _cells(s, target, lang, filled)
        values = {"id": f"{HIDDEN_USER[lang]}{s.participant}", "name": s.full_name, "email": "", "status": "",
                  "grade": grade, "max": format_grade(target, lang), "changeable": YES[lang],
                  "modified_submission": "-", "modified": "-", "feedback": feedback or ""}
        writer.writerow([values[c] for c in columns])
    filled.text = buf.getvalue()
    return filled


def submission_times(path: Path, students: list[Student], zone) -> dict[str, datetime]:
    """Student id -> the worksheet's "Last modified (submission)" (either language), for rows matched
    as `fill_worksheet` matches them (a conflicting row gives nothing). Moodle writes the time in the
    downloader's timezone without naming it: read in `zone` (the due date's)."""

    header, rows, lang, _ = read_worksheet(path)
    names = HEADERS[lang]
    by_participant, by_key = _index(students)
    out = {}
    for raw in rows:
        row = dict(zip(header, raw))
        student, _ = _match(row, names, by_participant, by_key)
        when = parse_moodle_date(row.get(names["modified_submission"], ""), zone)
        if student is not None and when is not None:
            out[student.student_id] = when
    return out
