"""One smoke-size fit of the fashion_mnist lab's first model, per Keras backend and thread count (not a test).

    python bench/bench_backend.py                       # tensorflow and jax, 1 and 2 threads, 2 repeats
    python bench/bench_backend.py --backends tensorflow --threads 1 --repeat 3

Each measurement is a fresh process (the backend is chosen at `import keras`): import time, then the
lab's model (Input 28x28 -> Flatten -> Dense 256 relu -> Dense 256 relu -> Dense 10 softmax, adam,
sparse categorical cross-entropy, accuracy) fitted on the smoke data exactly like the notebook
(20 epochs, batch 240, validation_split 0.2, verbose 0), then a second identical model fitted in the
same process (what every later fit of the notebook costs once the backend is warm). Threads are capped
with the grader's environment (`tdgrade.execute.thread_env`) plus, for JAX, XLA's CPU flags.
This measures only; no lab changes backend (that needs a recalibration, see bench/README.md).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r'''
import json, os, sys, time
t0 = time.perf_counter()
import keras
import numpy as np
t_import = time.perf_counter() - t0
keras.utils.set_random_seed(42)
(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train, x_test = x_train.astype("float32") / 255.0, x_test.astype("float32") / 255.0

def fit():
    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(),
                              keras.layers.Dense(256, activation="relu"), keras.layers.Dense(256, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    t = time.perf_counter()
    model.fit(x_train, y_train, epochs=20, batch_size=240, validation_split=0.2, verbose=0)
    seconds = time.perf_counter() - t
    return seconds, float(model.evaluate(x_test, y_test, verbose=0)[1])

first, acc1 = fit()
second, acc2 = fit()
print(json.dumps({"backend": keras.backend.backend(), "n_train": len(x_train), "import_s": round(t_import, 2),
                  "first_fit_s": round(first, 2), "second_fit_s": round(second, 2),
                  "test_accuracy": [round(acc1, 4), round(acc2, 4)]}))
'''


def measure(backend: str, threads: int, profile: str) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from tdgrade.execute import notebook_env

    # notebook_env caps TensorFlow's, BLAS's and XLA's threads alike (tdgrade.execute.thread_env)
    env = {**notebook_env(profile, threads), "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
    t = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    stdout = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        return {"backend": backend, "threads": threads, "error": f"exit status {status}"}
    out = json.loads(stdout.strip().splitlines()[-1])
    return {**out, "threads": threads, "process_wall_s": round(time.perf_counter() - t, 2),
            "process_cpu_s": round(usage.ru_utime + usage.ru_stime, 2)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--backends", nargs="+", default=["tensorflow", "jax"])
    p.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--profile", default="smoke", choices=("smoke", "full"))
    p.add_argument("--json", type=Path, default=None)
    a = p.parse_args(argv)
    load = lambda: " ".join(Path("/proc/loadavg").read_text().split()[:3])  # noqa: E731
    report = {"command": " ".join(["python", *sys.argv]), "date": time.strftime("%Y-%m-%d %H:%M"),
              "profile": a.profile, "load_start": load(), "runs": []}
    for _ in range(a.repeat):  # interleaved, so a load spike hits every variant alike
        for threads in a.threads:
            for backend in a.backends:
                run = {**measure(backend, threads, a.profile), "load_after": load()}
                report["runs"].append(run)
                print(json.dumps(run), flush=True)
    report["load_end"] = load()
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
