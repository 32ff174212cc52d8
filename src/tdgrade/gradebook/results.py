"""Stage 4: per-student result files, feedback and executed notebooks, all written atomically.

`OUTDIR/results/<student_id>.json` is written (atomically, fsync'd) the moment a submission is done:
it is the only source of truth. Everything else (grades.csv, moodle.csv, report.html, written by
`tdgrade.gradebook.publish` with the manual scores) is derived from the result files, so an interrupted run loses nothing finished, and a re-run resumes by
skipping students whose result matches the same submission, lab, profile and tests.

Layout of OUTDIR:
    results/<id>.json              one per student (the submission that was graded)
    results/duplicates/<id>--<n>.json  older submissions of the same student (status duplicate)
    feedback/<id>.md, <id>.html    French feedback
    notebooks/<id>.ipynb           the executed notebook (outputs of the student's run)
    grades.csv, moodle.csv, report.html
"""
from __future__ import annotations

import json
from pathlib import Path

from ..common.files import atomic_write
from . import feedback
from .result import Result


MARKER_FILE = ".tdgrade-grade.json"  # in OUTDIR: lab, profile and tests of the run (written by grade.outdir)
INTAKE_FILE = "intake.json"  # in OUTDIR: the last run's accounting (written by grade.accounting), for report.html


def load_intake(outdir: Path) -> dict | None:
    try:
        data = json.loads((Path(outdir) / INTAKE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def result_path(outdir: Path, student_id: str) -> Path:
    return Path(outdir) / "results" / f"{student_id}.json"


def duplicate_path(outdir: Path, student_id: str, n: int) -> Path:
    return Path(outdir) / "results" / "duplicates" / f"{student_id}--{n}.json"


def load_result(path: Path) -> Result | None:
    """The result in `path`; None when there is none (missing, torn or not a JSON object with a
    student id). A result file with an unknown status raises `result.ResultError`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or not data.get("student_id"):
        return None
    return Result.from_json(data, source=str(path))


def load_results(outdir: Path, lab: str | None = None) -> tuple[list[Result], list[Result]]:
    """(one result per student, duplicate submissions), sorted by student id."""
    res_dir = Path(outdir) / "results"
    main = [r for p in sorted(res_dir.glob("*.json")) if (r := load_result(p))]
    dups = [r for p in sorted((res_dir / "duplicates").glob("*.json")) if (r := load_result(p))]
    if lab:
        main = [r for r in main if r.lab == lab]
        dups = [r for r in dups if r.lab == lab]
    return main, dups


def _dumps(result: Result) -> str:
    return json.dumps(result.to_json(), ensure_ascii=False, indent=1)


def write_student_files(outdir: Path, result: Result, executed_nb, *, lab: str, timeout: float | None,
                        memory: int | None) -> None:
    """Feedback and executed notebook first, the result file last (it marks the student as done)."""
    import nbformat

    sid = result.student_id
    out = Path(outdir)
    atomic_write(out / "feedback" / f"{sid}.md", feedback.render_markdown(result, lab=lab, timeout=timeout, memory=memory))
    atomic_write(out / "feedback" / f"{sid}.html", feedback.render_html(result, lab=lab, timeout=timeout, memory=memory))
    if executed_nb is not None:
        atomic_write(out / "notebooks" / f"{sid}.ipynb", nbformat.writes(executed_nb))
    atomic_write(result_path(out, sid), _dumps(result))


def write_duplicate(outdir: Path, result: Result, n: int) -> None:
    atomic_write(duplicate_path(outdir, result.student_id, n), _dumps(result))


def write_collisions(outdir: Path, collisions, how: str) -> None:
    """`collisions.json`: the id collisions of the last run (the report lists them)."""
    data = {"on_collision": how, "collisions": [{"student_id": c.student_id, "paths": list(c.paths)}
                                                for c in collisions]}
    atomic_write(Path(outdir) / "collisions.json", json.dumps(data, ensure_ascii=False, indent=1))


def load_collisions(outdir: Path) -> tuple[str, list[dict]]:
    try:
        data = json.loads((Path(outdir) / "collisions.json").read_text(encoding="utf-8"))
        return str(data.get("on_collision", "fail")), list(data.get("collisions", []))
    except (OSError, ValueError, AttributeError):
        return "fail", []
