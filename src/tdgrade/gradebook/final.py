"""The final grade of each student: automatic points + manual points, or "not yet graded".

Inputs, all in OUTDIR: the result files (automatic part), `manual/questions.json` (the lab's manual
questions, copied by `tdgrade grade` from autograder/LAB/manual.json), the executed notebooks (the
answers), `manual/marks/` (the grader's scores) and `manual/overrides/` (a grader's score for an
automatic question, with its reason: `overrides.py`). An empty answer is worth 0 without a grader;
any other answer without a score for its current text leaves the total "not yet graded" -- never
a silent 0.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ..compiler.manual import ManualQuestion, RubricItem, load_manual
from ..common.files import atomic_write
from .result import Result
from .answers import Answer, read_student
from .rubric import apply_edits, item_ids, live_score, load_edits
from .overrides import Override, load_overrides, overridden_total, overrides_for
from .marks import Mark, load_marks

QUESTIONS_FILE = Path("manual") / "questions.json"
SCAFFOLDING_FILE = Path("manual") / "scaffolding.json"


class ManualState(str, Enum):
    GRADED = "graded"  # a score for the current answer
    EMPTY = "empty"  # nothing written: 0 without a grader
    PENDING = "pending"  # not graded yet
    CHANGED = "changed"  # graded, but the answer changed since (re-submission): to grade again


STATE_LABELS = {ManualState.GRADED: "noté", ManualState.EMPTY: "réponse vide",
                ManualState.PENDING: "à noter", ManualState.CHANGED: "réponse modifiée, à noter"}


@dataclass
class ManualLine:
    question: ManualQuestion
    answer: Answer
    mark: Mark | None
    state: ManualState

    @property
    def score(self) -> float | None:
        if self.state is ManualState.GRADED:
            return live_score(self.question, self.mark)
        return 0.0 if self.state is ManualState.EMPTY else None

    @property
    def done(self) -> bool:
        return self.state in (ManualState.GRADED, ManualState.EMPTY)

    @property
    def rubric_outcome(self) -> list[tuple[bool, RubricItem]]:
        """(got it, item) for each rubric item of a graded answer whose mark follows the rubric."""
        if self.state is not ManualState.GRADED or self.mark.adjustment is None:
            return []
        ticked = set(self.mark.items)
        return [(i in ticked, item) for i, item in zip(item_ids(self.question), self.question.rubric)]


@dataclass
class FinalGrade:
    result: Result
    manual: list[ManualLine] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)  # graders' scores for automatic questions

    @property
    def student_id(self) -> str:
        return self.result.student_id

    @property
    def auto(self) -> float:
        """The automatic part: the result's total, overridden questions at the grader's score."""
        return overridden_total(self.result, self.overrides) if self.overrides else self.result.total

    @property
    def auto_max(self) -> float:
        return self.result.max_total

    @property
    def manual_max(self) -> float:
        return sum(line.question.points for line in self.manual)

    @property
    def manual_done(self) -> int:
        return sum(1 for line in self.manual if line.done)

    @property
    def complete(self) -> bool:
        return self.manual_done == len(self.manual)

    @property
    def manual_score(self) -> float:
        """Points given so far (the whole manual part when `complete`)."""
        return sum(line.score or 0.0 for line in self.manual)

    @property
    def max_total(self) -> float:
        return self.auto_max + self.manual_max

    @property
    def total(self) -> float | None:
        """auto + manual, or None while some manual answer is not graded."""
        return round(self.auto + self.manual_score, 4) if self.complete else None


def copy_lab_files(outdir: Path, questions: list[ManualQuestion], scaffolding: set[str]) -> None:
    """Called by `tdgrade grade`: OUTDIR then holds all that `tdgrade review` needs."""
    from dataclasses import asdict

    atomic_write(Path(outdir) / QUESTIONS_FILE, json.dumps([asdict(q) for q in questions], ensure_ascii=False,
                                                          indent=1))
    atomic_write(Path(outdir) / SCAFFOLDING_FILE, json.dumps(sorted(scaffolding), ensure_ascii=False, indent=0))


def load_lab_questions(outdir: Path) -> list[ManualQuestion]:
    """The manual questions as the build wrote them (copied by `tdgrade grade`), without page edits."""
    return load_manual(Path(outdir) / QUESTIONS_FILE)


def load_questions(outdir: Path) -> list[ManualQuestion]:
    """The lab's manual questions, with the rubric edits made in the review page laid over."""
    return apply_edits(load_lab_questions(outdir), load_edits(outdir))


def load_scaffolding(outdir: Path) -> set[str]:
    try:
        return set(json.loads((Path(outdir) / SCAFFOLDING_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return set()


def manual_line(question: ManualQuestion, answer: Answer, mark: Mark | None) -> ManualLine:
    if answer.empty:
        state = ManualState.EMPTY
    elif mark is None:
        state = ManualState.PENDING
    elif mark.answer_sha256 != answer.sha256:
        state = ManualState.CHANGED
    else:
        state = ManualState.GRADED
    if answer.empty and mark is not None and mark.answer_sha256 == answer.sha256:
        state = ManualState.GRADED  # a grader overrode the automatic 0 of an empty answer
    return ManualLine(question, answer, mark, state)


def combine(outdir: Path, results: list[Result], questions: list[ManualQuestion] | None = None,
            answers: dict[str, dict[str, Answer]] | None = None) -> list[FinalGrade]:
    """One FinalGrade per result (answers read from the notebooks unless given)."""
    questions = load_questions(outdir) if questions is None else questions
    marks = load_marks(outdir)
    overrides = load_overrides(outdir)
    given = load_scaffolding(outdir)
    out = []
    for result in results:
        sid = result.student_id
        mine = answers.get(sid) if answers is not None else None
        if mine is None:
            mine = read_student(outdir, sid, questions, given)
        lines = [manual_line(q, mine[q.name], marks.get((q.name, sid))) for q in questions]
        out.append(FinalGrade(result, lines, overrides_for(result, overrides)))
    return out
