"""Options of `tdgrade grade` and `tdgrade review`, and the calls they make (the library takes plain
arguments: `tdgrade.grade.grade`, `tdgrade.review.review`)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_grade_arguments(parser: argparse.ArgumentParser) -> None:
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
    parser.add_argument("--due", default=None, metavar="DATE",
                        help="due date with its timezone, e.g. '2026-12-15 23:59 Europe/Paris' or "
                             "'2026-12-15 23:59+01:00'; without it no late penalty is applied")
    parser.add_argument("--late-policy", type=Path, default=None, metavar="TOML",
                        help="late policy (grace, penalty per started day/hour, cap, zero after, extensions); "
                             "default: 15 min grace, 10%% of the maximum per started day, at most 50%%")
    parser.add_argument("--extensions", type=Path, default=None, metavar="CSV",
                        help="per-student extensions: CSV student_id,due")
    parser.add_argument("--list", "--dry-run", dest="dry_run", action="store_true",
                        help="print the student id each submission gets, grade nothing")
    add_moodle_arguments(parser)


def add_moodle_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by `tdgrade grade` and `tdgrade review`."""
    parser.add_argument("--moodle-worksheet", type=Path, default=None, metavar="CSV",
                        help="grading worksheet downloaded from Moodle (any language): written back filled "
                             "as OUTDIR/moodle-worksheet.csv")
    parser.add_argument("--scale", type=float, default=None,
                        help="Moodle's maximum grade to rescale to (default: the worksheet's, else the lab's points)")
    parser.add_argument("--lang", choices=("en", "fr"), default="en",
                        help="language of the Moodle site, for OUTDIR/moodle.csv's headers (default en)")
    parser.add_argument("--unreadable-as-zero", action="store_true",
                        help="push 0 to Moodle for an unreadable notebook (default: left out, listed to resubmit)")


def add_review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("outdir", type=Path, help="output folder of `tdgrade grade`")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--publish", action="store_true",
                        help="only rewrite grades.csv, the Moodle file, feedback and report.html, no page")
    parser.add_argument("--from-nbgrader", type=Path, default=None, metavar="GRADEBOOK_DB",
                        help="merge the manual scores entered in nbgrader's formgrader (gradebook.db), then publish")
    parser.add_argument("--assignment", default=None, help="nbgrader assignment name (default: the lab's name)")
    parser.add_argument("--grader", default=None, metavar="NAME",
                        help="the only grader's name, written in every mark (default: each browser gives its own)")
    parser.add_argument("--anonymous", action="store_true",
                        help="anonymous grading: pseudonyms and a shuffled order per question in the page")
    parser.add_argument("--prefer", choices=("nbgrader", "tdgrade"), default=None,
                        help="with --from-nbgrader: which score wins when both differ (default: neither, the "
                             "conflict is listed and the tdgrade score kept)")
    add_moodle_arguments(parser)


def run_grade(args: argparse.Namespace) -> int:
    """`tdgrade grade` (options as in `add_grade_arguments`)."""
    from .grade import grade
    from .gradebook.result import ResultError
    from .gradebook.moodle import WorksheetError

    if args.dry_run:
        from .grade.accounting import list_ids

        return list_ids(args.lab, args.submissions, args.on_collision)
    if args.outdir is None:
        raise SystemExit("tdgrade grade: -o OUTDIR is required")
    try:
        return grade(args.lab, args.submissions, args.outdir, jobs=args.jobs, timeout=args.timeout,
                     memory=args.memory, profile=args.profile, force=args.force,
                     moodle_worksheet=args.moodle_worksheet, scale=args.scale, lang=args.lang,
                     on_collision=args.on_collision, cluster=args.cluster,
                     unreadable_as_zero=args.unreadable_as_zero, due=args.due, late_policy=args.late_policy,
                     extensions=args.extensions)
    except (ResultError, WorksheetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def run_review(args: argparse.Namespace) -> int:
    """`tdgrade review` (options as in `add_review_arguments`)."""
    from .gradebook.result import ResultError
    from .gradebook.moodle import WorksheetError
    from .review import review

    try:
        return review(args.outdir, port=args.port, publish_only=args.publish, from_nbgrader=args.from_nbgrader,
                      assignment=args.assignment, worksheet=args.moodle_worksheet, scale=args.scale, lang=args.lang,
                      grader=args.grader, anonymous=args.anonymous,
                      unreadable_as_zero=args.unreadable_as_zero, prefer=args.prefer)
    except (ResultError, WorksheetError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def main(argv=None) -> int:
    """`python -m tdgrade.grade`: the `tdgrade grade` verb on its own."""
    parser = argparse.ArgumentParser(prog="python -m tdgrade.grade", description="Grade submissions of a lab.")
    add_grade_arguments(parser)
    return run_grade(parser.parse_args(argv))
