"""Manual grading without a browser: answers, scores, final grade, published gradebook, review API."""
import csv
import io
import json

import pytest

from review_helpers import PLACEHOLDER, prepared_outdir
from tdgrade.gradebook import final, publish, marks as store
from tdgrade.gradebook.answers import read_student
from tdgrade.review.app import Options, create_app


@pytest.fixture
def outdir(tmp_path):
    return prepared_outdir(tmp_path / "out")


def _give(outdir, question, sid, score, comment=""):
    questions = final.load_questions(outdir)
    answer = read_student(outdir, sid, questions, final.load_scaffolding(outdir))[question]
    return store.save_mark(outdir, store.Mark(question, sid, score, answer.sha256, comment))


def test_answers_found_by_prompt_with_figures_and_empty_detection(outdir):
    questions = final.load_questions(outdir)
    given = final.load_scaffolding(outdir)
    alice = read_student(outdir, "alice_martin", questions, given)
    assert "**somme**" in alice["q1_explication"].text and not alice["q1_explication"].empty
    assert alice["q2_figure"].kind == "code" and "xlabel" in alice["q2_figure"].text
    assert len(alice["q2_figure"].images) == 1
    chloe = read_student(outdir, "chloe_durand", questions, given)
    assert chloe["q1_explication"].empty and chloe["q2_figure"].empty  # placeholder / scaffolding only
    assert PLACEHOLDER not in chloe["q1_explication"].text
    missing = read_student(outdir, "nobody", questions, given)
    assert all(not a.found and a.empty for a in missing.values())


def test_final_grade_is_not_yet_graded_until_every_answer_has_a_score(outdir):
    results, _ = __import__("tdgrade.gradebook.results", fromlist=["x"]).load_results(outdir)
    finals = {f.student_id: f for f in final.combine(outdir, results)}
    assert finals["alice_martin"].total is None and finals["alice_martin"].manual_done == 0
    assert finals["chloe_durand"].complete and finals["chloe_durand"].total == 0.0  # both answers empty: 0
    assert finals["alice_martin"].max_total == 8.0
    _give(outdir, "q1_explication", "alice_martin", 1.0, "Très clair.")
    _give(outdir, "q2_figure", "alice_martin", 1.5)
    finals = {f.student_id: f for f in final.combine(outdir, results)}
    assert finals["alice_martin"].total == 7.5


def test_rescored_answer_kept_only_while_unchanged(outdir):
    _give(outdir, "q1_explication", "bruno_petit", 0.5)
    import nbformat

    path = outdir / "notebooks" / "bruno_petit.ipynb"
    nb = nbformat.read(path, as_version=4)
    results, _ = __import__("tdgrade.gradebook.results", fromlist=["x"]).load_results(outdir)
    line = next(f for f in final.combine(outdir, results) if f.student_id == "bruno_petit").manual[0]
    assert line.state is final.ManualState.GRADED
    nb.cells[3].source = "Une tout autre réponse, après re-dépôt."
    nbformat.write(nb, path)
    line = next(f for f in final.combine(outdir, results) if f.student_id == "bruno_petit").manual[0]
    assert line.state is final.ManualState.CHANGED and line.score is None


def test_publish_grades_csv_feedback_and_moodle_complete_after_grading(outdir):
    out = publish.publish(outdir, lang="fr", scale=20)
    rows = list(csv.DictReader(io.StringIO((outdir / "grades.csv").read_text())))
    alice = next(r for r in rows if r["student_id"] == "alice_martin")
    assert alice["total"] == "" and alice["manual_graded"] == "0/2" and "not yet graded" in alice["note"]
    md = (outdir / "feedback" / "alice_martin.md").read_text()
    assert "pas encore notée" in md
    moodle_rows = list(csv.DictReader(io.StringIO((outdir / "moodle.csv").read_text())))
    assert next(r for r in moodle_rows if r["Identifiant"] == "Participant1001")["Note"] == ""  # never a silent 0
    assert out.not_graded == ["alice_martin", "bruno_petit"]

    for sid, s1, s2 in (("alice_martin", 1.0, 2.0), ("bruno_petit", 0.0, 1.0)):
        _give(outdir, "q1_explication", sid, s1, "Bien justifié." if s1 else "Hors sujet.")
        _give(outdir, "q2_figure", sid, s2)
    publish.publish(outdir, lang="fr", scale=20)
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((outdir / "grades.csv").read_text()))}
    assert (rows["alice_martin"]["total"], rows["alice_martin"]["max_total"]) == ("8", "8")
    assert (rows["bruno_petit"]["auto"], rows["bruno_petit"]["manual"], rows["bruno_petit"]["total"]) == ("2", "1", "3")
    moodle_rows = {r["Identifiant"]: r for r in csv.DictReader(io.StringIO((outdir / "moodle.csv").read_text()))}
    assert moodle_rows["Participant1001"]["Note"] == "20,00"
    assert moodle_rows["Participant1002"]["Note"] == "7,50"  # 3 / 8 * 20
    md = (outdir / "feedback" / "bruno_petit.md").read_text()
    assert "**Note finale :** 3 / 8" in md and "Commentaire : Hors sujet." in md
    assert "Hors sujet." in moodle_rows["Participant1002"]["Feedback par commentaires"]
    report = (outdir / "report.html").read_text()
    assert "Correction manuelle" in report and "3/3 étudiant·es entièrement noté·es" in report
    assert "moyenne de la classe 3,67" in report  # (8 + 3 + 0) / 3, French decimal comma


def test_review_api_saves_atomically_and_rejects_bad_requests(outdir):
    app = create_app(outdir, token="secret", options=Options(grader="Ana"))
    client = app.test_client()
    assert client.get("/").status_code == 403
    page = client.get("/q/q1_explication?i=1&token=secret")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "&lt;script&gt;" in text and "<script>alert" not in text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    review = app.extensions["tdgrade_review"]
    sha = review.answers["bruno_petit"]["q1_explication"].sha256
    body = {"question": "q1_explication", "student": "bruno_petit", "answer_sha256": sha, "items": ["r1"],
            "comment": "Partiel."}
    resp = client.post("/api/mark", json=body)
    assert resp.status_code == 200 and resp.get_json()["score"] == 0.5 and resp.get_json()["done"] == 2
    saved = json.loads((outdir / "manual/marks/q1_explication/bruno_petit.json").read_text())
    assert saved["score"] == 0.5 and saved["comment"] == "Partiel." and saved["items"] == ["r1"]
    assert saved["grader"] == "Ana" and saved["revision"] == 1 and saved["adjustment"] == 0
    body["base_revision"] = 1
    resp = client.post("/api/mark", json={**body, "score": 3})  # above the question's points
    assert resp.status_code == 400 and resp.get_json()["error"] == "La note doit être entre 0 et 1."
    assert client.post("/api/mark", json={**body, "score": "0,75"}).status_code == 400  # no reason for the gap
    resp = client.post("/api/mark", json={**body, "score": "0,75", "reason": "exemple pertinent"})
    assert resp.status_code == 200 and resp.get_json()["score"] == 0.75  # French decimals
    assert client.post("/api/mark", json={**body, "answer_sha256": "0" * 64}).status_code == 409
    assert client.post("/api/mark", json={**body, "student": "../x"}).status_code == 404
    assert client.post("/api/mark", json={**body, "items": ["r9"]}).status_code == 400
    # Two graders on different answers: both saves survive, and the journal keeps every save.
    other = create_app(outdir, token="other", options=Options(grader="Bea")).test_client()
    sha_a = review.answers["alice_martin"]["q1_explication"].sha256
    resp = other.post("/api/mark?token=other", json={**body, "student": "alice_martin", "answer_sha256": sha_a,
                                                     "score": 1, "base_revision": 0, "items": ["r1", "r2"]})
    assert resp.status_code == 200, resp.get_json()
    marks = store.load_marks(outdir)
    assert {k[1] for k in marks} == {"bruno_petit", "alice_martin"}
    kinds = [r["kind"] for r in store.read_journal(outdir)]
    assert kinds.count("mark") == 3


def test_a_saved_mark_follows_the_rubric_and_keeps_its_adjustment(outdir):
    from tdgrade.gradebook import rubric

    questions = {q.name: q for q in final.load_questions(outdir)}
    q = questions["q1_explication"]
    mark = store.Mark(question=q.name, student_id="alice_martin", score=0.75, answer_sha256="x", items=["r1"],
                      adjustment=0.25, reason="bon exemple")
    assert rubric.live_score(q, mark) == 0.75
    legacy = store.Mark.from_dict({"question": q.name, "student_id": "a", "score": 0.5, "answer_sha256": "x",
                                   "items": [False, True]})
    assert legacy.items == ["r2"] and rubric.live_score(q, legacy) == 0.5  # old marks keep their score
    with pytest.raises(rubric.MarkError, match="motif"):
        rubric.decide(q, ["r1"], 1.0, "")
    assert rubric.decide(q, ["r1", "r2"], None, "").score(q) == 1.0
