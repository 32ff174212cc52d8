"""Unit tests of the grade stages that need no kernel: ids, ingest, sandbox limits, gradebook, feedback."""
import io
import os
import subprocess
import sys
import zipfile

import nbformat
import pytest

from grade_helpers import grade_cases
from tdgrade.gradebook import feedback, results as gradebook, report
from tdgrade.grade import ingest, parse_memory
from tdgrade import sandbox
from tdgrade.gradebook.result import Result
from tdgrade.grade.progress import Progress

needs_bwrap = pytest.mark.skipif(sandbox.probe()[0] != "bwrap", reason="bwrap sandbox not usable here")


@pytest.mark.parametrize("name, sid, moodle", [
    ("Dupont_Jeanne.ipynb", "dupont_jeanne", None),
    ("Élodie Lefèvre_123456_assignsubmission_file_", "elodie_lefevre", "123456"),
    ("fashion_mnist_2024_10_03T14_05_59_123456.zip", "fashion_mnist", None),
    ("martin_fashion_mnist_2024_10_03T14_05_59_123456.zip", "martin", None),
    ("fashion_mnist_martin.ipynb", "martin", None),
    ("???.ipynb", None, None),
])
def test_student_id_rule(name, sid, moodle):
    got, got_moodle, _full, _ts = ingest.student_id_from_name(name, "fashion_mnist")
    if sid is None:
        assert got.startswith("etudiant_")
    else:
        assert got == sid
    assert got_moodle == moodle


def test_discover_folders_moodle_and_duplicates(tmp_path):
    root = tmp_path / "class"
    (root / "Jean Valjean_42_assignsubmission_file_" / "sub").mkdir(parents=True)
    (root / "Jean Valjean_42_assignsubmission_file_" / "sub" / "td.ipynb").write_text("{}")
    (root / ".ipynb_checkpoints").mkdir()
    (root / ".ipynb_checkpoints" / "x.ipynb").write_text("{}")
    (root / "notes.txt").write_text("")
    (root / "anna.ipynb").write_text("{}")
    os.utime(root / "anna.ipynb", (1, 1))
    (root / "anna_2024_01_01T00_00_00.zip").write_bytes(b"")
    (root / "graded" / "notebooks").mkdir(parents=True)  # an OUTDIR inside the class folder is not read
    (root / "graded" / "notebooks" / "anna.ipynb").write_text("{}")
    subs, warnings, collisions = ingest.discover([root, root / "anna.ipynb", tmp_path / "missing"], "lab",
                                                 exclude=[root / "graded"])
    assert collisions == []
    by = {(s.student_id, s.path.name): s for s in subs}
    assert set(by) == {("jean_valjean", "td.ipynb"), ("anna", "anna.ipynb"), ("anna", "anna_2024_01_01T00_00_00.zip")}
    assert by[("jean_valjean", "td.ipynb")].moodle_id == "42"
    assert by[("anna", "anna.ipynb")].duplicate_of.endswith(".zip")
    assert by[("anna", "anna_2024_01_01T00_00_00.zip")].duplicate_of is None
    assert len(warnings) == 1


def _zip(tmp_path, members):
    path = tmp_path / "s.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for n, d in members.items():
            zf.writestr(n, d)
    return ingest.Submission("s", path, str(path))


def test_zip_members(tmp_path):
    nb = grade_cases.dump(grade_cases.solution())
    assert ingest.read_submission_bytes(_zip(tmp_path, {"lab.ipynb": nb, "__MACOSX/._lab.ipynb": b"x"}), "lab.ipynb") == nb
    assert ingest.read_submission_bytes(_zip(tmp_path, {"a/lab.ipynb": nb, "b/other.ipynb": b"{}"}), "lab.ipynb") == nb
    with pytest.raises(ingest.IngestError, match="plusieurs"):
        ingest.read_submission_bytes(_zip(tmp_path, {"a/x.ipynb": nb, "b/y.ipynb": nb}), "lab.ipynb")
    with pytest.raises(ingest.IngestError, match="aucun notebook"):
        ingest.read_submission_bytes(_zip(tmp_path, {"a.txt": b""}), "lab.ipynb")
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ingest.IngestError) as e:
        ingest.read_submission_bytes(ingest.Submission("b", bad, "bad.zip"), "lab.ipynb")
    assert e.value.status == "unreadable"


def test_normalise_drops_outputs_forces_kernel_keeps_lock_metadata():
    nb = grade_cases.nb_of(grade_cases.SETUP, "print(1)", kernel="ir")
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells[-1].execution_count = 3
    nb.cells[-2].metadata.update({"editable": False, "custom": {"x": 1}})
    clean, warnings = ingest.normalise(nbformat.writes(nb))
    assert clean.metadata.kernelspec.name == "python3" and any("`ir`" in w for w in warnings)
    code = [c for c in clean.cells if c.cell_type == "code"]
    assert code[-1].outputs == [] and code[-1].execution_count is None
    assert code[0].metadata == {"editable": False}
    for text, status in (("{", "unreadable"), ("[]", "unreadable"), ('{"cells": 3}', "unreadable"),
                         (nbformat.writes(grade_cases.nb_of()), "empty")):
        with pytest.raises(ingest.IngestError) as e:
            ingest.normalise(text)
        assert e.value.status == status


def test_decode_non_utf8_is_replaced_with_a_warning():
    text, warnings = ingest.decode(b'\xef\xbb\xbf{"a": "\xe9"}')
    assert text == '{"a": "\ufffd"}' and warnings


def test_wrong_lab_detection(tmp_path):
    own = ingest.fingerprints(grade_cases.nb_of())
    other_nb = nbformat.read(str(grade_cases.LABS / "release/otherlab/otherlab.ipynb"), as_version=4)
    other = ingest.fingerprints(other_nb)
    ingest.check_lab(grade_cases.solution(), own, {"otherlab": other})  # own lab: fine
    ingest.check_lab(grade_cases.nb_of(grade_cases.Q1, prose=False), own, {"otherlab": other})  # no prose: fine
    with pytest.raises(ingest.IngestError) as e:
        ingest.check_lab(other_nb, own, {"otherlab": other})
    assert e.value.status == "wrong_lab" and "otherlab" in e.value.message


def test_parse_memory():
    assert parse_memory("4G") == 4 << 30 and parse_memory("512M") == 512 << 20 and parse_memory("2GiB") == 2 << 30
    assert parse_memory(None) == 4 << 30 and parse_memory("1000") == 1000
    with pytest.raises(ValueError):
        parse_memory("lots")


# ---------------------------------------------------------------------------------------------- sandbox

def _sb(tmp_path, code, **limits):
    lim = sandbox.Limits(wall=limits.pop("wall", 20), memory=limits.pop("memory", 512 << 20), nproc=limits.pop("nproc", 64))
    work = tmp_path / "w"
    work.mkdir(exist_ok=True)
    os.chmod(work, 0o777)
    prologue = ("import resource, os\n"
                f"resource.setrlimit(resource.RLIMIT_NPROC, ({lim.nproc}, {lim.nproc}))\n"
                "if os.geteuid() == 0:\n    os.setgroups([]); os.setgid(61099); os.setuid(61099)\n")
    return sandbox.run([sys.executable, "-I", "-c", prologue + code], mode="bwrap", limits=lim,
                       env={"PATH": "/usr/bin:/bin"}, cwd="/w", rw=[(work, "/w")],
                       secrets=[tmp_path / "secret"], watch_dirs=[work])


@needs_bwrap
def test_sandbox_isolation(tmp_path):
    (tmp_path / "secret").mkdir()
    code = ("import os, socket\nout = []\n"
            f"out.append(os.path.exists({str(tmp_path / 'secret')!r}))\n"
            f"out.append(os.path.exists({str(grade_cases.LABS)!r}))\n"
            "try:\n    socket.create_connection(('pypi.org', 443), timeout=2); out.append('net')\nexcept OSError:\n    pass\n"
            "try:\n    open('/usr/x', 'w'); out.append('usr')\nexcept OSError:\n    pass\n"
            "out.append(os.getpid())\nprint(out)")
    o = _sb(tmp_path, code)
    # secrets hidden, repository invisible, no network, read-only /usr, own PID namespace (pid 2 under bwrap's init)
    assert o.returncode == 0 and o.stderr_tail.strip().endswith("[False, False, 2]"), o.stderr_tail


@needs_bwrap
def test_sandbox_nproc_applies_even_as_root(tmp_path):
    code = ("import os, time\nn = 0\ntry:\n    for _ in range(200):\n        if os.fork() == 0:\n"
            "            time.sleep(5); os._exit(0)\n        n += 1\nexcept OSError:\n    pass\nprint('forks', n)")
    o = _sb(tmp_path, code, nproc=40)
    forks = int(o.stderr_tail.split("forks")[-1].split()[0])
    assert forks < 40, o.stderr_tail


@needs_bwrap
def test_sandbox_watchdog_kills_on_wall_time_memory_and_disk(tmp_path):
    assert _sb(tmp_path, "import time\ntime.sleep(30)", wall=1.5).killed == "timeout"
    hog = "x = []\nimport time\nfor _ in range(64):\n    x.append(bytearray(32 << 20)); time.sleep(0.02)\ntime.sleep(30)"
    assert _sb(tmp_path, hog, memory=256 << 20).killed == "memory"
    o = _sb(tmp_path, "import os\nfor i in range(60_000):\n    open(f'{i}', 'w').close()\nimport time\ntime.sleep(30)")
    assert o.killed == "disk"


def test_fallback_sweeps_detached_children(tmp_path):
    code = ("import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)', "
            "'TDGRADE_SWEEP_MARKER'], start_new_session=True)")
    lim = sandbox.Limits(wall=20, memory=512 << 20)
    o = sandbox.run([sys.executable, "-c", code], mode="rlimits", limits=lim, env=dict(os.environ), cwd=str(tmp_path))
    assert o.returncode == 0
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "TDGRADE_SWEEP_MARKER" not in ps


# ---------------------------------------------------------------------------------------------- outputs

RESULT_JSON = {"student_id": "zoe", "full_name": "Zoé Z", "moodle_id": "7", "lab": "fakelab", "status": "timeout",
          "status_detail": "6", "submission": "class/zoe.ipynb", "total": 2.0, "max_total": 5.0,
          "runner": {"timeout_cell": 6, "deaths": []}, "warnings": ["attention"], "duplicates": ["old.ipynb"],
          "cell_errors": [{"cell": 6, "code_cell": 3, "ename": "KeyboardInterrupt", "evalue": ""}],
          "questions": [{"name": "q1", "score": 2.0, "max_score": 2.0, "passed": True,
                         "cases": [{"name": "test_q1", "hidden": True, "passed": True, "message": ""}]},
                        {"name": "q2", "score": 0.0, "max_score": 3.0, "passed": False,
                         "cases": [{"name": "test_q2", "hidden": True, "passed": False,
                                    "message": "Les valeurs sont fausses <b>."}]}]}
RESULT = Result.from_json(RESULT_JSON)


def test_feedback_french_markdown_and_html():
    md = feedback.render_markdown(RESULT, timeout=60)
    assert "temps d'exécution maximal (60 s)" in md and "cellule n° 7" in md and "2 / 5" in md
    assert "Les valeurs sont fausses" in md and "test_q2" not in md
    html = feedback.render_html(RESULT)
    assert "&lt;b&gt;" in html and "<b>." not in html
    assert "q1 2/2 ; q2 0/3" in feedback.moodle_comment(RESULT)


def test_gradebook_atomic_write_and_results(tmp_path):
    # grades.csv and the Moodle file are written by `tdgrade.gradebook.publish` (tests/test_review.py, test_moodle.py)
    gradebook.atomic_write(tmp_path / "a" / "f.txt", "x")
    gradebook.atomic_write(tmp_path / "a" / "f.txt", "y")
    assert (tmp_path / "a" / "f.txt").read_text() == "y" and os.listdir(tmp_path / "a") == ["f.txt"]
    gradebook.write_student_files(tmp_path, RESULT, None, lab="fakelab", timeout=60, memory=1 << 30)
    (tmp_path / "results" / "broken.json").write_text("{")
    main, dups = gradebook.load_results(tmp_path)
    assert [r.student_id for r in main] == ["zoe"] and dups == []


def test_report_has_plots_and_fallback_banner():
    ann = Result.from_json({**RESULT_JSON, "student_id": "ann", "status": "unreadable", "total": 0, "sandbox": "rlimits"})
    page = report.render([RESULT, ann],
                         [], {"q1": 2.0, "q2": 3.0}, lab="fakelab", profile="smoke", mode="rlimits", mode_reason="test")
    assert page.count("data:image/png;base64,") == 3 and "SANS le bac à sable" in page


def test_progress_plain_and_tty():
    buf = io.StringIO()
    p = Progress(2, stream=buf, tty=False)
    p.finished("a", "graded", 5, 5, 1.0)
    p.finished("b", "timeout", 2, 5, 3.0)
    p.close()
    lines = buf.getvalue().splitlines()
    assert lines[0].startswith("[1/2] a: graded 5/5 (1.0 s) ETA") and lines[1].startswith("[2/2] b: timeout")
    buf = io.StringIO()
    p = Progress(3, stream=buf, tty=True)  # rich's bar, on a terminal
    p.started("a")
    p.finished("a", "graded", 5, 5, 1.0)
    p.close()
    out = buf.getvalue()
    assert "[1/3] a: graded 5/5 (1.0 s) ETA" in out and "━" in out and "1/3" in out and "33%" in out
    assert out.rstrip().endswith("1/3 graded in 0s")


MEMORY_ERROR = [{"ename": "MemoryError", "evalue": "", "cell": 6}]


@pytest.mark.parametrize("killed, runner, errors, status", [
    (None, {"timed_out": False}, MEMORY_ERROR, "memory_limit"),   # caught in a cell, the notebook went on
    (None, {"timed_out": True, "timeout_cell": 9}, MEMORY_ERROR, "timeout"),  # time, not memory, cost the rest
    ("memory", {"timed_out": True}, [], "memory_limit"),          # the watchdog's kill comes first
    ("nproc", {}, MEMORY_ERROR, "process_limit"),
    (None, {"deaths": [7]}, [], "kernel_died"),
    (None, {"timed_out": False}, [], "graded"),
])
def test_status_names_what_cost_the_points(killed, runner, errors, status):
    from tdgrade.grade.worker import decide_status

    outcome = sandbox.Outcome(returncode=0, killed=killed)
    assert decide_status(outcome, runner, errors)[0] == status


@pytest.mark.parametrize("case", [c for c in grade_cases.bad_cases() if c.filename.endswith(".ipynb")],
                         ids=lambda c: c.student)
def test_normalise_refuses_or_cleans_each_bad_notebook(case):
    """The ordered ingest steps, without a kernel: refusals carry the case's status and a French reason;
    what passes is a clean v4 notebook (python3 kernel, no outputs) with the same code cells."""
    text, _ = ingest.decode(case.data)
    if case.status in ("unreadable", "empty"):
        with pytest.raises(ingest.IngestError) as refused:
            ingest.normalise(text)
        assert refused.value.status.value == case.status and "Le " in str(refused.value)
        return
    nb, warnings = ingest.normalise(text)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    assert any(c.cell_type == "code" and "NUMBERS" in c.source for c in nb.cells) or case.status == "wrong_lab"
    assert bool(warnings) == (case.student == "unknown_kernelspec"), warnings
