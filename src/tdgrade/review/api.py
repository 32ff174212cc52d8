"""The review page's JSON API: save a mark (for one answer or its whole group), split an answer out.

A save names the answer by the handle the page showed and the sha256 of the text the grader read;
it carries the revision of the mark the page showed, so a save over a colleague's newer mark is
refused (409) with both scores, and goes through only when the grader chooses to replace it.
"""
from __future__ import annotations

from flask import Flask, abort, jsonify, redirect, request, url_for

from ..common.french import fr
from . import team
from .groups import group_of, split_out
from ..gradebook.rubric import MarkError, decide, live_score
from .state import Review
from ..gradebook.marks import Mark, SaveConflict, load_marks, save_mark


def parse_score(value) -> float:
    """A score as a grader types it: 0.75, "0.75" or the French "0,75"."""
    if isinstance(value, bool):
        raise TypeError("a score is a number")
    if isinstance(value, str):
        value = value.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
    score = float(value)
    if score != score or score in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return score


def _revision(value) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


def conflict_body(review: Review, conflict: SaveConflict) -> dict:
    q = review.questions[conflict.current.question]
    theirs, yours = live_score(q, conflict.current), live_score(q, conflict.attempted)
    who = conflict.current.grader or "un·e autre correcteur·rice"
    return {"ok": False, "conflict": {
        "grader": who, "score": theirs, "yours": yours, "revision": conflict.current.revision,
        "comment": conflict.current.comment},
        "error": (f"{who} a noté cette réponse {fr(theirs)} depuis l'ouverture de votre page ; votre note : "
                  f"{fr(yours)}. Les deux sont au journal. Gardez la sienne ou remplacez-la par la vôtre.")}


def install(app: Flask, review: Review) -> None:
    @app.post("/api/mark")
    def api_mark():
        data = request.get_json(force=False, silent=True)
        if not isinstance(data, dict):
            abort(400)
        name = str(data.get("question", ""))
        sid = review.student_of(str(data.get("student", "")))
        if name not in review.questions or sid is None:
            abort(404)
        q = review.questions[name]
        answer = review.answers[sid][name]
        if data.get("answer_sha256") != answer.sha256:
            return jsonify(ok=False, error="La réponse a changé depuis l'affichage : rechargez la page."), 409
        try:
            typed = parse_score(data["score"]) if data.get("score") not in (None, "") else None
            decision = decide(q, [str(x) for x in data.get("items") or []], typed, str(data.get("reason") or ""))
        except MarkError as exc:
            return jsonify(ok=False, error=str(exc)), 400
        except (TypeError, ValueError):
            return jsonify(ok=False, error="Note illisible : tapez par exemple 0,75."), 400
        grader = team.current_grader(app)
        targets = [(sid, _revision(data.get("base_revision")))]
        skipped = []
        if data.get("group"):
            group = group_of(review.groups(name), sid)
            bases = data.get("group_revisions") if isinstance(data.get("group_revisions"), dict) else {}
            marks = load_marks(review.outdir, name)
            for other in (group.members if group else []):
                handle = review.handle(other)
                if other == sid or handle not in bases:
                    continue  # only the members the grader saw on the page
                mark = marks.get((name, other))
                if mark is not None and mark.answer_sha256 == review.answers[other][name].sha256:
                    skipped.append(handle)  # graded already: a group action never overwrites a mark
                    continue
                targets.append((other, _revision(bases[handle])))
        saved, conflicts = [], []
        for student, base in targets:
            mark = Mark(question=name, student_id=student, score=decision.score(q),
                        answer_sha256=review.answers[student][name].sha256,
                        comment=str(data.get("comment") or "")[:2000], items=decision.items, grader=grader,
                        adjustment=decision.adjustment, reason=decision.reason)
            try:
                saved.append(save_mark(review.outdir, mark, base_revision=base))
            except SaveConflict as conflict:
                if student == sid:
                    return jsonify(conflict_body(review, conflict)), 409
                conflicts.append(review.handle(student))
        done, count = review.progress(name)
        return jsonify(ok=True, score=live_score(q, saved[0]), revision=saved[0].revision, saved=len(saved),
                       skipped=skipped, conflicts=conflicts, done=done, count=count)

    @app.post("/q/<name>/split")
    def split(name: str):
        """Take the answer out of its group (or back in): a plain form, then back to the answer."""
        sid = review.student_of(request.form.get("student", ""))
        if name not in review.questions or sid is None:
            abort(404)
        join = request.form.get("join") == "1"
        group = group_of(review.groups(name), sid)
        if not join and (group is None or group.size < 2):
            abort(400)
        split_out(review.outdir, name, sid, team.current_grader(app), join=join)
        return redirect(url_for("question", name=name, i=review.index_of(name, sid)))
