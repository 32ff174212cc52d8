"""Moodle grading worksheets against the offline importer's rules (mod/assign/feedback/offline), in
English and French: required headers, `Participant N` ids, the language's decimal separator, the
grade within the maximum; a downloaded worksheet round-trips with every column and row kept."""
import csv
import io
import re

import pytest

from tdgrade.gradebook import moodle

# Headers exactly as Moodle's worksheet download writes them (assign_grading_table, offline plugin on).
DOWNLOADED = {
    "en": ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade", "Grade can be changed",
           "Last modified (submission)", "Last modified (grade)", "Feedback comments"],
    "fr": ["Identifiant", "Nom complet", "Adresse de courriel", "Statut", "Note", "Note maximale",
           "La note peut être modifiée", "Dernière modification (travail remis)", "Dernière modification (note)",
           "Feedback par commentaires"],
}
STUDENTS = [
    moodle.Student("jeanne_dupont", "Jeanne Dupont", "5001", 27.0, 27.0, "État : corrigé."),
    moodle.Student("paul_leroy", "Paul Leroy", None, 13.5, 27.0, "Note partielle."),  # matched by name
    moodle.Student("emma_roux", "Emma Roux", None, None, 27.0, "Correction en cours."),  # not yet graded
    moodle.Student("zoe_absente", "Zoé Absente", None, 10.0, 27.0, "x"),  # no row in the worksheet
]


def importer_accepts(text: str, lang: str, max_grade: float) -> list[tuple[str, float | None]]:
    """What Moodle's importer would read: (participant number, grade) per row, or AssertionError."""
    names = moodle.HEADERS[lang]
    rows = list(csv.reader(io.StringIO(text)))  # the importer reads comma-separated UTF-8
    header = rows[0]
    for key in ("id", "grade", "modified"):  # importgradeslib.php init(): all three or the file is refused
        assert names[key] in header, f"missing {names[key]!r}"
    prefix = moodle.HIDDEN_USER[lang]
    out = []
    for row in rows[1:]:
        assert len(row) == len(header)
        ident = row[header.index(names["id"])]
        assert ident.startswith(prefix) and ident[len(prefix):].isdigit(), ident  # substr(id, strlen(hiddenuser))
        grade = row[header.index(names["grade"])]
        if grade == "":
            out.append((ident[len(prefix):], None))  # skipped by the importer: no silent 0
            continue
        sep = moodle.DECIMAL[lang]
        assert re.fullmatch(r"\d+" + re.escape(sep) + r"\d{2}", grade), grade  # unformat_float in that language
        value = float(grade.replace(sep, "."))
        assert 0 <= value <= max_grade  # out of range is skipped
        out.append((ident[len(prefix):], value))
    return out


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_fresh_worksheet_follows_the_importer_rules(lang):
    filled = moodle.fresh_worksheet(STUDENTS, lang=lang, scale=20)
    assert importer_accepts(filled.text, lang, 20) == [("5001", 20.0)]
    assert list(csv.reader(io.StringIO(filled.text)))[0] == DOWNLOADED[lang]
    assert filled.unmatched_students == ["paul_leroy", "emma_roux", "zoe_absente"]  # listed, not dropped silently


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_downloaded_worksheet_round_trip_keeps_every_column(tmp_path, lang):
    sep = moodle.DECIMAL[lang]
    status = "Submitted for grading" if lang == "en" else "Remis pour évaluation"
    pid = "Participant " if lang == "en" else "Participant"
    rows = [
        DOWNLOADED[lang][:5] + ["Groupe TD"] + DOWNLOADED[lang][5:],  # an extra column Moodle may add
        [f"{pid}5001", "Jeanne Dupont", "jeanne.dupont@univ.fr", status, "", "A", f"20{sep}00", "Yes",
         "Tuesday, 3 October 2023, 2:05 PM", "-", ""],
        [f"{pid}5002", "Paul Leroy", "p.leroy@univ.fr", status, "", "B", f"20{sep}00", "Yes", "-", "-", ""],
        [f"{pid}5003", "Emma Roux", "emma.roux@univ.fr", status, "", "A", f"20{sep}00", "Yes", "-", "-", ""],
        [f"{pid}5004", "Léa Sans-Dépôt", "lea@univ.fr", "-", "", "B", f"20{sep}00", "Yes", "-", "-", ""],
    ]
    path = tmp_path / "worksheet.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:  # Moodle writes a BOM
        csv.writer(f).writerows(rows)
    filled = moodle.fill_worksheet(path, STUDENTS)
    out = list(csv.reader(io.StringIO(filled.text)))
    assert out[0] == rows[0] and len(out) == len(rows)
    for before, after in zip(rows[1:], out[1:]):  # every column but Grade and Feedback kept byte for byte
        keep = [i for i, h in enumerate(rows[0]) if h not in (moodle.HEADERS[lang]["grade"], moodle.HEADERS[lang]["feedback"])]
        assert [before[i] for i in keep] == [after[i] for i in keep]
    read = dict(importer_accepts(filled.text, lang, 20))
    assert read == {"5001": 20.0, "5002": 10.0, "5003": None, "5004": None}  # rescaled to the worksheet's /20
    feedback = out[2][rows[0].index(moodle.HEADERS[lang]["feedback"])]
    assert feedback == "Note partielle."
    assert filled.unmatched_students == ["zoe_absente"] and filled.not_graded == ["emma_roux"]
    assert filled.unmatched_rows == [f"{pid}5004 Léa Sans-Dépôt"]


def test_semicolon_worksheet_and_scale_option(tmp_path):
    path = tmp_path / "ws.csv"
    path.write_text("Identifiant;Nom complet;Note;Note maximale;Dernière modification (note)\n"
                    "Participant5001;Jeanne Dupont;;100,00;-\n", encoding="utf-8")
    filled = moodle.fill_worksheet(path, STUDENTS[:1], scale=100)
    assert filled.text.splitlines()[1] == "Participant5001;Jeanne Dupont;100,00;100,00;-;État : corrigé."


def test_not_a_worksheet_is_an_instructor_error(tmp_path):
    path = tmp_path / "grades.csv"
    path.write_text("student_id,total\nx,1\n", encoding="utf-8")
    with pytest.raises(moodle.WorksheetError, match="not a Moodle grading worksheet"):
        moodle.fill_worksheet(path, STUDENTS)
    path.write_text("Identifier,Grade\nParticipant 1,\n", encoding="utf-8")
    with pytest.raises(moodle.WorksheetError, match="Last modified"):
        moodle.fill_worksheet(path, STUDENTS)
