"""One student on the review page: every written answer, the executed notebook (sandboxed: hostile
outputs never run), and the override of an automatic score with its mandatory reason -- in the final
grade, grades.csv, feedback, report and journal, and gone again once removed."""
import csv
import hashlib
import io
import json
import shutil
import threading

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_output

from review_helpers import prepared_outdir
from tdgrade.gradebook.results import load_results
from tdgrade.gradebook import final, publish, marks as store
from tdgrade.gradebook.answers import read_student
from tdgrade.review.app import Options, create_app
from tdgrade.gradebook.overrides import Override, load_overrides, overridden_total
from tdgrade.review.student_view import NOTEBOOK_CSP

TOKEN = "tok3n"
HOSTILE = ("<b id='bold-output'>sortie en gras</b><script>document.title = 'pwned';"
           "parent.document.title = 'pwned'</script><img src='x' onerror=\"document.title = 'pwned2'\">")
REASON = "Le test caché arrondissait mal ; la réponse est juste."


def _hostile_notebook(outdir):
    """bruno's notebook: an HTML output with a script, and his name in the notebook's metadata."""
    path = outdir / "notebooks" / "bruno_petit.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.metadata["title"] = "Bruno Petit"
    nb.metadata["authors"] = [{"name": "Bruno Petit"}]
    nb.cells.insert(2, new_code_cell("display(HTML(x))", outputs=[
        new_output("display_data", data={"text/html": HOSTILE, "text/plain": "<HTML>"})]))
    nbformat.write(nb, path)


@pytest.fixture
def outdir(tmp_path):
    out = prepared_outdir(tmp_path / "out")
    _hostile_notebook(out)
    return out


@pytest.fixture
def client(outdir):
    app = create_app(outdir, token=TOKEN)
    client = app.test_client()
    client.set_cookie("tdgrade_grader", "Ana", domain="localhost")  # this browser's grader (team.py)
    assert client.get(f"/?token={TOKEN}").status_code == 200  # the cookie, from now on
    return client


def _disk(outdir):
    return {str(p.relative_to(outdir)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(outdir.rglob("*")) if p.is_file()}


def _override(client, **body):
    return client.post("/api/override", json={"student": "bruno_petit", "question": "q1_somme", **body})


def _grade_manual(outdir, sid, q1, q2):
    questions = final.load_questions(outdir)
    answers = read_student(outdir, sid, questions, final.load_scaffolding(outdir))
    for name, score in (("q1_explication", q1), ("q2_figure", q2)):
        store.save_mark(outdir, store.Mark(name, sid, score, answers[name].sha256))


def _rows(outdir):
    return {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}


def _journal(outdir):
    path = outdir / "manual" / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_student_page_lists_every_written_answer_with_links_to_grade_them(client):
    page = client.get("/s/alice_martin")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for name in ("q1_explication", "q2_figure"):
        assert f'id="written-{name}"' in html
        assert f'href="/q/{name}?i=0"' in html  # alice is the first answer of each question's page
    assert "<strong>somme</strong>" in html and "plt.xlabel(&#39;n&#39;)" in html
    assert html.count('class="figure"') == 1  # her figure, from the executed notebook
    assert "Alice Martin" in html  # not anonymous: the name is shown
    assert 'id="auto-q1_somme"' in html and 'data-question="q1_somme"' in html  # the override form
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]  # for the notebook's iframe
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]  # the app's policy, kept
    bruno = client.get("/s/bruno_petit").get_data(as_text=True)
    assert "<script>alert" not in bruno and "&lt;script&gt;alert" in bruno  # his HTML is shown, never run
    assert 'href="/q/q1_explication?i=1"' in bruno
    assert "réponse vide" in client.get("/s/chloe_durand").get_data(as_text=True)
    assert client.get("/s/nobody").status_code == 404
    students = client.get("/students").get_data(as_text=True)
    assert all(f'href="/s/{sid}"' in students for sid in ("alice_martin", "bruno_petit", "chloe_durand"))


def test_notebook_view_renders_the_executed_notebook_under_a_sandbox_policy(client):
    resp = client.get("/s/bruno_petit/notebook")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert resp.headers["Content-Security-Policy"] == NOTEBOOK_CSP
    policy = {d.split()[0]: d.split()[1:] for d in (x.strip() for x in NOTEBOOK_CSP.split(";"))}
    assert policy["sandbox"] == [] and policy["default-src"] == ["'none'"] and "script-src" not in policy
    html = resp.get_data(as_text=True)
    assert '<b id="bold-output">sortie en gras</b>' in html and ">display</span>" in html  # outputs and code
    assert "Bruno Petit" not in html and "bruno_petit.ipynb" not in html  # metadata and file name left out
    assert "<title>Notebook exécuté — bruno_petit</title>" in html
    assert client.get("/s/nobody/notebook").status_code == 404


def test_anonymous_pages_carry_no_student_id_or_name(client):
    review = client.application.extensions["tdgrade_review"]
    pseudonyms = {"alice_martin": "copie-3", "bruno_petit": "copie-1", "chloe_durand": "copie-2"}
    review.anonymous = True  # what --anonymous does (anonymity.py): handles are pseudonyms
    review.handle = pseudonyms.__getitem__
    review.student_of = {v: k for k, v in pseudonyms.items()}.get
    pages = [client.get(url) for url in ("/students", "/s/copie-1", "/s/copie-1/notebook", "/s/copie-3")]
    assert [p.status_code for p in pages] == [200] * 4
    for page in pages:
        text = page.get_data(as_text=True)
        for sid in pseudonyms:
            assert sid not in text
        assert not any(name in text for name in ("Alice Martin", "Bruno Petit", "Chloé Durand"))
    assert client.get("/s/bruno_petit").status_code == 404  # an id is not a handle
    assert _override(client, score="3", reason="x").status_code == 404
    assert client.post("/api/override", json={"student": "copie-1", "question": "q1_somme", "score": "3",
                                              "reason": "x"}).status_code == 200


def test_override_needs_a_reason_and_a_score_within_bounds(client, outdir):
    before = _disk(outdir)
    for body, status, words in (({"score": "4,5"}, 400, "motif est obligatoire"),
                                ({"score": "4,5", "reason": "   "}, 400, "motif est obligatoire"),
                                ({"score": "5,5", "reason": REASON}, 400, "entre 0 et 5"),
                                ({"score": "-1", "reason": REASON}, 400, "entre 0 et 5"),
                                ({"score": "beaucoup", "reason": REASON}, 400, "Note invalide"),
                                ({"score": "1", "reason": REASON, "question": "q1_explication"}, 404,
                                 "pas une question automatique"),
                                ({"remove": True}, 404, "n'était pas modifiée")):
        resp = _override(client, **body)
        assert resp.status_code == status, body
        assert not resp.json["ok"] and words in resp.json["error"], (body, resp.json)
    assert client.post("/api/override", data="pas du JSON").status_code == 400
    assert _disk(outdir) == before  # nothing written, nothing journaled


def test_override_in_grades_feedback_report_and_journal_then_removed(client, outdir):
    _grade_manual(outdir, "bruno_petit", 0.5, 1.0)
    publish.publish(outdir)
    assert (_rows(outdir)["bruno_petit"]["auto"], _rows(outdir)["bruno_petit"]["total"]) == ("2", "3.5")

    client.set_cookie("tdgrade_grader", "Camille", domain="localhost")
    resp = _override(client, score="4,5", reason=REASON)
    assert resp.status_code == 200 and resp.json == {"ok": True, "score": 4.5, "auto": 4.5}
    saved = load_overrides(outdir)[("q1_somme", "bruno_petit")]
    assert (saved.score, saved.reason, saved.grader, saved.previous_score) == (4.5, REASON, "Camille", 2.0)
    page = client.get("/s/bruno_petit").get_data(as_text=True)
    assert "4,5 / 5" in page and "Camille" in page and "Rétablir la note automatique" in page

    publish.publish(outdir, lang="fr")
    row = _rows(outdir)["bruno_petit"]
    assert (row["q1_somme"], row["auto"], row["total"]) == ("4.5", "4.5", "6")
    assert _rows(outdir)["alice_martin"]["auto"] == "5"  # the others untouched
    told = "Note modifiée par l'enseignant·e : 4,5 / 5 (note automatique : 2) — motif : " + REASON
    md = (outdir / "feedback" / "bruno_petit.md").read_text()
    assert told in md and "**Note automatique :** 4,5 / 5" in md and "### 🟡 `q1_somme` — 4,5 / 5" in md
    page = (outdir / "feedback" / "bruno_petit.html").read_text()
    assert told.replace("'", "&#x27;") in page
    assert "Note modifiée" not in (outdir / "feedback" / "alice_martin.md").read_text()
    report = (outdir / "report.html").read_text()
    assert "Notes automatiques modifiées (1)" in report
    assert ("<tr><td><code>bruno_petit</code></td><td><code>q1_somme</code></td><td>2</td><td>4,5</td>"
            f"<td>{REASON.replace(chr(39), '&#x27;')}</td><td>Camille</td></tr>") in report
    moodle_rows = list(csv.DictReader(io.StringIO((outdir / "moodle.csv").read_text())))
    assert "q1_somme 4,5/5 (modifiée par l'enseignant·e)" in \
        next(r for r in moodle_rows if r["Identifiant"] == "Participant1002")["Feedback par commentaires"]
    entry = _journal(outdir)[-1]
    assert (entry["kind"], entry["action"], entry["grader"], entry["score"], entry["reason"]) == \
        ("override", "save", "Camille", 4.5, REASON)

    resp = _override(client, remove=True)
    assert resp.status_code == 200 and resp.json["auto"] == 2.0
    assert load_overrides(outdir) == {}
    publish.publish(outdir, lang="fr")
    row = _rows(outdir)["bruno_petit"]
    assert (row["q1_somme"], row["auto"], row["total"]) == ("2", "2", "3.5")
    assert "Note modifiée" not in (outdir / "feedback" / "bruno_petit.md").read_text()
    assert "Notes automatiques modifiées" not in (outdir / "report.html").read_text()
    entry = _journal(outdir)[-1]
    assert (entry["kind"], entry["action"], entry["grader"], entry["removed"]["score"]) == \
        ("override", "remove", "Camille", 4.5)


def test_an_override_changed_since_the_page_loaded_is_not_overwritten(client, outdir):
    """Two graders on the same copy: the second, whose page showed no override, is refused."""
    client.set_cookie("tdgrade_grader", "Camille", domain="localhost")
    assert _override(client, score="4", reason="premier avis", seen="").status_code == 200
    first = load_overrides(outdir)[("q1_somme", "bruno_petit")]
    before = _disk(outdir)
    client.set_cookie("tdgrade_grader", "Dominique", domain="localhost")
    for body in ({"score": "1", "reason": "second avis", "seen": ""}, {"remove": True, "seen": ""},
                 {"score": "1", "reason": "second avis", "seen": "12.5"}):
        resp = _override(client, **body)
        assert resp.status_code == 409, body
        assert "modifiée entre-temps par Camille : 4 (motif : premier avis)" in resp.json["error"]
    assert _disk(outdir) == before
    resp = _override(client, score="1", reason="second avis", seen=str(first.saved_at))  # after a reload
    assert resp.status_code == 200 and load_overrides(outdir)[("q1_somme", "bruno_petit")].grader == "Dominique"
    assert [(e["grader"], e["score"]) for e in _journal(outdir)] == [("Camille", 4.0), ("Dominique", 1.0)]
    page = client.get("/s/bruno_petit").get_data(as_text=True)
    seen = load_overrides(outdir)[("q1_somme", "bruno_petit")].saved_at
    assert f'data-seen="{seen}"' in page


def test_overridden_total_replaces_only_the_overridden_question(outdir):
    results, _ = load_results(outdir)
    bruno = next(r for r in results if r.student_id == "bruno_petit")
    assert overridden_total(bruno, []) == 2.0
    assert overridden_total(bruno, [Override("q1_somme", "bruno_petit", 5.0, "x")]) == 5.0
    assert overridden_total(bruno, [Override("gone", "bruno_petit", 5.0, "x")]) == 2.0  # not in this result
    assert final.FinalGrade(bruno).auto == 2.0


# --- In Chromium (playwright + Debian's chromium), as the grader sees it -----------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def server(outdir):
    from werkzeug.serving import make_server

    app = create_app(outdir, token=TOKEN, options=Options(grader="Ana"))
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PORT"] = srv.server_port
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(10)


@pytest.fixture
def page():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (scripts/install.sh)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pg = browser.new_page()
        yield pg
        browser.close()


def test_browser_student_page_notebook_iframe_and_override(server, page, outdir):
    page.goto(f"{server}/?token={TOKEN}")
    page.goto(f"{server}/students")
    page.click("a:text('bruno_petit')")
    page.wait_for_url("**/s/bruno_petit")
    assert page.locator("section.written").count() == 2
    assert page.locator("#written-q1_explication script").count() == 0
    # The notebook in its sandboxed iframe: the HTML output is shown, its script never runs.
    frame = page.frame_locator("#notebook")
    assert frame.locator("#bold-output").inner_text() == "sortie en gras"
    assert page.get_attribute("#notebook", "sandbox") == ""
    assert page.title() == "Copie de bruno_petit — tdgrade"
    nb_frame = next(f for f in page.frames if f.url.endswith("/s/bruno_petit/notebook"))
    assert nb_frame.locator("title").inner_text() == "Notebook exécuté — bruno_petit"

    # Override: refused without a reason (the French message shows), then saved with one.
    row = page.locator("#auto-q1_somme")
    row.locator("input[name=score]").fill("4,5")
    row.locator("button.save").click()
    assert "motif est obligatoire" in page.wait_for_selector("#auto-q1_somme .status.warn").inner_text()
    assert load_overrides(outdir) == {}
    row.locator("input[name=reason]").fill(REASON)
    with page.expect_navigation():
        row.locator("button.save").click()
    assert "4,5 / 5" in page.inner_text("#auto-q1_somme .kept") and REASON in page.inner_text("#auto-q1_somme")
    assert page.inner_text("#auto") == "4,5 / 5"
    with page.expect_navigation():
        page.click("#auto-q1_somme button.remove")
    assert page.inner_text("#auto") == "2 / 5" and load_overrides(outdir) == {}

    # Opened on its own (not framed), the notebook's scripts are still blocked by its policy.
    resp = page.goto(f"{server}/s/bruno_petit/notebook")
    assert resp.headers["content-security-policy"] == NOTEBOOK_CSP
    assert page.locator("#bold-output").inner_text() == "sortie en gras"
    assert "pwned" not in page.title() and page.title() == "Notebook exécuté — bruno_petit"
