"""Who may use the review page: the one holder of the random token, from this machine's loopback only.

The page runs on a shared university server where any local user can reach 127.0.0.1, so every
request, on every route (pages, API, static files, publish, unknown URLs), is refused with 403
unless all of these hold:

- the `Host` header names the loopback address the server is bound to (a DNS-rebinding page on
  `evil.example` that resolves to 127.0.0.1 sends `Host: evil.example`);
- a POST comes from this page: its `Origin` (or, lacking one, its `Referer`) is this server, and
  the browser does not mark it cross-site;
- the token, from `?token=` or from the cookie, equals the server's, compared in constant time. A
  `?token=` that is present and wrong refuses the request even when the cookie is right.

The cookie is set only on a request that passed with the right `?token=` (never on a refusal: the
hook that sets it runs after every response, so it checks what `guard` decided). Its name carries
the port, since browsers share cookies between ports of one host and two review servers would
otherwise log each other out.
"""
from __future__ import annotations

import hmac
from urllib.parse import urlsplit

from flask import Flask, abort, g, request

COOKIE = "tdgrade_review"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def cookie_name(port: int | None) -> str:
    return f"{COOKIE}_{port}" if port else COOKIE


def _split_host(host: str) -> tuple[str, int | None]:
    """'127.0.0.1:5000' -> ('127.0.0.1', 5000); '[::1]:80' -> ('::1', 80); a malformed host -> ('', None)."""
    try:
        parts = urlsplit(f"//{host}")
        return (parts.hostname or "", parts.port)
    except ValueError:
        return ("", None)


def _same_origin(value: str, host: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "http" and parts.netloc.lower() == host.lower()


def _tokens_equal(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))


def refusal_reason(token: str, port: int | None) -> str | None:
    """Why the current request is refused (for the server log), or None when it may go on."""
    hostname, host_port = _split_host(request.host)
    if hostname not in LOOPBACK or (port is not None and host_port != port):
        return f"foreign Host header {request.host!r}"
    if request.method in UNSAFE_METHODS:
        if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return "cross-site request"
        origin = request.headers.get("Origin")
        referer = request.headers.get("Referer")
        if origin is not None and not _same_origin(origin, request.host):
            return f"foreign Origin {origin!r}"
        if origin is None and referer is not None and not _same_origin(referer, request.host):
            return f"foreign Referer {referer!r}"
    in_url = request.args.get("token")
    if in_url is not None:
        return None if _tokens_equal(in_url, token) else "wrong token"
    if _tokens_equal(request.cookies.get(cookie_name(port), ""), token):
        return None
    return "no token" if not request.cookies else "wrong or missing cookie"


def install(app: Flask) -> None:
    """Guard every route of APP with app.config['TOKEN'] (and app.config['PORT'] once bound)."""

    @app.before_request
    def guard():
        g.token_from_url = False
        reason = refusal_reason(app.config["TOKEN"], app.config.get("PORT"))
        if reason is not None:
            app.logger.warning("review page: refused %s %s (%s)", request.method, request.path, reason)
            abort(403)
        g.token_from_url = "token" in request.args

    @app.after_request
    def remember(response):
        if g.get("token_from_url") and request.method == "GET" and response.status_code < 400:
            response.set_cookie(cookie_name(app.config.get("PORT")), app.config["TOKEN"], httponly=True,
                                samesite="Strict", path="/")
        return response
