"""Where submissions are graded: a local thread pool (default) or a Dask cluster (`--cluster`).

Both run the same `worker.grade_submission` in its own sandbox; the coordinator (this process)
writes each result atomically the moment it arrives, so resume, Ctrl-C and the gradebook behave
the same whichever executor ran the submission.

Slots: at most `jobs` submissions are in flight, each holding a slot number; the slot picks the
sandbox uid, so two submissions in flight never share one (on one machine or several).

Stopping: Ctrl-C, or SIGTERM (turned into KeyboardInterrupt), stops the workers; `Pool.run` then
returns True. Results already handed to `finish` are kept; the others are graded on the next run.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import queue
import signal
import threading
import traceback
from dataclasses import dataclass
from typing import Callable

from ..gradebook.result import Result, Status
from ..sandbox import cpus
from .settings import worker_context

# A Dask worker lost while grading is retried this many times; then the submission ends `grader_error`.
CLUSTER_RETRIES = 2


@dataclass
class Outcome:
    """What a run of `grade_submission` gave: the result and the executed notebook."""
    result: Result | None  # None: interrupted, no result (graded again on the next run)
    notebook: object | None = None


Finish = Callable[[object, Outcome], None]  # called in the coordinator as each submission ends


def _error_result(worker, ctx, sub, key, detail: str) -> Result:
    res = worker.base_result(ctx, sub, key)
    res["status"], res["status_detail"] = Status.GRADER_ERROR.value, detail[-3000:]
    res["questions"] = worker._zero_questions(ctx, "Correction impossible (erreur du correcteur).")
    return Result.from_json(res)


def _typed(res) -> Result:
    """A Result, also from a Dask worker (which sends JSON)."""
    return res if isinstance(res, Result) else Result.from_json(res)


def run_local(ctx, todo: list, jobs: int, stop: threading.Event, started: Callable, finish: Finish) -> None:
    """Grade `todo` [(submission, key)] in `jobs` threads; KeyboardInterrupt stops and propagates."""
    from . import worker

    slots: queue.Queue = queue.Queue()
    for i in range(jobs):
        slots.put(i)

    def task(sub, key):
        if stop.is_set():
            return
        slot = slots.get()
        try:
            started(sub)
            try:
                # the slot's own cores, inherited by everything this thread starts (sandbox/cpus.py)
                with cpus.pinned(cpus.for_slot(slot, ctx.threads, jobs)):
                    res, nb = worker.grade_submission(ctx, sub, key, slot, stop)
                res = _typed(res)
            except worker.Interrupted:
                return
            except Exception:  # noqa: BLE001 - a grader bug: recorded, never a silent zero
                if stop.is_set():
                    return
                res, nb = _error_result(worker, ctx, sub, key, traceback.format_exc()), None
            finish(sub, Outcome(res, nb))
        finally:
            slots.put(slot)

    pool = cf.ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="tdgrade-worker")
    futures = [pool.submit(task, sub, key) for sub, key in todo]
    try:
        pending = set(futures)
        while pending:
            _done, pending = cf.wait(pending, timeout=0.5)
    except KeyboardInterrupt:
        stop.set()
        for f in futures:
            f.cancel()
        raise
    finally:
        pool.shutdown(wait=True)


def grade_remote(ctx, sub, key: str, slot: int) -> tuple[dict, str | None]:  # JSON: what travels best
    """Runs on a Dask worker: one submission, TensorFlow/BLAS threads capped by that worker's cores."""
    import nbformat

    from . import worker

    ctx = worker_context(ctx)
    try:
        res, nb = worker.grade_submission(ctx, sub, key, slot, None)
    except Exception:  # noqa: BLE001 - a grader bug on that worker: recorded like a local one
        return _error_result(worker, ctx, sub, key, traceback.format_exc()).to_json(), None
    return res.to_json(), (nbformat.writes(nb) if nb is not None else None)


def cluster_slots(client) -> int:
    """Submissions in flight on the cluster: one per worker thread."""
    return max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info().get("workers", {}).values()))


def run_dask(ctx, todo: list, client, stop: threading.Event, started: Callable, finish: Finish) -> None:
    """Grade `todo` on a Dask cluster through `client`; results are handed to `finish` as they come."""
    import nbformat
    from distributed import as_completed

    from . import worker
    from .cluster_cache import ClusterCache

    slots = list(range(cluster_slots(client)))[::-1]
    waiting = list(todo)[::-1]
    running = as_completed()
    owner = {}
    cache = ClusterCache(client, ctx)  # one warm-up per machine type, copied to the others
    ctx = cache.ctx  # the jobs never warm a cache themselves
    held = {}  # warm-up task key -> the slot it holds

    def submit_next():
        sub, key = waiting.pop()
        slot = slots.pop()
        fut = client.submit(grade_remote, ctx, sub, key, slot, pure=False, retries=CLUSTER_RETRIES,
                            key=f"tdgrade-{sub.student_id}-{key[:12]}-{slot}")
        owner[fut.key] = (sub, key, slot)
        running.add(fut)
        started(sub)

    def release(keys):
        for k in keys:
            if k in held:
                slots.append(held.pop(k))
        while waiting and slots and not stop.is_set():
            submit_next()

    try:
        for fut in cache.start() if todo else []:
            if cache.holds_slot(fut) and len(slots) > 1:  # never all: grading results must keep coming
                held[fut.key] = slots.pop()
            running.add(fut)
        while waiting and slots:
            submit_next()
        for fut in running if owner else []:
            if cache.owns(fut):
                running.update(cache.done(fut))
                release([fut.key])
                continue
            if fut.key not in owner:
                continue  # a cache task given up on (its worker left)
            sub, key, slot = owner.pop(fut.key)
            slots.append(slot)
            try:
                res, text = fut.result()
                res = _typed(res)
                nb = nbformat.reads(text, as_version=4) if text is not None else None
            except Exception as exc:  # noqa: BLE001 - worker lost past the retries, or a transport error
                res, nb = _error_result(worker, ctx, sub, key, f"Dask: {type(exc).__name__}: {exc}"), None
            finish(sub, Outcome(res, nb))
            release(cache.lost())
            if not owner and not waiting:
                break  # graded: what the cache still does is waited for below, bounded
        cache.finish(timeout=ctx.timeout + 300)
    except KeyboardInterrupt:
        stop.set()
        cache.cancel()
        for fut in list(running.futures):
            fut.cancel()
        raise


def connect(address: str):
    """A Dask client for `--cluster ADDRESS`; `local` or `local:N` starts a LocalCluster of N worker
    processes (loopback only) for trying it out."""
    from distributed import Client, LocalCluster

    if address == "local" or address.startswith("local:"):
        n = int(address.partition(":")[2] or 2)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
        return Client(cluster)
    return Client(address)


class Pool:
    """The executor of one run: local threads, or a Dask cluster (an address is connected, and closed
    at the end; a `distributed.Client` given by the caller stays open)."""

    def __init__(self, cluster=None, jobs: int = 1, todo: int = 0):
        self.client = connect(cluster) if isinstance(cluster, str) else cluster
        self._owns_client = isinstance(cluster, str)
        self.slots = cluster_slots(self.client) if self.client is not None else max(1, min(jobs, todo or 1))

    def describe(self, threads: int) -> str:
        if self.client is not None:
            return f"on the Dask cluster {self.client.scheduler.address} ({self.slots} slot(s))"
        return f"with {self.slots} worker(s), {threads} thread(s) each"

    def run(self, ctx, todo: list, started: Callable, finish: Finish) -> bool:
        """Grade `todo` [(submission, key)]; True when stopped by Ctrl-C or SIGTERM."""
        stop = threading.Event()
        with _sigterm_as_interrupt():
            try:
                if self.client is not None:
                    run_dask(ctx, todo, self.client, stop, started, finish)
                else:
                    run_local(ctx, todo, self.slots, stop, started, finish)
            except KeyboardInterrupt:
                return True
            finally:
                if self._owns_client:
                    self.client.close()
        return False


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """`kill` stops a run like Ctrl-C (finished results kept); only the main thread may set handlers."""
    def _raise(signum, frame):
        raise KeyboardInterrupt()

    old = signal.signal(signal.SIGTERM, _raise) if threading.current_thread() is threading.main_thread() else None
    try:
        yield
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)
