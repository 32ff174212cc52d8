"""The review page (Flask): grade the manual questions one question at a time, as a team.

Bound to 127.0.0.1; every request needs the random token printed in the URL (kept afterwards in a
SameSite=Strict cookie) and must name this server in Host and Origin (`auth.py`); each browser
names its grader once (`team.py`). Student answers are hostile text: Markdown is rendered with raw
HTML escaped, and a Content-Security-Policy allows only this server's own script and style.
Pages are here; the JSON API that saves marks is `api.py`.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, redirect, render_template, request, url_for

from ..compiler.manual import RubricItem
from ..common.french import fr, points
from . import api, auth, team
from ..gradebook.final import STATE_LABELS, ManualState, load_lab_questions
from .groups import group_of, suggestions
from ..gradebook.publish import publish
from .render import CSP, render_markdown
from ..gradebook.rubric import MarkError, differing_edits, edit_rubric, item_ids, load_edits, rescored_since_given, rubric_sum
from .state import Review, question_title
from ..gradebook.marks import load_marks
from .student_view import blueprint as student_blueprint


@dataclass
class Options:
    worksheet: Path | None = None
    scale: float | None = None
    lang: str = "en"
    grader: str | None = None  # the only grader (--grader); None: each browser gives its name
    anonymous: bool = False
    unreadable_as_zero: bool = False  # --unreadable-as-zero: "Publier" as `tdgrade grade` would


def create_app(outdir: Path, token: str | None = None, options: Options | None = None) -> Flask:
    options = options or Options()
    app = Flask(__name__)
    app.config["TOKEN"] = token or secrets.token_urlsafe(24)
    app.config["GRADER"] = team.clean_name(options.grader or "")
    review = Review(outdir, anonymous=options.anonymous)
    app.extensions["tdgrade_review"] = review
    auth.install(app)  # first: nothing else runs for a refused request
    team.install(app)
    api.install(app, review)
    app.register_blueprint(student_blueprint)  # one student: answers, notebook, overrides
    app.jinja_env.filters["fr"] = fr  # French decimal comma: 0,5
    app.jinja_env.filters["points"] = points

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        # The token in a URL never leaves in a Referer; "no-referrer" would make Chromium send `Origin: null`.
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.get("/")
    def index():
        marks = load_marks(review.outdir)
        rows = []
        for name, q in review.questions.items():
            done, count = review.progress(name, marks)
            groups = review.groups(name)
            rows.append((q, question_title(q.prompt), done, count, len(groups), sum(g.size for g in groups)))
        return render_template("index.html", rows=rows, outdir=str(review.outdir), students=len(review.students),
                               anonymous=review.anonymous)

    @app.get("/q/<name>")
    def question(name: str):
        if name not in review.questions or not review.students:
            abort(404)
        lines = review.lines(name)
        index = request.args.get("i", type=int)
        if index is None:  # first answer still to grade, else the first one
            index = next((i for i, x in enumerate(lines) if not x.done), 0)
        index = max(0, min(index, len(lines) - 1))
        return render_template("question.html", **_question_page(review, name, index, lines))

    @app.get("/q/<name>/next")
    def next_pending(name: str):
        """The next answer still to grade after ?after=I (Ctrl+Enter, key n), else the next question."""
        if name not in review.questions:
            abort(404)
        found = review.next_pending(name, request.args.get("after", -1, type=int))
        if found is not None:
            return redirect(url_for("question", name=name, i=found))
        names = list(review.questions)
        later = [n for n in names[names.index(name) + 1:] + names[:names.index(name)]
                 if review.next_pending(n, -1) is not None]
        return redirect(url_for("question", name=later[0]) if later else url_for("index", all_done=1))

    @app.route("/q/<name>/rubric", methods=["GET", "POST"])
    def rubric_page(name: str):
        if name not in review.questions:
            abort(404)
        q = review.questions[name]
        message, error, status = "", "", 200
        if request.method == "POST":
            try:
                new = [RubricItem(float(request.form.get(f"points_{i}", "").replace(",", ".")),
                                  " ".join(request.form.get(f"text_{i}", "").split())) for i in item_ids(q)]
                change = edit_rubric(review.outdir, q, new, team.current_grader(app))
            except (ValueError, MarkError) as exc:
                error, status = (str(exc) if isinstance(exc, MarkError) else "Points illisibles."), 400
            else:
                review.reload_questions()
                q = review.questions[name]
                message = (f"Barème enregistré : {change.rescored} note(s) recalculée(s) sur "
                           f"{change.marks} déjà donnée(s).")
        source_differs = [x for x in differing_edits(load_lab_questions(review.outdir), load_edits(review.outdir))
                          if x.startswith(f"{name}/")]
        return render_template("rubric.html", q=q, items=list(zip(item_ids(q), q.rubric)), message=message, error=error,
                               source_differs=source_differs), status

    @app.post("/publish")
    def publish_now():
        published = publish(review.outdir, worksheet=options.worksheet, scale=options.scale, lang=options.lang,
                            unreadable_as_zero=options.unreadable_as_zero)
        app.logger.info(published.summary())
        return redirect(url_for("index", published=1))

    return app


def _question_page(review: Review, name: str, index: int, lines) -> dict:
    """Everything question.html shows for answer INDEX of question NAME."""
    q = review.questions[name]
    order = review.order(name)
    sid = order[index]
    line = lines[index]
    group = group_of(review.groups(name), sid)
    members = []
    for other in (group.members if group else []):
        other_line = lines[review.index_of(name, other)]
        members.append({"handle": review.handle(other), "i": review.index_of(name, other), "me": other == sid,
                        "state": STATE_LABELS[other_line.state], "done": other_line.done,
                        "revision": other_line.mark.revision if other_line.mark else 0,
                        "text": other_line.answer.text})
    graded = [s for s, x in zip(order, lines) if x.state is ManualState.GRADED]
    hints = []
    if not line.done:
        for s in suggestions(review.answers_to(name), sid, graded):
            other_line = lines[review.index_of(name, s.student_id)]
            hints.append({"handle": review.handle(s.student_id), "i": review.index_of(name, s.student_id),
                          "similarity": s.similarity, "score": other_line.score, "text": other_line.answer.text[:300]})
    mark = line.mark
    ticked = set(mark.items) if mark else set()
    names = list(review.questions)
    return dict(
        q=q, title=question_title(q.prompt), line=line, handle=review.handle(sid), index=index, count=len(lines),
        done=sum(1 for x in lines if x.done), state=STATE_LABELS[line.state],
        prompt=render_markdown(q.prompt), model=render_markdown(q.model_answer) if q.answer_kind == "markdown" else None,
        answer=render_markdown(line.answer.text) if line.answer.kind == "markdown" else None,
        items=list(zip(item_ids(q), q.rubric)), ticked=ticked, rubric_total=rubric_sum(q, list(ticked)),
        score=line.score, revision=mark.revision if mark else 0, group=group, members=members, hints=hints,
        next_question=names[names.index(name) + 1] if names.index(name) + 1 < len(names) else None,
        anonymous=review.anonymous)


def serve(outdir: Path, port: int = 0, options: Options | None = None, log=None) -> int:
    """Run the page until Ctrl-C (or SIGTERM), then publish the gradebook."""
    import functools
    import signal

    from werkzeug.serving import make_server

    log = log or functools.partial(print, flush=True)
    options = options or Options()
    app = create_app(outdir, options=options)
    review = app.extensions["tdgrade_review"]
    server = make_server("127.0.0.1", port, app, threaded=True)
    app.config["PORT"] = server.server_port  # requests must name this port in Host (auth.py)

    def _stop(signum, frame):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, _stop)  # `kill` stops like Ctrl-C: the gradebook is still published
    edited = differing_edits(load_lab_questions(review.outdir), load_edits(review.outdir))
    if edited:
        log(f"rubric items edited in the page that differ from the lab's rubric (the page's edit wins): "
            f"{', '.join(edited)}")
    moved = rescored_since_given(list(review.questions.values()), load_marks(review.outdir))
    if moved:
        log(f"{len(moved)} mark(s) re-scored by a rubric change since they were given: {', '.join(moved[:10])}"
            + (" ..." if len(moved) > 10 else ""))
    log(f"review page: http://127.0.0.1:{server.server_port}/?token={app.config['TOKEN']}\n"
        "(scores are saved as you give them; Ctrl-C stops and publishes grades.csv, Moodle file, feedback)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    log(publish(outdir, worksheet=options.worksheet, scale=options.scale, lang=options.lang,
                unreadable_as_zero=options.unreadable_as_zero).summary())
    return 0
