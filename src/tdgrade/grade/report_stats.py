"""Class statistics for report.html: per-question difficulty and discrimination, frequent failures,
students needing attention. Pure functions on `Result`s; French number formatting in `fr`."""
from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass

from .feedback import STATUS_LABELS
from .result import Result, Status

LOW_SCORE = 0.25  # below this fraction of the automatic points, a student who ran is flagged


def fr(x: float | None, digits: int = 2) -> str:
    """French decimal comma, trailing zeros dropped: 26,5 ; 12 ; — for nothing."""
    if x is None:
        return "—"
    text = f"{float(x):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text if text != "-0" else "0").replace(".", ",")


@dataclass
class QuestionStats:
    name: str
    points: float
    success: float | None  # share of executed notebooks passing it
    mean: float | None
    difficulty: float | None  # mean score / points: 1 easy, 0 nobody scores
    discrimination: float | None  # correlation of the question's score with the rest of the total
    top_failure: str  # most frequent failure message
    top_failure_count: int


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 3 or len(set(xs)) < 2 or len(set(ys)) < 2:
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
            for case in q.cases:
                if not case.passed:
                    failures[" ".join((case.message or "échec").split())[:160]] += 1
        mean = sum(scores) / len(scores) if scores else None
        top, count = failures.most_common(1)[0] if failures else ("", 0)
        out.append(QuestionStats(name, points, passed / len(ran) if ran else None, mean,
                                 mean / points if mean is not None and points else None,
                                 _pearson(scores, rests), top, count))
    return out


def attention(results: list[Result]) -> list[tuple[Result, str]]:
    """Students to look at: did not run to the end, grader errors, very low automatic scores."""
    out = []
    for r in results:
        if r.status is Status.DUPLICATE:
            continue
        if r.status is not Status.GRADED:
            out.append((r, STATUS_LABELS[r.status]))
        elif r.max_total and r.total < LOW_SCORE * r.max_total:
            out.append((r, f"note automatique très basse ({fr(r.total)} / {fr(r.max_total)})"))
        elif r.cell_errors:
            out.append((r, f"{len(r.cell_errors)} cellule(s) en erreur"))
    return out
