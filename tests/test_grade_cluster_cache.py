"""A Dask cluster warms each JAX compile cache once (`grade.cluster_cache`, `sandbox.cache_share`).

End to end: a real LocalCluster of three worker processes, each with its own cache folder (three
machines): two with the same fingerprint, one restricted to one core (another fingerprint: other
XLA flags and core count). The tiny Keras-on-JAX lab of test_grade_compile_cache is warmed once per
fingerprint in the whole cluster; the twin gets a byte-identical copy, the odd one out never does;
on the next run every job has a cache and compiles nothing new. The units check what a receiver
refuses (another fingerprint, a wrong checksum, a path out of its folder) without JAX kernels.
"""
import hashlib
import io
import os
import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from grade_helpers import copy_labs, results_by_id, run_grade
from test_grade_compile_cache import LISTING, SETUP, TRAIN, listings, make_jax_lab, submit, tree_hash
from tdgrade.grade import cluster_cache
from tdgrade.sandbox import cache_share, compile_cache

distributed = pytest.importorskip("distributed")

HONEST = (LISTING.format(tag="BEFORE"), SETUP, TRAIN, LISTING.format(tag="AFTER"))


def _set_env(name, value):
    os.environ[name] = value


def _one_core():
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def _folders(root: Path) -> dict[str, Path]:
    return {p.name: p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")} if root.is_dir() else {}


@pytest.mark.slow  # a 3-worker LocalCluster grading twice: ~3 min, beyond the default tier's budget
@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs two cores to give one worker another fingerprint")
def test_a_cluster_warms_once_per_fingerprint_and_copies_it_to_the_twins(tmp_path):
    lab = make_jax_lab(tmp_path / "lab")
    _fakelab, other = copy_labs(tmp_path / "labs")
    roots = {name: tmp_path / f"cache-{name}" for name in ("twin1", "twin2", "odd")}
    cluster = distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    with distributed.Client(cluster) as client:
        try:
            addresses = sorted(client.scheduler_info()["workers"])
            worker_of = dict(zip(roots, addresses))
            for name, address in worker_of.items():
                client.run(_set_env, compile_cache.ROOT_ENV, str(roots[name]), workers=[address])
            client.run(_one_core, workers=[worker_of["odd"]])
            first_class = submit(tmp_path / "class1", "alice", *HONEST)  # one is enough to start the warm-ups
            rc, log = run_grade(lab, other, [first_class], tmp_path / "out1", cluster=client, timeout=120,
                                memory="3G")
            assert rc == 0, log
            # Once per fingerprint in the whole cluster: two machine types, two warm-ups, one copy.
            assert log.count("warming the JAX compile cache for jaxlab") == 2, log
            assert "copied from" in log and "to 1 worker(s)" in log, log
            twin1, twin2, odd = (_folders(roots[n]) for n in ("twin1", "twin2", "odd"))
            assert len(twin1) == len(twin2) == len(odd) == 1, (twin1, twin2, odd)
            assert twin1.keys() == twin2.keys() and not odd.keys() & twin1.keys()
            [t1], [t2], [o] = twin1.values(), twin2.values(), odd.values()
            assert tree_hash(t1) == tree_hash(t2), "the copy differs from the warmed cache"
            received = [p for p in (t1, t2) if p.with_name(p.name + ".received.json").is_file()]
            assert len(received) == 1, "one twin warmed, the other received it"
            assert not o.with_name(o.name + ".received.json").exists()
            assert not list(roots["odd"].glob(f"{t1.name}*")), "a cache went to another fingerprint"
            first = results_by_id(tmp_path / "out1")[0]
            assert all(r["status"] == "graded" and r["total"] == 2.0 for r in first.values()), first
            assert all(isinstance(r.get("compile_cache"), bool) for r in first.values()), first

            folder = tmp_path / "class2"
            for sid in ("alice", "bob", "carol"):  # one per worker, most likely: each is checked where it ran
                submit(folder, sid, *HONEST)
            with distributed.get_task_stream(client) as stream:
                rc, log = run_grade(lab, other, [folder], tmp_path / "out2", cluster=client, timeout=120,
                                    memory="3G")
            assert rc == 0, log
            assert "warming" not in log and "copied" not in log, log
            ran_on = {t["key"].split("-")[1]: t["worker"] for t in stream.data
                      if str(t["key"]).startswith("tdgrade-")}
            second = results_by_id(tmp_path / "out2")[0]
            names = {worker_of[n]: sorted(p.name for p in f.iterdir()) for n, f in
                     (("twin1", t1), ("twin2", t2), ("odd", o))}
            for sid, res in second.items():
                assert res["status"] == "graded" and res["compile_cache"] is True, res
                seen = listings(tmp_path / "out2", sid)
                assert seen["BEFORE"] == names[ran_on[sid]], (sid, seen)  # its own worker's cache
                assert seen["AFTER"] == seen["BEFORE"], (sid, "compiled programs the cache did not hold")
        finally:
            cluster.close()


# ---------------------------------------------------------------- units: pack and install


def _ctx(lab, threads: int) -> SimpleNamespace:
    return SimpleNamespace(lab_name=lab.name, profile="smoke", threads=threads,
                           solution_notebook=lab.solutions_dir / lab.notebook_name)


@pytest.fixture
def warmed(tmp_path, monkeypatch):
    """(lab, a worker context, a shipment of its fake ready cache); caches under tmp_path/src."""
    monkeypatch.delenv(compile_cache.DISABLE_ENV, raising=False)
    monkeypatch.setenv(compile_cache.ROOT_ENV, str(tmp_path / "src"))
    lab = make_jax_lab(tmp_path / "lab")
    ctx = _ctx(lab, 2)
    plan = compile_cache.plan_for(ctx)
    (plan.folder / "sub").mkdir(parents=True)
    (plan.folder / "jit_f-abc-cache").write_bytes(b"program")
    (plan.folder / "sub" / "nested").write_bytes(b"more")
    assert cache_share.survey(ctx).state == "ready"
    shipment = cache_share.pack(ctx)
    monkeypatch.setenv(compile_cache.ROOT_ENV, str(tmp_path / "dst"))  # now "another machine"
    return lab, ctx, shipment


def test_a_receiver_installs_a_verified_copy_once(tmp_path, warmed):
    lab, ctx, shipment = warmed
    assert shipment.files == 2 and shipment.sha256 == hashlib.sha256(shipment.data).hexdigest()
    assert cache_share.survey(ctx).state == "absent"
    assert cache_share.install(ctx, shipment, shipment.sha256, "tcp://sender") == "installed"
    [folder] = _folders(tmp_path / "dst").values()
    assert tree_hash(folder) == tree_hash(tmp_path / "src" / folder.name)
    assert '"from": "tcp://sender"' in folder.with_name(folder.name + ".received.json").read_text()
    assert cache_share.survey(ctx).state == "ready"
    assert cache_share.install(ctx, shipment, shipment.sha256) == "present"
    assert compile_cache.for_job(SimpleNamespace(**vars(ctx), warm_cache=False)) == folder


def test_a_receiver_refuses_another_fingerprint_a_wrong_checksum_and_bad_entries(tmp_path, warmed):
    lab, ctx, shipment = warmed
    with pytest.raises(cache_share.ShareError, match="another fingerprint"):
        cache_share.install(_ctx(lab, 1), shipment, shipment.sha256)  # other XLA threads: other programs
    with pytest.raises(cache_share.ShareError, match="checksum"):
        cache_share.install(ctx, shipment, "0" * 64)
    damaged = shipment.__class__(**{**vars(shipment), "data": shipment.data[:-1024]})
    with pytest.raises(cache_share.ShareError, match="checksum"):
        cache_share.install(ctx, damaged, shipment.sha256)
    for name, kind in (("../escaped", tarfile.REGTYPE), ("/abs", tarfile.REGTYPE), ("link", tarfile.SYMTYPE)):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.size = kind, "/etc/passwd" if kind == tarfile.SYMTYPE else "", 0
            tar.addfile(info, io.BytesIO(b""))
        data = buf.getvalue()
        sha = hashlib.sha256(data).hexdigest()
        evil = shipment.__class__(**{**vars(shipment), "data": data, "sha256": sha})
        with pytest.raises(cache_share.ShareError, match="unexpected entry"):
            cache_share.install(ctx, evil, sha)
    assert not _folders(tmp_path / "dst"), "a refused blob left a cache folder"
    assert not (tmp_path / "escaped").exists() and not list((tmp_path / "dst").glob(".receiving-*"))


def test_jobs_on_a_cluster_never_warm_on_their_own(tmp_path, monkeypatch):
    monkeypatch.delenv(compile_cache.DISABLE_ENV, raising=False)
    monkeypatch.setenv(compile_cache.ROOT_ENV, str(tmp_path / "cache"))
    lab = make_jax_lab(tmp_path / "lab")
    calls = []
    monkeypatch.setattr(compile_cache, "warm", lambda *a, **k: calls.append(a) or "not expected")
    assert compile_cache.for_job(SimpleNamespace(**vars(_ctx(lab, 1)), warm_cache=False)) is None
    assert not calls


# ---------------------------------------------------------------- units: the coordinator's plan


class _Future:
    def __init__(self, key, fn, args, worker):
        self.key, self.fn, self.args, self.worker = key, fn, args, worker
        self.value, self.cancelled = None, False

    def result(self):
        if isinstance(self.value, Exception):
            raise self.value
        return self.value

    def cancel(self):
        self.cancelled = True


class _Client:
    """What `ClusterCache` asks of a `distributed.Client`: run (the survey), submit, scheduler_info."""

    def __init__(self, holdings):
        self.holdings, self.submitted, self.alive = holdings, [], set(holdings)

    def run(self, fn, ctx, workers=None, on_error="raise"):
        assert fn is cluster_cache.survey_task and ctx.warm_cache is False
        return {a: h for a, h in self.holdings.items() if workers is None or a in workers}

    def submit(self, fn, *args, workers, allow_other_workers, pure, priority):
        assert len(workers) == 1 and allow_other_workers is False and priority > 0
        fut = _Future(f"{fn.__name__}-{len(self.submitted)}", fn, args, workers[0])
        self.submitted.append(fut)
        return fut

    def scheduler_info(self):
        return {"workers": {a: {} for a in self.alive}}


def _context(tmp_path):
    from tdgrade.grade.settings import Context

    lab = make_jax_lab(tmp_path / "lab")
    return Context(lab_name=lab.name, notebook_name=lab.notebook_name, release_dir=lab.release_dir,
                   tests_dir=lab.tests_dir, outdir=tmp_path / "out", profile="smoke", mode="rlimits", names=[],
                   questions={}, timeout=60, memory=1 << 30, solution_notebook=lab.solutions_dir / lab.notebook_name)


@pytest.fixture
def coordinator(tmp_path, monkeypatch):
    monkeypatch.delenv(compile_cache.DISABLE_ENV, raising=False)
    H = cache_share.Holding
    client = _Client({"A": H("absent", "fp1"), "B": H("absent", "fp1"), "C": H("ready", "fp2"),
                      "D": H("absent", "fp2"), "E": H("none")})
    said = []
    with compile_cache.reporting(said.append):
        yield client, cluster_cache.ClusterCache(client, _context(tmp_path)), said


def test_the_coordinator_warms_once_per_fingerprint_and_copies_within_it(coordinator):
    client, cache, said = coordinator
    started = cache.start()
    warms = [f for f in started if f.fn is cluster_cache.warm_task]
    assert [f.worker for f in warms] == ["A"] and cache.holds_slot(warms[0])  # fp2 is ready on C: no warm-up
    [pack_c] = [f for f in client.submitted if f.fn is cluster_cache.pack_task]
    assert pack_c.worker == "C"
    assert sum("warming" in line for line in said) == 1, said

    warms[0].value = cache_share.Warmed(True, seconds=3, files=2, size=10)
    [checksum] = cache.done(warms[0])
    assert checksum.fn is cluster_cache.checksum_task and checksum.worker == "A"
    checksum.value = "abc"
    [install] = cache.done(checksum)
    assert install.fn is cluster_cache.install_task and install.worker == "B"
    assert install.args[2:] == ("abc", "A")  # the checksum read on the sender, and who sent it
    install.value = "installed"
    assert cache.done(install) == []
    assert any("copied from A to 1 worker(s)" in line for line in said), said
    assert not any(f.worker in ("D", "E") and f.fn is cluster_cache.warm_task for f in client.submitted)


def test_a_shared_folder_needs_no_copy(coordinator):
    client, cache, said = coordinator
    [warm] = [f for f in cache.start() if f.fn is cluster_cache.warm_task]
    client.holdings["B"] = cache_share.Holding("ready", "fp1")  # B sees A's folder: one shared cache root
    warm.value = cache_share.Warmed(True, seconds=3, files=2, size=10)
    assert cache.done(warm) == []
    assert not [f for f in client.submitted if f.fn is cluster_cache.pack_task and f.worker == "A"]


def test_a_warmer_that_left_is_given_up_and_its_slot_freed(coordinator):
    client, cache, said = coordinator
    [warm] = [f for f in cache.start() if f.fn is cluster_cache.warm_task]
    assert cache.lost(force=True) == []
    client.alive.discard("A")  # killed: its pinned warm-up would wait forever for a worker at that address
    assert warm.key in cache.lost(force=True)
    assert warm.cancelled and not cache.owns(warm)
    assert any("A left during the JAX compile cache's warm" in line for line in said), said
    cache.cancel()
