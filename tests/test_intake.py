"""Intake never loses a student: non-Latin names, homonyms on Moodle, symbolic links, accounting."""
import io
import os

from tdgrade.grade.accounting import account, list_ids
from tdgrade.grade.students import IdSource, OnCollision, intake, resolve_collisions
from tdgrade.common.ids import slugify

LAB = "fashion_mnist"
NB = f"{LAB}.ipynb"


def touch(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")
    return path


def moodle(base, name, number, file=NB):
    return touch(base / f"{name}_{number}_assignsubmission_file_" / file)


def graded(subs):
    return sorted(s.student_id for s in subs if not s.duplicate_of)


def test_transliteration_is_stable_and_covers_other_scripts():
    assert slugify("Élodie Lefèvre") == "elodie_lefevre"
    assert slugify("张伟") == "zhangwei" and slugify("王芳") == "wangfang"
    assert slugify("Γιώργος Παπαδόπουλος").startswith("giorgos_")
    assert slugify("Straße") == "strasse"


def test_non_latin_moodle_names_are_two_students_not_the_download_folder(tmp_path):
    base = tmp_path / "moodle"
    moodle(base, "张伟", "101")
    moodle(base, "Γιώργος Παπαδόπουλος", "102")
    found = intake([base], LAB)
    assert found.collisions == [] and found.refused == []
    ids = graded(found.submissions)
    assert len(ids) == 2 and "moodle" not in ids and "zhangwei" in ids
    by_id = {s.student_id: s for s in found.submissions}
    assert by_id["zhangwei"].moodle_id == "101" and by_id["zhangwei"].id_source is IdSource.MOODLE_NAME
    # --on-collision separate has nothing to separate: nobody was a duplicate
    kept, held = resolve_collisions(found.submissions, found.collisions, OnCollision.SEPARATE)
    assert held == [] and all(s.duplicate_of is None for s in kept)


def test_name_no_script_knows_falls_back_on_the_participant_number(tmp_path):
    base = tmp_path / "moodle"
    moodle(base, "___", "103")
    moodle(base, "---", "104")
    found = intake([base], LAB)
    assert graded(found.submissions) == ["participant_103", "participant_104"]
    assert {s.id_source for s in found.submissions} == {IdSource.MOODLE_NUMBER}


def test_moodle_homonyms_are_told_apart_by_their_number(tmp_path):
    base = tmp_path / "moodle"
    moodle(base, "Jeanne Dupont", "123456")
    moodle(base, "Jeanne Dupont", "654321")
    moodle(base, "Paul Martin", "111")
    found = intake([base], LAB)
    assert found.collisions == []
    assert graded(found.submissions) == ["jeanne_dupont_123456", "jeanne_dupont_654321", "paul_martin"]


def test_symlink_to_another_students_notebook_is_refused_and_nobody_disappears(tmp_path):
    alice = touch(tmp_path / "class" / "alice" / NB)
    (tmp_path / "class" / "bob").mkdir()
    os.symlink(alice, tmp_path / "class" / "bob" / NB)
    found = intake([tmp_path / "class"], LAB)
    assert graded(found.submissions) == ["alice"]
    assert [r.path for r in found.refused] == [str(tmp_path / "class" / "bob" / NB)]
    assert "symbolic link" in found.refused[0].reason


def test_symlink_to_a_host_file_or_folder_is_not_a_student(tmp_path):
    host = touch(tmp_path / "host" / "secret.ipynb")
    touch(tmp_path / "class" / "alice" / NB)
    os.symlink(host, tmp_path / "class" / "mallory.ipynb")
    os.symlink(tmp_path / "host", tmp_path / "class" / "eve")
    found = intake([tmp_path / "class"], LAB)
    assert graded(found.submissions) == ["alice"]
    assert sorted(r.path.rsplit("/", 1)[1] for r in found.refused) == ["eve", "mallory.ipynb"]
    found = intake([tmp_path / "class" / "mallory.ipynb"], LAB)  # given directly: refused too
    assert found.submissions == [] and len(found.refused) == 1


def test_a_linked_folder_given_as_argument_is_followed(tmp_path):
    touch(tmp_path / "real" / "alice" / NB)
    os.symlink(tmp_path / "real", tmp_path / "link")
    assert graded(intake([tmp_path / "link"], LAB).submissions) == ["alice"]


def test_every_file_is_accounted_for(tmp_path):
    touch(tmp_path / "a" / "alice" / NB)
    touch(tmp_path / "a" / "alice" / f"{LAB}_2024_10_03T14_05_59_123456.zip")  # two attempts
    touch(tmp_path / "a" / "carol" / NB)
    touch(tmp_path / "b" / "carol" / NB)  # collision
    os.symlink(tmp_path / "a" / "alice" / NB, tmp_path / "a" / "dave.ipynb")
    acc = account([tmp_path / "a", tmp_path / "b", tmp_path / "a" / "carol" / NB], LAB)
    assert acc.summary() == ("found 6 file(s): 1 student(s); 1 to grade, 1 older attempt(s), 2 held back by "
                             "id collisions, 1 refused, 1 given twice")
    lines = acc.lines()
    assert any(line.startswith("refused: ") and "dave.ipynb" in line for line in lines)


def test_list_shows_the_evidence_of_each_id(tmp_path):
    moodle(tmp_path / "moodle", "张伟", "101")
    touch(tmp_path / "alice" / NB)
    out = io.StringIO()
    assert list_ids(LAB, [tmp_path / "moodle", tmp_path / "alice"], stream=out) == 0
    text = out.getvalue()
    assert "id from Moodle folder, name (participant 101): " in text and "张伟_101_assignsubmission_file_" in text
    assert "id from folder: " + str(tmp_path / "alice") in text
    assert "found 2 file(s): 2 student(s)" in text


def test_a_folder_name_without_letters_never_falls_back_on_the_class_folder(tmp_path):
    touch(tmp_path / "class" / "___" / NB)
    touch(tmp_path / "class" / "---" / NB)
    touch(tmp_path / "alice" / "submitted" / NB)  # a generic sub-folder still takes the given folder's name
    found = intake([tmp_path / "class", tmp_path / "alice"], LAB)
    ids = graded(found.submissions)
    assert len(ids) == 3 and "class" not in ids and "alice" in ids and found.collisions == []
    assert sum(i.startswith("etudiant_") for i in ids) == 2


def test_grade_lists_refused_files_in_the_report(tmp_path):
    from grade_helpers import copy_labs, run_grade

    lab, other = copy_labs(tmp_path / "labs")
    alice = tmp_path / "class" / "alice" / "fakelab.ipynb"
    alice.parent.mkdir(parents=True)
    alice.write_bytes((lab.solutions_dir / "fakelab.ipynb").read_bytes())
    (tmp_path / "class" / "bob").mkdir()
    os.symlink(alice, tmp_path / "class" / "bob" / "fakelab.ipynb")
    rc, log = run_grade(lab, other, [tmp_path / "class"], tmp_path / "out", timeout=60)
    assert rc == 0 and "found 2 file(s): 1 student(s); 1 to grade" in log and "refused: " in log, log
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Fichiers écartés" in report and "symbolic link" in report and "bob" in report
