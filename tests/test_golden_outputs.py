"""Golden files for what students and graders read: feedback (Markdown, HTML), the Moodle comment and
worksheet, grades.csv and the class report, rendered from fixed result records.

A change of wording or layout shows here as a diff to review. After an intended change, regenerate
with `python3 -m pytest tests/test_golden_outputs.py --update-goldens` and commit tests/golden/.
Inputs: the result files of tests/fixtures/results_before_redesign (every status a batch writes), and
for the publish path the same records with Moodle identities and manual questions in every state.
"""
import dataclasses
import difflib
import json
import re
from pathlib import Path

import pytest

from tdgrade.gradebook import moodle
from tdgrade.compiler.manual import ManualQuestion, RubricItem
from tdgrade.gradebook import feedback, report
from tdgrade.gradebook.result import Result, Status
from tdgrade.gradebook.answers import Answer
from tdgrade.gradebook.final import FinalGrade, manual_line
from tdgrade.gradebook.publish import grades_csv, moodle_students
from tdgrade.gradebook.marks import Mark

FIXTURE = Path(__file__).parent / "fixtures" / "results_before_redesign"
GOLDEN = Path(__file__).parent / "golden"
QUESTIONS = {"q1_somme": 2.0, "q2_carres": 2.0, "q3_mots": 1.0}
RUN = {"timeout": 12, "memory": 1 << 30}  # the fixture batch's settings


def _load(folder: Path) -> list[Result]:
    return [Result.from_json(json.loads(p.read_text(encoding="utf-8")), source=p.name)
            for p in sorted(folder.glob("*.json"))]


def _results() -> list[Result]:
    return _load(FIXTURE)


def _duplicates() -> list[Result]:
    return _load(FIXTURE / "duplicates")


MANUAL = [
    ManualQuestion("q4_commentaire", 2.0, "Commentez la courbe d'apprentissage.", "Elle décroît puis stagne.",
                   "markdown", [RubricItem(1.0, "décroissance"), RubricItem(1.0, "plateau")]),
    ManualQuestion("q5_figure", 1.0, "Tracez les carrés.", "plt.plot(squares)", "code"),
]


def _answer(question: ManualQuestion, text: str) -> Answer:
    return Answer(question.name, text, question.answer_kind)


def _finals(results: list[Result]) -> list[FinalGrade]:
    """Each graded student in a different manual state: the final grade must show each one right."""
    by_id = {r.student_id: r for r in results}
    q4, q5 = MANUAL
    graded_text, changed_text = "La perte baisse puis se stabilise.", "Nouvelle réponse après re-dépôt."
    states = {  # student -> (q4 answer, q4 mark?, q5 answer, q5 mark?)
        "bernard": (graded_text, Mark("q4_commentaire", "bernard", 1.5, _answer(q4, graded_text).sha256,
                                      "Plateau non  commenté.", [True, False]), "", None),
        "exception_in_cell": (changed_text, Mark("q4_commentaire", "exception_in_cell", 2.0, "0" * 64),
                              "plt.plot(squares)", None),
        "memory_bomb": ("", None, "plt.plot(squares)", Mark("q5_figure", "memory_bomb", 1.0,
                                                              _answer(q5, "plt.plot(squares)").sha256)),
    }
    finals = []
    for n, r in enumerate(results, start=1):
        r = dataclasses.replace(r, full_name=r.student_id.replace("_", " ").title(), moodle_id=str(1000 + n))
        a4, m4, a5, m5 = states.get(r.student_id, ("", None, "", None))
        finals.append(FinalGrade(r, [manual_line(q4, _answer(q4, a4), m4), manual_line(q5, _answer(q5, a5), m5)]))
    assert {line.state.value for f in finals for line in f.manual} == {"graded", "empty", "pending", "changed"}
    return finals


def _stable_report(page: str) -> str:
    page = re.sub(r"généré le \d\d/\d\d/\d{4} \d\d:\d\d", "généré le JJ/MM/AAAA HH:MM", page)
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "data:image/png;base64,PNG", page)


def _outputs() -> dict[str, str]:
    results, duplicates = _results(), _duplicates()
    out = {}
    for r in results:  # what `tdgrade grade` writes: automatic part only
        out[f"grade/feedback/{r.student_id}.md"] = feedback.render_markdown(r, lab="fakelab", **RUN)
        out[f"grade/feedback/{r.student_id}.html"] = feedback.render_html(r, lab="fakelab", **RUN)
    out["grade/report.html"] = _stable_report(report.render(
        results, duplicates, QUESTIONS, lab="fakelab", profile="smoke", mode="bwrap",
        settings={"jobs": 2, **RUN}))
    finals = _finals(results)  # what `tdgrade review` publishes: automatic + manual
    for f in finals:
        if f.student_id in ("bernard", "exception_in_cell", "memory_bomb", "while_true"):
            out[f"publish/feedback/{f.student_id}.md"] = feedback.render_markdown(f.result, final=f, lab="fakelab",
                                                                                  **RUN)
            out[f"publish/feedback/{f.student_id}.html"] = feedback.render_html(f.result, final=f, lab="fakelab",
                                                                                **RUN)
    out["publish/grades.csv"] = grades_csv(finals, list(QUESTIONS))
    filled = moodle.fresh_worksheet(moodle_students(finals), "fr", 20)
    out["publish/moodle.csv"] = filled.text
    out["publish/report.html"] = _stable_report(report.render(  # as review.publish renders it
        results, duplicates, QUESTIONS, lab="fakelab", profile="smoke", mode="bwrap",
        settings={"jobs": 2, **RUN}, finals=finals, unmatched=filled.unmatched_students,
        to_resubmit=filled.to_resubmit, moodle_conflicts=filled.conflicts))
    return out


@pytest.fixture(scope="module")
def outputs():
    return _outputs()


def test_rendering_is_deterministic(outputs):
    assert _outputs() == outputs


def test_outputs_match_golden_files(outputs, request):
    if request.config.getoption("--update-goldens"):
        for old in GOLDEN.rglob("*"):
            if old.is_file() and old.relative_to(GOLDEN).as_posix() not in outputs:
                old.unlink()  # a golden nothing renders any more
        for name, text in outputs.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8")
    stale = sorted(p.relative_to(GOLDEN).as_posix() for p in GOLDEN.rglob("*") if p.is_file())
    assert stale == sorted(outputs), "golden files and rendered outputs differ in names; run with --update-goldens"
    for name, text in outputs.items():
        want = (GOLDEN / name).read_text(encoding="utf-8")
        diff = "".join(difflib.unified_diff(want.splitlines(True), text.splitlines(True), f"golden/{name}",
                                            "rendered", n=2))
        assert text == want, f"{name} changed (regenerate with --update-goldens if intended):\n{diff[:4000]}"


def test_goldens_show_every_status_and_every_manual_state(outputs):
    """The golden set covers what it claims: a French label per status, every manual state, the totals."""
    statuses = {r.status for r in _results() + _duplicates()}
    assert {Status.GRADED, Status.TIMEOUT, Status.MEMORY_LIMIT, Status.PROCESS_LIMIT, Status.DISK_LIMIT,
            Status.KERNEL_DIED, Status.UNREADABLE, Status.EMPTY, Status.WRONG_LAB, Status.DUPLICATE} <= statuses
    for r in _results():
        assert feedback.STATUS_LABELS[r.status] in outputs[f"grade/feedback/{r.student_id}.md"]
    published = "".join(v for k, v in outputs.items() if k.startswith("publish/feedback/") and k.endswith(".md"))
    for words in ("Plateau non commenté.", "6,5 / 8", "pas encore notée"):  # a comment, a total, a pending answer
        assert words in published, words
    rows = {row.split(",")[0]: row for row in outputs["publish/grades.csv"].splitlines()[1:]}
    assert ",1.5,0,5,1.5,2/2,6.5,8," in rows["bernard"], rows["bernard"]  # q4, q5, auto, manual, graded, total
    assert "not yet graded" in rows["exception_in_cell"]


def test_goldens_leak_no_test_source(outputs):
    for name, text in outputs.items():
        assert "def test_" not in text and "assert " not in text and "/tmp/" not in text, name
