"""What one cache miss costs: the XLA programs one fashion_mnist fit compiles, with their seconds
(issue 24). Full-size data, the lab's 2 x 256 model, `EPOCHS` epochs, one thread, no persistent
cache; `jax_log_compiles` reports every compilation.

    python bench/compile_cost.py 240 2        # batch 240: one train and one validation shape
    python bench/compile_cost.py 256 2        # batch 256: 187 batches of 256 + one of 128, etc.
"""
import json
import logging
import os
import re
import sys
import time

os.environ["KERAS_BACKEND"] = "jax"
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
for key in [k for k in os.environ if k.startswith("JAX_COMPILATION_CACHE")]:
    del os.environ[key]
BATCH, EPOCHS = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 2

import jax  # noqa: E402

COMPILED = re.compile(r"Finished XLA compilation of (\S+) in ([0-9.e-]+) sec")
compiles: list[tuple[str, float]] = []


class Recorder(logging.Handler):
    def emit(self, record):
        found = COMPILED.match(record.getMessage())
        if found:
            compiles.append((found.group(1), float(found.group(2))))


jax.config.update("jax_log_compiles", True)
logger = logging.getLogger("jax")
logger.addHandler(Recorder())
logger.setLevel(logging.DEBUG)
logger.propagate = False

import keras  # noqa: E402

(x, y), (xt, yt) = keras.datasets.fashion_mnist.load_data()
x, xt = (x / 255.0).astype("float32"), (xt / 255.0).astype("float32")
model = keras.Sequential([keras.Input((28, 28)), keras.layers.Flatten(), keras.layers.Dense(256, activation="relu"),
                          keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
start = time.perf_counter()
model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, validation_split=0.2, verbose=0)
fit_s = time.perf_counter() - start
model.evaluate(xt, yt, verbose=0)
model.predict(xt, verbose=0)
steps = [(name, round(s, 2)) for name, s in compiles if "step" in name]
print(json.dumps({"batch": BATCH, "epochs": EPOCHS, "fit_s": round(fit_s, 2), "programs": len(compiles),
                  "compile_s": round(sum(s for _, s in compiles), 2), "steps": steps,
                  "load": open("/proc/loadavg").read().split()[:3]}))
