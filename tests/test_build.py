"""The build on a tiny fixture lab: reproducible bytes, freshness check, leak scan."""
import json
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from tdgrade.compiler import BuildError, build_lab, compile_lab, leaks
from tdgrade.labs import Lab

FIXTURE = Path(__file__).parent / "fixtures" / "minilab"


@pytest.fixture()
def minilab(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return Lab("minilab", root)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_compilations_are_byte_identical(minilab, tmp_path):
    one = compile_lab(minilab, tmp_path / "a")
    two = compile_lab(minilab, tmp_path / "b")
    for first, second in zip(one[:2], two[:2]):
        assert _tree(first) == _tree(second)


def test_release_and_autograder_contents(minilab, tmp_path):
    release, autograder, _ = compile_lab(minilab, tmp_path / "out")
    assert sorted(_tree(release)) == ["README.md", "minilab.ipynb", "requirements.txt", "selfcheck.py",
                                     "tests/q01_somme.py", "tests/selfcheck.json"]
    facts = json.loads((release / "tests" / "selfcheck.json").read_text(encoding="utf-8"))
    assert facts["time_budget_s"] == 1800 and [(w["name"], w["points"]) for w in facts["written"]] == [("q02_pourquoi", 1)]
    public = (release / "tests" / "q01_somme.py").read_text()
    assert "test_q01_defini" in public and "test_q01_valeur" not in public
    assert "test_q01_valeur" in (autograder / "tests" / "q01_somme.py").read_text()
    nb = nbformat.read(release / "minilab.ipynb", as_version=4)
    sources = "\n".join(c.source for c in nb.cells)
    assert "total = ..." in sources and "sum(valeurs)" not in sources
    assert "Écrivez votre réponse ici" in sources
    # each prompt states its points and who grades it; the README gives the split
    assert "*2 points — corrigé automatiquement (tests cachés).*" in sources
    assert "*1 point — réponse rédigée, corrigée par l'enseignant·e.*" in sources
    assert "noté sur 3 points : 2 points pour les questions corrigées automatiquement" in \
        " ".join((release / "README.md").read_text(encoding="utf-8").split())
    assert [c.id for c in nb.cells] == [f"cell-{i:03d}" for i in range(len(nb.cells))]
    with zipfile.ZipFile(autograder / "minilab-autograder.zip") as z:
        assert "tests/q01_somme.py" in z.namelist() and "files/selfcheck.py" in z.namelist()
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_check_reports_stale_outputs(minilab):
    build_lab(minilab, execute=False, log=lambda *_: None)
    stale = build_lab(minilab, check=True, log=lambda *_: None)
    assert stale == [f"solutions/minilab/minilab.ipynb: not executed from the current source"]
    nb_path = minilab.source_notebook
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[4].source += " Donnez un entier."
    nbformat.write(nb, nb_path)
    stale = build_lab(minilab, check=True, log=lambda *_: None)
    assert "release/minilab: differs: minilab.ipynb" in stale


def test_solution_is_executed_and_recorded(minilab, smoke_data):
    build_lab(minilab, log=lambda *_: None)
    assert build_lab(minilab, check=True, log=lambda *_: None) == []
    solved = nbformat.read(minilab.solutions_dir / "minilab.ipynb", as_version=4)
    sources = "\n".join(c.source for c in solved.cells)
    assert "total = sum(valeurs)" in sources and "BEGIN SOLUTION" not in sources and "total = ..." not in sources
    assert any("passed" in str(c.get("outputs")) for c in solved.cells if c.cell_type == "code")


def test_leak_scan_catches_planted_solution_and_hidden_test(minilab, tmp_path):
    release, autograder, assigned = compile_lab(minilab, tmp_path / "out")
    solution = leaks.solution_lines(assigned.autograder_dir / "minilab.ipynb")
    hidden = leaks.hidden_test_lines(autograder / "tests")
    assert leaks.scan(release, solution, hidden) == []
    (release / "notes.md").write_text("aide : valeurs = list(range(1, 11))\n")
    (release / "tests" / "q01_somme.py").write_text(
        (autograder / "tests" / "q01_somme.py").read_text())
    found = leaks.scan(release, solution, hidden)
    kinds = {(f.path, f.kind.split(" (")[0]) for f in found}
    assert ("tests/q01_somme.py", "hidden test line") in kinds
    assert ("tests/q01_somme.py", "instructor marker") in kinds
    assert not any(f.path == "notes.md" for f in found)  # a solution line must stand alone on its line
    (release / "notes.md").write_text("valeurs = list(range(1, 11))\n")
    assert any(f.path == "notes.md" and f.kind.startswith("solution line") for f in leaks.scan(release, solution, hidden))


def test_unmarked_solution_line_fails_the_build(minilab, tmp_path):
    nb = nbformat.read(minilab.source_notebook, as_version=4)
    cell = nb.cells[6]
    cell.source = cell.source.replace("# BEGIN PROMPT", "carres = [v * v for v in range(1, 11)]\n# BEGIN PROMPT")
    nbformat.write(nb, minilab.source_notebook)
    with pytest.raises(BuildError, match="carres = \\[v \\* v"):
        compile_lab(minilab, tmp_path / "out")


def test_missing_source_is_a_clear_error(tmp_path):
    with pytest.raises(BuildError, match="source notebook not found"):
        compile_lab(Lab("minilab", tmp_path), tmp_path / "out")
