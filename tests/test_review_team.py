"""The review page for a team (without a browser): graders named, conflicting saves refused with both
scores kept, answer groups graded in one action, rubric edits re-scoring marks, anonymous grading."""
import csv
import io
import json
import re

import pytest

from review_helpers import COPIES, STUDENTS, prepared_outdir
from tdgrade.gradebook import publish, marks as store
from tdgrade.review.app import Options, create_app, points
from tdgrade.review.team import COOKIE as GRADER_COOKIE

TOKEN = "tok"


@pytest.fixture
def outdir(tmp_path):
    return prepared_outdir(tmp_path / "out", copies=True)


def _client(app, grader):
    client = app.test_client()
    client.set_cookie(GRADER_COOKIE, grader, domain="localhost")
    client.get(f"/?token={TOKEN}")
    return client


def _mark(review, sid, question="q1_explication", **extra):
    return {"question": question, "student": review.handle(sid),
            "answer_sha256": review.answers[sid][question].sha256, "items": ["r1"], "comment": "", **extra}


def test_pages_ask_for_the_grader_name_and_the_api_refuses_without_it(outdir):
    app = create_app(outdir, token=TOKEN)
    client = app.test_client()
    resp = client.get(f"/q/q1_explication?token={TOKEN}")
    assert resp.status_code == 302 and "/grader?next=" in resp.headers["Location"]
    review = app.extensions["tdgrade_review"]
    resp = client.post("/api/mark", json=_mark(review, "bruno_petit"))
    assert resp.status_code == 400 and "nom" in resp.get_json()["error"]
    assert not (outdir / "manual" / "marks").exists()
    resp = client.post("/grader", data={"name": "  Ana\x00 Durand ", "next": "/q/q1_explication"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/q/q1_explication")
    page = client.get("/q/q1_explication").get_data(as_text=True)
    assert "<b>Ana Durand</b>" in page  # shown in the header
    assert client.post("/grader", data={"name": "x", "next": "//evil.example/"}).headers["Location"] == "/"


def test_a_save_over_a_colleagues_newer_mark_is_refused_with_both_scores(outdir):
    app = create_app(outdir, token=TOKEN)
    review = app.extensions["tdgrade_review"]
    ana, bea = _client(app, "Ana"), _client(app, "Bea")
    # Both opened bruno's answer while it had no mark (revision 0).
    assert ana.post("/api/mark", json=_mark(review, "bruno_petit", score="0,5", base_revision=0)).status_code == 200
    resp = bea.post("/api/mark", json=_mark(review, "bruno_petit", items=[], score="0,25", reason="partiel", base_revision=0))
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["conflict"]["grader"] == "Ana" and body["conflict"]["score"] == 0.5 and body["conflict"]["yours"] == 0.25
    assert "Ana" in body["error"] and "0,5" in body["error"] and "0,25" in body["error"]
    saved = store.read_mark(outdir, "q1_explication", "bruno_petit")
    assert (saved.grader, saved.score, saved.revision) == ("Ana", 0.5, 1)  # nothing overwritten
    journal = store.read_journal(outdir)
    assert [(r["kind"], r.get("grader") or r["attempted"]["grader"]) for r in journal] == [("mark", "Ana"),
                                                                                            ("conflict", "Bea")]
    assert journal[1]["attempted"]["score"] == 0.25  # the refused score is on record too
    # Bea chooses to replace: she now saves over the revision she was shown.
    resp = bea.post("/api/mark", json=_mark(review, "bruno_petit", items=[], score="0,25", reason="partiel",
                                            base_revision=body["conflict"]["revision"]))
    assert resp.status_code == 200
    saved = store.read_mark(outdir, "q1_explication", "bruno_petit")
    assert (saved.grader, saved.score, saved.revision) == ("Bea", 0.25, 2)


def test_a_group_of_identical_answers_is_graded_in_one_action(outdir):
    app = create_app(outdir, token=TOKEN, options=Options(grader="Ana"))
    review = app.extensions["tdgrade_review"]
    client = _client(app, "Ana")
    group = next(g for g in review.groups("q1_explication") if "alice_martin" in g.members)
    assert group.members == ["alice_martin", "david_roux", "emma_blanc"] and not group.exact
    page = client.get("/q/q1_explication?i=0").get_data(as_text=True)
    assert "Groupe de 3 réponses identiques ou presque" in page
    # emma was graded already by hand: the group action leaves her mark alone and says so.
    client.post("/api/mark", json=_mark(review, "emma_blanc", items=[], score="0", reason="hors sujet",
                                        base_revision=0))
    resp = client.post("/api/mark", json=_mark(review, "alice_martin", items=["r1", "r2"], base_revision=0,
                                                group=True, group_revisions={"david_roux": 0, "emma_blanc": 0}))
    body = resp.get_json()
    assert resp.status_code == 200 and body["saved"] == 2 and body["skipped"] == ["emma_blanc"]
    marks = store.load_marks(outdir)
    assert marks[("q1_explication", "david_roux")].items == ["r1", "r2"]
    assert marks[("q1_explication", "david_roux")].score == 1.0
    assert marks[("q1_explication", "emma_blanc")].score == 0.0
    assert ("q1_explication", "bruno_petit") not in marks


def test_an_answer_split_out_or_changed_leaves_its_group(outdir):
    import nbformat

    app = create_app(outdir, token=TOKEN, options=Options(grader="Ana"))
    review = app.extensions["tdgrade_review"]
    client = _client(app, "Ana")
    assert client.post("/q/q1_explication/split", data={"student": "emma_blanc"}).status_code == 302
    groups = {tuple(g.members) for g in review.groups("q1_explication")}
    assert ("alice_martin", "david_roux") in groups and ("emma_blanc",) in groups
    assert [r["kind"] for r in store.read_journal(outdir)] == ["split"]
    client.post("/q/q1_explication/split", data={"student": "emma_blanc", "join": "1"})
    assert ("alice_martin", "david_roux", "emma_blanc") in {tuple(g.members) for g in review.groups("q1_explication")}
    # A re-submission (then `tdgrade grade --force` and a restart) changes david's text: he leaves.
    path = outdir / "notebooks" / "david_roux.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[3].source = "Je multiplie les nombres entre eux."
    nbformat.write(nb, path)
    review = create_app(outdir, token=TOKEN, options=Options(grader="Ana")).extensions["tdgrade_review"]
    assert ("alice_martin", "emma_blanc") in {tuple(g.members) for g in review.groups("q1_explication")}


def test_suggestions_show_the_closest_graded_answers_with_their_scores(outdir):
    app = create_app(outdir, token=TOKEN, options=Options(grader="Ana"))
    review = app.extensions["tdgrade_review"]
    client = _client(app, "Ana")
    client.post("/q/q1_explication/split", data={"student": "emma_blanc"})
    client.post("/api/mark", json=_mark(review, "alice_martin", items=["r1", "r2"], base_revision=0))
    page = client.get(f"/q/q1_explication?i={review.index_of('q1_explication', 'emma_blanc')}").get_data(as_text=True)
    hints = page[page.index('id="hints"'):]
    assert "alice_martin" in hints and "<b>1</b>" in hints and "similarité" in hints


def test_rubric_edit_rescores_every_mark_that_ticked_the_item(outdir):
    app = create_app(outdir, token=TOKEN, options=Options(grader="Ana"))
    review = app.extensions["tdgrade_review"]
    client = _client(app, "Ana")
    client.post("/api/mark", json=_mark(review, "alice_martin", items=["r1"], base_revision=0))
    client.post("/api/mark", json=_mark(review, "bruno_petit", items=["r2"], base_revision=0))
    client.post("/api/mark", json=_mark(review, "david_roux", items=["r1", "r2"], base_revision=0))
    resp = client.post("/q/q1_explication/rubric", data={"points_r1": "0,75", "text_r1": "parle de somme (addition)",
                                                         "points_r2": "0.25", "text_r2": "cite la liste NUMBERS"})
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "2 note(s) recalculée(s) sur 3" in text  # alice and bruno; david still 1
    publish.publish(outdir, lang="fr")
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    assert rows["alice_martin"]["q1_explication"] == "0.75" and rows["bruno_petit"]["q1_explication"] == "0.25"
    assert rows["david_roux"]["q1_explication"] == "1"
    feedback = (outdir / "feedback" / "bruno_petit.md").read_text()
    assert "✘ parle de somme (addition) (0,75 point)" in feedback and "✔ cite la liste NUMBERS (0,25 point)" in feedback
    # Totals that do not add up to the question's points are refused, and change nothing.
    before = (outdir / "manual" / "rubric_edits.json").read_text()
    resp = client.post("/q/q1_explication/rubric", data={"points_r1": "1", "text_r1": "a", "points_r2": "1",
                                                         "text_r2": "b"})
    assert resp.status_code == 400 and "totaliser 1" in resp.get_data(as_text=True)
    assert (outdir / "manual" / "rubric_edits.json").read_text() == before
    assert [r["kind"] for r in store.read_journal(outdir)].count("rubric") == 1


def test_anonymous_mode_shows_no_student_id_or_name(outdir):
    (outdir / "manual").mkdir(exist_ok=True)
    (outdir / "manual" / "anonymity.json").write_text(json.dumps({"secret": "ab" * 32}))  # a fixed draw
    app = create_app(outdir, token=TOKEN, options=Options(grader="Ana", anonymous=True))
    review = app.extensions["tdgrade_review"]
    client = _client(app, "Ana")
    secrets_ = [sid for sid in {**STUDENTS, **COPIES}] + [v[4] for v in {**STUDENTS, **COPIES}.values()]
    secrets_ += [sid.split("_")[0] for sid in {**STUDENTS, **COPIES}]
    pages = [client.get("/").get_data(as_text=True)]
    for name in review.questions:
        for i in range(len(review.students)):
            pages.append(client.get(f"/q/{name}?i={i}").get_data(as_text=True))
    for page in pages:
        low = page.lower()
        assert not [s for s in secrets_ if s.lower() in low], [s for s in secrets_ if s.lower() in low]
    assert re.search(r'id="student">copie-\d{3}<', pages[1])
    assert review.order("q1_explication") != review.order("q2_figure")  # shuffled per question
    assert sorted(review.order("q1_explication")) == sorted(review.students)
    # Grading by pseudonym lands on the real student, and names come back in the gradebook.
    handle = review.handle("bruno_petit")
    resp = client.post("/api/mark", json={**_mark(review, "bruno_petit"), "student": handle, "base_revision": 0})
    assert resp.status_code == 200 and "bruno" not in resp.get_data(as_text=True)
    assert store.read_mark(outdir, "q1_explication", "bruno_petit").score == 0.5
    again = create_app(outdir, token=TOKEN, options=Options(grader="Ana", anonymous=True))
    assert again.extensions["tdgrade_review"].handle("bruno_petit") == handle  # stable across restarts


def test_next_pending_skips_graded_and_empty_answers(outdir):
    app = create_app(outdir, token=TOKEN, options=Options(grader="Ana"))
    review = app.extensions["tdgrade_review"]
    client = _client(app, "Ana")
    order = review.order("q1_explication")
    client.post("/api/mark", json=_mark(review, order[1], base_revision=0))
    resp = client.get("/q/q1_explication/next?after=0")
    expected = next(i for i in range(2, len(order)) if not review.answers[order[i]]["q1_explication"].empty)
    assert resp.headers["Location"].endswith(f"/q/q1_explication?i={expected}")
    for sid in order:
        if not review.answers[sid]["q1_explication"].empty and store.read_mark(outdir, "q1_explication", sid) is None:
            client.post("/api/mark", json=_mark(review, sid, base_revision=0))
    assert client.get("/q/q1_explication/next?after=0").headers["Location"].endswith("/q/q2_figure")


def test_index_shows_titles_points_in_good_french_and_groups(outdir):
    app = create_app(outdir, token=TOKEN, options=Options(grader="Ana"))
    page = _client(app, "Ana").get("/").get_data(as_text=True)
    assert "Expliquez votre calcul." in page and "Tracez les carrés." in page
    assert "1 point<" in page and "2 points<" in page
    assert "2 groupes pour 4 réponses" in page  # q1: alice+david+emma, bruno (chloe's is empty)
    assert [points(x) for x in (0.5, 1, 1.5, 2, 2.5)] == ["0,5 point", "1 point", "1,5 point", "2 points",
                                                          "2,5 points"]
