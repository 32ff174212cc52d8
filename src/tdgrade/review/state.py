"""What the review page shows: questions, students and their answers (read once), marks (read live).

Answers are read from the executed notebooks when the server starts (a re-grade needs a restart,
and a changed answer then loses its mark: `final.manual_line`). Marks, splits and rubric edits are
files other graders' servers may write, so they are read again at each request that needs them;
the TF-IDF groups of a question are cached until a split changes them.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..gradebook.results import load_results
from .anonymity import Pseudonyms
from ..gradebook.answers import Answer, read_student
from ..gradebook.final import ManualLine, load_questions, load_scaffolding, manual_line
from .groups import Group, group_answers, load_splits
from ..gradebook.publish import read_marker
from ..gradebook.marks import load_marks


def question_title(prompt: str, limit: int = 110) -> str:
    """'**Question fm03 (suite)** — Cette répartition convient-elle ?' -> 'Cette répartition convient-elle ?'"""
    first = next((line for line in prompt.split("\n") if line.strip()), "")
    first = re.sub(r"^\s*\*\*Question[^*]*\*\*\s*[—–:-]?\s*", "", first)
    first = re.sub(r"[*_`]", "", first).strip()
    return first if len(first) <= limit else first[:limit - 1].rstrip() + "…"


class Review:
    def __init__(self, outdir: Path, anonymous: bool = False):
        self.outdir = Path(outdir)
        self.anonymous = anonymous
        self.reload_questions()
        results, _ = load_results(self.outdir, read_marker(self.outdir).get("lab"))
        self.results = {r.student_id: r for r in results}
        self.students = [r.student_id for r in results]
        given = load_scaffolding(self.outdir)
        qs = list(self.questions.values())
        self.answers: dict[str, dict[str, Answer]] = {sid: read_student(self.outdir, sid, qs, given)
                                                      for sid in self.students}
        self.pseudonyms = Pseudonyms(self.outdir, self.students) if anonymous else None
        self._orders = {name: self.pseudonyms.order(name, self.students) if anonymous else list(self.students)
                        for name in self.questions}
        self._groups: dict[str, tuple[tuple, list[Group]]] = {}

    def reload_questions(self) -> None:
        """Questions with the rubric as edited (after an edit in the page, or at start)."""
        self.questions = {q.name: q for q in load_questions(self.outdir)}

    # Pages and API name a student by a handle: the student id, or a pseudonym with `--anonymous`.
    # Nothing the browser receives may carry a student id in anonymous mode.
    def handle(self, student_id: str) -> str:
        return self.pseudonyms.of[student_id] if self.pseudonyms else student_id

    def student_of(self, handle: str) -> str | None:
        if self.pseudonyms:
            return self.pseudonyms.student.get(handle)
        return handle if handle in self.answers else None

    def order(self, question: str) -> list[str]:
        """The students in the order the page shows QUESTION's answers (shuffled per question when anonymous)."""
        return self._orders[question]

    def index_of(self, question: str, student_id: str) -> int:
        return self._orders[question].index(student_id)

    def answers_to(self, question: str) -> dict[str, Answer]:
        return {sid: self.answers[sid][question] for sid in self.students}

    def lines(self, question: str, marks=None) -> list[ManualLine]:
        marks = load_marks(self.outdir, question) if marks is None else marks
        q = self.questions[question]
        return [manual_line(q, self.answers[sid][question], marks.get((question, sid))) for sid in self.order(question)]

    def progress(self, question: str, marks=None) -> tuple[int, int]:
        lines = self.lines(question, marks)
        return sum(1 for x in lines if x.done), len(lines)

    def groups(self, question: str) -> list[Group]:
        split = tuple(sorted(load_splits(self.outdir).get(question, [])))
        cached = self._groups.get(question)
        if cached is None or cached[0] != split:
            cached = (split, group_answers(self.answers_to(question), self.order(question), set(split)))
            self._groups[question] = cached
        return cached[1]

    def next_pending(self, question: str, after: int) -> int | None:
        """Index of the first answer still to grade after AFTER (wrapping round), or None when all are done."""
        lines = self.lines(question)
        count = len(lines)
        for step in range(1, count + 1):
            i = (after + step) % count
            if not lines[i].done:
                return i
        return None
