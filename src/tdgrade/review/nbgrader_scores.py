"""Manual scores entered in nbgrader's formgrader, merged into a tdgrade OUTDIR.

The nbgrader export (`autograder/LAB/nbgrader`) names each manual question's answer cell
`QUESTION_answer` (tdgrade.compiler.nbgrader_export); formgrader stores its score and comment in
`gradebook.db`. Students are matched by their nbgrader id folded like tdgrade's ids.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..grade.ingest import slugify
from .answers import read_student
from .final import load_questions, load_scaffolding
from .store import Mark, load_marks, save_mark


@dataclass
class Merged:
    saved: int = 0
    unchanged: int = 0
    unknown_students: list[str] = field(default_factory=list)


def read_gradebook(db: Path, assignment: str) -> dict[str, dict[str, tuple[float, str]]]:
    """nbgrader student id -> {grade cell name: (manual score, comment)} for scores given by hand."""
    from nbgrader.api import Gradebook

    out: dict[str, dict[str, tuple[float, str]]] = {}
    with Gradebook(f"sqlite:///{Path(db).resolve()}") as gb:
        for submission in gb.assignment_submissions(assignment):
            scores = out.setdefault(submission.student.id, {})
            for notebook in submission.notebooks:
                comments = {c.name: (c.manual_comment or "") for c in notebook.comments}
                for grade in notebook.grades:
                    if grade.manual_score is not None:
                        scores[grade.name] = (float(grade.manual_score), comments.get(grade.name, ""))
    return out


def merge(outdir: Path, db: Path, assignment: str) -> Merged:
    """Write a tdgrade score for every manual answer graded in formgrader (grader: "nbgrader")."""
    outdir = Path(outdir)
    questions = load_questions(outdir)
    given = load_scaffolding(outdir)
    marks = load_marks(outdir)
    result = Merged()
    known = {p.stem for p in (outdir / "results").glob("*.json")}
    for nb_student, scores in read_gradebook(db, assignment).items():
        sid = slugify(nb_student)
        if sid not in known:
            result.unknown_students.append(nb_student)
            continue
        answers = read_student(outdir, sid, questions, given)
        for q in questions:
            if f"{q.name}_answer" not in scores:
                continue
            score, comment = scores[f"{q.name}_answer"]
            old = marks.get((q.name, sid))
            if old and (old.score, old.comment, old.answer_sha256) == (score, comment, answers[q.name].sha256):
                result.unchanged += 1
                continue
            save_mark(outdir, Mark(q.name, sid, min(max(score, 0.0), q.points), answers[q.name].sha256, comment,
                                   grader="nbgrader"))
            result.saved += 1
    return result
