"""Shared helpers of the tests/test_grade_*.py files: the fake labs and a quiet `grade` call."""
import io
import shutil
import sys
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(CORPUS))

import grade_cases  # noqa: E402

__all__ = ["CORPUS", "grade_cases", "copy_labs", "run_grade", "results_by_id"]


def copy_labs(dest: Path):
    """A private copy of the fake labs: (fakelab, otherlab) as tdgrade.labs.Lab objects."""
    from tdgrade.labs import Lab

    shutil.copytree(CORPUS / "labs", dest)
    return Lab("fakelab", dest), Lab("otherlab", dest)


def run_grade(lab, other, submissions, outdir, **kw):
    from tdgrade.grade import grade

    log = io.StringIO()
    kw.setdefault("profile", "smoke")
    kw.setdefault("timeout", 30)
    kw.setdefault("memory", "1G")
    kw.setdefault("jobs", 2)
    rc = grade(lab, [str(s) for s in submissions], outdir, other_labs=[other], progress_stream=log, tty=False, **kw)
    return rc, log.getvalue()


def results_by_id(outdir):
    """({student id: result file as JSON}, [duplicate result files as JSON]), read through `Result`."""
    from tdgrade.gradebook import results as gradebook

    main, dups = gradebook.load_results(outdir)
    return {r.student_id: r.to_json() for r in main}, [d.to_json() for d in dups]
