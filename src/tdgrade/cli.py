"""The `tdgrade` command: one verb per pipeline entry point, all work done in the verbs' modules."""
import argparse
import sys
from pathlib import Path

from . import cli_grade
from .labs import LAB_NAMES, get_lab


def _data(args) -> int:
    from .data import ensure
    from .data.fashion_mnist import DataError

    try:
        ensure(profiles=args.profile, mirror=args.mirror, allow_download=not args.offline)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _build(args) -> int:
    from .compiler import BuildError, build_lab

    stale = []
    for name in args.labs or LAB_NAMES:
        lab = get_lab(name)
        if not lab.source_notebook.is_file():
            print(f"{name}: no source notebook yet ({lab.source_notebook}), skipped", file=sys.stderr)
            continue
        try:
            stale += build_lab(lab, check=args.check, execute=not args.no_execute)
        except BuildError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    if args.check:
        for item in stale:
            print(f"stale: {item}", file=sys.stderr)
        print("build outputs are fresh" if not stale else f"{len(stale)} stale item(s): run `tdgrade build`")
        return 1 if stale else 0
    return 0


def _check(args) -> int:
    from .check import check_notebook

    return check_notebook(args.notebook, profile=args.profile, timeout=args.timeout)


def _similarity(args) -> int:
    from .grade.outdir import OutputFolder
    from .similarity import analyse_outdir

    name = args.lab or OutputFolder(args.outdir).marked_lab()
    if name is None:
        print(f"error: {args.outdir} is not a `tdgrade grade` output folder; pass --lab LAB", file=sys.stderr)
        return 2
    analyse_outdir(args.outdir, get_lab(name))
    return 0


def _demo(args) -> int:
    from .demo import run_demo

    return run_demo(get_lab(args.lab), args.out, profile=args.profile, jobs=args.jobs, due=args.due)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tdgrade", description="Build, self-check and grade autograded labs.")
    verbs = p.add_subparsers(dest="verb", required=True)

    d = verbs.add_parser("data", help="fill the offline data caches (sha256-verified)")
    d.add_argument("--profile", action="append", choices=("full", "smoke"),
                   help="cache(s) to fill (default: both)")
    d.add_argument("--mirror", type=Path, help="folder holding the 4 Fashion-MNIST .gz files")
    d.add_argument("--offline", action="store_true", help="never try the network")
    d.set_defaults(func=_data)

    b = verbs.add_parser("build", help="compile source/LAB into release/, autograder/, solutions/")
    b.add_argument("labs", nargs="*", metavar="LAB", help=f"lab(s) to build (default: all of {', '.join(LAB_NAMES)})")
    b.add_argument("--check", action="store_true", help="exit 1 if the committed outputs are stale")
    b.add_argument("--no-execute", action="store_true", help="do not re-execute the solution notebook")
    b.set_defaults(func=_build)

    c = verbs.add_parser("check", help="run a student notebook and its public tests (French summary)")
    c.add_argument("notebook", type=Path)
    c.add_argument("--profile", default="full", choices=("full", "smoke"))
    c.add_argument("--timeout", type=int, default=None, help="seconds per cell")
    c.set_defaults(func=_check)

    g = verbs.add_parser("grade", help="autograde submissions in a sandbox (gradebook, feedback, report)")
    cli_grade.add_grade_arguments(g)
    g.set_defaults(func=cli_grade.run_grade)

    r = verbs.add_parser("review", help="grade manual questions by question in a local web page; publish grades")
    cli_grade.add_review_arguments(r)
    r.set_defaults(func=cli_grade.run_review)

    m = verbs.add_parser("similarity", help="flag similar submissions in a graded OUTDIR (similarity.csv, report.html)")
    m.add_argument("outdir", type=Path, help="a `tdgrade grade` output folder (reads its notebooks/)")
    m.add_argument("--lab", choices=LAB_NAMES, default=None, help="lab (default: the one OUTDIR was graded for)")
    m.set_defaults(func=_similarity)

    s = verbs.add_parser("demo", help="assemble a sample class from release/ and solutions/, then grade it")
    s.add_argument("lab", nargs="?", default="fashion_mnist", choices=LAB_NAMES)
    s.add_argument("-o", "--out", type=Path, default=Path("demo-out"))
    s.add_argument("--profile", default="smoke", choices=("full", "smoke"))
    s.add_argument("--jobs", type=int, default=None)
    s.add_argument("--due", default=None, metavar="DATE",
                   help="a due date with its timezone (e.g. '2026-12-15 23:59 Europe/Paris'): the sample class "
                        "is dated so that one student (Bruno Petit) is a day late and the default late policy applies")
    s.set_defaults(func=_demo)
    return p


def main(argv=None) -> int:
    args = parser().parse_args(argv)
    if getattr(args, "profile", None) is None and args.verb == "data":
        args.profile = ["full", "smoke"]
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
