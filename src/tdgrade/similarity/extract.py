"""What each student wrote: code cells and written answers, without what every student was given.

Given material is the release notebook (prose, locked cells, prompt stubs, `grader.check` cells,
the placeholder of written answers). Code cells equal to a release cell are dropped whole; what
remains of prompt stubs inside an answer cell is removed later by fingerprint (see `code.py`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

_QUESTION = re.compile(r"\*\*Question\s+([A-Za-z]+\d+)")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class StudentWork:
    """One submission's own material."""

    student_id: str
    code_cells: list[str] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)  # question id -> written answer (Markdown)

    @property
    def code(self) -> str:
        return "\n\n".join(self.code_cells)


@dataclass
class Template:
    """What every student was given (from the release notebook)."""

    code_cells: list[str]
    markdown: set[str]
    markdown_lines: set[str]
    prompts: dict[str, str]  # question id -> its prompt text

    @classmethod
    def from_notebook(cls, nb) -> "Template":
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        prose = [c.source for c in nb.cells if c.cell_type == "markdown"]
        lines = {_norm(line) for text in prose for line in text.splitlines()} - {""}
        prompts: dict[str, str] = {}
        for text in prose:
            for found in _QUESTION.finditer(text):
                prompts[found.group(1)] = prompts.get(found.group(1), "") + " " + _norm(text)
        return cls(code, {_norm(text) for text in prose}, lines, prompts)

    @property
    def code(self) -> str:
        return "\n\n".join(self.code_cells)


def student_work(student_id: str, nb, template: Template) -> StudentWork:
    """The student's code cells that differ from every given cell, and their written answers by question."""
    given_code = {_norm(source) for source in template.code_cells}
    work = StudentWork(student_id)
    question = "intro"
    for cell in nb.cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "code":
            if _norm(source) and _norm(source) not in given_code:
                work.code_cells.append(source)
            continue
        if cell.get("cell_type") != "markdown":
            continue
        found = _QUESTION.search(source)
        if found:
            question = found.group(1)
        if _norm(source) in template.markdown:
            continue
        # an answer typed into a prompt cell: keep only the lines the student wrote
        own = [line for line in _HTML_COMMENT.sub(" ", source).splitlines() if _norm(line) not in template.markdown_lines]
        text = _norm(" ".join(own))
        if text:
            work.answers[question] = (work.answers.get(question, "") + " " + text).strip()
    return work
