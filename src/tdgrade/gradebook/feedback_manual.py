"""What the feedback says about a teacher's grading: the written answers (score, the rubric items
got and missed with their wording, an adjustment and its reason, the comment) and the automatic
scores a grader overrode (`overrides.py`). `feedback.py` puts these parts in each student's page.
"""
from __future__ import annotations

import html


def _fmt(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def manual_markdown(final) -> list[str]:
    if final is None or not final.manual:
        return ["Les questions à correction manuelle (explications rédigées) sont notées à part par votre "
                "enseignant·e.", ""]
    lines = ["## Questions rédigées (correction manuelle)", ""]
    for line in final.manual:
        q = line.question
        score = "pas encore notée" if line.score is None else f"{_fmt(line.score)} / {_fmt(q.points)}"
        empty = " (réponse vide)" if line.answer.empty and line.mark is None else ""
        lines.append(f"- `{q.name}` — {score}{empty}")
        lines += [f"  - {text}" for text in rubric_feedback(line)]
        if line.mark is not None and line.score is not None and line.mark.comment.strip():
            lines.append(f"  - Commentaire : {' '.join(line.mark.comment.split())}")
    return [*lines, ""]


def rubric_feedback(line) -> list[str]:
    """The rubric items the student got (✔) and missed (✘), with their wording, and any adjustment."""
    out = [f"{'✔' if got else '✘'} {' '.join(item.text.split())} ({_points(item.points)})"
           for got, item in line.rubric_outcome]
    if out and line.mark.adjustment:
        sign = "+" if line.mark.adjustment > 0 else "−"
        out.append(f"Ajustement {sign}{_points(abs(line.mark.adjustment))} : {' '.join(line.mark.reason.split())}")
    return out


def _points(x: float) -> str:
    return f"{_fmt(x)} {'points' if abs(x) >= 2 else 'point'}"


def _override_of(final, name: str):
    """The grader's override of automatic question NAME (gradebook/overrides.py), or None."""
    return next((o for o in getattr(final, "overrides", None) or [] if o.question == name), None)


def question_score(final, q) -> float:
    """An automatic question's score: the grader's override when there is one."""
    override = _override_of(final, q.name)
    return q.score if override is None else override.score


def passed(final, q) -> bool:
    override = _override_of(final, q.name)
    return q.passed if override is None else override.score >= q.max_score


def override_text(final, q) -> str | None:
    """The sentence telling the student a grader changed this question's score, and why."""
    override = _override_of(final, q.name)
    if override is None:
        return None
    return (f"Note modifiée par l'enseignant·e : {_fmt(override.score)} / {_fmt(q.max_score)} (note automatique : "
            f"{_fmt(q.score)}) — motif : {' '.join(override.reason.split())}")


def manual_html(final) -> list[str]:
    e = html.escape
    if final is None or not final.manual:
        return ["<p>Les questions à correction manuelle (explications rédigées) sont notées à part par votre "
                "enseignant·e.</p>"]
    out = ["<h2>Questions rédigées (correction manuelle)</h2><ul>"]
    for line in final.manual:
        q = line.question
        score = "pas encore notée" if line.score is None else f"{_fmt(line.score)} / {_fmt(q.points)}"
        empty = " (réponse vide)" if line.answer.empty and line.mark is None else ""
        comment = ""
        if line.mark is not None and line.score is not None and line.mark.comment.strip():
            comment = f"<br><i>Commentaire : {e(line.mark.comment)}</i>"
        items = "".join(f"<br>{e(text)}" for text in rubric_feedback(line))
        out.append(f"<li><code>{e(q.name)}</code> — {e(score)}{empty}{items}{comment}</li>")
    return [*out, "</ul>"]
