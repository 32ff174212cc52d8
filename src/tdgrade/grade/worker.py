"""Stage 3: grade ONE submission.

normalise -> fresh work folder (`jobs`) -> notebook run in the sandbox, its values streamed out as
they are computed (`channel`, validated by `values_check`) -> hidden tests in a separate clean process
(sandboxed too) on those values -> result dict. A limit that stops the notebook still leaves the values
computed before it; nothing the sandbox writes to a file is trusted.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

from .. import sandbox
from ..execute import cell_errors
from ..gradebook.result import Result
from ..sandbox import channel, compile_cache, jobs
from . import ingest
from .settings import Context

SCHEMA = 1
# Boot of the hidden-test process (`tdgrade.hidden` loads otter's test-file classes cheaply).
HIDDEN_BOOT = """
import sys
sys.path.insert(0, {root!r})
sys.modules.setdefault("rfc3987_syntax", None)
from tdgrade.hidden import main
raise SystemExit(main(sys.argv[1:]))
"""


class Interrupted(Exception):
    """The batch is being stopped: this submission has no result and will be graded on the next run."""


# --------------------------------------------------------------------------------------------


def base_result(ctx: Context, sub: ingest.Submission, key: str) -> dict:
    return {
        "schema": SCHEMA, "student_id": sub.student_id, "submission": sub.display, "key": key,
        "lab": ctx.lab_name, "profile": ctx.profile, "status": None, "status_detail": "",
        "moodle_id": sub.moodle_id, "full_name": sub.full_name, "duplicates": list(sub.duplicates),
        "duplicate_of": sub.duplicate_of, "questions": [], "total": 0.0,
        "max_total": float(sum(ctx.questions.values())), "warnings": [], "cell_errors": [],
        "sandbox": ctx.mode, "timings": {}, "peak_rss": 0, "graded_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }


def _zero_questions(ctx: Context, message: str) -> list[dict]:
    return [{"name": q, "score": 0.0, "max_score": float(m), "passed": False,
             "cases": [{"name": q, "hidden": False, "points": float(m), "passed": False, "message": message}]}
            for q, m in ctx.questions.items()]


def run_notebook(ctx: Context, root: Path, uid: int | None, stop: threading.Event | None):
    """Execute the notebook in the sandbox; values arrive through `channel` into root/values.
    Returns (sandbox Outcome, channel.Received)."""
    bw = ctx.mode == "bwrap"
    work = jobs.SB_WORK if bw else str(root / "work")
    tmp = "/tmp" if bw else str(root / "tmp")
    guest = jobs.SB_GUEST if bw else str(jobs.Stage.get().root / "guest")
    env = jobs.kernel_env(ctx, tmp)
    data_ro, data_env = jobs.data_binds(ctx) if bw else ([], {})
    env.update(data_env)
    cache_rw, cache_env = jobs.compile_cache_view(root, bw)
    env.update(cache_env)
    watch = [root / "work", root / "out"] + ([root / jobs.JAX_CACHE] if (root / jobs.JAX_CACHE).is_dir() else [])
    link = channel.Channel(root / "values", ctx.names)
    job = {
        "notebook": f"{work}/{ctx.notebook_name}", "cwd": work, "names": list(ctx.names),
        "guest_dir": guest, "channel_fd": link.write_fd, "private_tmp": tmp,
        "kill_all": bw, "timeout": ctx.timeout, "export_timeout": ctx.export_timeout, "memory": ctx.memory,
        "nproc": ctx.nproc, "fsize": min(1 << 30, ctx.disk), "uid": uid, "env": env, "max_restarts": 2,
        "truncate_notice": "[tdgrade] sortie tronquée : cette cellule a affiché trop de texte.",
        "pdeathsig": not bw,
    }
    if not bw and sandbox.is_root():
        job["nproc"] = None  # RLIMIT_NPROC does not bind root; the watchdog counts tasks instead
    elif not sandbox.is_root():
        job["nproc"] = ctx.nproc + sandbox.user_task_count(os.getuid())
    job_path = root / "ctl" / "job.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    os.chmod(job_path, 0o600 if uid is not None else 0o644)
    limits = sandbox.Limits(wall=ctx.timeout + ctx.export_timeout * 2 + 90, memory=ctx.memory, nproc=ctx.nproc,
                            disk=ctx.disk, fsize=min(1 << 30, ctx.disk))
    common = dict(mode=ctx.mode, limits=limits, env=env, stop=stop, pass_fds=(link.write_fd,), on_start=link.start)
    try:
        if bw:
            ro = [(jobs.Stage.get().root / "guest", jobs.SB_GUEST), (root / "ctl", "/sandbox/ctl")] + data_ro
            rw = [(root / "work", jobs.SB_WORK), (root / "out", jobs.SB_OUT)] + cache_rw
            outcome = sandbox.run([sys.executable, "-I", f"{jobs.SB_GUEST}/runner.py", "/sandbox/ctl/job.json"],
                                  cwd=jobs.SB_WORK, ro=ro, rw=rw, secrets=ctx.secrets,
                                  watch_dirs=watch, tmp_dirs=[jobs.SB_KERAS_HOME],
                                  masks=jobs.editable_traces(), **common)
        else:
            for d in ("home", "jupyter", "ipython", "mpl"):
                (root / "tmp" / d).mkdir(exist_ok=True)
            outcome = sandbox.run([sys.executable, "-I", f"{guest}/runner.py", str(job_path)], cwd=work,
                                  watch_dirs=watch + [root / "tmp"], **common)
    except BaseException:
        link.close()  # the sandbox failed to start: release the pipe
        raise
    return outcome, link.close()


def run_hidden(ctx: Context, root: Path, stop: threading.Event | None) -> tuple[list[dict] | None, str, int]:
    """Hidden tests in a clean separate process (sandboxed when possible) on the received values."""
    import tdgrade

    out_file = root / "hidden" / "result.json"
    env = jobs.hidden_env(ctx)
    limits = sandbox.Limits(wall=ctx.hidden_timeout, memory=ctx.memory, nproc=ctx.nproc)
    if ctx.mode == "bwrap":
        env.update({"HOME": "/tmp", "MPLCONFIGDIR": "/tmp/mpl"})
        argv = [sys.executable, "-I", "-c", HIDDEN_BOOT.format(root=jobs.SB_LIB), "--tests", "/grader/tests",
                "--values", "/grader/values", "--profile", ctx.profile, "--out", "/grader/out/result.json"]
        data_ro, data_env = jobs.data_binds(ctx)
        env.update(data_env)
        ro = [(ctx.tests_dir, "/grader/tests"), (root / "values", "/grader/values"),
              (jobs.Stage.get().root / "lib", jobs.SB_LIB)]
        outcome = sandbox.run(argv, mode="bwrap", limits=limits, env=env, cwd="/tmp", ro=ro + data_ro,
                              rw=[(root / "hidden", "/grader/out")], stop=stop, tmp_dirs=[jobs.SB_KERAS_HOME],
                              masks=jobs.editable_traces())
    else:
        pkg = Path(tdgrade.__file__).resolve().parent
        env.update({"HOME": str(root / "tmp"), "MPLCONFIGDIR": str(root / "tmp" / "mpl_hidden")})
        argv = [sys.executable, "-I", "-c", HIDDEN_BOOT.format(root=str(pkg.parent)), "--tests", str(ctx.tests_dir),
                "--values", str(root / "values"), "--profile", ctx.profile, "--out", str(out_file)]
        outcome = sandbox.run(argv, mode="rlimits", limits=limits, env=env, cwd=str(root / "hidden"), stop=stop)
    if outcome.killed == "interrupted":
        raise Interrupted()
    if outcome.killed:
        return None, f"hidden tests killed ({outcome.killed}) after {outcome.wall:.0f} s", outcome.peak_rss
    try:
        data = json.loads(out_file.read_text(encoding="utf-8"))
        assert isinstance(data, list)
    except (OSError, ValueError, AssertionError):
        return None, f"hidden tests failed (exit {outcome.returncode}): {outcome.stderr_tail[-1500:]}", outcome.peak_rss
    return data, "", outcome.peak_rss


def _clean_questions(ctx: Context, data: list[dict]) -> list[dict]:
    by_name = {q.get("name"): q for q in data if isinstance(q, dict)}
    out = []
    for name, max_score in ctx.questions.items():
        q = by_name.get(name)
        if q is None:
            out.append({"name": name, "score": 0.0, "max_score": float(max_score), "passed": False,
                        "cases": [{"name": name, "hidden": False, "points": float(max_score), "passed": False,
                                   "message": "Question non évaluée par les tests."}]})
            continue
        score = float(q.get("score") or 0.0)
        score = min(max(score, 0.0), float(max_score))
        cases = [{"name": str(c.get("name", "")), "hidden": bool(c.get("hidden")), "passed": bool(c.get("passed")),
                  "points": float(c.get("points") or 0.0), "message": str(c.get("message") or "")[:2000]}
                 for c in q.get("cases", []) if isinstance(c, dict)]
        out.append({"name": name, "score": round(score, 4), "max_score": float(max_score),
                    "passed": bool(q.get("passed")) and score >= max_score, "cases": cases})
    return out


def _executed_notebook(raw: bytes | None, fallback_nb):
    import nbformat

    if raw:
        try:
            nb = nbformat.reads(raw.decode("utf-8", "replace"), as_version=4)
            nbformat.validate(nb)
            return nb
        except Exception:  # noqa: BLE001 - the student may have damaged it
            pass
    return fallback_nb


def _int_list(value) -> list[int]:
    return [v for v in value if isinstance(v, int)][:10] if isinstance(value, list) else []


def decide_status(outcome, st: dict, errors: list[dict]) -> tuple[str, str]:
    """(status, detail) from the sandbox outcome (trusted) and the runner's account."""
    deaths = _int_list(st.get("deaths"))
    timeout_cell = st.get("timeout_cell") if isinstance(st.get("timeout_cell"), int) else None
    mem_error = any(e["ename"] == "MemoryError" for e in errors)
    if outcome.killed == "memory":
        return "memory_limit", ""
    if outcome.killed == "nproc":
        return "process_limit", ""
    if outcome.killed == "disk":
        return "disk_limit", ""
    # The time budget before a caught MemoryError: the skipped cells are what cost the points, so the
    # student must read "temps dépassé", not a memory message about a cell that went on.
    if outcome.killed == "timeout" or st.get("timed_out") is True:
        return "timeout", "" if timeout_cell is None else str(timeout_cell)
    if outcome.killed is None and mem_error:
        return "memory_limit", ""
    if deaths or st.get("deaths"):
        return "kernel_died", ",".join(str(d) for d in deaths)
    if outcome.returncode != 0 or not st or st.get("startup_error"):
        detail = str(st.get("startup_error") or "")[:300] if st else ""
        return "kernel_died", detail or f"runner exit {outcome.returncode}: {outcome.stderr_tail[-300:]}"
    return "graded", ""


TAMPER_WARNING = ("Le code du notebook a perturbé la transmission des valeurs au correcteur : aucune valeur "
                  "n'a été retenue et les questions automatiques sont comptées fausses. Parlez-en à votre "
                  "enseignant·e.")


def _received_warnings(ctx: Context, received, st: dict, outcome) -> list[str]:
    warnings = []
    truncated = st.get("truncated") if isinstance(st.get("truncated"), list) else []
    if truncated:
        warnings.append(f"La sortie de {len(truncated)} cellule(s) était trop longue et a été tronquée.")
    too_large = [name for name, d in received.manifest.items() if d.get("t") == "too_large"]
    if too_large:
        warnings.append("Variable(s) trop volumineuse(s) pour être transmise(s) au correcteur : "
                        + ", ".join(too_large) + ". Les questions qui en dépendent sont comptées fausses ; "
                        "les autres ont été corrigées.")
    if st and st.get("export") != "ok" and not outcome.killed and not received.tamper:
        warnings.append("Les variables n'ont pas pu être récupérées à la fin de l'exécution (noyau arrêté ou "
                        "bloqué) : les questions ont été corrigées avec les valeurs transmises avant.")
    return warnings


def _wants_cache(ctx: Context) -> bool:
    try:
        return compile_cache.wanted(ctx)
    except Exception:  # noqa: BLE001 - an unreadable solution: `for_job` already warned
        return False


def grade_submission(ctx: Context, sub: ingest.Submission, key: str, slot: int = 0,
                     stop: threading.Event | None = None) -> tuple[Result, object | None]:
    """The result of one submission, plus the executed notebook (or None). Never raises for student faults."""
    record, executed = _grade(ctx, sub, key, slot, stop)
    return Result.from_json(record), executed


def _grade(ctx: Context, sub: ingest.Submission, key: str, slot: int, stop: threading.Event | None):
    t0 = time.monotonic()
    result = base_result(ctx, sub, key)
    if sub.duplicate_of:
        result["status"] = "duplicate"
        result["status_detail"] = sub.duplicate_of
        result["questions"] = _zero_questions(ctx, "Dépôt remplacé par un dépôt plus récent.")
        return result, None
    try:
        nb, warnings, _sha = ingest.load(sub, ctx.notebook_name, ctx.own_fps, ctx.other_fps)
    except ingest.IngestError as exc:
        result["status"] = exc.status
        result["status_detail"] = exc.message
        result["questions"] = _zero_questions(ctx, "Question non évaluée : " + exc.message)
        result["timings"]["total"] = round(time.monotonic() - t0, 3)
        return result, None
    result["warnings"] = warnings
    cache = compile_cache.for_job(ctx, stop)  # None: not a JAX lab, or no cache ready on this host yet
    if cache is not None or _wants_cache(ctx):
        result["compile_cache"] = cache is not None
    root, uid = jobs.prepare_workdir(ctx, sub.student_id, ingest.dumps(nb), slot, compile_cache=cache)
    try:
        t1 = time.monotonic()
        outcome, received = run_notebook(ctx, root, uid, stop)
        if outcome.killed == "interrupted":
            raise Interrupted()
        st = received.status
        t2 = time.monotonic()
        result["timings"].update(prepare=round(t1 - t0, 3), sandbox=round(t2 - t1, 3),
                                 notebook=st.get("elapsed") if isinstance(st.get("elapsed"), (int, float)) else None)
        # Sampled tree RSS, or the runner's own + its kernel's peak (a short run may fall between samples).
        reported = sum(v for k in ("maxrss_self", "maxrss_kernel") if isinstance(v := st.get(k), int) and v > 0)
        result["peak_rss"] = max(outcome.peak_rss, min(reported, 64 << 30))
        if received.tamper:  # the kernel wrote outside the runner's requests: keep no value
            channel.Channel.discard_values(root / "values", ctx.names)
            result["warnings"].append(TAMPER_WARNING)
        result["warnings"] += _received_warnings(ctx, received, st, outcome)
        data, err, hidden_rss = run_hidden(ctx, root, stop)
        result["hidden_peak_rss"] = hidden_rss
        t3 = time.monotonic()
        result["timings"]["hidden"] = round(t3 - t2, 3)
        executed = _executed_notebook(received.notebook, nb)
        result["cell_errors"] = cell_errors(executed)
        status, detail = decide_status(outcome, st, result["cell_errors"])
        result["status_detail"] = detail
        result["runner"] = {"deaths": _int_list(st.get("deaths")), "last_cell": received.last_cell,
                            "timeout_cell": st.get("timeout_cell") if isinstance(st.get("timeout_cell"), int) else None,
                            "export": str(st.get("export", "missing"))[:20], "snapshots": received.committed,
                            "tampered": bool(received.tamper), "killed": outcome.killed, "exit": outcome.returncode}
        if data is None:
            result["status"] = "grader_error"
            result["status_detail"] = err[-2000:]
            result["questions"] = _zero_questions(ctx, "Correction impossible (erreur du correcteur) : "
                                                       "votre enseignant·e a été prévenu·e.")
        else:
            result["status"] = status
            result["questions"] = _clean_questions(ctx, data)
        result["total"] = round(sum(q["score"] for q in result["questions"]), 4)
        result["timings"]["total"] = round(time.monotonic() - t0, 3)
        return result, executed
    finally:
        shutil.rmtree(root, ignore_errors=True)
