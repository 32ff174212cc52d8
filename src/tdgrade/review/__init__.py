"""`tdgrade review OUTDIR`: manual grading by question, and the one gradebook that follows.

Modules: `answers` (a student's answers from the executed notebook), `store` (marks, one atomic
file each, saved compare-and-swap, and the journal), `rubric` (the rubric as the source of a score,
and its edits), `groups` (identical and near-identical answers, suggestions), `anonymity`
(pseudonyms), `final` (auto + manual = final grade, or "not yet graded"), `publish` (grades.csv,
Moodle file, feedback, report), `state` (what the pages show), `auth` (token, Host, Origin), `team`
(who grades), `app` (the Flask pages), `api` (saving marks), `nbgrader_scores` (scores from formgrader).
"""
from __future__ import annotations

from pathlib import Path


def review(outdir: Path, *, port: int = 0, publish_only: bool = False, from_nbgrader: Path | None = None,
           assignment: str | None = None, worksheet: Path | None = None, scale: float | None = None,
           lang: str = "en", grader: str | None = None, anonymous: bool = False, unreadable_as_zero: bool = False,
           prefer: str | None = None) -> int:
    """Serve the review page for OUTDIR (or only publish, or merge nbgrader's scores and publish)."""
    from .app import Options, serve
    from ..gradebook.final import load_questions
    from ..gradebook.publish import publish, read_marker

    outdir = Path(outdir)
    if not (outdir / "results").is_dir():
        raise SystemExit(f"{outdir}: no results/ here; run `tdgrade grade LAB ... -o {outdir}` first")
    options = Options(worksheet, scale, lang, grader=grader, anonymous=anonymous, unreadable_as_zero=unreadable_as_zero)
    if from_nbgrader:
        from .nbgrader_scores import merge

        lab = read_marker(outdir).get("lab") or ""
        print(merge(outdir, from_nbgrader, assignment or lab, prefer).summary())
    if publish_only or from_nbgrader:
        print(publish(outdir, worksheet=options.worksheet, scale=options.scale, lang=options.lang,
                      unreadable_as_zero=options.unreadable_as_zero).summary())
        return 0
    if not load_questions(outdir):
        print(f"{outdir}: this lab has no manual question (manual/questions.json is empty or missing)")
    return serve(outdir, port=port, options=options)
