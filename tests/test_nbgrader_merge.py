"""The nbgrader merge loses nothing: conflicts listed with both values (--prefer decides), clamps
reported, scores for an empty or different answer listed and not applied."""

import pytest

from review_helpers import STUDENTS, prepared_outdir
from tdgrade.review.nbgrader_scores import GRADER, FormScore, merge_scores
from tdgrade.gradebook.marks import Mark, load_marks, save_mark

Q = "q1_explication_answer"  # nbgrader's answer cell of tdgrade's q1_explication (worth 1 point)
ALICE_TEXT = STUDENTS["alice_martin"][1]


@pytest.fixture
def outdir(tmp_path):
    return prepared_outdir(tmp_path / "out")


def answer_sha(outdir, sid="alice_martin"):
    from tdgrade.gradebook.answers import read_student
    from tdgrade.gradebook.final import load_questions, load_scaffolding

    return read_student(outdir, sid, load_questions(outdir), load_scaffolding(outdir))["q1_explication"].sha256


def test_a_new_score_for_the_same_text_is_applied_then_idempotent(outdir):
    form = {"alice_martin": {Q: FormScore(0.5, "Bien.", ALICE_TEXT + "\n")}}
    merged = merge_scores(outdir, form)
    assert (merged.saved, merged.conflicts, merged.not_applied) == (1, [], [])
    mark = load_marks(outdir)[("q1_explication", "alice_martin")]
    assert (mark.score, mark.comment, mark.grader) == (0.5, "Bien.", GRADER)
    assert merge_scores(outdir, form).unchanged == 1


def test_a_different_score_given_in_tdgrade_is_a_conflict_with_both_values(outdir):
    save_mark(outdir, Mark(question="q1_explication", student_id="alice_martin", score=1.0,
                           answer_sha256=answer_sha(outdir), comment="Parfait.", grader="prof"))
    form = {"alice_martin": {Q: FormScore(0.5, "Incomplet.", ALICE_TEXT)}}
    merged = merge_scores(outdir, form)
    assert merged.saved == 0 and merged.unchanged == 0
    assert [(c.tdgrade, c.nbgrader, c.kept) for c in merged.conflicts] == [(1.0, 0.5, "tdgrade")]
    assert "tdgrade 1, nbgrader 0.5" in merged.summary()
    assert load_marks(outdir)[("q1_explication", "alice_martin")].score == 1.0  # nothing overwritten
    merged = merge_scores(outdir, form, prefer="tdgrade")
    assert merged.conflicts[0].kept == "tdgrade" and load_marks(outdir)[("q1_explication", "alice_martin")].score == 1.0
    merged = merge_scores(outdir, form, prefer="nbgrader")
    assert merged.saved == 1 and merged.conflicts[0].kept == "nbgrader"
    assert load_marks(outdir)[("q1_explication", "alice_martin")].score == 0.5


def test_a_score_above_the_points_is_clamped_and_reported(outdir):
    merged = merge_scores(outdir, {"alice_martin": {Q: FormScore(1.5, "", ALICE_TEXT)}})
    assert merged.clamped == ["alice_martin q1_explication: nbgrader 1.5 -> 1 (the question is worth 1)"]
    assert load_marks(outdir)[("q1_explication", "alice_martin")].score == 1.0


def test_a_score_for_an_empty_or_different_answer_is_listed_not_applied(outdir):
    form = {"chloe_durand": {Q: FormScore(1.0, "", "Une réponse que tdgrade n'a pas.")},  # empty in tdgrade
            "bruno_petit": {Q: FormScore(0.5, "", "Un autre texte.")}}  # different text
    merged = merge_scores(outdir, form)
    assert merged.saved == 0 and len(merged.not_applied) == 2
    assert any("chloe_durand" in n and "empty" in n for n in merged.not_applied)
    assert any("bruno_petit" in n and "another text" in n for n in merged.not_applied)
    assert load_marks(outdir) == {}


def test_without_the_graded_text_the_score_is_applied_and_said_unchecked(outdir):
    merged = merge_scores(outdir, {"alice_martin": {Q: FormScore(1.0)}, "zoe": {Q: FormScore(1.0)}})
    assert merged.saved == 1 and merged.unchecked == ["alice_martin q1_explication"]
    assert merged.unknown_students == ["zoe"]
