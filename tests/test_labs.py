"""Every lab: committed outputs fresh and leak-free, solution passes, blank release fails.

Smoke-profile executions here; the full-size run is the `slow` tier (`pytest -m slow`).
"""
import time

import nbformat
import pytest

from tdgrade.artifacts import load_values
from tdgrade.compiler import build_lab, leaks
from tdgrade.execute import cell_errors
from tdgrade.hidden import failing
from tdgrade.labs import LAB_NAMES, get_lab

from conftest import ROOT, reseeded

LABS = [name for name in LAB_NAMES if get_lab(name, ROOT).source_notebook.is_file()]


@pytest.mark.parametrize("name", LABS)
def test_committed_outputs_are_fresh(name):
    stale = build_lab(get_lab(name, ROOT), check=True, log=lambda *_: None)
    assert stale == [], "run `tdgrade build`:\n" + "\n".join(stale)


@pytest.mark.parametrize("name", LABS)
def test_committed_release_is_leak_free(name, compiled):
    lab = compiled(name)
    found = leaks.scan(get_lab(name, ROOT).release_dir,
                       leaks.solution_lines(lab.assigned.autograder_dir / lab.lab.notebook_name),
                       leaks.hidden_test_lines(lab.autograder / "tests"))
    assert found == [], "\n".join(map(str, found))


@pytest.mark.parametrize("name", LABS)
def test_every_spec_item_is_a_question(name, compiled):
    lab = compiled(name)
    assert lab.suite.questions, "no autograded question"
    prefix = {"fashion_mnist": "fm", "keras_cv": "cv"}[name]
    assert all(q.startswith(prefix) for q in lab.suite.questions)


@pytest.mark.parametrize("name", LABS)
def test_solution_passes_every_hidden_and_public_test(name, compiled, solution_values):
    values = solution_values(name)
    results = compiled(name).suite.run(values, "smoke")
    assert failing(results) == set(), {r.name: [c.message for c in r.cases if not c.passed]
                                       for r in results if not r.passed}


@pytest.mark.parametrize("name", LABS)
def test_blank_release_fails_every_autograded_question(name, compiled, blank_release_values):
    results = compiled(name).suite.run(blank_release_values(name), "smoke")
    assert [r.name for r in results if r.score > 0] == []


@pytest.mark.slow
@pytest.mark.parametrize("name", LABS)
def test_full_size_solution_passes_every_hidden_test(name, compiled, smoke_data, tmp_path):
    lab = compiled(name)
    nb = nbformat.read(lab.lab.solutions_dir / lab.lab.notebook_name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    started = time.monotonic()
    nb = reseeded(nb)
    lab.run_and_export(nb, "full", tmp_path / "values", timeout=1800)
    print(f"{name}: full-size solution executed in {time.monotonic() - started:.0f} s")
    assert cell_errors(nb) == []
    results = lab.suite.run(load_values(tmp_path / "values"), "full")
    assert failing(results) == set(), {r.name: [c.message for c in r.cases if not c.passed]
                                       for r in results if not r.passed}
