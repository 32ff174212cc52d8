"""report.html's statistics: French numbers, difficulty, discrimination, frequent failures, attention."""
import pytest

from tdgrade.common.french import fr
from tdgrade.gradebook.report_stats import attention, question_stats
from tdgrade.gradebook.result import Result


def _result(sid, q1, q2, status="graded", msg="la somme est fausse"):
    qs = [{"name": "q1", "score": q1, "max_score": 2, "passed": q1 == 2,
           "cases": [{"passed": q1 == 2, "message": msg}]},
          {"name": "q2", "score": q2, "max_score": 2, "passed": q2 == 2, "cases": [{"passed": q2 == 2, "message": "x"}]}]
    return Result.from_json({"student_id": sid, "status": status, "total": q1 + q2, "max_total": 4, "questions": qs})


def test_french_numbers():
    assert [fr(100, 0), fr(26.5), fr(3.6667), fr(12.0), fr(None)] == ["100", "26,5", "3,67", "12", "—"]


def test_difficulty_discrimination_and_top_failure():
    # q1 follows the rest of the total (discriminates), q2 goes against it.
    def group(k):
        out = [_result(f"a{k}", 2, 0), _result(f"b{k}", 2, 0), _result(f"c{k}", 0, 2, msg="`total` manque"),
               _result(f"d{k}", 0, 2, msg="`total` manque")]
        out[0].total = out[1].total = 4.0 + 2  # a and b also did well elsewhere (the rest of their total is high)
        return out

    few = [*group(0), _result("e", 0, 0, status="unreadable")]
    q1, q2 = question_stats(few, {"q1": 2, "q2": 2})
    assert q1.difficulty == pytest.approx(0.5) and q1.success == pytest.approx(0.5)  # 4 that ran
    assert (q1.discrimination, q1.n) == (None, 4)  # too few students for a correlation
    assert (q1.top_failure, q1.top_failure_count) == ("`total` manque", 2)
    q1, q2 = question_stats([r for k in range(3) for r in group(k)], {"q1": 2, "q2": 2})
    assert q1.n == 12 and q1.discrimination > 0.9 and q2.discrimination < 0


def test_attention_lists_errors_and_very_low_scores():
    results = [_result("ok", 2, 2), _result("low", 0, 0), _result("t", 2, 2, status="timeout"),
               _result("dup", 0, 0, status="duplicate")]
    flagged = {r.student_id: why for r, why in attention(results)}
    assert set(flagged) == {"low", "t"} and "sous la moitié" in flagged["low"] and flagged["t"] == "temps dépassé"
