"""The review page in a real headless Chromium (playwright + Debian's chromium): open, grade every
manual answer with the keyboard, reload, see the scores kept; then the gradebook is complete."""
import csv
import io
import shutil
import threading

import pytest

from review_helpers import prepared_outdir

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/install.sh)")


@pytest.fixture
def server(tmp_path):
    from werkzeug.serving import make_server

    from tdgrade.review.app import create_app

    outdir = prepared_outdir(tmp_path / "out")
    app = create_app(outdir, token="tok3n")
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield outdir, f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(10)


@pytest.fixture
def page():
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        pg = browser.new_page()
        yield pg
        browser.close()


def test_grade_every_answer_in_the_browser_then_reload_and_publish(server, page):
    from tdgrade.review.publish import publish

    outdir, base = server
    assert page.goto(f"{base}/").status == 403  # no token, no page
    page.goto(f"{base}/?token=tok3n")
    assert page.inner_text("#progress-q1_explication") == "q1_explication : 1/3 notées"  # chloe's is empty
    page.click("a:text('q1_explication')")
    page.wait_for_url("**/q/q1_explication")  # and its load event: keys pressed before review.js runs are lost
    # The first answer to grade: alice's, rendered Markdown.
    assert page.inner_text("#student") == "alice_martin"
    assert page.inner_html("#answer").count("<strong>somme</strong>") == 1
    page.keyboard.press("1")  # tick rubric item 1
    page.keyboard.press("2")  # and 2
    assert page.input_value("#score") == "1"
    page.fill("#comment", "Très clair.")
    page.keyboard.press("Control+Enter")  # save and go to the next answer
    page.wait_for_url("**/q/q1_explication?i=1")
    assert page.inner_text("#student") == "bruno_petit"
    assert page.locator("#answer script").count() == 0  # the student's HTML is shown, never run
    page.keyboard.press("1")
    page.click("#save")
    page.wait_for_url("**/q/q1_explication?i=2")
    assert page.is_visible("#empty")  # chloe: empty answer, marked as such
    assert "3/3 notées" in page.inner_text("#progress")

    page.goto(f"{base}/q/q2_figure")
    assert page.inner_text("#student") == "alice_martin"
    assert page.locator("img.figure").count() == 1  # the figure from the executed notebook
    page.fill("#score", "1.5")
    page.keyboard.press("Control+Enter")
    page.wait_for_url("**/q/q2_figure?i=1")
    page.fill("#score", "2")
    page.fill("#comment", "Axes nommés, bien.")
    page.click("#save")
    page.wait_for_url("**/q/q2_figure?i=2")

    # Reload: the scores are kept (read back from OUTDIR), and shown on the answer's page.
    page.goto(f"{base}/q/q1_explication?i=0")
    page.reload()
    assert page.input_value("#score") == "1" and page.input_value("#comment") == "Très clair."
    assert page.is_checked("input[name=item] >> nth=0") and page.inner_text("#state") == "noté"
    page.goto(f"{base}/")
    assert page.inner_text("#progress-q2_figure") == "q2_figure : 3/3 notées"
    page.click("#publish")
    assert page.is_visible("#published")

    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    assert (rows["alice_martin"]["manual"], rows["alice_martin"]["total"]) == ("2.5", "7.5")
    assert (rows["bruno_petit"]["manual"], rows["bruno_petit"]["total"]) == ("2.5", "4.5")
    assert "Axes nommés, bien." in (outdir / "feedback" / "bruno_petit.html").read_text()
    assert publish(outdir).not_graded == []
