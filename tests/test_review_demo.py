"""End to end on the demo class (TensorFlow, smoke profile: slow tier): grade it, then grade every
manual answer of every student in headless Chromium; grades.csv, the Moodle file and the feedback
then hold complete totals."""
import csv
import io
import shutil
import threading

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/install.sh)")
def test_demo_class_graded_completely_in_the_browser(tmp_path, smoke_data):
    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from tdgrade.demo import run_demo
    from tdgrade.labs import get_lab
    from tdgrade.review.app import Options, create_app
    from tdgrade.gradebook.publish import publish

    assert run_demo(get_lab("fashion_mnist"), tmp_path, profile="smoke", jobs=2) == 0
    outdir = tmp_path / "graded"
    before = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    assert before["alice_martin"]["total"] == "" and before["alice_martin"]["manual_graded"] == "0/21"
    assert before["bruno_petit"]["manual_graded"] == "21/21"  # untouched release: every answer empty, 0
    app = create_app(outdir, token="t", options=Options(grader="Démo"))
    questions = list(app.extensions["tdgrade_review"].questions)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    graded = 0
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(f"{base}/?token=t")
            for name in questions:
                while True:
                    page.goto(f"{base}/q/{name}")  # opens the first answer still to grade
                    if "state-pending" not in page.get_attribute("#state", "class"):
                        break
                    page.keyboard.press("1")  # first rubric criterion met
                    page.fill("#comment", f"Commentaire {name}")
                    url = page.url
                    page.keyboard.press("Control+Enter")
                    page.wait_for_url(lambda u, url=url: u != url)
                    graded += 1
            page.goto(f"{base}/")
            for name in questions:
                text = page.inner_text(f"#progress-{name}")
                assert text.split(" : ")[1].split(" ")[0] in ("5/5",), text
            browser.close()
    finally:
        srv.shutdown()
    # alice's 21 answers and chloe's 11 at least, in fewer actions: identical answers are graded as a group
    groups = sum(len(app.extensions["tdgrade_review"].groups(name)) for name in questions)
    assert graded == groups < 21 + 11
    published = publish(outdir)
    assert published.not_graded == [] and published.unmatched_students == []
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    assert all(r["total"] != "" for r in rows.values())
    alice = rows["alice_martin"]
    assert float(alice["manual"]) == pytest.approx(21 * 0.5) and float(alice["max_total"]) == float(
        before["alice_martin"]["max_total"])
    assert float(alice["total"]) == pytest.approx(float(alice["auto"]) + 10.5)
    moodle_rows = list(csv.DictReader(io.StringIO((outdir / "moodle.csv").read_text())))
    assert sorted(r["Identifier"] for r in moodle_rows) == [f"Participant {n}" for n in range(1001, 1006)]
    assert published.to_resubmit == ["emma_roux"]  # the unreadable notebook: no grade pushed, listed
    assert all((r["Grade"] != "") == (r["Identifier"] != "Participant 1005") for r in moodle_rows)
    assert "Commentaire fm31_bilan" in (outdir / "feedback" / "alice_martin.md").read_text()
