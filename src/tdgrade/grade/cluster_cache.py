"""A Dask cluster warms each JAX compile cache once: the coordinator's side (`sandbox.cache_share`
holds the worker's side and the safety rules).

At the start of a cluster run the coordinator asks every worker for its cache fingerprint (CPU
model and flags, cores, library versions, XLA flags, profile, solution) and groups the workers by
it. In each group without a ready cache ONE worker warms it from the trusted solution (a task that
holds one grading slot); the others grade without a cache meanwhile, as on one machine. Once warm,
the workers of that group still without it (a shared cache folder may already give it to them) get
a copy: the warmer packs it, Dask carries the blob from worker to worker (never through the
coordinator) and each receiver checks and installs it. A cache never leaves its group. The jobs
themselves never warm (`Context.warm_cache` is False), so no worker warms on its own.
"""
from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from dataclasses import dataclass

from ..sandbox import cache_share, compile_cache
from .settings import worker_context

PRIORITY = 10  # cache tasks run before the grading tasks queued on the same worker
LOST_CHECK = 10.0  # seconds between two looks for workers that left


# ---------------------------------------------------------------- tasks (run on the workers)


def survey_task(ctx, dask_worker=None) -> cache_share.Holding:
    """Through `Client.run`: Dask passes the worker, whose thread count sets the job's XLA flags."""
    return cache_share.survey(worker_context(ctx, dask_worker.state.nthreads if dask_worker else None))


def warm_task(ctx) -> cache_share.Warmed:
    return cache_share.warm_or_wait(worker_context(ctx))


def pack_task(ctx) -> cache_share.Shipment:
    return cache_share.pack(worker_context(ctx))


def checksum_task(shipment: cache_share.Shipment) -> str:
    """Runs on the sender: the coordinator learns the checksum without fetching the blob."""
    return shipment.sha256


def install_task(ctx, shipment: cache_share.Shipment, sha256: str, source: str) -> str:
    return cache_share.install(worker_context(ctx), shipment, sha256, source)


# ---------------------------------------------------------------- the coordinator


@dataclass
class _Task:
    kind: str  # warm | checksum | install
    group: str  # fingerprint digest
    worker: str  # the address it is pinned to
    future: object


@dataclass
class _Group:
    workers: list[str]
    receivers: list[str] = dataclasses.field(default_factory=list)  # waiting for the copy being made
    packed: object = None  # the blob's future, kept on the sender until its copies are installed
    source: str = ""
    installed: int = 0


class ClusterCache:
    """The compile caches of one cluster run. `start` submits the warm-ups; `done` moves a finished
    cache task on (returns the tasks it submitted); `lost` drops tasks of workers that left;
    `finish` waits, bounded, for what is still warming or copying once grading is over."""

    def __init__(self, client, ctx):
        self.client, self.ctx = client, dataclasses.replace(ctx, warm_cache=False)
        self.tasks: dict[str, _Task] = {}
        self.groups: dict[str, _Group] = {}
        self._checked = time.monotonic()

    def owns(self, future) -> bool:
        return future.key in self.tasks

    def holds_slot(self, future) -> bool:
        """A warm-up keeps its worker's thread busy for as long as a few submissions."""
        return future.key in self.tasks and self.tasks[future.key].kind == "warm"

    def start(self) -> list:
        """Survey the workers, submit one warm-up per fingerprint lacking a cache (or a copy from a
        worker that has it); the futures submitted."""
        try:
            if not compile_cache.wanted(self.ctx):
                return []
        except Exception:  # noqa: BLE001 - an unreadable solution: the workers warn, as on one machine
            return []
        found = self._survey(None)
        by_fp: dict[str, list[str]] = defaultdict(list)
        for address, held in sorted(found.items()):
            if not isinstance(held, cache_share.Holding):
                _warn(f"no JAX compile cache on {address}: {type(held).__name__}: {held}")
            elif held.state == "none":
                if held.detail:
                    _warn(f"no JAX compile cache on {address}: {held.detail}")
            else:
                by_fp[held.fingerprint].append(address)
        submitted, lab = [], self.ctx.lab_name
        for fp, workers in by_fp.items():
            self.groups[fp] = _Group(workers)
            ready = [a for a in workers if found[a].state == "ready"]
            lacking = [a for a in workers if a not in ready]
            if ready and lacking:
                _say(f"JAX compile cache for {lab}: ready on {ready[0]}, copying it to {len(lacking)} "
                     f"worker(s) of the same machine type")
                submitted += self._ship(fp, ready[0], lacking)
            elif not ready:
                # One warming there already (another run on that host) is waited for, not doubled.
                warmer = next((a for a in workers if found[a].state == "warming"), workers[0])
                copies = (f", then copied to the {len(workers) - 1} other worker(s) of that type, which grade "
                          "without it meanwhile" if len(workers) > 1 else "")
                _say(f"warming the JAX compile cache for {lab} on {warmer} (once for its machine type{copies})")
                submitted.append(self._submit("warm", fp, warmer, warm_task, self.ctx))
        if len(by_fp) > 1 and submitted:
            _say(f"JAX compile cache for {lab}: {len(by_fp)} machine types among the workers, one cache each")
        return submitted

    def done(self, future) -> list:
        task = self.tasks.pop(future.key)
        group, lab = self.groups[task.group], self.ctx.lab_name
        try:
            value, error = future.result(), None
        except Exception as exc:  # noqa: BLE001 - a worker lost, a disk fault: grading goes on without
            value, error = None, f"{type(exc).__name__}: {exc}"
        if task.kind == "warm":
            if error or not value.ok:
                _warn(f"could not warm the JAX compile cache for {lab} on {task.worker}: {error or value.why}; "
                      f"its {len(group.workers)} worker(s) grade without it")
                return []
            _say(f"JAX compile cache for {lab} ready on {task.worker}"
                 + ("" if value.already else f" in {value.seconds:.0f} s") + f" ({value.files} files, "
                 f"{value.size / 1e6:.1f} MB)")
            others = [a for a in group.workers if a != task.worker]
            if not others:
                return []
            # A folder the workers share may already hold it for them.
            found = self._survey(others)
            lacking = [a for a in others if getattr(found.get(a), "state", "") != "ready"]
            return self._ship(task.group, task.worker, lacking) if lacking else []
        if task.kind == "checksum":
            if error:
                _warn(f"could not pack the JAX compile cache for {lab} on {task.worker}: {error}")
                group.packed = None
                return []
            return [self._submit("install", task.group, r, install_task, self.ctx, group.packed, value,
                                 group.source) for r in group.receivers]
        if error:
            _warn(f"could not copy the JAX compile cache for {lab} to {task.worker}: {error}")
        elif value == "installed":
            group.installed += 1
        if not any(t.group == task.group and t.kind == "install" for t in self.tasks.values()):
            group.packed = None  # every copy made: the blob leaves the sender's memory
            if group.installed:
                _say(f"JAX compile cache for {lab} copied from {group.source} to {group.installed} worker(s)")
        return []

    def lost(self, force: bool = False) -> list[str]:
        """Cancel the tasks pinned to workers that left (a warm-up there would wait forever); their keys."""
        if not self.tasks or (not force and time.monotonic() - self._checked < LOST_CHECK):
            return []
        self._checked = time.monotonic()
        try:
            alive = set(self.client.scheduler_info().get("workers", {}))
        except Exception:  # noqa: BLE001 - the scheduler did not answer this time: look again later
            return []
        gone = [key for key, t in self.tasks.items() if t.worker not in alive]
        for key in gone:
            task = self.tasks.pop(key)
            task.future.cancel()
            _warn(f"{task.worker} left during the JAX compile cache's {task.kind}; workers of its machine type "
                  "may grade without it in this run (the next run completes it)")
        return gone

    def finish(self, timeout: float) -> None:
        """Once grading is over: let the warm-ups and copies end (later runs reuse them), at most `timeout` s."""
        from distributed import wait

        if not self.tasks:
            return
        _say("waiting for the JAX compile cache to be warmed or copied (kept for the next runs)")
        deadline = time.monotonic() + timeout
        while self.tasks and time.monotonic() < deadline:
            try:
                finished = wait([t.future for t in self.tasks.values()], timeout=5, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                finished = set()
            for future in finished:
                if future.key in self.tasks:
                    self.done(future)
            self.lost(force=True)
        for task in self.tasks.values():
            task.future.cancel()
            _warn(f"gave up waiting for the JAX compile cache on {task.worker} ({task.kind})")
        self.tasks.clear()

    def cancel(self) -> None:
        for task in self.tasks.values():
            task.future.cancel()
        self.tasks.clear()

    def _survey(self, workers: list[str] | None) -> dict:
        """{address: Holding or the error it raised}; {} when the cluster cannot be asked."""
        try:
            return self.client.run(survey_task, self.ctx, workers=workers, on_error="return")
        except Exception as exc:  # noqa: BLE001 - a worker lost mid-call: grade without copies, say so
            _warn(f"could not ask the workers about the JAX compile cache ({type(exc).__name__}: {exc})")
            return {}

    def _ship(self, fp: str, source: str, receivers: list[str]) -> list:
        group = self.groups[fp]
        group.receivers, group.source, group.installed = list(receivers), source, 0
        group.packed = self.client.submit(pack_task, self.ctx, workers=[source], allow_other_workers=False,
                                          pure=False, priority=PRIORITY)
        return [self._submit("checksum", fp, source, checksum_task, group.packed)]

    def _submit(self, kind: str, fp: str, worker: str, fn, *args):
        future = self.client.submit(fn, *args, workers=[worker], allow_other_workers=False, pure=False,
                                    priority=PRIORITY)
        self.tasks[future.key] = _Task(kind, fp, worker, future)
        return future


def _say(text: str) -> None:
    compile_cache.say(text)


def _warn(text: str) -> None:
    compile_cache.say("warning: " + text, warning=True)
