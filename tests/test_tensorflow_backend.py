"""TensorFlow stays a supported backend (slow tier: a full-size solution on each lab).

Both labs declare JAX in their set-up cell with `os.environ.setdefault`, so a student who has
TensorFlow and sets `KERAS_BACKEND=tensorflow` runs on it. The solution must then run without an
error, print no warning of the set-up cell other than the one remark naming the backend, and pass
every hidden test (thresholds calibrated on JAX) through the grader's own suite.
"""
import pytest

from tdgrade.artifacts import export_code, load_values
from tdgrade.execute import cell_errors, execute_notebook
from tdgrade.labs import LAB_NAMES

pytestmark = pytest.mark.slow
PROFILE = "full"


@pytest.mark.parametrize("name", LAB_NAMES)
def test_solution_passes_every_hidden_test_on_tensorflow(name, compiled, smoke_data, tmp_path):
    import copy
    import shutil

    lab = compiled(name)
    work, values = tmp_path / "work", tmp_path / "values"
    shutil.copytree(lab.release, work)
    nb = copy.deepcopy(lab.solution)  # shared by the session's other tests
    execute_notebook(nb, work, profile=PROFILE, timeout=1800, env={"KERAS_BACKEND": "tensorflow"},
                     after=[export_code(sorted(lab.suite.names), str(values))])
    assert cell_errors(nb) == []
    setup = next(c for c in nb.cells if c.cell_type == "code" and "KERAS_BACKEND" in c.source)
    shown = "".join(o.get("text", "") for o in setup.outputs)
    assert "Remarque : Keras utilise le backend « tensorflow »" in shown and "Attention" not in shown
    results = lab.suite.run(load_values(values), PROFILE)
    failed = {r.name: [c.message for c in r.cases if not c.passed] for r in results if not r.passed}
    assert failed == {}
