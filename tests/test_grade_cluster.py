"""`tdgrade grade --cluster`: a real Dask LocalCluster (worker processes on loopback) grades the fake
lab exactly as the local pool does, and a worker killed mid-run loses nothing."""
import os
import threading
import time

import pytest

from grade_helpers import copy_labs, grade_cases, results_by_id, run_grade

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def _class(folder, **notebooks):
    folder.mkdir(parents=True)
    for sid, data in notebooks.items():
        (folder / f"{sid}.ipynb").write_bytes(data)
    return folder


def _summary(out):
    res, dups = results_by_id(out)
    return {sid: (r["status"], r["total"], [q["score"] for q in r["questions"]]) for sid, r in res.items()}, dups


def test_cluster_grades_like_the_local_pool(tmp_path, client):
    lab, other = copy_labs(tmp_path / "labs")
    sol = (lab.solutions_dir / "fakelab.ipynb").read_bytes()
    half = grade_cases.dump(grade_cases.nb_of(grade_cases.SETUP, grade_cases.Q1))
    crash = grade_cases.dump(grade_cases.nb_of(grade_cases.SETUP, grade_cases.Q1, "import os\nos._exit(1)",
                                               grade_cases.Q2, grade_cases.Q3))
    folder = _class(tmp_path / "class", alice=sol, bob=(lab.release_dir / "fakelab.ipynb").read_bytes(),
                    carol=half, dave=crash)
    rc_local, log_local = run_grade(lab, other, [folder], tmp_path / "local")
    rc_dask, log_dask = run_grade(lab, other, [folder], tmp_path / "dask", cluster=client)
    assert rc_local == rc_dask == 0, (log_local, log_dask)
    assert "Dask cluster" in log_dask
    local, dask = _summary(tmp_path / "local"), _summary(tmp_path / "dask")
    assert dask == local
    assert local[0]["alice"][:2] == ("graded", 5) and local[0]["bob"][1] == 0
    for name in ("grades.csv", "moodle.csv", "report.html"):
        assert (tmp_path / "dask" / name).is_file()
    assert (tmp_path / "dask" / "notebooks" / "alice.ipynb").is_file()
    # resume works the same: nothing is graded again
    rc, log = run_grade(lab, other, [folder], tmp_path / "dask", cluster=client)
    assert rc == 0 and "4 already graded" in log, log


def test_killed_worker_loses_nothing(tmp_path, client):
    lab, other = copy_labs(tmp_path / "labs")
    sol = (lab.solutions_dir / "fakelab.ipynb").read_bytes()
    slow = grade_cases.dump(grade_cases.nb_of(grade_cases.SETUP, "import time\ntime.sleep(8)", grade_cases.Q1,
                                              grade_cases.Q2, grade_cases.Q3))
    folder = _class(tmp_path / "class", a_slow=slow, b_slow=slow, c_sol=sol)
    killed = []

    def kill_a_busy_worker():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not killed:
            busy = {w: p for w, p in client.processing().items() if p}
            if busy:
                time.sleep(2)  # the submission is running in its sandbox by now
                address = sorted(busy)[0]
                pid = client.run(os.getpid, workers=[address])[address]
                os.kill(pid, 9)
                killed.append(address)
            time.sleep(0.2)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    rc, log = run_grade(lab, other, [folder], tmp_path / "out", cluster=client, timeout=60)
    killer.join()
    assert killed, "no worker was killed"
    assert rc == 0, log
    summary, _ = _summary(tmp_path / "out")
    assert {sid: s[:2] for sid, s in summary.items()} == {"a_slow": ("graded", 5), "b_slow": ("graded", 5),
                                                          "c_sol": ("graded", 5)}
    client.wait_for_workers(2, timeout=60)  # the nanny restarts the killed worker
