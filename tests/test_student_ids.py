"""Every file reaches its own student: the id rule on the layouts graders really pass to `tdgrade grade`.

Layouts: folders as arguments, a shell glob, nbgrader's `submitted/STUDENT/LAB/`, GitHub Classroom's
`LAB-STUDENT/` clones, Moodle bulk downloads, otter export zips; attempts of one student are
duplicates, the same id from two different folders is a collision, never merged silently.
"""
import io
import os

import pytest

from grade_helpers import copy_labs, results_by_id, run_grade
from tdgrade.grade.accounting import list_ids
from tdgrade.grade.students import OnCollision, discover, resolve_collisions

LAB = "fashion_mnist"
NB = f"{LAB}.ipynb"


def touch(path, mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{}")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    return path


def ids(paths, lab=LAB):
    subs, warnings, collisions = discover(paths, lab)
    assert warnings == []
    return subs, collisions


def graded_ids(subs):
    return sorted(s.student_id for s in subs if not s.duplicate_of)


def test_folders_given_as_arguments(tmp_path):
    alice, bob = touch(tmp_path / "alice" / NB), touch(tmp_path / "bob" / NB)
    subs, collisions = ids([alice.parent, bob.parent])
    assert graded_ids(subs) == ["alice", "bob"] and collisions == []


def test_shell_glob_of_student_folders(tmp_path):
    for name in ("alice", "bob", "Élodie Lefèvre"):
        touch(tmp_path / "submissions" / name / NB)
    expanded = sorted((tmp_path / "submissions").glob("*"))  # what `submissions/*` gives the command
    subs, collisions = ids(expanded)
    assert graded_ids(subs) == ["alice", "bob", "elodie_lefevre"] and collisions == []
    subs, _ = ids([tmp_path / "submissions"])  # the parent folder itself: same ids
    assert graded_ids(subs) == ["alice", "bob", "elodie_lefevre"]


def test_files_given_directly_in_student_folders(tmp_path):
    files = [touch(tmp_path / "alice" / NB), touch(tmp_path / "bob" / NB)]
    subs, collisions = ids(files)
    assert graded_ids(subs) == ["alice", "bob"] and collisions == []


def test_nbgrader_submitted_layout(tmp_path):
    for student in ("alice", "bob"):
        touch(tmp_path / "submitted" / student / LAB / NB)
    subs, _ = ids([tmp_path / "submitted"])
    assert graded_ids(subs) == ["alice", "bob"]
    subs, _ = ids(sorted((tmp_path / "submitted").glob("*")))  # submitted/*
    assert graded_ids(subs) == ["alice", "bob"]


def test_github_classroom_clones(tmp_path):
    for student in ("alice-martin", "bob42"):
        touch(tmp_path / "classroom" / f"{LAB}-{student}" / NB)
    subs, _ = ids([tmp_path / "classroom"])
    assert graded_ids(subs) == ["alice_martin", "bob42"]
    subs, _ = ids(sorted((tmp_path / "classroom").glob("*")))
    assert graded_ids(subs) == ["alice_martin", "bob42"]


def test_moodle_bulk_download(tmp_path):
    base = tmp_path / "moodle"
    touch(base / "Jeanne Dupont_123456_assignsubmission_file_" / "td1.ipynb")
    touch(base / "Paul Martin_654321_assignsubmission_file_" / "rendu" / NB)
    subs, collisions = ids([base])
    by_id = {s.student_id: s for s in subs}
    assert sorted(by_id) == ["jeanne_dupont", "paul_martin"] and collisions == []
    assert (by_id["jeanne_dupont"].moodle_id, by_id["jeanne_dupont"].full_name) == ("123456", "Jeanne Dupont")
    subs, _ = ids(sorted(base.glob("*")))  # moodle/*: the Moodle folder still names the student
    assert graded_ids(subs) == ["jeanne_dupont", "paul_martin"]


def test_otter_zips_named_after_the_lab_take_the_folder(tmp_path):
    touch(tmp_path / "alice" / f"{LAB}_2024_10_03T14_05_59_123456.zip")
    touch(tmp_path / "bob" / f"{LAB}_2024_10_04T09_00_00_000001.zip")
    touch(tmp_path / "flat" / f"carol_{LAB}_2024_10_03T14_05_59_123456.zip")
    subs, collisions = ids([tmp_path / "alice", tmp_path / "bob", tmp_path / "flat"])
    assert graded_ids(subs) == ["alice", "bob", "carol"] and collisions == []


def test_true_duplicate_attempts_of_one_student(tmp_path):
    older = touch(tmp_path / "alice" / NB, mtime=1_600_000_000)
    newer = touch(tmp_path / "alice" / f"{LAB}_2024_10_03T14_05_59_123456.zip")
    subs, collisions = ids([tmp_path / "alice"])
    assert collisions == []
    by_path = {s.path: s for s in subs}
    assert by_path[older.resolve()].duplicate_of == str(newer)
    assert by_path[newer.resolve()].duplicate_of is None and graded_ids(subs) == ["alice"]


def test_same_name_in_two_places_is_a_collision_not_a_duplicate(tmp_path):
    first, second = touch(tmp_path / "groupA" / "alice" / NB), touch(tmp_path / "groupB" / "alice" / NB)
    subs, _, collisions = discover([first.parent, second.parent], LAB)
    assert [(c.student_id, len(c.paths)) for c in collisions] == [("alice", 2)]
    kept, held = resolve_collisions(subs, collisions, OnCollision.FAIL)
    assert kept == [] and len(held) == 2
    subs, _, collisions = discover([first.parent, second.parent], LAB)
    kept, held = resolve_collisions(subs, collisions, OnCollision.SEPARATE)
    assert held == [] and graded_ids(kept) == ["alice", "alice_2"]
    subs, _, collisions = discover([first.parent, second.parent], LAB)
    kept, held = resolve_collisions(subs, collisions, OnCollision.NEWEST)
    assert held == [] and graded_ids(kept) == ["alice"] and len(kept) == 2


def test_dry_run_lists_ids_and_flags_collisions(tmp_path):
    touch(tmp_path / "alice" / NB)
    touch(tmp_path / "x" / "bob" / NB)
    touch(tmp_path / "y" / "bob" / NB)
    out = io.StringIO()
    rc = list_ids(LAB, [tmp_path / "alice", tmp_path / "x" / "bob", tmp_path / "y" / "bob"], stream=out)
    text = out.getvalue()
    assert rc == 3, text
    assert "alice" in text and "NOT graded: id collision" in text and "1 id collision(s)" in text
    out = io.StringIO()
    assert list_ids(LAB, [tmp_path / "alice", tmp_path / "x" / "bob"], stream=out) == 0
    assert "2 student(s), 2 submission(s), 0 id collision(s)" in out.getvalue()


@pytest.fixture
def fake_labs(tmp_path):
    return copy_labs(tmp_path / "labs")


def test_grade_folders_as_arguments_grades_each_student(tmp_path, fake_labs):
    lab, other = fake_labs
    solution = (lab.solutions_dir / "fakelab.ipynb").read_bytes()
    blank = (lab.release_dir / "fakelab.ipynb").read_bytes()
    for student, data in (("alice", solution), ("bob", blank)):
        (tmp_path / "subs" / student).mkdir(parents=True)
        (tmp_path / "subs" / student / "fakelab.ipynb").write_bytes(data)
    rc, log = run_grade(lab, other, [tmp_path / "subs" / "alice", tmp_path / "subs" / "bob"], tmp_path / "out",
                        timeout=60)
    assert rc == 0, log
    res, dups = results_by_id(tmp_path / "out")
    assert {k: v["total"] for k, v in res.items()} == {"alice": 5, "bob": 0} and dups == []


def test_grade_collision_holds_back_and_reports(tmp_path, fake_labs):
    lab, other = fake_labs
    solution = (lab.solutions_dir / "fakelab.ipynb").read_bytes()
    for group in ("A", "B"):
        (tmp_path / group / "alice").mkdir(parents=True)
        (tmp_path / group / "alice" / "fakelab.ipynb").write_bytes(solution)
    (tmp_path / "A" / "carol").mkdir()
    (tmp_path / "A" / "carol" / "fakelab.ipynb").write_bytes(solution)
    args = [tmp_path / "A" / "alice", tmp_path / "B" / "alice", tmp_path / "A" / "carol"]
    rc, log = run_grade(lab, other, args, tmp_path / "out", timeout=60)
    assert rc == 3 and "id collision" in log and str(tmp_path / "B" / "alice") in log, log
    res, _ = results_by_id(tmp_path / "out")
    assert set(res) == {"carol"}
    report = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "dossiers différents" in report and str(tmp_path / "A" / "alice") in report
    rc, log = run_grade(lab, other, args, tmp_path / "out", timeout=60, on_collision="separate")
    assert rc == 0, log
    res, _ = results_by_id(tmp_path / "out")
    assert {k: v["total"] for k, v in res.items()} == {"alice": 5, "alice_2": 5, "carol": 5}
