"""`tdgrade check`: runs a student notebook, French per-question summary, exit code."""
import shutil
from pathlib import Path

import nbformat
import pytest

from tdgrade.compiler import compile_lab
from tdgrade.check import check_notebook
from tdgrade.labs import Lab

FIXTURE = Path(__file__).parent / "fixtures" / "minilab"


@pytest.fixture()
def release(tmp_path):
    folder, _, _ = compile_lab(Lab("minilab", FIXTURE), tmp_path / "build")
    return folder


def _run(notebook: Path) -> tuple[int, str]:
    said = []
    code = check_notebook(notebook, profile="smoke", timeout=120, log=said.append)
    return code, "\n".join(said)


def test_blank_notebook_says_what_is_missing_in_french(release, smoke_data):
    code, out = _run(release / "minilab.ipynb")
    assert code == 1
    assert "✘ q01_somme : `total` n'est pas encore défini." in out
    assert "Traceback" not in out and "0/1 questions" in out


def test_answered_notebook_passes(release, smoke_data):
    path = release / "minilab.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.source = cell.source.replace("total = ...", "total = 55")
    nbformat.write(nb, path)
    code, out = _run(path)
    assert code == 0 and "✔ q01_somme" in out and "1/1 questions" in out


def test_unreadable_notebook(tmp_path):
    bad = tmp_path / "x.ipynb"
    bad.write_text("{ not json")
    code, out = _run(bad)
    assert code == 2 and "Impossible de lire" in out


def test_cli_entry_point(release, smoke_data, capsys):
    from tdgrade.cli import main

    assert main(["check", str(release / "minilab.ipynb"), "--profile", "smoke"]) == 1
    assert "q01_somme" in capsys.readouterr().out


def test_grader_check_in_the_release_notebook_works_offline(release, smoke_data):
    from tdgrade.execute import execute_notebook

    nb = nbformat.read(release / "minilab.ipynb", as_version=4)
    execute_notebook(nb, release, profile="smoke", timeout=120, env={"no_proxy": "*", "http_proxy": "http://0.0.0.0:9"})
    check_cells = [c for c in nb.cells if c.cell_type == "code" and 'grader.check("q01_somme")' in c.source]
    assert len(check_cells) == 1
    shown = "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "") for o in check_cells[0].outputs)
    assert "n'est pas encore défini" in shown and "Traceback" not in shown
