"""`tdgrade grade`: sandboxed, parallel, resumable autograding of a class's submissions.

The pipeline, in the order a run goes through it (`run.grade` calls the stages in this order):

    settings   options -> limits, workers, threads; the workers' shared `Context`
    outdir     the output folder: lock, lab marker, leftovers, resume ("already graded?")
    students   find submissions, name students, id collisions
    pool       local threads or a Dask cluster; slots, Ctrl-C and SIGTERM
      worker   one submission end to end, in a fresh work folder:
        ingest     read and normalise the notebook, tell its lab
        compile_cache  a JAX lab's warm XLA cache, copied into the sandbox (`warmup` fills it once per machine)
        sandbox    bwrap + rlimits + watchdog (`tdgrade.guest.runner` runs inside)
        hidden tests in a separate sandboxed process (`tdgrade.hidden`)
    result     `Result` and `Status`: what one submission's grading gave
    gradebook  result files (atomic), resume, collisions
    feedback   French Markdown/HTML per student
    report     the class report.html (`report_stats`: its statistics)
    progress   bar or plain lines

The command-line options are declared in `tdgrade.cli_grade`; `tdgrade.gradebook.publish` writes the
gradebook (grades.csv, Moodle file, feedback, report) at the end of a run.
"""
from __future__ import annotations

from ..gradebook.result import Result, Status
from .run import grade
from .settings import DEFAULT_MEMORY, DEFAULT_TIMEOUT, default_jobs, parse_memory

__all__ = ["grade", "Result", "Status", "parse_memory", "default_jobs", "DEFAULT_MEMORY", "DEFAULT_TIMEOUT"]
