"""Class statistics for report.html: class means, per-question difficulty and discrimination,
frequent failures, students needing attention. Pure functions on `Result`s and `FinalGrade`s;
French number formatting in `fr`.

What they may claim: a mean is over the students whose grade is known (the others are counted
apart, never as 0); a failure count is a number of students; a correlation needs MIN_N students
(below, "trop peu d'étudiants": with 4 students any correlation is noise)."""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from ..common.french import fr
from .feedback import STATUS_LABELS
from .result import Result, Status

LOW_SCORE = 0.5  # below half the points ("sous la moyenne"), a student who ran is flagged
MIN_N = 10  # fewest students for a discrimination figure


@dataclass
class QuestionStats:
    name: str
    points: float
    success: float | None  # share of executed notebooks passing it
    mean: float | None
    difficulty: float | None  # mean score / points: 1 easy, 0 nobody scores
    discrimination: float | None  # correlation of the question's score with the rest of the total
    top_failure: str  # most frequent failure message
    top_failure_count: int  # students who got it
    n: int = 0  # students in the discrimination figure


def discrimination_text(value: float | None, n: int) -> str:
    if n < MIN_N:
        return f"trop peu d'étudiants (n = {n})"
    return fr(value)


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < MIN_N or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return statistics.correlation(xs, ys)


def question_stats(results: list[Result], questions: dict[str, float]) -> list[QuestionStats]:
    ran = [r for r in results if r.ran]
    out = []
    for name, points in questions.items():
        scores, rests, failures = [], [], Counter()
        passed = 0
        for r in ran:
            q = next((x for x in r.questions if x.name == name), None)
            if q is None:
                continue
            scores.append(q.score)
            rests.append(r.total - q.score)
            passed += q.passed
            failures.update(list(dict.fromkeys(" ".join((case.message or "échec").split())[:160] for case in q.cases
                                               if not case.passed)))  # each student once per message, in order
        mean = sum(scores) / len(scores) if scores else None
        top, count = failures.most_common(1)[0] if failures else ("", 0)
        out.append(QuestionStats(name, points, passed / len(ran) if ran else None, mean,
                                 mean / points if mean is not None and points else None,
                                 _pearson(scores, rests), top, count, len(scores)))
    return out


def manual_discrimination(finals) -> list[tuple[float | None, int]]:
    """(correlation, n) per manual question: its score against the rest of the final total, over
    the students entirely graded."""
    done = [f for f in finals if f.complete]
    out = []
    for i in range(len(finals[0].manual) if finals else 0):
        xs = [f.manual[i].score for f in done]
        out.append((_pearson(xs, [f.total - x for f, x in zip(done, xs)]), len(done)))
    return out


@dataclass
class ClassMeans:
    known: list[float]  # final totals known (or automatic totals for a lab without manual questions)
    pending: int  # students whose total waits for manual grading
    auto: list[float]  # automatic part of everybody

    def text(self, max_total: float, auto_max: float, has_manual: bool) -> str:
        mean = fr(sum(self.known) / len(self.known)) if self.known else "—"
        out = f"moyenne de la classe {mean} / {fr(max_total)} sur {len(self.known)} étudiant·es"
        if has_manual:
            out += f" dont la note finale est connue ; {self.pending} en attente de correction manuelle"
            if self.auto:
                out += (f" · partie automatique : moyenne {fr(sum(self.auto) / len(self.auto))} / {fr(auto_max)} "
                        f"sur {len(self.auto)}")
        return out


def class_means(results: list[Result], finals) -> ClassMeans:
    by_id = {f.student_id: f for f in finals or []}
    has_manual = bool(finals and finals[0].manual)
    if not has_manual:
        totals = [r.total for r in results]
        return ClassMeans(totals, 0, totals)
    known = [by_id[r.student_id].total for r in results if r.student_id in by_id and by_id[r.student_id].complete]
    return ClassMeans(known, len(results) - len(known), [r.total for r in results])


def attention(results: list[Result], finals=None) -> list[tuple[Result, str]]:
    """Students to look at: did not run to the end, grader errors, below half the points on the best
    information there is (the final total, else the automatic part, said so)."""
    by_id = {f.student_id: f for f in finals or []}
    out = []
    for r in results:
        if r.status is Status.DUPLICATE:
            continue
        final = by_id.get(r.student_id)
        if r.status is not Status.GRADED:
            out.append((r, STATUS_LABELS[r.status]))
        elif final is not None and final.manual and final.complete:
            if final.max_total and final.total < LOW_SCORE * final.max_total:
                out.append((r, f"note finale sous la moyenne ({fr(final.total)} / {fr(final.max_total)})"))
            elif r.cell_errors:
                out.append((r, f"{len(r.cell_errors)} cellule(s) en erreur"))
        elif r.max_total and r.total < LOW_SCORE * r.max_total:
            pending = " ; note finale pas encore connue" if final is not None and final.manual else ""
            out.append((r, f"partie automatique sous la moitié des points ({fr(r.total)} / {fr(r.max_total)})"
                           f"{pending}"))
        elif r.cell_errors:
            out.append((r, f"{len(r.cell_errors)} cellule(s) en erreur"))
    return out
