"""The hidden-test process loads exported Keras models with Keras' numpy backend (no TensorFlow import)
when it can, and falls back to the grader environment's backend when a model does not load there: the grades are
the same either way."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

import tdgrade

pytest.importorskip("jax")  # Keras' numpy backend needs it; without jax the environment's backend is used

SRC = str(Path(tdgrade.__file__).resolve().parents[1])

# A test file that records which backend served it and whether TensorFlow was imported.
TEST_FILE = '''from otter.test_files import test_case

OK_FORMAT = False

name = "q1_modele"
points = 2

@test_case(points=1, hidden=False)
def test_q1_architecture(model):
    import sys
    import keras
    print("backend:", keras.backend.backend(), file=sys.stderr)
    assert model is not None, "`model` n'est pas défini."
    assert model.count_params() == 4 * 3 + 3, "mauvais nombre de paramètres"
    assert model.get_compile_config()["loss"] == "mse", "modèle non compilé"

@test_case(points=1, hidden=True)
def test_q1_prediction(model):
    import sys
    import numpy as np
    import keras
    scores = np.asarray(model.predict(np.ones((5, 4), dtype="float32"), verbose=0))
    assert scores.shape == (5, 3), "mauvaise forme"
    print(keras.backend.backend(), "tensorflow" if sys.modules.get("tensorflow") else "-", file=sys.stderr)
'''

MAKE_MODEL = '''import sys, keras
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3)])
model.compile(optimizer="adam", loss="mse")
model.save(sys.argv[1])
'''


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tests folder and a values folder as the kernel's export writes them (one compiled model)."""
    root = tmp_path_factory.mktemp("backend")
    (root / "tests").mkdir()
    (root / "tests" / "q1_modele.py").write_text(TEST_FILE)
    values = root / "values"
    values.mkdir()
    subprocess.run([sys.executable, "-c", MAKE_MODEL, str(values / "v0001.keras")], check=True,
                   env={"KERAS_BACKEND": "numpy", "PATH": "/usr/bin:/bin"}, capture_output=True)
    (values / "manifest.json").write_text(json.dumps({"model": {"t": "keras_model", "file": "v0001.keras"}}))
    return root


def _hidden(root: Path, *extra: str) -> tuple[list[dict], str]:
    boot = (f"import sys; sys.path.insert(0, {SRC!r})\n"
            "from tdgrade.hidden import main; raise SystemExit(main(sys.argv[1:]))")
    out = root / "result.json"
    proc = subprocess.run([sys.executable, "-I", "-c", boot, "--tests", str(root / "tests"), "--values",
                           str(root / "values"), "--profile", "smoke", "--out", str(out), *extra],
                          capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr
    return json.loads(out.read_text()), proc.stderr


def test_models_are_served_by_the_numpy_backend_without_tensorflow(exported):
    results, stderr = _hidden(exported)
    assert results[0]["score"] == 2, results
    assert "numpy -" in stderr  # numpy backend, TensorFlow never imported


@pytest.mark.slow  # imports TensorFlow in the hidden process
def test_environment_backend_on_request_gives_the_same_grades(exported):
    auto, _ = _hidden(exported)
    kernel, stderr = _hidden(exported, "--keras-backend", "environment")
    assert "numpy" not in stderr.split()
    assert kernel == auto


@pytest.mark.slow  # imports TensorFlow in the hidden process
def test_a_model_the_numpy_backend_cannot_load_is_graded_with_the_environment_backend(exported, tmp_path):
    """A damaged model file: the numpy check fails, the process starts afresh with the environment's backend,
    whose loader reports the value as unreadable."""
    import shutil

    shutil.copytree(exported, tmp_path / "case")
    (tmp_path / "case" / "values" / "v0001.keras").write_bytes(b"not a keras archive")
    results, stderr = _hidden(tmp_path / "case")
    assert results[0]["score"] == 0 and "backend: tensorflow" in stderr
