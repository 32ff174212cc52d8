"""Each grading slot runs on its own cores (tdgrade.sandbox.cpus): XLA sizes its CPU thread pool
from the affinity mask, not from XLA_FLAGS, so the pinning is what caps a kernel's threads."""
import os
import subprocess
import sys
import threading

from tdgrade.common.machine import core_ids
from tdgrade.grade import pool
from tdgrade.sandbox import cpus


def test_slots_split_the_cores_and_pin_nothing_when_they_do_not_fit():
    assert cpus.for_slot(0, 1, 2, cores=[0, 1]) == {0}
    assert cpus.for_slot(1, 1, 2, cores=[0, 1]) == {1}
    assert cpus.for_slot(1, 2, 2, cores=[4, 5, 6, 7]) == {6, 7}
    assert cpus.for_slot(0, 2, 1, cores=[3, 1]) == {1, 3}
    assert cpus.for_slot(0, 1, 3, cores=[0, 1]) is None  # more workers than cores: the grader's choice
    assert cpus.for_slot(2, 1, 2, cores=[0, 1]) is None  # no such slot
    assert cpus.for_slot(0, 1, 1, cores=[]) is None


def _child_cores() -> set[int]:
    out = subprocess.run([sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
                         capture_output=True, text=True, check=True).stdout
    return set(eval(out))  # noqa: S307 - our own child's list of ints


def test_a_pinned_thread_s_children_inherit_its_cores_and_the_mask_comes_back():
    cores = core_ids()
    assert cores, "no affinity mask on this machine"
    before = os.sched_getaffinity(0)
    seen = {}

    def pinned_thread():
        with cpus.pinned({cores[-1]}) as held:
            seen["held"], seen["child"] = held, _child_cores()
        seen["after"] = os.sched_getaffinity(0)

    t = threading.Thread(target=pinned_thread)
    t.start()
    seen["other thread meanwhile"] = os.sched_getaffinity(0)
    t.join()
    assert seen["held"] == {cores[-1]} and seen["child"] == {cores[-1]}
    assert seen["after"] == before and seen["other thread meanwhile"] == before
    with cpus.pinned(None) as held:
        assert held is None and os.sched_getaffinity(0) == before


def test_local_workers_grade_on_their_own_cores(monkeypatch):
    from types import SimpleNamespace

    from tdgrade.grade import worker

    cores = core_ids()
    jobs = min(2, len(cores))
    seen, lock = {}, threading.Lock()
    barrier = threading.Barrier(jobs, timeout=30)  # both slots in flight at once

    def fake_grade(ctx, sub, key, slot, stop):
        barrier.wait()
        with lock:
            seen[slot] = _child_cores()
        raise worker.Interrupted()

    monkeypatch.setattr(worker, "grade_submission", fake_grade)
    todo = [(SimpleNamespace(student_id=f"s{i}"), f"k{i}") for i in range(jobs)]
    pool.run_local(SimpleNamespace(threads=1), todo, jobs, threading.Event(), lambda sub: None, lambda *a: None)
    assert seen == {slot: {cores[slot]} for slot in range(jobs)}
