"""`tdgrade demo`: a sample class made from the committed release and solutions, then graded.

The class covers what a grader meets: a complete solution, an untouched release, a half-done
notebook, one that crashes mid-way and a file that is not a notebook.
"""
from pathlib import Path

import nbformat

from .grade import grade
from .labs import Lab


def _code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def sample_class(lab: Lab, folder: Path) -> list[Path]:
    """Write the sample submissions into `folder`; return their paths."""
    solution = nbformat.read(lab.solutions_dir / lab.notebook_name, as_version=4)
    blank = nbformat.read(lab.release_dir / lab.notebook_name, as_version=4)
    solved, empty = _code_cells(solution), _code_cells(blank)
    if len(solved) != len(empty):
        raise RuntimeError(f"{lab.name}: release and solutions are out of step; run `tdgrade build`")
    for cell in solved:
        cell.outputs, cell.execution_count = [], None

    def answered(fraction: float):
        nb = nbformat.from_dict(blank)
        cells = _code_cells(nb)
        for cell, source in zip(cells[: int(len(cells) * fraction)], solved):
            cell.source = source.source
        return nb

    crashing = answered(1.0)
    middle = _code_cells(crashing)[len(solved) // 2]
    middle.source = "raise RuntimeError('cellule cassée pendant le TD')\n" + middle.source

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for student, nb in (("alice_martin", answered(1.0)), ("bruno_petit", blank), ("chloe_durand", answered(0.5)),
                        ("david_leroy", crashing)):
        path = folder / f"{student}_{lab.notebook_name}"
        nbformat.write(nb, path)
        paths.append(path)
    unreadable = folder / f"emma_roux_{lab.notebook_name}"
    unreadable.write_bytes(b'{"cells": [ this is not json')
    return [*paths, unreadable]


def run_demo(lab: Lab, out: Path, profile: str = "smoke", jobs: int | None = None) -> int:
    submissions = out / "submissions"
    paths = sample_class(lab, submissions)
    print(f"sample class of {len(paths)} submissions in {submissions}")
    code = grade(lab, [submissions], out / "graded", jobs=jobs, profile=profile)
    print(f"gradebook: {out / 'graded' / 'grades.csv'}\nreport: {out / 'graded' / 'report.html'}")
    return code
