"""What students read is French and consistent across both labs (release notebooks and READMEs).

Across both labs: « accuracy » (not « taux de bonne classification »), « données / partie
d'entraînement » (not « d'apprentissage »), one form for loss and hidden layer.
"""
import io
import re
import tokenize

import nbformat
import pytest

from tdgrade.labs import LAB_NAMES, get_lab


# concept -> the one French term to use, and the forms that must not appear in prose
GLOSSARY = {
    "epoch": ("époque", [r"\bepochs?\b"]),
}
# concept -> competing forms: at most one of them across both labs (the lead/issue 7 picks which)
ONE_FORM = {
    "accuracy": [r"\baccuracy\b", r"\bexactitude\b", r"\btaux de bonnes? (?:classifications?|réponses?)\b"],
    "training set": [r"\b(?:données|partie|jeu|ensemble) d['’]entraînement\b",
                     r"\b(?:données|partie|jeu|ensemble) d['’]apprentissage\b"],
    "loss": [r"\bperte\b", r"\bloss\b(?!`)"],
    "hidden layer": [r"\bcouches? cachées?\b", r"\bcouches? intermédiaires?\b"],
}
ENGLISH_WORDS = {"the", "this", "that", "these", "those", "with", "which", "when", "its", "into", "than",
                 "many", "builds", "hide", "silence", "messages", "warnings", "your", "here", "code"}


def _prose(lab) -> str:
    """Markdown cells and README, without code spans or code blocks (identifiers are English)."""
    nb = nbformat.read(lab.release_dir / lab.notebook_name, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    text += "\n" + (lab.release_dir / "README.md").read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", " ", text, flags=re.S)
    return re.sub(r"`[^`]*`", " ", text)


LABS = [get_lab(name) for name in LAB_NAMES]


@pytest.mark.parametrize("lab", LABS, ids=LAB_NAMES)
def test_one_term_per_concept(lab):
    prose = _prose(lab)
    for concept, (term, banned) in GLOSSARY.items():
        for pattern in banned:
            assert not re.search(pattern, prose, re.I), f"{lab.name}: {concept} must be written « {term} »"


def test_one_form_across_both_labs():
    prose = "\n".join(_prose(lab) for lab in LABS)
    for concept, forms in ONE_FORM.items():
        used = [f for f in forms if re.search(f, prose, re.I)]
        assert len(used) <= 1, f"{concept}: several forms used across the labs: {used}"


@pytest.mark.parametrize("lab", LABS, ids=LAB_NAMES)
def test_no_english_comment_in_student_cells(lab):
    nb = nbformat.read(lab.release_dir / lab.notebook_name, as_version=4)
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        for tok in tokenize.generate_tokens(io.StringIO(cell.source).readline):
            if tok.type == tokenize.COMMENT:
                words = set(re.findall(r"[a-z]+", tok.string.lower()))
                assert len(words & ENGLISH_WORDS) < 2, f"{lab.name}: English comment {tok.string!r}"


@pytest.mark.parametrize("lab", LABS, ids=LAB_NAMES)
def test_intro_matches_the_notebook(lab):
    nb = nbformat.read(lab.release_dir / lab.notebook_name, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    intro_index = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown")
    intro = nb.cells[intro_index].source
    # every « label » the intro quotes appears elsewhere in the notebook (e.g. the written-answer label)
    for label in re.findall(r"«\s*([^»]+?)\s*»", intro):
        assert any(label in text for text in markdown[1:]), f"{lab.name}: intro quotes « {label} », used nowhere"
    # "run the cell below first" cannot be true when a code cell sits above the intro
    code_above = any(c.cell_type == "code" for c in nb.cells[:intro_index])
    for sentence in re.split(r"(?<=[.;:])\s", intro):
        if "en premier" in sentence or "d'abord" in sentence:
            assert not (code_above and "ci-dessous" in sentence), f"{lab.name}: intro says {sentence!r}"
