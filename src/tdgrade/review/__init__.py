"""`tdgrade review OUTDIR`: manual grading by question, and the one gradebook that follows.

Modules: `answers` (a student's answers from the executed notebook), `store` (scores, one atomic
file each), `final` (auto + manual = final grade, or "not yet graded"), `publish` (grades.csv, Moodle
file, feedback, report), `app` (the Flask page), `nbgrader_scores` (scores from formgrader).
"""
from __future__ import annotations

from pathlib import Path


def main_from_args(args) -> int:
    from .app import Options, serve
    from .final import load_questions
    from .publish import publish, read_marker

    outdir = Path(args.outdir)
    if not (outdir / "results").is_dir():
        raise SystemExit(f"{outdir}: no results/ here; run `tdgrade grade LAB ... -o {outdir}` first")
    options = Options(args.moodle_worksheet, args.scale, args.lang)
    if args.from_nbgrader:
        from .nbgrader_scores import merge

        lab = read_marker(outdir).get("lab") or ""
        merged = merge(outdir, args.from_nbgrader, args.assignment or lab)
        print(f"nbgrader: {merged.saved} score(s) merged, {merged.unchanged} already there"
              + (f"; not graded here: {', '.join(merged.unknown_students)}" if merged.unknown_students else ""))
    if args.publish or args.from_nbgrader:
        print(publish(outdir, worksheet=options.worksheet, scale=options.scale, lang=options.lang).summary())
        return 0
    if not load_questions(outdir):
        print(f"{outdir}: this lab has no manual question (manual/questions.json is empty or missing)")
    return serve(outdir, port=args.port, options=options)


def add_arguments(parser) -> None:
    from ..grade import add_moodle_arguments

    parser.add_argument("outdir", type=Path, help="output folder of `tdgrade grade`")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--publish", action="store_true",
                        help="only rewrite grades.csv, the Moodle file, feedback and report.html, no page")
    parser.add_argument("--from-nbgrader", type=Path, default=None, metavar="GRADEBOOK_DB",
                        help="merge the manual scores entered in nbgrader's formgrader (gradebook.db), then publish")
    parser.add_argument("--assignment", default=None, help="nbgrader assignment name (default: the lab's name)")
    add_moodle_arguments(parser)
