"""`tdgrade demo`: a sample class made from the committed release and solutions, then graded.

The class covers what a grader meets: a complete solution, an untouched release, a half-done
notebook, one that crashes mid-way and a file that is not a notebook. Submissions are laid out as a
Moodle bulk download (`Full Name_PARTICIPANT_assignsubmission_file_/LAB.ipynb`), and written answers
are the model answers (all of them, or the first half), so `tdgrade review` has something to grade
and the Moodle file has participant numbers.
"""
from pathlib import Path

import nbformat

from .compiler.manual import MANUAL_FILE, load_manual
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

    manual = [q for q in load_manual(lab.autograder_dir / MANUAL_FILE) if q.answer_kind == "markdown"]

    def answered(fraction: float):
        nb = nbformat.from_dict(blank)
        cells = _code_cells(nb)
        for cell, source in zip(cells[: int(len(cells) * fraction)], solved):
            if "from selfcheck import" not in cell.source:  # the release's locked init cell stays, as a student has it
                cell.source = source.source
        for q in manual[: int(len(manual) * fraction)]:
            _write_answer(nb, q.prompt, q.model_answer)
        return nb

    crashing = answered(1.0)
    middle = _code_cells(crashing)[len(solved) // 2]
    middle.source = "raise RuntimeError('cellule cassée pendant le TD')\n" + middle.source

    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for number, (student, nb) in enumerate((("Alice Martin", answered(1.0)), ("Bruno Petit", blank),
                                            ("Chloé Durand", answered(0.5)), ("David Leroy", crashing),
                                            ("Emma Roux", None)), start=1001):
        path = folder / f"{student}_{number}_assignsubmission_file_" / lab.notebook_name
        path.parent.mkdir(exist_ok=True)
        if nb is None:
            path.write_bytes(b'{"cells": [ this is not json')  # unreadable
        else:
            nbformat.write(nb, path)
        paths.append(path)
    return paths


def _write_answer(nb, prompt: str, answer: str) -> None:
    """Put `answer` in the answer cell that follows the manual question's prompt cell."""
    head = " ".join(prompt.split())[:120]
    for index, cell in enumerate(nb.cells[:-1]):
        if cell.cell_type == "markdown" and head in " ".join(cell.source.split()):
            if nb.cells[index + 1].cell_type == "markdown":
                nb.cells[index + 1].source = answer
            return


LATE_STUDENT = 1  # index in the sample class: Bruno Petit, whose grade is final at once (nothing written)


def date_class(paths: list[Path], due: str) -> None:
    """File times as submission times: everybody an hour before `due`, one student a day late
    (23 h after it: one started day of the default policy)."""
    import os
    from datetime import timedelta

    from .gradebook.late import parse_due

    when = parse_due(due)
    for index, path in enumerate(paths):
        stamp = (when + (timedelta(hours=23) if index == LATE_STUDENT else -timedelta(hours=1))).timestamp()
        os.utime(path, (stamp, stamp))


def run_demo(lab: Lab, out: Path, profile: str = "smoke", jobs: int | None = None, due: str | None = None) -> int:
    submissions = out / "submissions"
    paths = sample_class(lab, submissions)
    if due:
        date_class(paths, due)
    print(f"sample class of {len(paths)} submissions in {submissions}")
    code = grade(lab, [submissions], out / "graded", jobs=jobs, profile=profile, due=due)
    print(f"gradebook: {out / 'graded' / 'grades.csv'}\nreport: {out / 'graded' / 'report.html'}\n"
          f"manual questions: tdgrade review {out / 'graded'}")
    return code
