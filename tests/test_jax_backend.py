"""The JAX backend that fashion_mnist declares: what issue 10 asks to prove before a lab moves to it.

- determinism: the lab's seeding gives bit-identical training in two fresh processes (same machine;
  never compared across machines), with and without the persistent compile cache the grader uses;
- `.keras` export: a model trained on JAX, saved as the grader's export does, predicts the same in
  the hidden-test process's numpy backend;
- scikeras: `KerasClassifier` fits, predicts and cross-validates on JAX;
- the warm-up plan's premise (`sandbox/warm_plan.py`): a cache filled by a 1-epoch run serves the
  whole N-epoch run (no miss, same weights), while another batch size misses.
Each check runs in a fresh process, because Keras fixes its backend at import time.
"""
import json
import os
import subprocess
import sys

import pytest

from tdgrade.execute import xla_flags
from tdgrade.sandbox.compile_cache import cache_vars

# ~1 min of fresh Keras processes: the slow tier (CI runs it too) keeps the default tier under 20 min;
# the grader's own use of the cache is tested in the default tier (tests/test_grade_compile_cache.py)
pytestmark = pytest.mark.slow

TRAIN = r'''
import hashlib, json, os, sys
import keras, numpy as np
keras.utils.set_random_seed(42)
rng = np.random.default_rng(0)
x = rng.random((480, 28, 28), dtype=np.float32)
y = (x[:, :14].mean(axis=(1, 2)) > x[:, 14:].mean(axis=(1, 2))).astype("int64") + 2 * (x[:, :, :14].mean(axis=(1, 2)) > 0.5)
model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                          keras.layers.Dense(32, activation="relu"), keras.layers.Dropout(0.4),
                          keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, epochs=3, batch_size=48, validation_split=0.2, verbose=0)
digest = hashlib.sha256(b"".join(np.asarray(w).tobytes() for w in model.get_weights())).hexdigest()
model.save(sys.argv[1])
np.save(sys.argv[1] + ".x.npy", x[:64])
np.save(sys.argv[1] + ".p.npy", model.predict(x[:64], verbose=0))
print(json.dumps({"backend": keras.backend.backend(), "weights": digest, "loss": history.history["loss"]}))
'''

PREDICT_NUMPY = r'''
import json, sys
sys.modules["tensorflow"] = None  # as the hidden-test process does
import keras, numpy as np
model = keras.saving.load_model(sys.argv[1], safe_mode=True)
x = np.load(sys.argv[1] + ".x.npy")
gap = float(np.abs(model.predict(x, verbose=0) - np.load(sys.argv[1] + ".p.npy")).max())
print(json.dumps({"backend": keras.backend.backend(), "gap": gap}))
'''

SCIKERAS = r'''
import json
import keras, numpy as np
from scikeras.wrappers import KerasClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
keras.utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.normal(size=(240, 8)).astype("float32")
y = (x[:, 0] + x[:, 1] > 0).astype("int64")

def build(meta=None):
    model = keras.Sequential([keras.Input(shape=(meta["n_features_in_"],)), keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(meta["n_classes_"], activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model

def cross_validate():
    keras.utils.set_random_seed(0)
    clf = KerasClassifier(model=build, epochs=5, batch_size=32, verbose=0, random_state=0)
    return cross_val_score(clf, x, y, cv=StratifiedKFold(3, shuffle=True, random_state=0)).tolist()

first, second = cross_validate(), cross_validate()
keras.utils.set_random_seed(0)
clf = KerasClassifier(model=build, epochs=5, batch_size=32, verbose=0, random_state=0).fit(x, y)
predicted = clf.predict(x)
print(json.dumps({"backend": keras.backend.backend(), "cv": first, "cv_again": second,
                  "predicted_shape": list(predicted.shape), "classes": sorted({int(v) for v in predicted}),
                  "proba_shape": list(clf.predict_proba(x).shape)}))
'''


# TRAIN with its epochs and batch size from argv, counting the persistent cache's hits and misses
COUNTED = r'''
import logging, jax
_seen = {"hits": 0, "misses": 0}
class _Count(logging.Handler):
    def emit(self, record):
        msg = record.getMessage()
        _seen["hits"] += msg.startswith("Persistent compilation cache hit")
        _seen["misses"] += msg.startswith("PERSISTENT COMPILATION CACHE MISS")
jax.config.update("jax_log_compiles", True)
_log = logging.getLogger("jax"); _log.addHandler(_Count()); _log.setLevel(logging.DEBUG); _log.propagate = False
''' + TRAIN.replace("epochs=3, batch_size=48", "epochs=int(sys.argv[2]), batch_size=int(sys.argv[3])").replace(
    '"loss": history.history["loss"]}', '"loss": history.history["loss"], **_seen}')


def _run(code: str, *args: str, backend: str = "jax", extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JAX_")}
    env.update({"KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", "OMP_NUM_THREADS": "1",
                "XLA_FLAGS": xla_flags(1), **(extra or {})})
    proc = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    folder = tmp_path_factory.mktemp("jax")
    cache = cache_vars(str(folder / "xla-cache"))  # what a graded kernel gets
    runs = {"plain": _run(TRAIN, str(folder / "a.keras")),
            "cache_cold": _run(TRAIN, str(folder / "c.keras"), extra=cache)}
    entries = sorted(p.name for p in (folder / "xla-cache").iterdir())
    runs["cache_warm"] = _run(TRAIN, str(folder / "d.keras"), extra=cache)
    return folder, runs, entries


def test_seeded_training_is_bit_identical_across_processes_and_with_the_compile_cache(trained):
    _, runs, entries = trained
    assert {r["backend"] for r in runs.values()} == {"jax"}
    assert entries, "the persistent compile cache stayed empty"
    reference = runs["plain"]
    for name, run in runs.items():
        assert run["weights"] == reference["weights"] and run["loss"] == reference["loss"], name


def test_a_jax_model_exported_as_keras_predicts_the_same_on_the_numpy_backend(trained):
    folder, _, _ = trained
    out = _run(PREDICT_NUMPY, str(folder / "a.keras"), backend="numpy")
    assert out["backend"] == "numpy"
    assert out["gap"] < 1e-5


def test_scikeras_fits_predicts_and_cross_validates_on_jax():
    out = _run(SCIKERAS)
    assert out["backend"] == "jax"
    assert len(out["cv"]) == 3 and all(0.0 <= score <= 1.0 for score in out["cv"]), out
    assert out["cv"] == out["cv_again"], "cross-validation with the same seeds must repeat exactly"
    assert out["predicted_shape"] == [240] and set(out["classes"]) <= {0, 1}
    assert out["proba_shape"] == [240, 2]


def test_a_one_epoch_warm_up_serves_every_program_of_the_full_run(trained, tmp_path):
    """What the warm-up plan's `compile_only` edit (epochs=20 -> epochs=1) relies on."""
    folder, runs, _ = trained
    cache = cache_vars(str(tmp_path / "xla-cache"))
    cold = _run(COUNTED, str(tmp_path / "w.keras"), "1", "48", extra=cache)
    assert cold["misses"] > 0 and cold["hits"] == 0, cold
    full = _run(COUNTED, str(tmp_path / "f.keras"), "3", "48", extra=cache)
    assert full["misses"] == 0 and full["hits"] > 0, full
    assert full["weights"] == runs["plain"]["weights"] and full["loss"] == runs["plain"]["loss"]
    other_batch = _run(COUNTED, str(tmp_path / "o.keras"), "3", "40", extra=cache)  # 384 / 40: other shapes
    assert other_batch["misses"] > 0, other_batch
