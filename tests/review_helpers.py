"""A prepared grading OUTDIR with manual questions, made without running the grader (no TensorFlow).

Its notebooks have the release's shape for manual questions: a locked prompt cell (Otter's
`<!-- BEGIN QUESTION -->` in front), the answer cell(s), then the next locked cell.
"""
import base64
import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tdgrade.compiler.manual import ManualQuestion, RubricItem
from tdgrade.gradebook.final import copy_lab_files

PLACEHOLDER = "_Rédigez votre réponse ici, à la place de ce texte._"
QUESTIONS = [
    ManualQuestion("q1_explication", 1.0, "**Question q1 (suite)** — Expliquez votre calcul.",
                   "On additionne tous les entiers.", "markdown",
                   [RubricItem(0.5, "parle de somme"), RubricItem(0.5, "cite la liste NUMBERS")]),
    ManualQuestion("q2_figure", 2.0, "**Question q2** — Tracez les carrés.", "plt.plot(squares)", "code",
                   [RubricItem(1.0, "courbe tracée"), RubricItem(1.0, "axes nommés")]),
]
# A 1x1 PNG: the figure a student's code cell produced.
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5"
    "7c5c6e0000000049454e44ae426082")).decode()


def _locked(cell):
    cell.metadata.update({"editable": False, "deletable": False})
    return cell


def notebook(q1_answer: str, q2_code: str, figure: bool = True):
    nb = new_notebook()
    cells = [new_markdown_cell("# TD factice"), _locked(new_code_cell("import numpy as np")),
             _locked(new_markdown_cell("<!-- BEGIN QUESTION -->\n\n" + QUESTIONS[0].prompt)),
             new_markdown_cell(q1_answer),
             _locked(new_markdown_cell("<!-- END QUESTION -->\n\n<!-- BEGIN QUESTION -->\n\n" + QUESTIONS[1].prompt))]
    code = new_code_cell(q2_code)
    if figure:
        code.outputs = [new_output("display_data", data={"image/png": PNG, "text/plain": "<Figure>"})]
    cells += [code, _locked(new_markdown_cell("<!-- END QUESTION -->\n\nFin du TD."))]
    nb.cells = cells
    return nb


def result(sid: str, auto: float, status: str = "graded", moodle_id: str | None = None, name: str | None = None):
    return {"student_id": sid, "lab": "fakelab", "status": status, "total": auto, "max_total": 5.0,
            "moodle_id": moodle_id, "full_name": name, "submission": f"{sid}.ipynb", "warnings": [],
            "cell_errors": [], "questions": [
                {"name": "q1_somme", "score": min(auto, 5.0), "max_score": 5.0, "passed": auto >= 5,
                 "cases": [{"hidden": True, "passed": auto >= 5, "message": "la somme est fausse"}]}]}


STUDENTS = {
    # id: (auto points, q1 answer, q2 code, Moodle participant, full name)
    "alice_martin": (5.0, "On fait la **somme** de `NUMBERS`.", "plt.plot(squares)\nplt.xlabel('n')", "1001",
                     "Alice Martin"),
    "bruno_petit": (2.0, "Je ne sais pas <script>alert('x')</script>", "plt.plot(squares)", "1002", "Bruno Petit"),
    "chloe_durand": (0.0, PLACEHOLDER, "# Votre code ici", "1003", "Chloé Durand"),
}


# With copies=True: two more students whose q1 answer is alice's again -- the same after
# normalisation (case, accents, spacing, punctuation) and the same with one typo -- for answer groups.
COPIES = {
    "david_roux": (5.0, "on fait la SOMME de NUMBERS !", "plt.plot(squares)", "1004", "David Roux"),
    "emma_blanc": (5.0, "On fait la somme de `NUMBRES`.", "plt.plot(squares)", "1005", "Emma Blanc"),
}


def prepared_outdir(outdir: Path, copies: bool = False) -> Path:
    """OUTDIR as `tdgrade grade` leaves it for a lab with 2 manual questions and 3 students (5 with copies)."""
    outdir = Path(outdir)
    (outdir / "results").mkdir(parents=True)
    (outdir / "notebooks").mkdir()
    for sid, (auto, q1, q2, pid, name) in {**STUDENTS, **(COPIES if copies else {})}.items():
        r = result(sid, auto, moodle_id=pid, name=name)
        (outdir / "results" / f"{sid}.json").write_text(json.dumps(r, ensure_ascii=False), encoding="utf-8")
        nbformat.write(notebook(q1, q2, figure=not q2.startswith("#")), outdir / "notebooks" / f"{sid}.ipynb")
    (outdir / ".tdgrade-grade.json").write_text(json.dumps({
        "lab": "fakelab", "profile": "smoke", "mode": "bwrap", "questions": ["q1_somme"], "points": {"q1_somme": 5.0},
        "timeout": 30.0, "memory": 1 << 30}), encoding="utf-8")
    copy_lab_files(outdir, QUESTIONS, {PLACEHOLDER, "# Votre code ici"})
    return outdir
