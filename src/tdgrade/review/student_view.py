"""One student on the review page: all their written answers, their executed notebook, and the
override of an automatic question's score (with a mandatory reason: `overrides.py`).

Students are named only by `review.handle(sid)` (a pseudonym with `--anonymous`): no student id or
name reaches the browser in anonymous mode, the notebook included (its file name and metadata are
not rendered). The notebook's outputs are hostile HTML: it is served with its own policy,
`NOTEBOOK_CSP` (a CSP sandbox: no script runs, the page has no origin, so it cannot read the
token's cookie or call the API), and the student page frames it in an `<iframe sandbox>`.
"""
from __future__ import annotations

import copy

import nbformat
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, url_for

from ..gradebook.results import load_result, load_results, result_path
from ..common.french import fr
from ..gradebook.final import STATE_LABELS, FinalGrade, combine
from ..gradebook.overrides import Override, load_override, override_path, remove_override, save_override
from . import team
from .api import parse_score
from ..gradebook.publish import read_marker
from .render import CSP, render_markdown

blueprint = Blueprint("student_view", __name__)

NOTEBOOK_CSP = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'none'; "
                "base-uri 'none'; frame-ancestors 'self'")


def _review():
    return current_app.extensions["tdgrade_review"]


def _student(handle: str) -> str:
    sid = _review().student_of(handle)
    if sid is None:
        abort(404)
    return sid


def answer_index(review, question: str, student_id: str) -> int:
    """Where the student's answer is on the question's page (`?i=`)."""
    return review.index_of(question, student_id)


def _final(review, student_id: str) -> FinalGrade:
    result = load_result(result_path(review.outdir, student_id))
    if result is None:
        abort(404)
    questions = list(review.questions.values())
    return combine(review.outdir, [result], questions, {student_id: review.answers[student_id]})[0]


def grader_name() -> str:
    return team.current_grader(current_app)


@blueprint.get("/students")
def students():
    review = _review()
    results, _ = load_results(review.outdir, read_marker(review.outdir).get("lab"))
    finals = combine(review.outdir, [r for r in results if r.student_id in review.answers],
                     list(review.questions.values()), review.answers)
    rows = sorted(((review.handle(f.student_id), f) for f in finals), key=lambda row: row[0])
    return render_template("students.html", rows=rows, anonymous=review.anonymous)


@blueprint.get("/s/<handle>")
def student(handle: str):
    review = _review()
    sid = _student(handle)
    final = _final(review, sid)
    overrides = {o.question: o for o in final.overrides}
    written = [(line, STATE_LABELS[line.state], url_for("question", name=line.question.name,
                                                        i=answer_index(review, line.question.name, sid)),
                render_markdown(line.answer.text) if line.answer.kind == "markdown" else None)
               for line in final.manual]
    page = render_template(
        "student.html", handle=handle, final=final, written=written, overrides=overrides,
        name=None if review.anonymous else final.result.full_name,
        has_notebook=(review.outdir / "notebooks" / f"{sid}.ipynb").is_file())
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CSP + "; frame-src 'self'"  # the notebook's <iframe sandbox>
    return response


def render_notebook(nb, title: str) -> str:
    """The executed notebook as one HTML page, without what could name the student: the notebook's
    metadata (its title among others) and the cells' metadata are left out; the page is titled TITLE."""
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    nb.metadata = nbformat.NotebookNode({k: v for k, v in nb.metadata.items() if k == "language_info"})
    for cell in nb.cells:
        cell.metadata = nbformat.NotebookNode()
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb, resources={"metadata": {"name": title}})
    return body


@blueprint.get("/s/<handle>/notebook")
def notebook(handle: str):
    review = _review()
    sid = _student(handle)
    try:
        nb = nbformat.read(review.outdir / "notebooks" / f"{sid}.ipynb", as_version=4)
    except (OSError, ValueError, TypeError):
        abort(404)
    response = Response(render_notebook(nb, f"Notebook exécuté — {handle}"), mimetype="text/html")
    response.headers["Content-Security-Policy"] = NOTEBOOK_CSP  # the app keeps a policy already set
    return response


def _refuse(message: str, status: int = 400):
    return jsonify(ok=False, error=message), status


def _changed_since_seen(outdir, question: str, student_id: str, data: dict) -> str | None:
    """A French refusal when another grader changed this override since the page was loaded.

    The page sends `seen`: the `saved_at` of the override it showed ("" for none). A request without
    `seen` (a script) is not checked."""
    if "seen" not in data:
        return None
    current = load_override(override_path(outdir, question, student_id))
    try:
        seen = float(data["seen"]) if data["seen"] not in ("", None) else None
    except (TypeError, ValueError):
        seen = -1.0
    if (current.saved_at if current else None) == seen:
        return None
    if current is None:
        return "Cette note a été rétablie entre-temps par un·e autre correcteur·rice : rechargez la page."
    who = f" par {current.grader}" if current.grader else ""
    return (f"Cette note a été modifiée entre-temps{who} : {fr(current.score)} (motif : {current.reason}). "
            "Rien n'a été enregistré : rechargez la page pour la voir, puis modifiez-la si besoin.")


@blueprint.post("/api/override")
def api_override():
    """{student: handle, question, score, reason, remove}: override or restore an automatic score."""
    review = _review()
    data = request.get_json(force=False, silent=True)
    if not isinstance(data, dict):
        return _refuse("Requête invalide.")
    sid = review.student_of(str(data.get("student", "")))
    if sid is None:
        return _refuse("Étudiant·e inconnu·e.", 404)
    final = _final(review, sid)
    name = str(data.get("question", ""))
    question = next((q for q in final.result.questions if q.name == name), None)
    if question is None:
        return _refuse(f"« {name} » n'est pas une question automatique de cette copie.", 404)
    stale = _changed_since_seen(review.outdir, name, sid, data)
    if stale:
        return _refuse(stale, 409)
    if data.get("remove") is True:
        removed = remove_override(review.outdir, name, sid, grader_name())
        if removed is None:
            return _refuse("Cette note n'était pas modifiée.", 404)
        return jsonify(ok=True, score=question.score, auto=_final(review, sid).auto)
    reason = " ".join(str(data.get("reason") or "").split())[:2000]
    if not reason:
        return _refuse("Le motif est obligatoire pour modifier une note automatique : il est montré à "
                       "l'étudiant·e dans son retour.")
    try:
        score = parse_score(data.get("score"))
    except (TypeError, ValueError):
        return _refuse("Note invalide : écrivez un nombre, par exemple 1,5.")
    if not 0 <= score <= question.max_score:
        return _refuse(f"La note doit être entre 0 et {fr(question.max_score)}.")
    save_override(review.outdir, Override(name, sid, score, reason, grader_name(), previous_score=question.score))
    return jsonify(ok=True, score=score, auto=_final(review, sid).auto)
