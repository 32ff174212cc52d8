"""Stage 3: grade ONE submission.

normalise -> fresh work folder -> notebook + export cell run in the sandbox -> exported files copied
out (regular files only, size-capped) -> hidden tests in a separate clean process (sandboxed too) on
those values -> result dict. Files written under the work folder by the sandbox are untrusted: they
are read without following links and only through safe loaders.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..execute import cell_errors
from . import ingest, sandbox, uids
from .settings import GRADER_VERSION, Context, tests_fingerprint  # noqa: F401 - moved to settings

RUNNER = Path(__file__).parent.parent / "guest" / "runner.py"
SCHEMA = 1
MAX_EXPORT_FILE = 1 << 30
MAX_EXPORT_TOTAL = 2 << 30
MAX_EXECUTED_NB = 64 << 20
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,120}$")

# Inside the sandbox
SB_WORK, SB_OUT, SB_CTL, SB_RUNNER = "/sandbox/work", "/sandbox/out", "/sandbox/ctl", "/opt/tdgrade/sandbox_runner.py"
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


def _safe_read(path: Path, limit: int) -> bytes | None:
    """Read a sandbox-written file: regular file only, no symlink, bounded size."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def copy_export(src: Path, dst: Path, names: list[str]) -> dict:
    """Copy the export folder's regular files to a grader-owned folder; return the checked manifest."""
    dst.mkdir(parents=True, exist_ok=True)
    total = 0
    try:
        entries = sorted(os.listdir(src)) if src.is_dir() and not src.is_symlink() else []
    except OSError:
        entries = []
    for name in entries[:5000]:
        if not _SAFE_NAME.match(name) or name.endswith(".part"):
            continue
        data = _safe_read(src / name, MAX_EXPORT_FILE)
        if data is None:
            continue
        total += len(data)
        if total > MAX_EXPORT_TOTAL:
            break
        (dst / name).write_bytes(data)
    manifest = {}
    try:
        raw = json.loads((dst / "manifest.json").read_text(encoding="utf-8"))
        if isinstance(raw, dict):
            manifest = {k: v for k, v in raw.items() if k in names and isinstance(v, dict)}
    except (OSError, ValueError):
        manifest = {}
    for name in names:
        manifest.setdefault(name, {"t": "missing"})
    (dst / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return manifest


def _prepare_workdir(ctx: Context, sub: ingest.Submission, nb, slot: int) -> tuple[Path, int | None]:
    root = ctx.outdir / ".work" / sub.student_id
    if root.exists():
        shutil.rmtree(root, ignore_errors=True)
    for d in ("work", "out", "ctl", "values", "hidden", "tmp"):
        (root / d).mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o711)
    # Release helpers (public tests, support modules, data files): the student's own copy.
    rel = Path(ctx.release_dir)
    if rel.is_dir():
        for path in sorted(rel.rglob("*")):
            r = path.relative_to(rel)
            if path.is_dir() or path.name == ctx.notebook_name and len(r.parts) == 1 or "__pycache__" in r.parts:
                continue
            (root / "work" / r).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, root / "work" / r)
    (root / "work" / ctx.notebook_name).write_text(ingest.dumps(nb), encoding="utf-8")
    uid = None
    if ctx.mode == "bwrap" and sandbox.is_root():
        uid = uids.sandbox_uid(slot)
        for d in ("work", "out", "tmp"):
            for dirpath, dirnames, filenames in os.walk(root / d):
                os.chown(dirpath, uid, uid)
                for f in filenames:
                    os.chown(os.path.join(dirpath, f), uid, uid)
    return root, uid


SB_KERAS_HOME = "/tmp/keras"


def data_binds(ctx: Context) -> tuple[list[tuple[Path, str]], dict[str, str]]:
    """Sandbox view of the data cache: KERAS_HOME is a writable folder (keras falls back to downloading
    into /tmp/.keras when KERAS_HOME is read-only) whose `datasets` is the real cache, read-only."""
    binds = []
    for d in ctx.data_dirs:
        if (Path(d) / "datasets").is_dir():
            binds.append((Path(d) / "datasets", f"{SB_KERAS_HOME}/datasets"))
            break
    env = {"KERAS_HOME": SB_KERAS_HOME} if ctx.kernel_env.get("KERAS_HOME") else {}
    return binds, env


def _kernel_env(ctx: Context, tmp: str) -> dict[str, str]:
    from tdgrade.execute import thread_env

    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": f"{tmp}/home", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
        "JUPYTER_RUNTIME_DIR": f"{tmp}/jupyter/runtime", "JUPYTER_DATA_DIR": f"{tmp}/jupyter/data",
        "JUPYTER_CONFIG_DIR": f"{tmp}/jupyter/config", "IPYTHONDIR": f"{tmp}/ipython",
        "MPLCONFIGDIR": f"{tmp}/mpl", "PYTHONDONTWRITEBYTECODE": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    env.update(thread_env(ctx.threads))
    env.update(ctx.kernel_env)
    return env


def run_notebook(ctx: Context, root: Path, uid: int | None, stop: threading.Event | None):
    """Execute the notebook + export in the sandbox. Returns (Outcome, untrusted status dict)."""
    from tdgrade.artifacts import export_code

    bw = ctx.mode == "bwrap"
    work = SB_WORK if bw else str(root / "work")
    out = SB_OUT if bw else str(root / "out")
    tmp = "/tmp" if bw else str(root / "tmp")
    env = _kernel_env(ctx, tmp)
    if bw:
        env.update(data_binds(ctx)[1])
    job = {
        "notebook": f"{work}/{ctx.notebook_name}", "cwd": work, "executed": f"{out}/executed.ipynb",
        "status": f"{out}/status.json", "export_code": export_code(ctx.names, f"{out}/export"),
        "timeout": ctx.timeout, "export_timeout": ctx.export_timeout, "memory": ctx.memory,
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
    limits = sandbox.Limits(wall=ctx.timeout + ctx.export_timeout + 90, memory=ctx.memory, nproc=ctx.nproc,
                            disk=ctx.disk, fsize=min(1 << 30, ctx.disk))
    if bw:
        argv = [sys.executable, "-I", SB_RUNNER, f"{SB_CTL}/job.json"]
        data_ro, _env = data_binds(ctx)
        ro = [(RUNNER, SB_RUNNER), (root / "ctl", SB_CTL)] + data_ro
        rw = [(root / "work", SB_WORK), (root / "out", SB_OUT)]
        outcome = sandbox.run(argv, mode="bwrap", limits=limits, env=env, cwd=SB_WORK, ro=ro, rw=rw,
                              secrets=ctx.secrets, watch_dirs=[root / "work", root / "out"], stop=stop,
                              tmp_dirs=[SB_KERAS_HOME])
    else:
        for d in ("home", "jupyter", "ipython", "mpl"):
            (root / "tmp" / d).mkdir(exist_ok=True)
        argv = [sys.executable, "-I", str(RUNNER), str(job_path)]
        outcome = sandbox.run(argv, mode="rlimits", limits=limits, env=env, cwd=work,
                              watch_dirs=[root / "work", root / "out", root / "tmp"], stop=stop)
    status = {}
    raw = _safe_read(root / "out" / "status.json", 4 << 20)
    if raw:
        try:
            loaded = json.loads(raw)
            status = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            status = {}
    return outcome, status


def run_hidden(ctx: Context, root: Path, stop: threading.Event | None) -> tuple[list[dict] | None, str, int]:
    """Hidden tests in a clean separate process (sandboxed when possible) on the copied values."""
    from tdgrade.execute import thread_env

    import tdgrade

    pkg = Path(tdgrade.__file__).resolve().parent
    out_file = root / "hidden" / "result.json"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "LANG": "C.UTF-8", "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(thread_env(ctx.threads))
    env.update(ctx.kernel_env)
    limits = sandbox.Limits(wall=ctx.hidden_timeout, memory=ctx.memory, nproc=ctx.nproc)
    if ctx.mode == "bwrap":
        env.update({"HOME": "/tmp", "MPLCONFIGDIR": "/tmp/mpl"})
        argv = [sys.executable, "-I", "-c", HIDDEN_BOOT.format(root="/opt/tdgrade"), "--tests", "/grader/tests",
                "--values", "/grader/values", "--profile", ctx.profile, "--out", "/grader/out/result.json"]
        data_ro, data_env = data_binds(ctx)
        env.update(data_env)
        # the checker library the hidden tests import sits next to tdgrade (see tdgrade_checks)
        checks = pkg.parent / "tdgrade_checks"
        ro = [(ctx.tests_dir, "/grader/tests"), (root / "values", "/grader/values"), (pkg, "/opt/tdgrade/tdgrade"),
              (checks, "/opt/tdgrade/tdgrade_checks")]
        outcome = sandbox.run(argv, mode="bwrap", limits=limits, env=env, cwd="/tmp", ro=ro + data_ro,
                              rw=[(root / "hidden", "/grader/out")], stop=stop, tmp_dirs=[SB_KERAS_HOME])
    else:
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


def _executed_notebook(root: Path, fallback_nb):
    import nbformat

    raw = _safe_read(root / "out" / "executed.ipynb", MAX_EXECUTED_NB)
    if raw:
        try:
            nb = nbformat.reads(raw.decode("utf-8", "replace"), as_version=4)
            nbformat.validate(nb)
            return nb
        except Exception:  # noqa: BLE001 - the student may have damaged it
            pass
    return fallback_nb


def grade_submission(ctx: Context, sub: ingest.Submission, key: str, slot: int = 0,
                     stop: threading.Event | None = None) -> tuple[dict, object | None]:
    """Result dict for one submission, plus the executed notebook (or None). Never raises for student faults."""
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
    root, uid = _prepare_workdir(ctx, sub, nb, slot)
    try:
        t1 = time.monotonic()
        outcome, st = run_notebook(ctx, root, uid, stop)
        if outcome.killed == "interrupted":
            raise Interrupted()
        t2 = time.monotonic()
        result["timings"].update(prepare=round(t1 - t0, 3), sandbox=round(t2 - t1, 3),
                                 notebook=st.get("elapsed") if isinstance(st.get("elapsed"), (int, float)) else None)
        # Sampled tree RSS, or the runner's own + its kernel's peak (a short run may fall between samples).
        reported = sum(v for k in ("maxrss_self", "maxrss_kernel") if isinstance(v := st.get(k), int) and v > 0)
        result["peak_rss"] = max(outcome.peak_rss, min(reported, 64 << 30))
        copy_export(root / "out" / "export", root / "values", ctx.names)
        data, err, hidden_rss = run_hidden(ctx, root, stop)
        result["hidden_peak_rss"] = hidden_rss
        t3 = time.monotonic()
        result["timings"]["hidden"] = round(t3 - t2, 3)
        executed = _executed_notebook(root, nb)
        result["cell_errors"] = cell_errors(executed)
        deaths = st.get("deaths") if isinstance(st.get("deaths"), list) else []
        truncated = st.get("truncated") if isinstance(st.get("truncated"), list) else []
        if truncated:
            result["warnings"].append(f"La sortie de {len(truncated)} cellule(s) était trop longue et a été tronquée.")
        mem_error = any(e["ename"] == "MemoryError" for e in result["cell_errors"])
        timeout_cell = st.get("timeout_cell") if isinstance(st.get("timeout_cell"), int) else None
        if outcome.killed == "memory" or (outcome.killed is None and mem_error):
            status = "memory_limit"
        elif outcome.killed == "nproc":
            status = "process_limit"
        elif outcome.killed == "disk":
            status = "disk_limit"
        elif outcome.killed == "timeout" or st.get("timed_out") is True:
            status = "timeout"
        elif deaths:
            status = "kernel_died"
        elif outcome.returncode != 0 or not st or st.get("startup_error"):
            status = "kernel_died"
            detail = str(st.get("startup_error") or "")[:300] if st else ""
            result["status_detail"] = detail or f"runner exit {outcome.returncode}: {outcome.stderr_tail[-300:]}"
        else:
            status = "graded"
        if status in ("timeout",) and timeout_cell is not None:
            result["status_detail"] = str(timeout_cell)
        if status == "kernel_died" and deaths:
            result["status_detail"] = ",".join(str(d) for d in deaths if d is not None)
        result["runner"] = {"deaths": [d for d in deaths if isinstance(d, int)][:10],
                            "timeout_cell": timeout_cell, "export": str(st.get("export", "missing"))[:20],
                            "killed": outcome.killed, "exit": outcome.returncode}
        if st and st.get("export") != "ok" and not outcome.killed:
            result["warnings"].append("Les variables n'ont pas pu être récupérées à la fin de l'exécution "
                                      "(noyau arrêté ou cellule d'export perturbée) : les questions qui en "
                                      "dépendent sont comptées fausses.")
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
