"""Calibrate the keras_cv hidden tests (cv02 held-out accuracy, cv04 margin over LinearRegression).

Runs the models of the lab exactly as the solution notebook does, for several seeds in each
profile, and writes tests/calibration/keras_cv.json:

* cv02: digits / 16, stratified 75 / 25 split (random_state=SEED), KerasClassifier around
  Input -> 2 x Dense(64, relu) -> Dense(10, softmax), rmsprop, sparse categorical cross-entropy,
  epochs=20, batch_size=32; accuracy on the held-out quarter;
* cv03: the same network, cross_val_score with StratifiedKFold(3, shuffle, SEED) on the train
  part, for "rmsprop" and "sgd" (recorded: mean scores, which one wins);
* cv04: Boston Housing from dataset_utils (keras split, standardised with train statistics),
  GridSearchCV(TransformedTargetRegressor(KerasRegressor, StandardScaler)) over n_hidden {1, 2}
  x hidden_units {32, 64} x optimizer {rmsprop, sgd}, KFold(3, shuffle, SEED), epochs=50,
  batch_size=32, refit=True; test MAE (the hidden test's metric) and MSE of the refit model vs
  LinearRegression fitted on the same train part.  Boston is identical in both profiles, so
  `--skip-boston` is enough for smoke.

Threshold rule (cv02): min(accuracy) - max(0.02, 3 * std), rounded down to a multiple of 0.005.
cv04 has no threshold: the test only requires MAE(refit model) < MAE(LinearRegression); the
recorded ratios show how much room that leaves.

Usage:  python bench/calibrate_keras_cv.py [--seeds 42 1 2 3 4] [--profiles full smoke] [--skip-boston]
Recorded run:  python bench/calibrate_keras_cv.py --seeds 42 1 2 3 4 5 6 7 --profiles full
               python bench/calibrate_keras_cv.py --seeds 42 1 2 3 4 5 6 7 8 9 --profiles smoke --skip-boston
Each profile runs in its own subprocess with TDGRADE_PROFILE set (dataset_utils reads it).
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
LAB_DIR = ROOT / "source" / "keras_cv"
OUT = ROOT / "tests" / "calibration" / "keras_cv.json"

DIGITS = {"n_hidden": 2, "hidden_units": 64, "epochs": 20, "batch_size": 32, "optimizer": "rmsprop",
          "test_size": 0.25, "folds": 3}
BOSTON = {"grid": {"regressor__model__n_hidden": [1, 2], "regressor__model__hidden_units": [32, 64],
                   "regressor__optimizer": ["rmsprop", "sgd"]},
          "epochs": 50, "batch_size": 32, "target": "StandardScaler", "folds": 3}


def run_seed(seed: int, boston: bool) -> dict:
    import keras
    import tensorflow as tf
    from scikeras.wrappers import KerasClassifier, KerasRegressor
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.metrics import mean_absolute_error, mean_squared_error
    from sklearn.model_selection import (GridSearchCV, KFold, StratifiedKFold, cross_val_score,
                                         train_test_split)
    from sklearn.preprocessing import StandardScaler

    sys.path.insert(0, str(LAB_DIR))
    import dataset_utils

    tf.get_logger().setLevel("ERROR")
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()

    def build_mlp(n_hidden=1, hidden_units=32, meta=None):
        model = keras.Sequential()
        model.add(keras.Input(shape=(meta["n_features_in_"],)))
        for _ in range(n_hidden):
            model.add(keras.layers.Dense(hidden_units, activation="relu"))
        model.add(keras.layers.Dense(meta["n_classes_"], activation="softmax"))
        return model

    def build_regressor(n_hidden=1, hidden_units=32, meta=None):
        model = keras.Sequential()
        model.add(keras.Input(shape=(meta["n_features_in_"],)))
        for _ in range(n_hidden):
            model.add(keras.layers.Dense(hidden_units, activation="relu"))
        model.add(keras.layers.Dense(1))
        return model

    out = {"seed": seed}
    X, y = dataset_utils.load_digits_data()
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=DIGITS["test_size"], stratify=y, random_state=seed)

    def make_clf(optimizer):
        return KerasClassifier(model=build_mlp, model__n_hidden=DIGITS["n_hidden"],
                               model__hidden_units=DIGITS["hidden_units"],
                               loss="sparse_categorical_crossentropy", optimizer=optimizer,
                               epochs=DIGITS["epochs"], batch_size=DIGITS["batch_size"], verbose=0)

    start = time.perf_counter()
    clf = make_clf(DIGITS["optimizer"]).fit(X_train, y_train)
    out["cv02_seconds"] = round(time.perf_counter() - start, 1)
    out["n_digits"] = int(len(X))
    out["cv02_holdout_accuracy"] = round(float(clf.score(X_test, y_test)), 4)
    out["cv02_train_accuracy"] = round(float(clf.score(X_train, y_train)), 4)

    start = time.perf_counter()
    folds = StratifiedKFold(n_splits=DIGITS["folds"], shuffle=True, random_state=seed)
    means = {opt: float(cross_val_score(make_clf(opt), X_train, y_train, cv=folds).mean())
             for opt in ("rmsprop", "sgd")}
    out["cv03_seconds"] = round(time.perf_counter() - start, 1)
    out["cv03_mean_scores"] = {k: round(v, 4) for k, v in means.items()}
    out["cv03_best"] = max(means, key=means.get)

    if boston:
        (xb_train, yb_train), (xb_test, yb_test) = dataset_utils.load_boston_housing()
        reg = TransformedTargetRegressor(
            regressor=KerasRegressor(model=build_regressor, loss="mse", optimizer="rmsprop",
                                     epochs=BOSTON["epochs"], batch_size=BOSTON["batch_size"], verbose=0),
            transformer=StandardScaler())
        search = GridSearchCV(reg, BOSTON["grid"], refit=True,
                              cv=KFold(n_splits=BOSTON["folds"], shuffle=True, random_state=seed))
        start = time.perf_counter()
        search.fit(xb_train, yb_train)
        out["cv04_seconds"] = round(time.perf_counter() - start, 1)
        pred = search.predict(xb_test)
        lr_pred = LinearRegression().fit(xb_train, yb_train).predict(xb_test)
        mse, lr_mse = float(mean_squared_error(yb_test, pred)), float(mean_squared_error(yb_test, lr_pred))
        mae, lr_mae = float(mean_absolute_error(yb_test, pred)), float(mean_absolute_error(yb_test, lr_pred))
        out["n_boston_train"] = int(len(xb_train))
        out["cv04_best_params"] = search.best_params_
        out["cv04_best_cv_r2"] = round(float(search.best_score_), 4)
        out["cv04_test_mse"] = round(mse, 3)
        out["cv04_linreg_test_mse"] = round(lr_mse, 3)
        out["cv04_mse_ratio"] = round(mse / lr_mse, 4)
        out["cv04_test_mae"] = round(mae, 3)
        out["cv04_linreg_test_mae"] = round(lr_mae, 3)
        out["cv04_mae_ratio"] = round(mae / lr_mae, 4)
    return out


def worker(seeds: list[int], boston: bool) -> None:
    runs = []
    for seed in seeds:
        runs.append(run_seed(seed, boston))
        print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    print(json.dumps(runs))


def summarise(runs: list[dict]) -> dict:
    accs = [r["cv02_holdout_accuracy"] for r in runs]
    mean = sum(accs) / len(accs)
    std = math.sqrt(sum((a - mean) ** 2 for a in accs) / (len(accs) - 1)) if len(accs) > 1 else 0.0
    margin = max(0.02, 3 * std)
    summary = {
        "runs": runs,
        "cv02_accuracy_mean": round(mean, 4),
        "cv02_accuracy_min": round(min(accs), 4),
        "cv02_accuracy_std": round(std, 4),
        "cv02_margin": round(margin, 4),
        "cv02_threshold": round(math.floor((min(accs) - margin) / 0.005) * 0.005, 3),
        "cv03_rmsprop_wins": sum(r["cv03_best"] == "rmsprop" for r in runs),
    }
    ratios = [r["cv04_mae_ratio"] for r in runs if "cv04_mae_ratio" in r]
    if ratios:
        summary["cv04_mae_ratio_max"] = max(ratios)
        summary["cv04_mae_ratio_mean"] = round(sum(ratios) / len(ratios), 4)
        summary["cv04_beats_linreg_mae"] = f"{sum(r < 1 for r in ratios)}/{len(ratios)}"
        mse_ratios = [r["cv04_mse_ratio"] for r in runs]
        summary["cv04_mse_ratio_max"] = max(mse_ratios)
        summary["cv04_beats_linreg_mse"] = f"{sum(r < 1 for r in mse_ratios)}/{len(mse_ratios)}"
    return summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2, 3, 4])
    parser.add_argument("--profiles", nargs="+", default=["full", "smoke"])
    parser.add_argument("--skip-boston", action="store_true")
    parser.add_argument("--worker", choices=["full", "smoke"])
    args = parser.parse_args()
    if args.worker:
        worker(args.seeds, not args.skip_boston)
        return

    import keras
    import numpy as np
    import scikeras
    import sklearn
    import tensorflow as tf

    result = {
        "lab": "keras_cv",
        "questions": ["cv02", "cv04"],
        "command": "python bench/calibrate_keras_cv.py " + " ".join(sys.argv[1:]),
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}",
        "versions": {
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "keras": keras.__version__,
            "scikeras": scikeras.__version__,
            "numpy": np.__version__,
            "scikit-learn": sklearn.__version__,
        },
        "setup": {"digits": DIGITS, "boston": BOSTON},
        "threshold_rule": "cv02: min(held-out accuracy) - max(0.02, 3 * std), rounded down to a multiple "
                          "of 0.005; cv04: MAE(refit) < MAE(LinearRegression), no threshold",
        "profiles": {},
    }
    if OUT.exists():
        previous = json.loads(OUT.read_text())
        result["profiles"].update(previous.get("profiles", {}))
    for profile in args.profiles:
        env = dict(os.environ, TDGRADE_PROFILE=profile, TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0")
        cmd = [sys.executable, __file__, "--worker", profile, "--seeds", *map(str, args.seeds)]
        if args.skip_boston:
            cmd.append("--skip-boston")
        proc = subprocess.run(cmd, env=env, check=True, stdout=subprocess.PIPE, text=True)
        runs = json.loads(proc.stdout.strip().splitlines()[-1])
        result["profiles"][profile] = summarise(runs)
        result["profiles"][profile]["command"] = result["command"]
        print(profile, json.dumps({k: v for k, v in result["profiles"][profile].items() if k != "runs"}))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
