"""A team of graders on one page: each browser says once who grades, and every mark carries it.

The name is kept in a cookie (SameSite=Strict, like the token's) and shown in every page's header;
it goes into each mark and journal line, so two graders' scores for one answer stay told apart.
`tdgrade review --grader NAME` names the only grader and skips the question.
"""
from __future__ import annotations

import re
from urllib.parse import quote, unquote

from flask import Flask, redirect, render_template, request, url_for

COOKIE = "tdgrade_grader"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(value: str) -> str:
    return " ".join(_CONTROL.sub(" ", value or "").split())[:60]


def current_grader(app: Flask) -> str:
    """The grader of this request: --grader, else the browser's cookie, else '' (to ask)."""
    fixed = app.config.get("GRADER")
    if fixed:
        return fixed
    return clean_name(unquote(request.cookies.get(COOKIE, "")))


def install(app: Flask) -> None:
    @app.context_processor
    def _grader():
        return {"grader": current_grader(app)}

    @app.before_request
    def _ask_name():
        # Runs after the token guard (registered first). Pages ask for the name; the API refuses without it.
        if current_grader(app) or request.endpoint in ("grader", "static", None):
            return None
        if request.method == "GET":
            return redirect(url_for("grader", next=request.full_path))
        return {"ok": False, "error": "Indiquez d'abord votre nom de correcteur·rice (rechargez la page)."}, 400

    @app.route("/grader", methods=["GET", "POST"])
    def grader():
        target = request.values.get("next") or url_for("index")
        if not target.startswith("/") or target.startswith("//"):
            target = url_for("index")  # only this server's pages
        error = ""
        if request.method == "POST":
            name = clean_name(request.form.get("name", ""))
            if name and not app.config.get("GRADER"):
                response = redirect(target)
                response.set_cookie(COOKIE, quote(name), httponly=True, samesite="Strict", path="/",
                                    max_age=180 * 24 * 3600)
                return response
            error = "Donnez un nom (60 caractères au plus)." if not app.config.get("GRADER") else \
                "Le nom du correcteur est fixé au lancement (--grader)."
        return render_template("grader.html", target=target, error=error,
                               fixed=app.config.get("GRADER") or ""), (400 if error else 200)
