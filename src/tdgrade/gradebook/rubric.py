"""The rubric as the source of truth of a manual score.

Rubric items are named by position (`r1`, `r2`, ... in the order of the source's bullets): editing a
criterion's wording or points keeps its id, so every mark that ticked it follows. A mark's score is
the sum of its ticked items under the rubric as it is now, plus the adjustment the grader typed
(with its reason), kept between 0 and the question's points.

Edits made in the review page are kept in OUTDIR/manual/rubric_edits.json, an overlay on the lab's
rubric (OUTDIR/manual/questions.json, which `tdgrade grade` copies again from the build): a rebuild
does not erase them, and `tdgrade review` says at start which edits differ from the source.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from ..compiler.manual import ManualQuestion, RubricItem
from ..common.files import atomic_write
from .marks import Mark, journal, load_marks, locked, manual_dir

EDITS_FILE = "rubric_edits.json"
EPS = 1e-9


def item_ids(question: ManualQuestion) -> list[str]:
    return [f"r{i + 1}" for i in range(len(question.rubric))]


def items_by_id(question: ManualQuestion) -> dict[str, RubricItem]:
    return dict(zip(item_ids(question), question.rubric))


def rubric_sum(question: ManualQuestion, ticked: list[str]) -> float:
    by_id = items_by_id(question)
    return sum(by_id[i].points for i in dict.fromkeys(ticked) if i in by_id)


def live_score(question: ManualQuestion, mark: Mark) -> float:
    """The score this mark is worth under the current rubric."""
    if mark.adjustment is None:
        return mark.score
    raw = rubric_sum(question, mark.items) + mark.adjustment
    return round(min(max(raw, 0.0), question.points), 4)


@dataclass
class Decision:
    """What the grader gave, checked against the question: ticked ids, adjustment and its reason."""
    items: list[str]
    adjustment: float
    reason: str

    def score(self, question: ManualQuestion) -> float:
        return round(rubric_sum(question, self.items) + self.adjustment, 4)


class MarkError(ValueError):
    """A mark the page must refuse (French message for the grader)."""


def decide(question: ManualQuestion, items: list[str], typed: float | None, reason: str) -> Decision:
    """Ticks and an optional typed total -> a Decision, or MarkError with a French message."""
    known = item_ids(question)
    ticked = [i for i in known if i in set(items)]
    if set(items) - set(known):
        raise MarkError("Critère de barème inconnu : rechargez la page (le barème a peut-être été modifié).")
    base = rubric_sum(question, ticked)
    total = base if typed is None else typed
    if not -EPS <= total <= question.points + EPS:
        raise MarkError(f"La note doit être entre 0 et {_fr(question.points)}.")
    adjustment = round(total - base, 4)
    reason = " ".join((reason or "").split())[:500]
    if abs(adjustment) > EPS and question.rubric and not reason:
        raise MarkError(f"La note tapée ({_fr(total)}) diffère du barème coché ({_fr(base)}) : "
                        "indiquez le motif de l'ajustement.")
    return Decision(ticked, 0.0 if abs(adjustment) <= EPS else adjustment, reason if abs(adjustment) > EPS else "")


def _fr(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def load_edits(outdir: Path) -> dict[str, dict[str, dict]]:
    try:
        data = json.loads((manual_dir(outdir) / EDITS_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def apply_edits(questions: list[ManualQuestion], edits: dict[str, dict[str, dict]]) -> list[ManualQuestion]:
    """The questions with the page's rubric edits laid over the lab's rubric."""
    out = []
    for q in questions:
        mine = edits.get(q.name) or {}
        rubric = [RubricItem(float(mine[i]["points"]), str(mine[i]["text"])) if i in mine else item
                  for i, item in zip(item_ids(q), q.rubric)]
        out.append(replace(q, rubric=rubric))
    return out


def differing_edits(questions: list[ManualQuestion], edits: dict[str, dict[str, dict]]) -> list[str]:
    """'question/rN' for each page edit that differs from the lab's current rubric (said at start)."""
    out = []
    for q in questions:
        for i, item in items_by_id(q).items():
            mine = (edits.get(q.name) or {}).get(i)
            if mine and (abs(float(mine["points"]) - item.points) > EPS or mine["text"] != item.text):
                out.append(f"{q.name}/{i}")
    return out


@dataclass
class RubricChange:
    question: ManualQuestion  # with the new rubric
    rescored: int  # marks whose score changed
    marks: int  # marks of this question


def edit_rubric(outdir: Path, question: ManualQuestion, new_items: list[RubricItem], grader: str) -> RubricChange:
    """Replace QUESTION's rubric (same number of items, same total) and say how many marks moved."""
    if len(new_items) != len(question.rubric):
        raise MarkError("Le barème modifié doit garder le même nombre de critères.")
    if any(item.points < 0 or not item.text.strip() for item in new_items):
        raise MarkError("Chaque critère a un intitulé et des points positifs ou nuls.")
    total = sum(item.points for item in new_items)
    if abs(total - question.points) > EPS:
        raise MarkError(f"Les critères totalisent {_fr(total)} : ils doivent totaliser {_fr(question.points)}, "
                        "les points de la question.")
    new_question = replace(question, rubric=list(new_items))
    with locked(outdir):
        edits = load_edits(outdir)
        edits[question.name] = {i: {"points": item.points, "text": item.text.strip()}
                                for i, item in zip(item_ids(question), new_items)}
        atomic_write(manual_dir(outdir) / EDITS_FILE, json.dumps(edits, ensure_ascii=False, indent=1))
        marks = [m for (name, _), m in load_marks(outdir).items() if name == question.name]
        rescored = sum(1 for m in marks if abs(live_score(question, m) - live_score(new_question, m)) > EPS)
        journal(outdir, "rubric", {"question": question.name, "grader": grader, "rescored": rescored,
                                   "before": [vars(i) for i in question.rubric],
                                   "after": [vars(i) for i in new_items]})
    return RubricChange(new_question, rescored, len(marks))


def rescored_since_given(questions: list[ManualQuestion], marks: dict[tuple[str, str], Mark]) -> list[str]:
    """'question/student' for each mark now worth another score than when it was given (a rubric edit,
    in the page or in the source then a rebuild): said when the page starts."""
    by_name = {q.name: q for q in questions}
    return [f"{name}/{sid}" for (name, sid), mark in sorted(marks.items())
            if name in by_name and abs(live_score(by_name[name], mark) - mark.score) > EPS]
