"""The review page in a real headless Chromium (playwright + Debian's chromium), as graders use it:
name yourself, grade with the keyboard, reload and see the scores kept; two graders on one answer;
a group graded in one action; a rubric edit re-scoring earlier marks; anonymous grading; "0,75"."""
import csv
import io
import json
import re
import shutil
import threading

import pytest

from review_helpers import COPIES, STUDENTS, prepared_outdir

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/install.sh)")


def _serve(outdir, options=None):
    from werkzeug.serving import make_server

    from tdgrade.review.app import create_app

    app = create_app(outdir, token="tok3n", options=options)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PORT"] = srv.server_port
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    return app, srv, thread, f"http://127.0.0.1:{srv.server_port}"


@pytest.fixture
def server(tmp_path):
    outdir = prepared_outdir(tmp_path / "out")
    app, srv, thread, base = _serve(outdir)
    yield outdir, base
    srv.shutdown()
    thread.join(10)


@pytest.fixture
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _login(browser, base, name):
    """A new browser profile: the token link, then the grader's name once."""
    page = browser.new_context().new_page()
    assert page.goto(f"{base}/").status == 403  # no token, no page
    page.goto(f"{base}/?token=tok3n")
    page.wait_for_url(lambda u: "/grader" in u)
    page.fill("#grader-name", name)
    page.click("#grader-save")
    page.wait_for_url(lambda u: "/grader" not in u)
    assert page.inner_text("#grader") .startswith(f"Correcteur·rice : {name}")
    return page


def _open(page, url):
    page.goto(url)
    page.wait_for_load_state("load")  # keys pressed before review.js runs are lost


def test_grade_every_answer_in_the_browser_then_reload_and_publish(server, browser):
    from tdgrade.gradebook.publish import publish

    outdir, base = server
    page = _login(browser, base, "Ana")
    assert page.inner_text("#progress-q1_explication") == "q1_explication : 1/3 notées"  # chloe's is empty
    assert "Expliquez votre calcul." in page.inner_text("#questions")  # titles, not only ids
    page.click("a:text('q1_explication')")
    page.wait_for_url("**/q/q1_explication")
    page.wait_for_load_state("load")
    assert page.inner_text("#student") == "alice_martin"  # the first answer to grade, rendered Markdown
    assert page.inner_html("#answer").count("<strong>somme</strong>") == 1
    page.keyboard.press("1")  # tick rubric item 1
    page.keyboard.press("2")  # and 2
    assert page.input_value("#score") == "1"
    page.fill("#comment", "Très clair.")
    page.keyboard.press("Control+Enter")  # save and go to the next answer to grade
    page.wait_for_url("**/q/q1_explication?i=1")
    page.wait_for_load_state("load")
    assert page.inner_text("#student") == "bruno_petit"
    assert page.locator("#answer script").count() == 0  # the student's HTML is shown, never run
    page.keyboard.press("1")
    page.click("#save")
    page.wait_for_url("**/q/q2_figure")  # q1 is done (chloe's is empty): on to the next question
    page.wait_for_load_state("load")
    assert page.inner_text("#student") == "alice_martin"
    assert page.locator("img.figure").count() == 1  # the figure from the executed notebook
    page.check("input[name=item] >> nth=0")
    page.fill("#score", "1,75")  # French decimals, over the rubric's 1: the reason is asked for
    assert page.is_visible("#reason-row") and "ajustement +0,75" in page.inner_text("#adjustment")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("#status:has-text('motif')")  # refused without a reason
    page.fill("#reason", "axes presque nommés")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/q/q2_figure?i=1")
    page.wait_for_load_state("load")
    page.fill("#score", "0,75")
    page.fill("#reason", "courbe incomplète")
    page.fill("#comment", "Axes nommés, bien.")
    page.click("#save")
    page.wait_for_url(lambda u: "all_done=1" in u)

    # Reload: the marks are kept (read back from OUTDIR), and shown on the answer's page.
    _open(page, f"{base}/q/q1_explication?i=0")
    assert page.input_value("#score") == "1" and page.input_value("#comment") == "Très clair."
    assert page.is_checked("input[name=item] >> nth=0") and page.inner_text("#state") == "noté"
    assert page.inner_text("#marked-by") == "par Ana"
    _open(page, f"{base}/q/q2_figure?i=1")
    assert page.input_value("#score") == "0,75"
    saved = json.loads((outdir / "manual/marks/q2_figure/bruno_petit.json").read_text())
    assert saved["score"] == 0.75 and saved["adjustment"] == 0.75 and saved["grader"] == "Ana"  # "0,75" -> 0.75
    _open(page, f"{base}/")
    assert page.inner_text("#progress-q2_figure") == "q2_figure : 3/3 notées"
    page.click("#publish")
    assert page.is_visible("#published")

    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    assert (rows["alice_martin"]["manual"], rows["alice_martin"]["total"]) == ("2.75", "7.75")
    assert (rows["bruno_petit"]["manual"], rows["bruno_petit"]["total"]) == ("1.25", "3.25")
    feedback = (outdir / "feedback" / "bruno_petit.html").read_text()
    assert "Axes nommés, bien." in feedback
    assert "✔ parle de somme (0,5 point)" in feedback and "✘ cite la liste NUMBERS (0,5 point)" in feedback
    assert "Ajustement +0,75 point : courbe incomplète" in feedback
    assert publish(outdir).not_graded == []


def test_two_graders_on_one_answer_see_the_conflict_and_both_scores_stay_in_the_journal(server, browser):
    from tdgrade.gradebook import marks as store

    outdir, base = server
    ana, bea = _login(browser, base, "Ana"), _login(browser, base, "Bea")
    for page in (ana, bea):  # both open bruno's answer before either saves
        _open(page, f"{base}/q/q1_explication?i=1")
    ana.keyboard.press("1")
    ana.click("#save")
    ana.wait_for_url("**/q/q1_explication?i=0")  # saved; alice's answer is the next to grade
    bea.fill("#score", "0,25")
    bea.fill("#reason", "à peine esquissé")
    bea.click("#save")
    bea.wait_for_selector("#conflict:not([hidden])")
    message = bea.inner_text("#conflict-message")
    assert "Ana a noté cette réponse 0,5" in message and "votre note : 0,25" in message
    assert store.read_mark(outdir, "q1_explication", "bruno_petit").grader == "Ana"  # nothing overwritten
    journal = store.read_journal(outdir)
    assert ("mark", "Ana", 0.5) in [(r["kind"], r.get("grader"), r.get("score")) for r in journal]
    assert ("conflict", "Bea", 0.25) in [(r["kind"], r.get("attempted", {}).get("grader"),
                                          r.get("attempted", {}).get("score")) for r in journal]
    bea.click("#replace")  # Bea chooses hers
    bea.wait_for_url("**/q/q1_explication?i=0")
    mark = store.read_mark(outdir, "q1_explication", "bruno_petit")
    assert (mark.grader, mark.score) == ("Bea", 0.25)


def test_a_group_of_identical_answers_graded_in_one_action(tmp_path, browser):
    from tdgrade.gradebook import marks as store

    outdir = prepared_outdir(tmp_path / "out", copies=True)
    app, srv, thread, base = _serve(outdir)
    try:
        page = _login(browser, base, "Ana")
        _open(page, f"{base}/q/q1_explication?i=0")
        assert page.inner_text("#group-size") == "Groupe de 3 réponses identiques ou presque"
        assert page.is_checked("#whole-group")
        page.keyboard.press("1")
        page.keyboard.press("2")
        page.keyboard.press("Control+Enter")
        page.wait_for_url("**/q/q1_explication?i=1")  # bruno: the only one left
        marks = store.load_marks(outdir)
        assert {sid: m.score for (q, sid), m in marks.items()} == {"alice_martin": 1.0, "david_roux": 1.0,
                                                                  "emma_blanc": 1.0}
    finally:
        srv.shutdown()
        thread.join(10)


def test_a_rubric_edit_rescores_earlier_marks(server, browser):
    from tdgrade.gradebook.publish import publish

    outdir, base = server
    page = _login(browser, base, "Ana")
    for i in (0, 1):  # alice and bruno: criterion 1 only
        _open(page, f"{base}/q/q1_explication?i={i}")
        url = page.url
        page.keyboard.press("1")
        page.keyboard.press("Control+Enter")
        page.wait_for_url(lambda u, url=url: u != url)  # saved, then on to the next answer
    _open(page, f"{base}/q/q1_explication/rubric")
    page.fill("#points-r1", "0,75")
    page.fill("#text-r1", "parle de somme ou d'addition")
    page.fill("#points-r2", "0,25")
    page.click("#rubric-save")
    assert page.inner_text("#rubric-message") == "Barème enregistré : 2 note(s) recalculée(s) sur 2 déjà donnée(s)."
    _open(page, f"{base}/q/q1_explication?i=0")
    assert page.input_value("#score") == "0,75" and "parle de somme ou d'addition" in page.inner_text("#mark")
    publish(outdir)
    assert "✔ parle de somme ou d'addition (0,75 point)" in (outdir / "feedback" / "alice_martin.md").read_text()


def test_anonymous_grading_shows_no_student_name_in_the_dom(tmp_path, browser):
    from tdgrade.gradebook import marks as store
    from tdgrade.review.app import Options

    outdir = prepared_outdir(tmp_path / "out", copies=True)
    app, srv, thread, base = _serve(outdir, Options(anonymous=True))
    people = {**STUDENTS, **COPIES}
    secrets_ = [*people, *[v[4] for v in people.values()], *[sid.split("_")[0] for sid in people]]
    try:
        page = _login(browser, base, "Ana")
        seen = []
        for name in ("q1_explication", "q2_figure"):
            for i in range(len(people)):
                _open(page, f"{base}/q/{name}?i={i}")
                dom = page.content().lower()
                assert not [s for s in secrets_ if s.lower() in dom], (name, i)
                seen.append(page.inner_text("#student"))
        assert all(re.fullmatch(r"copie-\d{3}", h) for h in seen)
        _open(page, f"{base}/q/q1_explication?i=0")
        handle = page.inner_text("#student")
        page.fill("#score", "0")  # the rubric's sum with nothing ticked: no reason asked
        url = page.url
        page.click("#save")
        page.wait_for_url(lambda u: u != url)
        sid = app.extensions["tdgrade_review"].student_of(handle)
        assert store.read_mark(outdir, "q1_explication", sid).score == 0.0  # the real student got it
    finally:
        srv.shutdown()
        thread.join(10)
