"""Stage 2: small ordered notebook transforms (nbgrader-style), each a function nb -> nb."""
import re

import nbformat

OTTER_PLACEHOLDER = "_Type your answer here, replacing this text._"
FRENCH_PLACEHOLDER = "_Écrivez votre réponse ici, à la place de ce texte._"
SOLUTION_TAG = "otter_assign_solution_cell"

_MARKER_LINE = re.compile(r"^\s*#\s*(BEGIN|END)\s+(SOLUTION|PROMPT)\b.*$", re.IGNORECASE)
_SOLUTION_SUFFIX = re.compile(r"\s*#\s*SOLUTION\s*$", re.IGNORECASE)


def frenchify(nb):
    """Otter's English scaffolding, in French."""
    for cell in nb.cells:
        cell.source = cell.source.replace(OTTER_PLACEHOLDER, FRENCH_PLACEHOLDER)
        cell.source = cell.source.replace("# Initialize Otter", "# Initialisation d'Otter : grader.check(...) vérifie vos réponses")
    return nb


_PROMPT_BEGIN = re.compile(r"^\s*#\s*BEGIN\s+PROMPT", re.IGNORECASE)
_PROMPT_END = re.compile(r"^\s*#\s*END\s+PROMPT", re.IGNORECASE)


def split_solution(source: str) -> tuple[str, list[str]]:
    """A solution cell's code without prompt blocks or markers, and the lines of its prompt blocks."""
    kept, prompt, in_prompt = [], [], False
    for line in source.split("\n"):
        if _PROMPT_BEGIN.match(line):
            in_prompt = True
        elif _PROMPT_END.match(line):
            in_prompt = False
        elif in_prompt:
            prompt.append(line)
        elif not _MARKER_LINE.match(line):
            kept.append(_SOLUTION_SUFFIX.sub("", line))
    return "\n".join(kept), prompt


def strip_solution_markers(nb):
    """For the solutions notebook: drop prompt blocks and marker comments, keep solution code."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = split_solution(cell.source)[0]
    return nb


def drop_tags(nb, tags=(SOLUTION_TAG,)):
    for cell in nb.cells:
        cell_tags = [t for t in cell.metadata.get("tags", []) if t not in tags]
        if cell_tags:
            cell.metadata["tags"] = cell_tags
        else:
            cell.metadata.pop("tags", None)
    return nb


def clear_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def stable_ids(nb):
    """Cell ids from position, so two builds give the same bytes."""
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:03d}"
    return nb


def clean_metadata(nb):
    """Keep only what Jupyter and otter need at notebook level."""
    keep = {"kernelspec", "language_info", "otter", "tdgrade"}
    for key in list(nb.metadata):
        if key not in keep:
            del nb.metadata[key]
    nb.metadata.setdefault("kernelspec", {"display_name": "Python 3", "language": "python", "name": "python3"})
    nb.metadata.get("language_info", {}).pop("version", None)
    return nb


_OTTER_INIT = re.compile(r'^\s*(#[^\n]*\n)?\s*import otter\s*\n\s*grader\s*=\s*otter\.Notebook\((?P<args>[^)]*)\)\s*$')
SELFCHECK_IMPORT = "from selfcheck import Notebook"
SELFCHECK_INIT = """\
# Vérifications : grader.check("...") affiche ✔ ou ✘ et un message en français
from selfcheck import Notebook
grader = Notebook({args})"""


def french_self_check(nb):
    """Otter's init cell -> the same `grader` from the shipped `selfcheck.py` (French check output)."""
    for cell in nb.cells:
        found = _OTTER_INIT.match(cell.source) if cell.cell_type == "code" else None
        if found:
            cell.source = SELFCHECK_INIT.format(args=found.group("args"))
    return nb


STUDENT = (frenchify, french_self_check, drop_tags, clear_outputs, clean_metadata, stable_ids)
SOLUTION = (frenchify, strip_solution_markers, drop_tags, clear_outputs, clean_metadata, stable_ids)


def apply(nb, steps):
    for step in steps:
        nb = step(nb)
    return nb


def write_notebook(nb, path) -> None:
    """nbformat writes sorted keys with indent 1; a final newline keeps diffs clean."""
    text = nbformat.writes(nb, version=4)
    path.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
