"""Concurrent grading runs on one machine never share a sandbox uid: a fork bomb in one run leaves
the other run's grades intact."""
import subprocess
import sys
import time

import pytest

from grade_helpers import CORPUS, copy_labs, grade_cases, results_by_id
from tdgrade import sandbox
from tdgrade.sandbox import uids

needs_root_bwrap = pytest.mark.skipif(sandbox.probe()[0] != "bwrap" or not sandbox.is_root(),
                                      reason="per-uid sandboxes need bwrap run as root")


def test_leases_are_exclusive_between_processes(tmp_path):
    held = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from tdgrade.sandbox.uids import Lease\n"
        f"lease = Lease(Path({str(tmp_path)!r})); print(lease.uid(0), flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True)
    try:
        other_uid = int(held.stdout.readline())
        mine = uids.Lease(tmp_path)
        assert mine.uid(0) != other_uid
        assert {mine.uid(s) for s in range(uids.BLOCK)}.isdisjoint({other_uid + s for s in range(uids.BLOCK)})
        mine.release()
    finally:
        held.kill()
        held.wait()
    # a killed holder frees its block at once (the kernel drops its flock)
    again = uids.Lease(tmp_path)
    assert again.uid(0) == other_uid
    again.release()
    with pytest.raises(ValueError):
        uids.Lease(tmp_path).uid(uids.BLOCK)


@needs_root_bwrap
def test_fork_bomb_in_one_run_leaves_another_run_intact(tmp_path):
    lab, _other = copy_labs(tmp_path / "labs")
    G = grade_cases
    bomb = G.dump(G.nb_of(G.SETUP, G.Q1, "import os, time\nwhile True:\n    try:\n        os.fork()\n"
                                         "    except OSError:\n        time.sleep(0.01)", G.Q2, G.Q3))
    # The honest notebook keeps starting threads for 25 s (its last answer depends on it) while the
    # other run's bomb pins its uid's task count: with a shared uid its threads would fail.
    honest = G.dump(G.nb_of(G.SETUP, G.Q1, G.Q2, "import threading, time\nend = time.time() + 25\n"
                            "while time.time() < end:\n    ts = [threading.Thread(target=time.sleep, args=(0.05,)) "
                            "for _ in range(20)]\n    [t.start() for t in ts]; [t.join() for t in ts]\n" + G.Q3))
    runs = {}
    for name, data in (("honest", honest), ("bomb", bomb)):
        folder = tmp_path / f"class-{name}"
        folder.mkdir()
        (folder / f"{name}.ipynb").write_bytes(data)
        runs[name] = subprocess.Popen([sys.executable, str(CORPUS / "grade_fake.py"), str(lab.root),
                                       str(tmp_path / f"out-{name}"), str(folder), "--timeout", "60"],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if name == "honest":
            time.sleep(8)  # its kernel is in the thread loop by now
    logs = {name: proc.communicate(timeout=300)[0] for name, proc in runs.items()}
    assert all(proc.returncode == 0 for proc in runs.values()), logs
    bomb_res, _ = results_by_id(tmp_path / "out-bomb")
    honest_res, _ = results_by_id(tmp_path / "out-honest")
    # Either limit may stop a fork bomb first: each fork also takes memory, and on a machine loaded
    # by other jobs the memory watchdog can fire before the task cap (seen once at load ~60).
    assert bomb_res["bomb"]["status"] in ("process_limit", "memory_limit"), bomb_res["bomb"]
    assert (honest_res["honest"]["status"], honest_res["honest"]["total"]) == ("graded", 5), honest_res["honest"]
