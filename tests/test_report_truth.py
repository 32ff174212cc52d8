"""report.html tells the truth on a fixture class: means over known totals with the pending count,
the histogram of totals once known, "À surveiller" on the best information, failures counted per
student, discrimination only from 10 students (written questions too)."""
from tdgrade.compiler.manual import ManualQuestion
from tdgrade.gradebook.report import _histogram_data, render
from tdgrade.gradebook.report_stats import MIN_N, attention, class_means, manual_discrimination, question_stats
from tdgrade.gradebook.result import Result
from tdgrade.gradebook.answers import Answer
from tdgrade.gradebook.final import FinalGrade, ManualLine, ManualState
from tdgrade.gradebook.marks import Mark

QUESTIONS = {"q1": 27.0}
WRITTEN = ManualQuestion("q2_redaction", 21.0, "Expliquez.", "", "markdown", [])


def result(sid, auto, fails=(), status="graded"):
    cases = [{"passed": False, "message": m} for m in fails] or [{"passed": True, "message": ""}]
    return Result.from_json({"student_id": sid, "status": status, "total": auto, "max_total": 27.0,
                             "questions": [{"name": "q1", "score": auto, "max_score": 27.0, "passed": not fails,
                                            "cases": cases}]})


def final(res, manual):
    """manual: a score, or None for an answer not graded yet."""
    answer = Answer(WRITTEN.name, "ma réponse", "markdown")
    if manual is None:
        line = ManualLine(WRITTEN, answer, None, ManualState.PENDING)
    else:
        mark = Mark(question=WRITTEN.name, student_id=res.student_id, score=manual, answer_sha256=answer.sha256)
        line = ManualLine(WRITTEN, answer, mark, ManualState.GRADED)
    return FinalGrade(res, [line])


def test_means_are_over_known_totals_with_the_pending_count():
    results = [result("a", 20), result("b", 10), result("c", 27)]
    finals = [final(results[0], 10), final(results[1], None), final(results[2], None)]
    means = class_means(results, finals)
    assert means.known == [30.0] and means.pending == 2
    html = render(results, [], QUESTIONS, lab="x", profile="smoke", mode="bwrap", finals=finals)
    assert "moyenne de la classe 30 / 48 sur 1 étudiant·es dont la note finale est connue ; 2 en attente" in html
    nobody = [final(r, None) for r in results]
    assert "moyenne de la classe — / 48 sur 0 étudiant·es" in render(results, [], QUESTIONS, lab="x", profile="smoke",
                                                                     mode="bwrap", finals=nobody)


def test_histogram_shows_totals_once_known_and_labels_the_automatic_part_before():
    results = [result("a", 20), result("b", 10)]
    values, top, label = _histogram_data(results, QUESTIONS, [final(results[0], 10), final(results[1], None)])
    assert values == [20, 10] and top == 27 and label.startswith("partie automatique seulement") and "1 note" in label
    values, top, label = _histogram_data(results, QUESTIONS, [final(results[0], 10), final(results[1], 3)])
    assert values == [30, 13] and top == 48 and label.startswith("note finale")


def test_attention_uses_the_total_when_known_else_the_automatic_part_with_a_note():
    low_total = result("low_total", 18.5)  # 18,5/27 automatic, 0/21 written: 18,5/48
    low_auto = result("low_auto", 5)
    fine = result("fine", 25)
    finals = [final(low_total, 0), final(low_auto, None), final(fine, 20)]
    flagged = dict((r.student_id, why) for r, why in attention([low_total, low_auto, fine], finals))
    assert set(flagged) == {"low_total", "low_auto"}
    assert "note finale" in flagged["low_total"] and "18,5 / 48" in flagged["low_total"]
    assert "partie automatique" in flagged["low_auto"] and "pas encore connue" in flagged["low_auto"]


def test_failures_are_counted_per_student():
    msg = "la somme est fausse"
    results = [result("a", 0, fails=(msg, msg, msg)), result("b", 0, fails=(msg,)), result("c", 27)]
    (stats,) = question_stats(results, QUESTIONS)
    assert (stats.top_failure, stats.top_failure_count) == (msg, 2)


def test_discrimination_needs_ten_students_for_auto_and_written_questions():
    few = [result(f"s{i}", float(i)) for i in range(4)]
    (stats,) = question_stats(few, {"q1": 27.0, })
    assert stats.discrimination is None and stats.n == 4
    html = render(few, [], QUESTIONS, lab="x", profile="smoke", mode="bwrap",
                  finals=[final(r, float(i)) for i, r in enumerate(few)])
    assert html.count("trop peu d&#x27;étudiants (n = 4)") == 2  # the automatic and the written question
    many = [result(f"s{i}", float(i)) for i in range(MIN_N)]
    (corr, n), = manual_discrimination([final(r, float(i)) for i, r in enumerate(many)])
    assert n == MIN_N and corr > 0.9
