"""A student's answers to the manual questions, read from the executed notebook in OUTDIR/notebooks/.

In the release, a manual question is a locked markdown cell holding its prompt (Otter Assign puts
`<!-- BEGIN QUESTION -->` in front of it) followed by the answer cells, up to the next locked cell.
The prompt cell is found by its text (students cannot edit or delete it), so inserted or moved
answer cells are still read. Figures come from the code cells of the same spec item (`fm15` for
`fm15_commentaire`): the figure question's own code (fm04) or the plot the comment is about (fm15).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..compiler.manual import ManualQuestion

# Text the release puts in answer cells: an answer made only of these is empty.
PLACEHOLDERS = ("_Rédigez votre réponse ici, à la place de ce texte._",
                "_Écrivez votre réponse ici, à la place de ce texte._",
                "_Type your answer here, replacing this text._")
MAX_IMAGES = 6


@dataclass
class Answer:
    question: str
    text: str  # markdown or code, as written by the student
    kind: str  # "markdown" or "code"
    images: list[str] = field(default_factory=list)  # base64 PNG, from the executed notebook
    found: bool = True  # False when the prompt cell is missing from the notebook
    blank: bool = False  # nothing but the release's scaffolding

    @property
    def empty(self) -> bool:
        return self.blank or not self.text.strip()

    @property
    def sha256(self) -> str:
        """What a manual score is attached to: an unchanged answer keeps its score after re-grading."""
        return hashlib.sha256(" ".join(self.text.split()).encode("utf-8")).hexdigest()


def _norm(text: str) -> str:
    return " ".join(text.replace("<!-- BEGIN QUESTION -->", "").replace("<!-- END QUESTION -->", "").split())


def _strip_given(text: str, given: set[str]) -> str:
    lines = [line for line in text.split("\n") if line.strip() not in given and line.strip() not in PLACEHOLDERS]
    return "\n".join(lines).strip()


def _locked(cell) -> bool:
    return cell.metadata.get("editable") is False or cell.metadata.get("deletable") is False


def _images(cells) -> list[str]:
    out = []
    for cell in cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            png = (output.get("data") or {}).get("image/png")
            if isinstance(png, str) and len(out) < MAX_IMAGES:
                out.append(png.replace("\n", ""))
    return out


def _find_prompt(cells, prompt: str) -> int | None:
    head = _norm(prompt)[:200]
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and head and head in _norm(cell.source):
            return index
    return None


def read_answers(nb, questions: list[ManualQuestion], given: set[str] = frozenset()) -> dict[str, Answer]:
    """question name -> Answer. `given`: lines of the release's answer cells (scaffolding, not answers)."""
    cells = nb.cells
    out = {}
    for q in questions:
        start = _find_prompt(cells, q.prompt)
        if start is None:
            out[q.name] = Answer(q.name, "", q.answer_kind, found=False)
            continue
        end = start + 1
        while end < len(cells) and not _locked(cells[end]):
            end += 1
        body = cells[start + 1:end]
        wanted = "code" if q.answer_kind == "code" else "markdown"
        text = "\n\n".join(c.source for c in body if c.cell_type == wanted)
        first = next((i for i, c in enumerate(cells) if c.cell_type == "markdown"
                      and f"**Question {q.prefix}" in c.source), start)
        text = _strip_given(text, set())
        out[q.name] = Answer(q.name, text, q.answer_kind, _images(cells[min(first, start):end]),
                             blank=not _strip_given(text, given))
    return out


def release_scaffolding(release_notebook: Path) -> set[str]:
    """Lines of the release's editable cells (placeholders, `# Votre code ici`): not answers."""
    try:
        nb = nbformat.read(release_notebook, as_version=4)
    except (OSError, ValueError):
        return set()
    return {line.strip() for c in nb.cells if not _locked(c) for line in c.source.split("\n") if line.strip()}


def read_student(outdir: Path, student_id: str, questions: list[ManualQuestion],
                 given: set[str] = frozenset()) -> dict[str, Answer]:
    """Answers of one student; every answer empty when no executed notebook exists (unreadable...)."""
    path = Path(outdir) / "notebooks" / f"{student_id}.ipynb"
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError, TypeError):
        return {q.name: Answer(q.name, "", q.answer_kind, found=False) for q in questions}
    return read_answers(nb, questions, given)
