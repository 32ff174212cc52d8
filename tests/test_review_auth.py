"""The review page refuses, on every route of its URL map, anyone without the token, with a wrong one,
from a foreign Host (DNS rebinding) or a foreign Origin (cross-site POST) -- and a refusal changes
nothing on disk and sets no cookie. The same requests with the right credentials go through, so
each refusal below is the guard's doing, not a broken route."""
import hashlib
import http.client
import threading

import pytest
from flask import url_for

from review_helpers import prepared_outdir
from tdgrade.review.app import create_app
from tdgrade.review.auth import cookie_name
from tdgrade.review.team import COOKIE as GRADER_COOKIE

TOKEN = "the-real-token"


@pytest.fixture
def app(tmp_path):
    return create_app(prepared_outdir(tmp_path / "out"), token=TOKEN)


def _disk(outdir):
    return {str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(outdir.rglob("*")) if p.is_file()}


def _requests(app):
    """(method, url, request kwargs) for every rule and method of the app: pages, API, static, publish.

    Each body is one the route accepts with the right credentials (the control test checks it)."""
    review = app.extensions["tdgrade_review"]
    question = next(iter(review.questions))
    student = next(s for s in review.students if not review.answers[s][question].empty)
    answer = review.answers[student][question]
    values = {"name": question, "filename": "review.js", "handle": review.handle(student), "student_id": student,
              "question": question}
    mark = {"question": question, "student": student, "answer_sha256": answer.sha256, "score": "0,5",
            "items": ["r1"], "comment": "x"}
    forms = {"split": {"student": student, "join": "1"}, "grader": {"name": "Ana"},
             "rubric_page": {"points_r1": "0,5", "text_r1": "changé", "points_r2": "0.5", "text_r2": "b"}}
    jsons = {"student_view.api_override": {"student": review.handle(student), "question": "q1_somme",
                                           "score": "0,5", "reason": "x"}}
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            url = url_for(rule.endpoint, **{arg: values.get(arg, "x") for arg in rule.arguments})
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                kwargs = {}
                if method == "POST":
                    kwargs = {"data": forms[rule.endpoint]} if rule.endpoint in forms else \
                        {"json": jsons.get(rule.endpoint, mark)}
                out.append((method, url, rule.endpoint, kwargs))
    assert len(out) >= 8, out  # the test covers what the app serves, whatever it grows into
    return out


# Routes whose accepted POST writes in OUTDIR (the control test proves the refusals prevented a write).
WRITERS = {"api_mark", "split", "rubric_page", "publish_now", "student_view.api_override"}


def _send(client, method, url, kwargs, headers=None):
    return client.open(url, method=method, headers=headers or {}, **kwargs)


def _no_cookie(resp):
    return not [h for h in resp.headers.getlist("Set-Cookie") if h.startswith("tdgrade_review")]


def _with_token(url, token):
    return url + ("&" if "?" in url else "?") + f"token={token}"


SCENARIOS = ["no token", "wrong token", "wrong token then none", "wrong cookie", "empty token",
             "foreign host", "foreign host with port", "foreign origin", "foreign referer", "cross-site fetch"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_route_refuses_and_nothing_changes(app, scenario):
    outdir = app.extensions["tdgrade_review"].outdir
    before = _disk(outdir)
    for method, url, endpoint, body in _requests(app):
        client = app.test_client()
        client.set_cookie(GRADER_COOKIE, "Ana", domain="localhost")
        good = _with_token(url, TOKEN)
        if scenario == "no token":
            resp = _send(client, method, url, body)
        elif scenario == "wrong token":
            resp = _send(client, method, _with_token(url, "anything"), body)
        elif scenario == "wrong token then none":
            first = _send(client, method, _with_token(url, "anything"), body)
            assert first.status_code == 403 and _no_cookie(first), (method, url)
            resp = _send(client, method, url, body)
        elif scenario == "wrong cookie":
            client.set_cookie(cookie_name(None), "anything", domain="localhost")
            resp = _send(client, method, url, body)
        elif scenario == "empty token":
            resp = _send(client, method, _with_token(url, ""), body)
        elif scenario == "foreign host":
            resp = _send(client, method, good, body, {"Host": "evil.example"})
        elif scenario == "foreign host with port":
            resp = _send(client, method, good, body, {"Host": "evil.example:5000"})
        elif method != "POST":
            continue  # Origin, Referer and Sec-Fetch-Site matter for state-changing requests
        elif scenario == "foreign origin":
            resp = _send(client, method, good, body, {"Origin": "http://evil.example"})
        elif scenario == "foreign referer":
            resp = _send(client, method, good, body, {"Referer": "http://evil.example/page"})
        else:
            resp = _send(client, method, good, body, {"Sec-Fetch-Site": "cross-site"})
        assert resp.status_code == 403, (scenario, method, url, resp.status_code)
        assert _no_cookie(resp), (scenario, method, url, resp.headers.getlist("Set-Cookie"))
        assert _disk(outdir) == before, (scenario, method, url)


def test_the_same_requests_pass_with_the_right_credentials(app):
    """Control: each route answers (and the writers write) when the token, Host and Origin are right."""
    outdir = app.extensions["tdgrade_review"].outdir
    for method, url, endpoint, body in _requests(app):
        before = _disk(outdir)
        client = app.test_client()
        client.set_cookie(GRADER_COOKIE, "Ana", domain="localhost")
        resp = _send(client, method, _with_token(url, TOKEN), body, {"Origin": "http://localhost"})
        assert resp.status_code < 400, (method, url, resp.status_code, resp.get_data(as_text=True)[:300])
        if method == "POST" and endpoint in WRITERS:
            assert _disk(outdir) != before, (method, url)


def test_right_token_sets_a_cookie_that_then_suffices(app):
    client = app.test_client()
    client.set_cookie(GRADER_COOKIE, "Ana", domain="localhost")
    resp = client.get(f"/?token={TOKEN}")
    assert resp.status_code == 200 and not _no_cookie(resp)
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/").status_code == 200  # the cookie alone
    # A wrong token in the URL is refused even with the right cookie, and does not replace it.
    assert client.get("/?token=nope").status_code == 403
    assert client.get("/").status_code == 200


def test_loopback_hosts_and_the_bound_port(app):
    app.config["GRADER"] = "Ana"  # no cookie domain fits every Host below
    client = app.test_client()
    for host in ("127.0.0.1", "localhost", "[::1]", "127.0.0.1:8123"):
        assert client.get(f"/?token={TOKEN}", headers={"Host": host}).status_code == 200, host
    app.config["PORT"] = 8123  # once bound, another port in Host is refused (a rebinding page on :80)
    assert client.get(f"/?token={TOKEN}", headers={"Host": "127.0.0.1:8123"}).status_code == 200
    assert client.get(f"/?token={TOKEN}", headers={"Host": "127.0.0.1:80"}).status_code == 403
    assert client.get(f"/?token={TOKEN}", headers={"Host": "127.0.0.1"}).status_code == 403


def test_real_server_wrong_token_gets_403_and_no_cookie(app):
    """What the issue measured with curl, over a real socket: no Set-Cookie, and no session after."""
    from werkzeug.serving import make_server

    app.config["GRADER"] = "Ana"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PORT"] = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        def get(path, headers=None):
            conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            conn.request("GET", path, headers=headers or {})
            resp = conn.getresponse()
            resp.read()
            return resp.status, resp.getheader("Set-Cookie")

        assert get("/?token=wrong") == (403, None)
        assert get("/")[0] == 403
        status, cookie = get(f"/?token={TOKEN}")
        assert status == 200 and cookie.startswith(f"{cookie_name(server.server_port)}=")
        assert get("/", {"Cookie": cookie.split(";")[0]})[0] == 200
    finally:
        server.shutdown()
        thread.join(10)
