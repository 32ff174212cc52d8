"""The review page (Flask): grade the manual questions one question at a time, every student in turn.

Bound to 127.0.0.1; every request needs the random token printed in the URL (kept afterwards in a
SameSite=Strict cookie) and must name this server in Host and Origin: `auth.py`. Student answers
are hostile text: Markdown is rendered with raw HTML escaped, and a Content-Security-Policy allows only this server's own script and style.
Each score is saved by `store.save_mark` the moment it is given.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import mistune
from flask import Flask, abort, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup

from ..grade.gradebook import load_results
from ..grade.report_stats import fr
from . import auth
from .answers import Answer, read_student
from .final import STATE_LABELS, ManualState, load_questions, load_scaffolding, manual_line
from .publish import publish, read_marker
from .store import Mark, load_marks, save_mark
from .student_view import blueprint as student_blueprint

CSP = ("default-src 'none'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
_markdown = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])


def render_markdown(text: str) -> Markup:
    return Markup(_markdown(text or ""))


@dataclass
class Options:
    worksheet: Path | None = None
    scale: float | None = None
    lang: str = "en"


class Review:
    """What the pages show: questions, students and their answers (read once), scores (read live)."""

    def __init__(self, outdir: Path):
        self.outdir = Path(outdir)
        self.questions = {q.name: q for q in load_questions(self.outdir)}
        results, _ = load_results(self.outdir, read_marker(self.outdir).get("lab"))
        self.students = [r.student_id for r in results]
        given = load_scaffolding(self.outdir)
        qs = list(self.questions.values())
        self.answers: dict[str, dict[str, Answer]] = {sid: read_student(self.outdir, sid, qs, given)
                                                      for sid in self.students}

    # Pages and API name a student by a handle: the student id, or a pseudonym with `--anonymous`
    # (anonymity.py). Nothing the browser receives may carry a student id in anonymous mode.
    anonymous = False

    def handle(self, student_id: str) -> str:
        return student_id

    def student_of(self, handle: str) -> str | None:
        return handle if handle in self.answers else None

    def lines(self, question: str):
        marks = load_marks(self.outdir)
        q = self.questions[question]
        return [manual_line(q, self.answers[sid][question], marks.get((question, sid))) for sid in self.students]

    def progress(self, question: str) -> tuple[int, int]:
        lines = self.lines(question)
        return sum(1 for x in lines if x.done), len(lines)


def create_app(outdir: Path, token: str | None = None, options: Options | None = None) -> Flask:
    app = Flask(__name__)
    app.config["TOKEN"] = token or secrets.token_urlsafe(24)
    app.config["GRADER"] = _grader_name()
    review = Review(outdir)
    options = options or Options()
    app.extensions["tdgrade_review"] = review
    auth.install(app)
    app.register_blueprint(student_blueprint)  # one student: answers, notebook, overrides
    app.jinja_env.filters["fr"] = fr  # French decimal comma: 0,5

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "no-store"
        # The token in a URL never leaves in a Referer; "no-referrer" would make Chromium send `Origin: null`.
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.get("/")
    def index():
        rows = [(q, *review.progress(name)) for name, q in review.questions.items()]
        return render_template("index.html", rows=rows, outdir=str(review.outdir), students=len(review.students))

    @app.get("/q/<name>")
    def question(name: str):
        if name not in review.questions or not review.students:
            abort(404)
        lines = review.lines(name)
        index = request.args.get("i", type=int)
        if index is None:  # first answer still to grade, else the first one
            index = next((i for i, x in enumerate(lines) if not x.done), 0)
        index = max(0, min(index, len(lines) - 1))
        line = lines[index]
        q = review.questions[name]
        done = sum(1 for x in lines if x.done)
        names = list(review.questions)
        nxt = names[names.index(name) + 1] if names.index(name) + 1 < len(names) else None
        return render_template(
            "question.html", q=q, line=line, student=review.students[index], index=index, count=len(lines),
            done=done, state=STATE_LABELS[line.state], pending=line.state in (ManualState.PENDING, ManualState.CHANGED),
            prompt=render_markdown(q.prompt), model=render_markdown(q.model_answer) if q.answer_kind == "markdown" else None,
            answer=render_markdown(line.answer.text) if line.answer.kind == "markdown" else None,
            next_question=nxt, points=q.points)

    @app.post("/api/mark")
    def api_mark():
        data = request.get_json(force=False, silent=True)
        if not isinstance(data, dict):
            abort(400)
        name, sid = str(data.get("question", "")), str(data.get("student_id", ""))
        if name not in review.questions or sid not in review.answers:
            abort(404)
        q = review.questions[name]
        answer = review.answers[sid][name]
        if data.get("answer_sha256") != answer.sha256:
            return jsonify(ok=False, error="La réponse a changé depuis l'affichage : rechargez la page."), 409
        items = [bool(x) for x in data.get("items") or []][: len(q.rubric)]
        try:
            score = parse_score(data["score"]) if data.get("score") not in (None, "") else \
                sum(i.points for i, on in zip(q.rubric, items) if on)
        except (TypeError, ValueError):
            return jsonify(ok=False, error="Note invalide."), 400
        if not 0 <= score <= q.points:
            return jsonify(ok=False, error=f"La note doit être entre 0 et {q.points:g}."), 400
        mark = save_mark(review.outdir, Mark(name, sid, score, answer.sha256, str(data.get("comment") or "")[:2000],
                                             items, str(data.get("grader") or app.config["GRADER"])[:80]))
        done, count = review.progress(name)
        return jsonify(ok=True, score=mark.score, done=done, count=count)

    @app.post("/publish")
    def publish_now():
        published = publish(review.outdir, worksheet=options.worksheet, scale=options.scale, lang=options.lang)
        app.logger.info(published.summary())
        return redirect(url_for("index", published=1))

    return app


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


def _grader_name() -> str:
    """Who is grading, recorded with each score (the journal then tells two graders apart)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def serve(outdir: Path, port: int = 0, options: Options | None = None, log=None) -> int:
    """Run the page until Ctrl-C (or SIGTERM), then publish the gradebook."""
    import functools

    log = log or functools.partial(print, flush=True)
    from werkzeug.serving import make_server

    import signal

    app = create_app(outdir, options=options)
    server = make_server("127.0.0.1", port, app, threaded=True)
    app.config["PORT"] = server.server_port  # requests must name this port in Host (auth.py)

    def _stop(signum, frame):
        raise KeyboardInterrupt()

    signal.signal(signal.SIGTERM, _stop)  # `kill` stops like Ctrl-C: the gradebook is still published
    log(f"review page: http://127.0.0.1:{server.server_port}/?token={app.config['TOKEN']}\n"
        "(scores are saved as you give them; Ctrl-C stops and publishes grades.csv, Moodle file, feedback)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    options = options or Options()
    log(publish(outdir, worksheet=options.worksheet, scale=options.scale, lang=options.lang).summary())
    return 0
