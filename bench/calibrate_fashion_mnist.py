"""Calibrate the accuracy thresholds of the fashion_mnist hidden tests (fm14, fm16).

Trains the first model of the lab exactly as the solution notebook does (pixels / 255, integer
labels, Input(28, 28) -> Flatten -> 2 x Dense(256, relu) -> Dense(10, softmax), adam +
sparse categorical cross-entropy + accuracy, batch 240, 20 epochs, validation_split=0.2) for
several seeds in each profile, and writes tests/calibration/fashion_mnist.json.

Threshold rule: min(test accuracy) - max(0.02, 3 * std), rounded down to a multiple of 0.005.

Usage:  python bench/calibrate_fashion_mnist.py [--full-seeds N] [--smoke-seeds N] [--profiles full smoke]
Seeds are 42 (the notebook's SEED) then 1, 2, ... up to N seeds per profile (defaults: 8 full, 20 smoke).
Each profile runs in its own subprocess (KERAS_HOME and TDGRADE_PROFILE are set before keras is
imported): full uses the default ~/.keras cache, smoke uses ~/.cache/tdgrade/keras-smoke.
"""
import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "calibration" / "fashion_mnist.json"
SMOKE_KERAS_HOME = Path.home() / ".cache" / "tdgrade" / "keras-smoke"
BATCH_SIZE = 240
EPOCHS = 20


def train_once(seed: int) -> dict:
    import keras
    import numpy as np
    import tensorflow as tf

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
    (x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
    x_train_prep = x_train.astype("float32") / 255.0
    x_test_prep = x_test.astype("float32") / 255.0
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    start = time.perf_counter()
    history = model.fit(
        x_train_prep, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, validation_split=0.2, verbose=0
    )
    seconds = time.perf_counter() - start
    proba = model.predict(x_test_prep, verbose=0)
    test_acc = float(np.mean(proba.argmax(axis=1) == y_test))
    return {
        "seed": seed,
        "n_train": int(len(x_train)),
        "test_accuracy": round(test_acc, 4),
        "val_accuracy": round(float(history.history["val_accuracy"][-1]), 4),
        "fit_seconds": round(seconds, 1),
    }


def worker(profile: str, seeds: list[int]) -> None:
    runs = [train_once(seed) for seed in seeds]
    print(json.dumps(runs))


def summarise(runs: list[dict]) -> dict:
    accs = [r["test_accuracy"] for r in runs]
    mean = sum(accs) / len(accs)
    std = math.sqrt(sum((a - mean) ** 2 for a in accs) / (len(accs) - 1)) if len(accs) > 1 else 0.0
    margin = max(0.02, 3 * std)
    threshold = math.floor((min(accs) - margin) / 0.005) * 0.005
    return {
        "runs": runs,
        "test_accuracy_mean": round(mean, 4),
        "test_accuracy_min": round(min(accs), 4),
        "test_accuracy_std": round(std, 4),
        "margin": round(margin, 4),
        "threshold": round(threshold, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full-seeds", type=int, default=8)
    parser.add_argument("--smoke-seeds", type=int, default=20)
    parser.add_argument("--seeds", type=int, nargs="+", help="explicit seeds (worker mode)")
    parser.add_argument("--profiles", nargs="+", default=["full", "smoke"])
    parser.add_argument("--worker", choices=["full", "smoke"])
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.seeds)
        return

    import keras
    import numpy as np
    import sklearn
    import tensorflow as tf

    result = {
        "lab": "fashion_mnist",
        "questions": ["fm14", "fm16"],
        "command": " ".join(["python bench/calibrate_fashion_mnist.py", *sys.argv[1:]]),
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "setup": f"pixels/255, Flatten + 2 x Dense(256, relu) + Dense(10, softmax), adam, "
        f"sparse_categorical_crossentropy, batch_size={BATCH_SIZE}, epochs={EPOCHS}, validation_split=0.2",
        "threshold_rule": "min(test accuracy) - max(0.02, 3 * std), rounded down to a multiple of 0.005",
        "profiles": {},
    }
    if OUT.exists():
        previous = json.loads(OUT.read_text())
        result["profiles"].update(previous.get("profiles", {}))
    for profile in args.profiles:
        env = dict(os.environ, TDGRADE_PROFILE=profile, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
        if profile == "smoke":
            env["KERAS_HOME"] = str(SMOKE_KERAS_HOME)
        else:
            env.pop("KERAS_HOME", None)
        count = args.full_seeds if profile == "full" else args.smoke_seeds
        seeds = [42, *range(1, count)]
        cmd = [sys.executable, __file__, "--worker", profile, "--seeds", *map(str, seeds)]
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        runs = json.loads(out.strip().splitlines()[-1])
        result["profiles"][profile] = summarise(runs)
        print(profile, json.dumps(result["profiles"][profile], indent=1))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
