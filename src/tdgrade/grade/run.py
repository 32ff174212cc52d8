"""`grade()`: the whole grading run, read top to bottom as the pipeline.

settings -> output folder -> discover students -> todo (resume) -> pool -> similarity -> publish.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from .. import sandbox
from ..common.files import atomic_write
from ..compiler.manual import MANUAL_FILE, load_manual
from ..gradebook import late, results
from ..gradebook.answers import release_scaffolding
from ..gradebook.final import copy_lab_files
from ..gradebook.moodle import WorksheetError, check_worksheet
from ..gradebook.publish import publish
from ..gradebook.result import Status
from ..sandbox import compile_cache
from . import accounting, pool
from .outdir import OutputFolder, OutputFolderError
from .progress import Progress
from .settings import RunSettings, make_context, other_labs as find_other_labs


def grade(lab, submissions, outdir, jobs: int | None = None, timeout: float | None = None,
          memory: int | str | None = None, profile: str = "full", force: bool = False, *,
          other_labs=None, sandbox_mode: str | None = None, progress_stream=None, tty: bool | None = None,
          nproc: int = 512, disk: int | str = 2 << 30, export_timeout: float | None = None, hidden_timeout: float = 300.0,
          moodle_worksheet: str | Path | None = None, scale: float | None = None, lang: str = "en",
          on_collision: str = "fail", cluster=None, unreadable_as_zero: bool = False, due: str | None = None,
          late_policy: str | Path | None = None, extensions: str | Path | None = None) -> int:
    """Grade every submission of `lab` found in `submissions` into `outdir`; return an exit code.

    lab: a lab name (`tdgrade.labs.get_lab`) or an object with `name`, `release_dir`, `tests_dir`,
        `notebook_name` (and optionally `autograder_dir`, `solutions_dir`, `source_dir`).
    submissions: `.ipynb` / `.zip` files and folders (see `tdgrade.grade.students` for the id rule).
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
    unreadable_as_zero: push 0 to Moodle for an unreadable notebook (default: left out, to resubmit).
    due: the due date with its timezone ("2026-12-15 23:59 Europe/Paris"); late_policy: its TOML
        policy, extensions: CSV `student_id,due` (`grade.late`). Without `due` no penalty applies.
    cluster: None (local thread pool), a Dask scheduler address, "local[:N]" (a LocalCluster of N
        worker processes on loopback) or a `distributed.Client`: see `pool.run_dask`.

    Returns 0 when every submission has a result (whatever its status), 1 if some ended in
    `grader_error`, 2 when the lab has no tests, OUTDIR cannot take this run or the Moodle worksheet cannot be filled, 3 when id
    collisions held submissions back, 130 when interrupted (finished results are kept; re-run to resume).
    """
    from tdgrade.hidden import Suite

    def say(text: str) -> None:
        print(text, file=progress_stream or sys.stderr)

    lab = _resolve_lab(lab)
    settings = RunSettings.resolve(profile=profile, timeout=timeout, export_timeout=export_timeout,
                                   hidden_timeout=hidden_timeout, memory=memory, disk=disk, nproc=nproc, jobs=jobs)
    tests_dir = Path(lab.tests_dir)
    if not tests_dir.is_dir() or not any(tests_dir.glob("*.py")):
        say(f"error: no tests in {tests_dir}: run `tdgrade build {lab.name}` first")
        return 2
    suite = Suite.from_dir(tests_dir)
    try:
        plan = late.make_plan(due, late_policy, extensions) if due else None
    except (OSError, late.LateError) as exc:
        say(f"error: {exc}")
        return 2
    if moodle_worksheet is not None:  # a worksheet that cannot be filled stops the run before grading

        try:
            check_worksheet(Path(moodle_worksheet), scale)
        except (OSError, WorksheetError) as exc:
            say(f"error: {exc}")
            return 2
    mode, reason = _sandbox_mode(sandbox_mode, say)
    try:
        folder = OutputFolder(outdir).claim(lab.name)
    except OutputFolderError as exc:
        say(f"error: {exc}")
        return 2
    with folder:
        others = find_other_labs(lab) if other_labs is None else list(other_labs)
        subs, held_back = _discover(submissions, lab, folder, on_collision, say)
        _record_late_plan(folder.path, plan, subs, say)
        ctx = make_context(lab, folder.path, settings, suite, mode, others, say)
        todo, skipped = _plan(ctx, folder, subs, force)
        executor = pool.Pool(cluster, settings.jobs, len(todo))
        say(f"grading {len(todo)} submission(s) of {lab.name} ({profile}) {executor.describe(settings.threads)}, "
            f"sandbox: {mode}; {skipped} already graded")
        progress = Progress(len(todo), jobs=executor.slots, stream=progress_stream or sys.stderr, tty=tty,
                            skipped=skipped)
        recorder = _Recorder(folder.path, lab.name, settings, progress)
        with compile_cache.reporting(progress.message):  # warm-up lines among the submissions' lines
            interrupted = executor.run(ctx, todo, recorder.started, recorder.finish)
        if interrupted:
            progress.message("interrupted: stopping workers; finished results are kept (re-run to resume)")
        progress.close()
        _similarity(folder.path, lab, say)  # before the report, which embeds its section
        folder.write_marker({
            "lab": lab.name, "profile": profile, "mode": mode, "mode_reason": reason, "timeout": settings.timeout,
            "memory": settings.memory, "questions": list(ctx.questions), "points": ctx.questions,
            "settings": settings.summary(workers=executor.slots)})
        say(_publish(lab, folder.path, moodle_worksheet, scale, lang, unreadable_as_zero))
        folder.clean_work()
    if mode != "bwrap":
        say(f"WARNING: graded WITHOUT sandbox ({reason}); see report.html")
    if interrupted:
        return 130
    if recorder.errors:
        say(f"{len(recorder.errors)} submission(s) ended in grader_error: {', '.join(recorder.errors[:10])}")
        return 1
    return 3 if held_back else 0


def _resolve_lab(lab):
    if isinstance(lab, str):
        from tdgrade.labs import get_lab

        return get_lab(lab)
    return lab


def _sandbox_mode(requested: str | None, say) -> tuple[str, str]:
    """("bwrap" | "rlimits", why); a loud warning when submissions will run without bwrap."""
    mode, reason = sandbox.probe("rlimits" if requested == "rlimits" else None)
    if mode != "bwrap":
        bar = "!" * 78
        say(f"{bar}\nWARNING: {sandbox.FALLBACK_WARNING}\n({reason})\n{bar}")
    return mode, reason


def _discover(submissions, lab, folder: OutputFolder, on_collision: str, say):
    """(submissions to grade, those held back by id collisions); every file found is accounted for
    on the terminal, collisions are recorded in OUTDIR."""
    acc = accounting.account(submissions, lab.name, on_collision, exclude=[folder.path])
    for w in acc.intake.warnings:
        say(f"warning: {w}")
    results.write_collisions(folder.path, acc.intake.collisions, on_collision)
    for c in acc.intake.collisions:
        say(f"id collision: {len(c.paths)} submissions from different folders all name {c.student_id!r}: "
            + ", ".join(c.paths))
    if acc.held:
        say(f"{len(acc.held)} submission(s) NOT graded because of id collisions: rename the folders, "
            "or re-run with --on-collision newest (same student) or separate (different students)")
    for line in acc.lines():
        say(line)
    accounting.write_intake(folder.path, acc)
    return acc.kept, acc.held


def _record_late_plan(outdir: Path, plan, subs, say) -> None:
    """OUTDIR/late-policy.json with each student's submission time (intake sources), or none: a run
    without --due applies no penalty, even if an earlier run had one."""
    path = Path(outdir) / late.POLICY_FILE
    if plan is None:
        path.unlink(missing_ok=True)
        return
    zone = plan.due.tzinfo
    plan.submitted = {s.student_id: late.submission_time(s, zone) for s in subs if not s.duplicate_of}
    atomic_write(path, plan.to_json())
    say(f"due {plan.due.isoformat()} ({plan.policy.describe()}); {len(plan.extensions)} extension(s)")


def _plan(ctx, folder: OutputFolder, subs, force: bool) -> tuple[list, int]:
    """([(submission, resume key)] to grade, how many are already graded). Older submissions of a
    student are recorded as duplicates at once: nothing of theirs runs."""
    from . import worker

    todo, skipped, duplicates = [], 0, {}
    for sub in subs:
        if sub.duplicate_of:
            res, _ = worker.grade_submission(ctx, sub, "")
            duplicates[sub.student_id] = duplicates.get(sub.student_id, 0) + 1
            results.write_duplicate(folder.path, res, duplicates[sub.student_id])
            continue
        key = ctx.key(sub.raw_sha256())
        if not force and folder.already_graded(sub.student_id, key):
            skipped += 1
            continue
        todo.append((sub, key))
    return todo, skipped


class _Recorder:
    """Writes each result as it arrives (the result file last: it marks the student done) and
    keeps the progress display and the list of grader errors."""

    def __init__(self, outdir: Path, lab_name: str, settings: RunSettings, progress: Progress):
        self.outdir, self.lab_name, self.settings, self.progress = outdir, lab_name, settings, progress
        self.errors: list[str] = []
        self._start: dict[str, float] = {}

    def started(self, sub) -> None:
        self._start[sub.student_id] = time.monotonic()
        self.progress.started(sub.student_id)

    def finish(self, sub, outcome: pool.Outcome) -> None:
        res = outcome.result
        if res is None:
            return
        if res.status is Status.GRADER_ERROR:
            self.errors.append(sub.student_id)
        results.write_student_files(self.outdir, res, outcome.notebook, lab=self.lab_name,
                                      timeout=self.settings.timeout, memory=self.settings.memory)
        self.progress.finished(sub.student_id, res.status, res.total, res.max_total,
                               time.monotonic() - self._start.get(sub.student_id, time.monotonic()))


def _similarity(outdir: Path, lab, say) -> None:
    """Similar submissions (similarity.csv, report section); never fails the grading run."""
    try:  # imported here so that a broken optional analysis (copydetect, scikit-learn) cannot stop grading
        from tdgrade.similarity import analyse_outdir

        analyse_outdir(outdir, lab, log=say)
    except Exception as exc:  # noqa: BLE001 - grades matter more than the similarity report
        say(f"warning: similarity report not written: {type(exc).__name__}: {exc}")


def _publish(lab, outdir: Path, worksheet, scale, lang, unreadable_as_zero: bool = False) -> str:
    """Copy what `tdgrade review` needs into OUTDIR, then write the gradebook; its summary."""
    autograder = getattr(lab, "autograder_dir", None) or Path(lab.tests_dir).parent
    questions = load_manual(Path(autograder) / MANUAL_FILE)
    copy_lab_files(outdir, questions, release_scaffolding(Path(lab.release_dir) / lab.notebook_name))
    return publish(outdir, worksheet=worksheet, scale=scale, lang=lang,
                   unreadable_as_zero=unreadable_as_zero).summary()
