"""Manual scores entered in nbgrader's formgrader, merged into a tdgrade OUTDIR without losing any.

The nbgrader export (`autograder/LAB/nbgrader`) names each manual question's answer cell
`QUESTION_answer` (tdgrade.compiler.nbgrader_export); formgrader stores its score and comment in
`gradebook.db`, and the text it graded is that cell in the course's `autograded/` (else
`submitted/`) notebook. Students are matched by their nbgrader id folded like tdgrade's ids.

Rules (docs/routes.md, "nbgrader route"):
- a formgrader score is applied only to the answer it was given to: an answer that is empty in
  tdgrade, or whose text differs from the one formgrader showed, is listed, never scored;
- a score outside 0..points is clamped to the question's points and the clamp is listed;
- a score already given in tdgrade (not by an earlier merge) that differs is a conflict listed with
  both values; `prefer` ("nbgrader" or "tdgrade") says which one wins, by default tdgrade's stays.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..common.ids import slugify
from ..gradebook.answers import Answer, _strip_given, read_student
from ..gradebook.final import load_questions, load_scaffolding
from ..gradebook.rubric import live_score
from ..gradebook.marks import Mark, load_marks, save_mark

GRADER = "nbgrader"


@dataclass(frozen=True)
class FormScore:
    """One score given in formgrader, and the answer text it was given to (None: notebook not found)."""
    score: float
    comment: str = ""
    text: str | None = None


@dataclass(frozen=True)
class Conflict:
    student_id: str
    question: str
    tdgrade: float
    nbgrader: float
    kept: str  # "tdgrade" or "nbgrader"

    def __str__(self) -> str:
        return (f"{self.student_id} {self.question}: tdgrade {self.tdgrade:g}, nbgrader {self.nbgrader:g} "
                f"-> {self.kept}'s kept")


@dataclass
class Merged:
    saved: int = 0
    unchanged: int = 0
    unknown_students: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    clamped: list[str] = field(default_factory=list)
    not_applied: list[str] = field(default_factory=list)  # answer empty or different in tdgrade
    unchecked: list[str] = field(default_factory=list)  # applied, but formgrader's text was not found

    def summary(self) -> str:
        lines = [f"nbgrader: {self.saved} score(s) merged, {self.unchanged} identical already there, "
                 f"{len(self.conflicts)} conflict(s), {len(self.not_applied)} not applied"]
        lines += [f"  conflict: {c}" for c in self.conflicts]
        if any(c.kept == "tdgrade" for c in self.conflicts):
            lines.append("  (--prefer nbgrader or --prefer tdgrade decides a conflict)")
        lines += [f"  clamped: {c}" for c in self.clamped]
        lines += [f"  not applied: {n}" for n in self.not_applied]
        lines += [f"  applied without checking the text (no nbgrader notebook found): {u}" for u in self.unchecked]
        if self.unknown_students:
            lines.append(f"  not graded here: {', '.join(self.unknown_students)}")
        return "\n".join(lines)


def _answer_texts(course: Path, student: str, assignment: str) -> dict[str, str]:
    """Grade cell id -> source, from the notebook formgrader showed (autograded, else submitted)."""
    import nbformat

    for stage in ("autograded", "submitted"):
        for path in sorted((course / stage / student / assignment).glob("*.ipynb")):
            try:
                nb = nbformat.read(path, as_version=4)
            except (OSError, ValueError):
                continue
            return {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id")}
    return {}


def read_gradebook(db: Path, assignment: str) -> dict[str, dict[str, FormScore]]:
    """nbgrader student id -> {grade cell name: FormScore} for scores given by hand."""
    from nbgrader.api import Gradebook

    out: dict[str, dict[str, FormScore]] = {}
    with Gradebook(f"sqlite:///{Path(db).resolve()}") as gb:
        for submission in gb.assignment_submissions(assignment):
            student = submission.student.id
            texts = _answer_texts(Path(db).resolve().parent, student, assignment)
            scores = out.setdefault(student, {})
            for notebook in submission.notebooks:
                comments = {c.name: (c.manual_comment or "") for c in notebook.comments}
                for grade in notebook.grades:
                    if grade.manual_score is not None:
                        scores[grade.name] = FormScore(float(grade.manual_score), comments.get(grade.name, ""),
                                                       texts.get(grade.name))
    return out


def merge(outdir: Path, db: Path, assignment: str, prefer: str | None = None) -> Merged:
    """Merge the manual scores of formgrader's `gradebook.db` (see the module's rules)."""
    return merge_scores(outdir, read_gradebook(db, assignment), prefer)


def merge_scores(outdir: Path, form: dict[str, dict[str, FormScore]], prefer: str | None = None) -> Merged:
    outdir = Path(outdir)
    questions = load_questions(outdir)
    given = load_scaffolding(outdir)
    marks = load_marks(outdir)
    result = Merged()
    known = {p.stem for p in (outdir / "results").glob("*.json")}
    for nb_student, scores in sorted(form.items()):
        sid = slugify(nb_student)
        if sid not in known:
            result.unknown_students.append(nb_student)
            continue
        answers = read_student(outdir, sid, questions, given)
        for q in questions:
            if f"{q.name}_answer" in scores:
                _merge_one(outdir, q, sid, answers[q.name], scores[f"{q.name}_answer"],
                           marks.get((q.name, sid)), prefer, result)
    return result


def _merge_one(outdir: Path, q, sid: str, answer: Answer, form: FormScore, old: Mark | None, prefer: str | None,
               result: Merged) -> None:
    where = f"{sid} {q.name}"
    if answer.empty:
        result.not_applied.append(f"{where}: nbgrader {form.score:g}, but the answer is empty in tdgrade")
        return
    if form.text is not None and Answer(q.name, _strip_given(form.text, set()), answer.kind).sha256 != answer.sha256:
        result.not_applied.append(f"{where}: nbgrader {form.score:g} was given to another text than tdgrade's "
                                  "answer (re-submitted or other notebook)")
        return
    score = min(max(form.score, 0.0), q.points)
    if score != form.score:
        result.clamped.append(f"{where}: nbgrader {form.score:g} -> {score:g} (the question is worth {q.points:g})")
    if form.text is None:
        result.unchecked.append(where)
    current = old is not None and old.answer_sha256 == answer.sha256
    given = live_score(q, old) if old is not None else None  # what the mark is worth now (rubric edits)
    if current and (given, old.comment) == (score, form.comment):
        result.unchanged += 1
        return
    if current and old.grader != GRADER:  # a score given in tdgrade's page: never overwritten silently
        kept = prefer or "tdgrade"
        result.conflicts.append(Conflict(sid, q.name, given, score, kept))
        if kept == "tdgrade":
            return
    save_mark(outdir, Mark(question=q.name, student_id=sid, score=score, answer_sha256=answer.sha256,
                           comment=form.comment, grader=GRADER))
    result.saved += 1
