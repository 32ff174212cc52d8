"""`tdgrade grade`: sandboxed, parallel, resumable autograding of a class's submissions.

The pipeline, in the order a run goes through it (`run.grade` calls the stages in this order):

    settings   options -> limits, workers, threads; the workers' shared `Context`
    outdir     the output folder: lock, lab marker, leftovers, resume ("already graded?")
    students   find submissions, name students, id collisions (`accounting`: what became of each file)
    pool       local threads or a Dask cluster; slots, Ctrl-C and SIGTERM
      worker   one submission end to end, in a fresh work folder:
        ingest     read and normalise the notebook, tell its lab
        then `tdgrade.sandbox`: the JAX compile cache, the work folder, bwrap + rlimits + watchdog
        (`tdgrade.guest.runner` runs inside), the values channel; hidden tests in a separate
        sandboxed process (`tdgrade.hidden`)
    progress   bar or plain lines

What a run produces lives in `tdgrade.gradebook` (shared with `tdgrade review`): `result`
(`Result`, `Status`), the result files, feedback, report.html, late penalties, the Moodle file.
The command-line options are declared in `tdgrade.cli_grade`; `tdgrade.gradebook.publish` writes the
gradebook (grades.csv, Moodle file, feedback, report) at the end of a run.
"""
from __future__ import annotations

from ..gradebook.result import Result, Status
from .run import grade
from .settings import DEFAULT_MEMORY, DEFAULT_TIMEOUT, default_jobs, parse_memory

__all__ = ["grade", "Result", "Status", "parse_memory", "default_jobs", "DEFAULT_MEMORY", "DEFAULT_TIMEOUT"]
