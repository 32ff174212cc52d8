"""`tdgrade grade`: sandboxed, parallel, resumable autograding of a class's submissions.

Entry points: `grade(...)` (Python) and `main_from_args(args)` / `add_arguments(parser)` (CLI).
Stages, one module each: `students` (inputs, student ids, collisions), `ingest` (reading and
nbformat normalisation), `sandbox` (bwrap + rlimits + watchdog), `worker` (one submission end to
end), `gradebook` (result files, CSVs, atomic writes, resume), `feedback` (French Markdown/HTML
per student), `report` (class report.html), `progress` (bar or plain lines). `tdgrade.guest.runner` runs inside the sandbox.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

DEFAULT_TIMEOUT = {"smoke": 600.0, "full": 1800.0}
DEFAULT_MEMORY = 4 << 30

__all__ = ["grade", "main_from_args", "add_arguments", "parse_memory", "default_jobs"]


def parse_memory(text: str | int | None) -> int:
    """'4G', '4GiB', '512M', '2048MB' or a number of bytes -> bytes."""
    if text is None:
        return DEFAULT_MEMORY
    if isinstance(text, int):
        return text
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)(?:i?[bB])?\s*", str(text))
    if not m:
        raise ValueError(f"invalid memory size {text!r} (examples: 4G, 512M)")
    factor = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2).lower()]
    return int(float(m.group(1)) * factor)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _mem_available() -> int:
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 8 << 30


def default_jobs(memory: int) -> int:
    """One worker per core, fewer if the memory limit times the workers exceeds 80 % of free RAM."""
    return max(1, min(_cpus(), int(_mem_available() * 0.8 // max(memory, 1))))


def _resolve_lab(lab):
    if isinstance(lab, str):
        from tdgrade.labs import get_lab

        return get_lab(lab)
    return lab


def _other_labs(lab):
    try:
        from tdgrade.labs import LAB_NAMES, get_lab
    except ImportError:
        return []
    out = []
    for name in LAB_NAMES:
        if name == lab.name:
            continue
        try:
            out.append(get_lab(name, getattr(lab, "root", None)))
        except (SystemExit, Exception):  # noqa: BLE001
            continue
    return out


class _Lock:
    """One grading run per OUTDIR at a time."""

    def __init__(self, outdir: Path):
        import fcntl

        self.f = open(outdir / ".tdgrade-grade.lock", "w")
        try:
            fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.f.close()
            raise SystemExit(f"{outdir}: another `tdgrade grade` is writing here; wait for it or use another -o")

    def release(self):
        self.f.close()


def grade(lab, submissions, outdir, jobs: int | None = None, timeout: float | None = None,
          memory: int | str | None = None, profile: str = "full", force: bool = False, *,
          other_labs=None, sandbox_mode: str | None = None, progress_stream=None, tty: bool | None = None,
          nproc: int = 512, disk: int | str = 2 << 30, export_timeout: float | None = None, hidden_timeout: float = 300.0,
          moodle_worksheet: str | Path | None = None, scale: float | None = None, lang: str = "en",
          on_collision: str = "fail", cluster=None) -> int:
    """Grade every submission of `lab` found in `submissions` into `outdir`; return an exit code.

    lab: a lab name (`tdgrade.labs.get_lab`) or an object with `name`, `release_dir`, `tests_dir`,
        `notebook_name` (and optionally `autograder_dir`, `solutions_dir`, `source_dir`).
    submissions: `.ipynb` / `.zip` files and folders (see `tdgrade.grade.ingest` for the id rule).
    outdir: written atomically: results/, feedback/, notebooks/, grades.csv, moodle.csv, report.html.
    jobs: parallel workers (default: cores, bounded by free memory / `memory`); each worker's
        TensorFlow/BLAS threads are capped at cores // jobs.
    timeout: seconds for the whole notebook of one submission (default 1800 full, 600 smoke); the
        export of values gets `export_timeout` more. memory: per-submission limit ("4G").
    profile: "full" or "smoke" data. force: re-grade students already graded.
    other_labs: labs whose notebooks are recognised as `wrong_lab` (default: the other LAB_NAMES).
    sandbox_mode: None (bwrap if usable, else rlimits with a loud warning) or "rlimits".
    nproc: tasks (processes + threads) per submission; disk: bytes it may write ("2G").
    moodle_worksheet: the grading worksheet downloaded from Moodle, written back filled as
        OUTDIR/moodle-worksheet.csv (else OUTDIR/moodle.csv in `lang`, "en" or "fr"); scale: the
        Moodle maximum grade to rescale to (default: the worksheet's, else the lab's points).
    on_collision: one student id reached from different folders (`students.OnCollision`): "fail"
        (default: those submissions are not graded, the run lists them and returns 3), "newest"
        (one student: the newest is graded) or "separate" (`alice`, `alice_2`, ...).
    cluster: None (local thread pool), a Dask scheduler address, "local[:N]" (a LocalCluster of N
        worker processes on loopback) or a `distributed.Client`: see `pool.run_dask`.

    Returns 0 when every submission has a result (whatever its status), 1 if some ended in
    `grader_error`, 3 when id collisions held submissions back, 130 when interrupted (finished
    results are kept; re-run to resume).
    """
    from tdgrade.data import kernel_env
    from tdgrade.hidden import Suite

    from ..review.publish import publish
    from . import gradebook, ingest, pool, sandbox, students, worker
    from .progress import Progress

    stream = progress_stream or sys.stderr
    lab = _resolve_lab(lab)
    outdir = Path(outdir).resolve()
    memory = parse_memory(memory)
    timeout = float(timeout or DEFAULT_TIMEOUT.get(profile, 1800.0))
    export_timeout = float(export_timeout or max(60.0, min(300.0, timeout / 5)))
    tests_dir = Path(lab.tests_dir)
    if not tests_dir.is_dir() or not any(tests_dir.glob("*.py")):
        print(f"error: no tests in {tests_dir}: run `tdgrade build {lab.name}` first", file=stream)
        return 2
    suite = Suite.from_dir(tests_dir)
    questions = dict(suite.questions)
    mode, reason = sandbox.probe("rlimits" if sandbox_mode == "rlimits" else None)
    if mode != "bwrap":
        bar = "!" * 78
        print(f"{bar}\nWARNING: {sandbox.FALLBACK_WARNING}\n({reason})\n{bar}", file=stream)
    kenv = kernel_env(profile)
    data_dirs = [Path(kenv["KERAS_HOME"])] if kenv.get("KERAS_HOME") and Path(kenv["KERAS_HOME"]).is_dir() else []
    if kenv.get("KERAS_HOME") and not data_dirs:
        print(f"warning: data cache {kenv['KERAS_HOME']} is missing: run `tdgrade data --profile {profile}`",
              file=stream)
    outdir.mkdir(parents=True, exist_ok=True)
    lock = _Lock(outdir)
    try:
        marker = outdir / ".tdgrade-grade.json"
        try:
            previous = json.loads(marker.read_text(encoding="utf-8")).get("lab")
        except (OSError, ValueError, AttributeError):
            previous = None
        if previous and previous != lab.name:
            print(f"error: {outdir} holds grades of lab {previous!r}; use another -o for {lab.name!r}", file=stream)
            return 2
        gradebook.atomic_write(marker, json.dumps({"lab": lab.name}))
        shutil.rmtree(outdir / ".work", ignore_errors=True)  # leftovers of a killed run
        subs, warnings, collisions = students.discover(list(submissions), lab.name, exclude=[outdir])
        for w in warnings:
            print(f"warning: {w}", file=stream)
        subs, held_back = students.resolve_collisions(subs, collisions, students.OnCollision(on_collision))
        gradebook.write_collisions(outdir, collisions, on_collision)
        for c in collisions:
            print(f"id collision: {len(c.paths)} submissions from different folders all name {c.student_id!r}: "
                  + ", ".join(c.paths), file=stream)
        if held_back:
            print(f"{len(held_back)} submission(s) NOT graded because of id collisions: rename the folders, "
                  "or re-run with --on-collision newest (same student) or separate (different students)",
                  file=stream)
        if other_labs is None:
            other_labs = _other_labs(lab)
        secrets = [outdir, tests_dir]
        for lb in [lab, *other_labs]:
            secrets += [Path(p) for a in ("autograder_dir", "solutions_dir", "source_dir", "tests_dir")
                        if (p := getattr(lb, a, None))]
        if jobs is None or jobs < 1:
            jobs = default_jobs(memory)
        threads = max(1, _cpus() // jobs)
        ctx = worker.Context(
            lab_name=lab.name, notebook_name=lab.notebook_name, release_dir=Path(lab.release_dir),
            tests_dir=tests_dir, outdir=outdir, profile=profile, mode=mode, names=sorted(suite.names),
            questions=questions, timeout=timeout, memory=memory, threads=threads, export_timeout=export_timeout,
            hidden_timeout=hidden_timeout, nproc=nproc, disk=parse_memory(disk), kernel_env=kenv, data_dirs=data_dirs, secrets=secrets,
            own_fps=ingest.load_fingerprints(Path(lab.release_dir) / lab.notebook_name),
            other_fps={lb.name: ingest.load_fingerprints(Path(lb.release_dir) / lb.notebook_name)
                       for lb in other_labs},
            tests_hash=worker.tests_fingerprint(tests_dir))

        todo, skipped, dup_n = [], 0, {}
        for sub in subs:
            if sub.duplicate_of:
                res, _ = worker.grade_submission(ctx, sub, "")
                dup_n[sub.student_id] = dup_n.get(sub.student_id, 0) + 1
                gradebook.write_duplicate(outdir, res, dup_n[sub.student_id])
                continue
            key = ctx.key(sub.raw_sha256())
            old = gradebook.load_result(gradebook.result_path(outdir, sub.student_id))
            if not force and old and old.get("key") == key and old.get("status") not in gradebook.RETRY_STATUSES:
                skipped += 1
                continue
            todo.append((sub, key))
        client = pool.connect(cluster) if isinstance(cluster, str) else cluster
        if client is not None:
            jobs = pool.cluster_slots(client)
            where = f"on the Dask cluster {client.scheduler.address} ({jobs} slot(s))"
        else:
            jobs = max(1, min(jobs, len(todo) or 1))
            where = f"with {jobs} worker(s), {threads} thread(s) each"
        print(f"grading {len(todo)} submission(s) of {lab.name} ({profile}) {where}, sandbox: {mode}; "
              f"{skipped} already graded", file=stream)
        prog = Progress(len(todo), jobs=jobs, stream=stream, tty=tty, skipped=skipped)
        stop = threading.Event()
        errors = []
        t_start: dict[str, float] = {}

        def started(sub):
            t_start[sub.student_id] = time.monotonic()
            prog.started(sub.student_id)

        def finish(sub, outcome):
            res = outcome.result
            if res is None:
                return
            if res["status"] == "grader_error":
                errors.append(sub.student_id)
            gradebook.write_student_files(outdir, res, outcome.notebook, lab=lab.name, timeout=timeout, memory=memory)
            prog.finished(sub.student_id, res["status"], res["total"], res["max_total"],
                          time.monotonic() - t_start.get(sub.student_id, time.monotonic()))

        interrupted = False
        old_term = None
        if threading.current_thread() is threading.main_thread():
            def _term(signum, frame):
                raise KeyboardInterrupt()
            old_term = signal.signal(signal.SIGTERM, _term)
        try:
            if client is not None:
                pool.run_dask(ctx, todo, client, stop, started, finish)
            else:
                pool.run_local(ctx, todo, jobs, stop, started, finish)
        except KeyboardInterrupt:
            interrupted = True
            prog.message("interrupted: stopping workers; finished results are kept (re-run to resume)")
        finally:
            if old_term is not None:
                signal.signal(signal.SIGTERM, old_term)
            if client is not None and isinstance(cluster, str):
                client.close()
        prog.close()
        _similarity(outdir, lab, stream)  # before the report, which embeds its section
        gradebook.atomic_write(marker, json.dumps({
            "lab": lab.name, "profile": profile, "mode": mode, "mode_reason": reason, "timeout": timeout,
            "memory": memory, "questions": list(questions), "points": questions,
            "settings": {"timeout": f"{timeout:g} s", "mémoire": f"{memory / 2**30:g} Gio", "workers": jobs,
                         "threads/worker": threads}}, ensure_ascii=False))
        _copy_manual_questions(lab, outdir)
        published = publish(outdir, worksheet=moodle_worksheet, scale=scale, lang=lang)
        shutil.rmtree(outdir / ".work", ignore_errors=True)
        print(published.summary(), file=stream)
        if mode != "bwrap":
            print(f"WARNING: graded WITHOUT sandbox ({reason}); see report.html", file=stream)
        if interrupted:
            return 130
        if errors:
            print(f"{len(errors)} submission(s) ended in grader_error: {', '.join(errors[:10])}", file=stream)
            return 1
        return 3 if held_back else 0
    finally:
        lock.release()


def _copy_manual_questions(lab, outdir: Path) -> None:
    """OUTDIR keeps the lab's manual questions and release scaffolding: `tdgrade review` needs only OUTDIR."""
    from ..compiler.manual import MANUAL_FILE, load_manual
    from ..review.answers import release_scaffolding
    from ..review.final import copy_lab_files

    autograder = getattr(lab, "autograder_dir", None) or Path(lab.tests_dir).parent
    questions = load_manual(Path(autograder) / MANUAL_FILE)
    copy_lab_files(outdir, questions, release_scaffolding(Path(lab.release_dir) / lab.notebook_name))


def _similarity(outdir: Path, lab, stream) -> None:
    """Similar submissions (similarity.csv, report section); never fails the grading run."""
    try:
        from tdgrade.similarity import analyse_outdir

        analyse_outdir(outdir, lab, log=lambda text: print(text, file=stream))
    except Exception as exc:  # noqa: BLE001 - grades matter more than the similarity report
        print(f"warning: similarity report not written: {type(exc).__name__}: {exc}", file=stream)


def add_arguments(parser) -> None:
    """The `tdgrade grade` options, for the CLI's sub-parser."""
    parser.add_argument("lab", help="lab name")
    parser.add_argument("submissions", nargs="+", help=".ipynb files, otter export .zip files, or folders of them")
    parser.add_argument("-o", "--output", "--outdir", dest="outdir", help="output folder (required unless --list)")
    parser.add_argument("--jobs", "-j", type=int, default=None, help="parallel workers (default: from cores and memory)")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per submission (default 1800 full, 600 smoke)")
    parser.add_argument("--memory", default=None, help="memory limit per submission, e.g. 4G (default 4G)")
    parser.add_argument("--profile", choices=("full", "smoke"), default="full")
    parser.add_argument("--force", action="store_true", help="re-grade students already graded in OUTDIR")
    parser.add_argument("--on-collision", choices=("fail", "newest", "separate"), default="fail",
                        help="one student id reached from different folders: fail (default: not graded, "
                             "exit 3), newest (same student, grade the newest), separate (alice, alice_2)")
    parser.add_argument("--cluster", default=None, metavar="ADDRESS",
                        help="grade on a Dask cluster (scheduler address, e.g. tcp://host:8786; 'local:N' for "
                             "a local test cluster); every worker needs tdgrade, bwrap, the data cache and the "
                             "same paths (shared filesystem)")
    parser.add_argument("--list", "--dry-run", dest="dry_run", action="store_true",
                        help="print the student id each submission gets, grade nothing")
    add_moodle_arguments(parser)


def add_moodle_arguments(parser) -> None:
    """Options shared by `tdgrade grade` and `tdgrade review`."""
    parser.add_argument("--moodle-worksheet", type=Path, default=None, metavar="CSV",
                        help="grading worksheet downloaded from Moodle (any language): written back filled "
                             "as OUTDIR/moodle-worksheet.csv")
    parser.add_argument("--scale", type=float, default=None,
                        help="Moodle's maximum grade to rescale to (default: the worksheet's, else the lab's points)")
    parser.add_argument("--lang", choices=("en", "fr"), default="en",
                        help="language of the Moodle site, for OUTDIR/moodle.csv's headers (default en)")


def main_from_args(args) -> int:
    """Run `grade` from an argparse namespace (attributes as in `add_arguments`)."""
    if getattr(args, "dry_run", False):
        from .students import list_ids

        return list_ids(args.lab, args.submissions, getattr(args, "on_collision", "fail"))
    outdir = next((v for a in ("out", "outdir", "output", "o") if (v := getattr(args, a, None))), None)
    if outdir is None:
        raise SystemExit("tdgrade grade: -o OUTDIR is required")
    return grade(args.lab, args.submissions, outdir, jobs=getattr(args, "jobs", None),
                 timeout=getattr(args, "timeout", None), memory=getattr(args, "memory", None),
                 profile=getattr(args, "profile", "full") or "full", force=bool(getattr(args, "force", False)),
                 moodle_worksheet=getattr(args, "moodle_worksheet", None), scale=getattr(args, "scale", None),
                 lang=getattr(args, "lang", "en") or "en",
                 on_collision=getattr(args, "on_collision", "fail") or "fail", cluster=getattr(args, "cluster", None))


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m tdgrade.grade", description="Grade submissions of a lab.")
    add_arguments(parser)
    return main_from_args(parser.parse_args(argv))
