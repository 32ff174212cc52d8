"""`python grade_fake.py LABS_ROOT OUTDIR SUBMISSION... [--timeout S] [--jobs N] [--rlimits]`: grade on the fake lab.

Used by the interrupt/kill tests, which need the grader in a process of its own.
"""
import argparse
import sys
from pathlib import Path

from tdgrade.grade import grade
from tdgrade.labs import Lab

p = argparse.ArgumentParser()
p.add_argument("labs", type=Path)
p.add_argument("outdir", type=Path)
p.add_argument("submissions", nargs="+")
p.add_argument("--timeout", type=float, default=30)
p.add_argument("--jobs", type=int, default=1)
p.add_argument("--rlimits", action="store_true")
a = p.parse_args()
sys.exit(grade(Lab("fakelab", a.labs), a.submissions, a.outdir, jobs=a.jobs, timeout=a.timeout, memory="1G",
               profile="smoke", other_labs=[Lab("otherlab", a.labs)], tty=False,
               sandbox_mode="rlimits" if a.rlimits else None))
