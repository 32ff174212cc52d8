"""`tdgrade grade` end to end on the fake lab: marks, outputs, resume, --force, interrupt, kill, fallback."""
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grade_helpers import CORPUS, copy_labs, grade_cases, results_by_id, run_grade
from tdgrade import sandbox

needs_bwrap = pytest.mark.skipif(sandbox.probe()[0] != "bwrap", reason="bwrap sandbox not usable here")


@pytest.fixture
def labs(tmp_path):
    return copy_labs(tmp_path / "labs")


def _class(tmp_path, **notebooks):
    folder = tmp_path / "class"
    folder.mkdir()
    for sid, data in notebooks.items():
        (folder / f"{sid}.ipynb").write_bytes(data)
    return folder


def test_solution_full_marks_blank_zero_outputs_and_resume(tmp_path, labs):
    lab, other = labs
    folder = _class(tmp_path, alice=(lab.solutions_dir / "fakelab.ipynb").read_bytes(),
                    bob=(lab.release_dir / "fakelab.ipynb").read_bytes())
    out = tmp_path / "out"
    rc, log = run_grade(lab, other, [folder], out)
    assert rc == 0, log
    res, _ = results_by_id(out)
    assert (res["alice"]["status"], res["alice"]["total"], res["alice"]["max_total"]) == ("graded", 5, 5)
    assert (res["bob"]["status"], res["bob"]["total"]) == ("graded", 0)
    assert res["alice"]["sandbox"] == sandbox.probe()[0]
    grades = (out / "grades.csv").read_text().splitlines()
    assert grades[0] == "student_id,full_name,moodle_id,status,q1_somme,q2_carres,q3_mots,total,max_total,submission,note"
    assert grades[1].startswith("alice,,,graded,2,2,1,5,5,")
    moodle_lines = (out / "moodle.csv").read_text().splitlines()
    assert moodle_lines[0].startswith("Identifier,Full name,") and "Last modified (grade)" in moodle_lines[0]
    assert len(moodle_lines) == 1 and "without a Moodle match): alice, bob" in log  # listed, not dropped silently
    executed = json.loads((out / "notebooks/alice.ipynb").read_text())
    assert any(c.get("outputs") is not None and c.get("execution_count") for c in executed["cells"])
    html = (out / "feedback/bob.html").read_text()
    assert "<html lang='fr'>" in html and "doit être un nombre entier" in html
    report = (out / "report.html").read_text()
    assert report.count("data:image/png;base64,") == 3
    assert "[2/2]" in log and "ETA" in log
    # the similarity report ran on the graded notebooks: one pair, not flagged (alice is the reference)
    assert "similarity: 2 notebooks, 1 pairs compared, 0 flagged" in log
    assert (out / "similarity.csv").read_text().splitlines()[1].startswith("alice,bob,no,")
    assert "Dépôts similaires" in report and "Aucune paire signalée." in report

    stamp = {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}
    rc, log = run_grade(lab, other, [folder], out)  # resume: nothing to do
    assert rc == 0 and "grading 0 submission(s)" in log and "2 already graded" in log
    assert stamp == {p.name: p.stat().st_mtime_ns for p in (out / "results").glob("*.json")}

    (folder / "bob.ipynb").write_bytes((lab.solutions_dir / "fakelab.ipynb").read_bytes())  # bob resubmits
    rc, log = run_grade(lab, other, [folder], out)
    assert "grading 1 submission(s)" in log
    res, _ = results_by_id(out)
    assert res["bob"]["total"] == 5 and stamp["alice.json"] == (out / "results/alice.json").stat().st_mtime_ns

    rc, log = run_grade(lab, other, [folder], out, force=True)
    assert "grading 2 submission(s)" in log

    rc, log = run_grade(other, lab, [folder], out)  # one OUTDIR per lab
    assert rc == 2 and "holds grades of lab 'fakelab'" in log


def _sandbox_processes(marker: str) -> list[str]:
    ps = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout.splitlines()
    return [line for line in ps if marker in line and "ps -eo" not in line]


def _wait_results(out, n, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if len(list((out / "results").glob("*.json"))) >= n if (out / "results").is_dir() else False:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupt_or_kill_loses_nothing_and_resumes(tmp_path, labs, sig):
    lab, other = labs
    sol = (lab.solutions_dir / "fakelab.ipynb").read_bytes()
    loop = grade_cases.dump(grade_cases.nb_of(grade_cases.SETUP, grade_cases.Q1, "import time\ntime.sleep(600)"))
    folder = _class(tmp_path, a_first=sol, b_loops=loop, c_third=sol)
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, str(CORPUS / "grade_fake.py"), str(lab.root), str(out), str(folder),
                             "--timeout", "40", "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    assert _wait_results(out, 1), "first result never came"
    time.sleep(2.5)  # b_loops is now running in its sandbox
    proc.send_signal(sig)
    log, _ = proc.communicate(timeout=60)
    assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL), log
    time.sleep(1.5)
    assert _sandbox_processes(str(out)) == []  # nothing outlives the grader (bwrap --die-with-parent)
    first = out / "results/a_first.json"
    assert json.loads(first.read_text())["total"] == 5
    stamp = first.stat().st_mtime_ns
    assert not (out / "results/b_loops.json").exists()
    if sig == signal.SIGINT:
        assert (out / "grades.csv").read_text().count("\n") == 2  # header + a_first
    # Resume with a short timeout: a_first is not graded again, the others are.
    rc, log2 = run_grade(lab, other, [folder], out, timeout=15)  # room for Q1 on a loaded machine
    assert rc == 0, log2
    assert "1 already graded" in log2
    res, _ = results_by_id(out)
    assert set(res) == {"a_first", "b_loops", "c_third"}
    assert first.stat().st_mtime_ns == stamp
    assert (res["b_loops"]["status"], res["b_loops"]["total"]) == ("timeout", 2)


def test_fallback_without_bwrap_warns_and_kills_daemons(tmp_path, labs):
    lab, other = labs
    daemon = ("import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)', "
              "'TDGRADE_FALLBACK_DAEMON'], start_new_session=True)")
    nb = grade_cases.dump(grade_cases.nb_of(grade_cases.SETUP, grade_cases.Q1, daemon, grade_cases.Q2, grade_cases.Q3))
    folder = _class(tmp_path, carol=nb)
    out = tmp_path / "out"
    rc, log = run_grade(lab, other, [folder], out, sandbox_mode="rlimits")
    assert rc == 0 and "WARNING" in log and "WITHOUT a sandbox" in log
    res, _ = results_by_id(out)
    assert (res["carol"]["status"], res["carol"]["total"], res["carol"]["sandbox"]) == ("graded", 5, "rlimits")
    assert "SANS le bac à sable" in (out / "report.html").read_text()
    time.sleep(0.5)
    assert _sandbox_processes("TDGRADE_FALLBACK_DAEMON") == []


def test_cli_maps_grade_options_to_plain_arguments(monkeypatch):
    import tdgrade.grade as g
    from tdgrade.cli import parser

    seen = {}
    monkeypatch.setattr(g, "grade", lambda *a, **k: seen.update(args=a, kw=k) or 0)
    args = parser().parse_args(["grade", "fashion_mnist", "x.ipynb", "-o", "OUT", "--jobs", "2", "--timeout", "60",
                                "--memory", "2G", "--profile", "smoke", "--force"])
    assert args.func(args) == 0
    assert seen["args"] == ("fashion_mnist", ["x.ipynb"], "OUT")
    assert seen["kw"] == {"jobs": 2, "timeout": 60, "memory": "2G", "profile": "smoke", "force": True,
                          "moodle_worksheet": None, "scale": None, "lang": "en", "on_collision": "fail",
                          "cluster": None, "unreadable_as_zero": False, "due": None, "late_policy": None,
                          "extensions": None}
    args = parser().parse_args(["grade", "fashion_mnist", "x.ipynb", "-o", "OUT", "--moodle-worksheet", "ws.csv",
                                "--scale", "20", "--lang", "fr"])
    args.func(args)
    assert (seen["kw"]["moodle_worksheet"], seen["kw"]["scale"], seen["kw"]["lang"]) == (Path("ws.csv"), 20.0, "fr")
    args = parser().parse_args(["grade", "fashion_mnist", "x.ipynb", "-o", "OUT", "--due", "2026-12-15 23:59+01:00",
                                "--late-policy", "late.toml", "--extensions", "ext.csv", "--unreadable-as-zero"])
    args.func(args)
    assert (seen["kw"]["due"], seen["kw"]["late_policy"], seen["kw"]["extensions"], seen["kw"]["unreadable_as_zero"]) \
        == ("2026-12-15 23:59+01:00", Path("late.toml"), Path("ext.csv"), True)


def test_python_dash_m_help():
    out = subprocess.run([sys.executable, "-m", "tdgrade.grade", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "--jobs" in out.stdout
