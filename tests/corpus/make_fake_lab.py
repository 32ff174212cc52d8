"""Regenerate the fake labs' release notebooks and the honest submissions (run by hand; outputs are committed).

`fakelab`: three cheap questions (no TensorFlow) so a full grading costs about a kernel start.
`otherlab`: a different lab, to recognise a submission of the wrong lab.
"""
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).parent
INTRO = "# TD factice\n\nCe TD sert à tester le correcteur `tdgrade` sans TensorFlow : trois petites questions."
SETUP = "import numpy as np\nfrom helpers import NUMBERS, WORDS"
PROMPTS = [
    ("## Question 1\n\nCalculez dans `total` (un `int`) la somme des entiers de la liste `NUMBERS`.", "total = ...",
     "total = sum(NUMBERS)"),
    ("## Question 2\n\nConstruisez `squares`, le tableau numpy des carrés des entiers de 0 à 9.", "squares = ...",
     "squares = np.arange(10) ** 2"),
    ("## Question 3\n\nRangez dans `words` (une `list` de `str`) les mots de `WORDS` par ordre alphabétique.",
     "words = ...", "words = sorted(WORDS)"),
]


def notebook(answers: bool) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(new_markdown_cell(INTRO))
    setup = new_code_cell(SETUP)
    setup.metadata.update({"editable": False, "deletable": False})
    nb.cells.append(setup)
    for prompt, blank, solution in PROMPTS:
        nb.cells.append(new_markdown_cell(prompt))
        nb.cells.append(new_code_cell(solution if answers else blank))
    return nb


def other_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(new_markdown_cell("# Autre TD factice\n\nUn second TD, pour reconnaître un dépôt du mauvais TD."))
    nb.cells.append(new_markdown_cell("## Question 1\n\nCalculez dans `product` le produit des entiers de 1 à 10."))
    nb.cells.append(new_code_cell("product = ..."))
    return nb


if __name__ == "__main__":
    nbformat.write(notebook(False), HERE / "labs/release/fakelab/fakelab.ipynb")
    nbformat.write(other_notebook(), HERE / "labs/release/otherlab/otherlab.ipynb")
    nbformat.write(notebook(True), HERE / "labs/solutions/fakelab/fakelab.ipynb")
