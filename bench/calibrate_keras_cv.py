"""Calibrate the keras_cv hidden tests (cv02 held-out accuracy, cv04 MAE ratio to LinearRegression).

Each run draws one combination of the choices the prompts allow (covering plan, not a grid) and
repeats the solution's computation with it, after a random number of extra draws on the numpy,
python, TensorFlow and Keras streams (as if earlier cells had consumed them differently):

* cv02 (profiles smoke and full): digits scaled by /16, or standardised with a StandardScaler
  fitted on the training part; stratified 75 / 25 split (random_state = the run's seed, wider than
  the notebook's fixed SEED on purpose); KerasClassifier around Input(64) -> 2 x Dense(64, relu)
  -> Dense(10, softmax), "rmsprop" (the prompt fixes it), sparse categorical cross-entropy,
  epochs=20, batch_size=32; accuracy on the held-out quarter as the hidden test computes it.
* cv04 (profile "boston": Boston Housing is the same data in both profiles, so one set of runs
  serves both): GridSearchCV(TransformedTargetRegressor(KerasRegressor(mse, epochs=50,
  batch_size=32), StandardScaler())) over two depths x two widths x {"rmsprop", "sgd"}, KFold
  (3 or 5 folds, shuffled, random_state = seed), refit=True; ratio MAE(refit) / MAE(LinearRegression)
  on the 102 test rows.

On the lab's Keras backend, JAX since issue 21 (it was TensorFlow: the 2026-12-02 record).
Runs are appended to resumable files (default /tmp/tdgrade-calibration/jax/keras_cv-PROFILE.jsonl);
`--assemble` writes tests/calibration/keras_cv.json (summaries, thresholds; rules in
calibration_common: lower_bar for cv02, upper_bar for the cv04 ratio).

Usage:  nice python bench/calibrate_keras_cv.py --profile smoke      (cv02, 24 runs)
        nice python bench/calibrate_keras_cv.py --profile full       (cv02, 16 runs)
        nice python bench/calibrate_keras_cv.py --profile boston     (cv04, 8 runs)
        python bench/calibrate_keras_cv.py --assemble
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calibration_common as cc  # noqa: E402

LAB = "keras_cv"
LAB_DIR = cc.ROOT / "source" / LAB
OUT = cc.CALIBRATION_DIR / f"{LAB}.json"
PLAN_SEED = 20261202
RUNS = {"smoke": 24, "full": 16, "boston": 8}
BACKEND = "jax"  # the lab's set-up cell declares it (TensorFlow until issue 21)
RUNS_DIR = cc.DEFAULT_RUNS_DIR / BACKEND  # runs of another backend never mix in
DIGITS_INPUTS = ("divide16", "standardised")
DIGITS = {"n_hidden": 2, "hidden_units": 64, "optimizer": "rmsprop", "epochs": 20, "batch_size": 32,
          "test_size": 0.25}
DEPTHS = ((1, 2), (1, 3), (2, 3))
WIDTHS = ((32, 64), (16, 32), (64, 128))
FOLDS = (3, 3, 3, 3, 5)  # 5 folds in a fifth of the runs: they cost 5/3 as much
BOSTON_WORST = {"depths": (1, 2), "widths": (16, 32), "folds": 3}  # smallest networks, fewest folds
BOSTON = {"epochs": 50, "batch_size": 32, "loss": "mse", "optimizers": ("rmsprop", "sgd"),
          "target": "StandardScaler"}


@dataclass(frozen=True)
class DigitsChoice:
    inputs: str


@dataclass(frozen=True)
class BostonChoice:
    depths: tuple[int, int]
    widths: tuple[int, int]
    folds: int


def digits_plan(count: int) -> list[DigitsChoice]:
    rng = random.Random(PLAN_SEED)
    return [DigitsChoice(v) for v in cc.balanced_levels(DIGITS_INPUTS, count, rng)]


def boston_plan(count: int) -> list[BostonChoice]:
    rng = random.Random(PLAN_SEED + 1)
    columns = {"depths": cc.balanced_levels(DEPTHS, count, rng),
               "widths": cc.balanced_levels(WIDTHS, count, rng),
               "folds": cc.balanced_levels(FOLDS, count, rng)}
    cc.force_first(columns, BOSTON_WORST)
    return [BostonChoice(columns["depths"][i], columns["widths"][i], columns["folds"][i]) for i in range(count)]


def seed_of(index: int) -> int:
    return 42 if index == 0 else index


def build_mlp(n_hidden=1, hidden_units=32, meta=None):
    import keras

    model = keras.Sequential([keras.Input(shape=(meta["n_features_in_"],))])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(hidden_units, activation="relu"))
    model.add(keras.layers.Dense(meta["n_classes_"], activation="softmax"))
    return model


def build_regressor(n_hidden=1, hidden_units=32, meta=None):
    import keras

    model = keras.Sequential([keras.Input(shape=(meta["n_features_in_"],))])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(hidden_units, activation="relu"))
    model.add(keras.layers.Dense(1))
    return model


def lab_data():
    sys.path.insert(0, str(LAB_DIR))
    import dataset_utils

    return dataset_utils


def digits_run(profile: str, index: int, choice: DigitsChoice) -> dict:
    import numpy as np
    from scikeras.wrappers import KerasClassifier
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    seed = seed_of(index)
    cc.start_backend(seed)
    shift = cc.StreamShift.draw(random.Random(f"{PLAN_SEED}-{profile}-{index}"))
    shift.apply()
    X, y = lab_data().load_digits_data()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=DIGITS["test_size"], stratify=y, random_state=seed)
    if choice.inputs == "divide16":
        X_train, X_test = X_train / 16.0, X_test / 16.0
    else:  # statistics of the training part only (constant pixels keep scale 1)
        scaler = StandardScaler().fit(X_train)
        X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    clf = KerasClassifier(model=build_mlp, model__n_hidden=DIGITS["n_hidden"],
                          model__hidden_units=DIGITS["hidden_units"], loss="sparse_categorical_crossentropy",
                          optimizer=DIGITS["optimizer"], epochs=DIGITS["epochs"],
                          batch_size=DIGITS["batch_size"], verbose=0)
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    seconds = round(time.perf_counter() - start, 1)
    # as the hidden test computes it: the Keras model's argmax on float32 inputs, mapped to classes_
    proba = clf.model_.predict(np.asarray(X_test, dtype="float32"), verbose=0)
    accuracy = float(np.mean(np.asarray(clf.classes_)[proba.argmax(axis=1)] == np.asarray(y_test)))
    return {"index": index, "seed": seed, "choices": asdict(choice), "stream_shift": shift.as_list(),
            "cv02_accuracy": round(accuracy, 4), "cv02_score": round(float(clf.score(X_test, y_test)), 4),
            "fit_seconds": seconds, "n_digits": int(len(X))}


def boston_run(index: int, choice: BostonChoice) -> dict:
    import numpy as np
    from scikeras.wrappers import KerasRegressor
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.preprocessing import StandardScaler

    seed = seed_of(index)
    cc.start_backend(seed)
    shift = cc.StreamShift.draw(random.Random(f"{PLAN_SEED}-boston-{index}"))
    shift.apply()
    (x_train, y_train), (x_test, y_test) = lab_data().load_boston_housing()
    regressor = TransformedTargetRegressor(
        regressor=KerasRegressor(model=build_regressor, loss=BOSTON["loss"], optimizer="rmsprop",
                                 epochs=BOSTON["epochs"], batch_size=BOSTON["batch_size"], verbose=0),
        transformer=StandardScaler())
    grid = {"regressor__model__n_hidden": list(choice.depths),
            "regressor__model__hidden_units": list(choice.widths),
            "regressor__optimizer": list(BOSTON["optimizers"])}
    search = GridSearchCV(regressor, grid, refit=True,
                          cv=KFold(n_splits=choice.folds, shuffle=True, random_state=seed))
    start = time.perf_counter()
    search.fit(x_train, y_train)
    seconds = round(time.perf_counter() - start, 1)
    pred = np.asarray(search.predict(x_test)).ravel()
    lr_pred = LinearRegression().fit(x_train, y_train).predict(x_test)
    mae, lr_mae = float(np.mean(np.abs(pred - y_test))), float(np.mean(np.abs(lr_pred - y_test)))
    mse, lr_mse = float(np.mean((pred - y_test) ** 2)), float(np.mean((lr_pred - y_test) ** 2))
    return {"index": index, "seed": seed, "choices": asdict(choice), "stream_shift": shift.as_list(),
            "best_params": {k.split("__")[-1]: v for k, v in search.best_params_.items()},
            "best_cv_r2": round(float(search.best_score_), 4),
            "test_mae": round(mae, 3), "linreg_test_mae": round(lr_mae, 3),
            "cv04_mae_ratio": round(mae / lr_mae, 4), "cv04_mse_ratio": round(mse / lr_mse, 4),
            "fit_seconds": seconds}


def run_profile(profile: str, runs_dir: Path, count: int) -> None:
    cc.single_thread_env("full" if profile == "boston" else profile, backend=BACKEND)
    path = cc.runs_file(runs_dir, LAB, profile)
    done = {r["index"] for r in cc.read_runs(path)}
    plan = boston_plan(count) if profile == "boston" else digits_plan(count)
    for index, choice in enumerate(plan):
        if index in done:
            continue
        start = time.perf_counter()
        run = boston_run(index, choice) if profile == "boston" else digits_run(profile, index, choice)
        run["run_seconds"] = round(time.perf_counter() - start, 1)
        cc.append_run(path, run)
        print(profile, {k: v for k, v in run.items() if k not in ("stream_shift",)}, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- assembling the record
def profile_record(runs: list[dict], key: str) -> dict:
    values = [r[key] for r in runs]
    by_choice = {}
    for run in runs:
        label = "/".join(str(v) for v in run["choices"].values())
        by_choice.setdefault(label, []).append(run[key])
    return {"n_runs": len(runs), "seconds": round(sum(r["run_seconds"] for r in runs), 1),
            "summary": {key: cc.KeySummary.of(values).as_dict()},
            "summary_by_choice": {k: cc.KeySummary.of(v).as_dict() for k, v in sorted(by_choice.items())},
            "runs": sorted(runs, key=lambda r: r["index"])}


def assemble(runs_dir: Path) -> None:
    cc.single_thread_env("full", backend=BACKEND)
    profiles = {p: profile_record(cc.read_runs(cc.runs_file(runs_dir, LAB, p)), "cv02_accuracy")
                for p in ("full", "smoke")}
    boston = profile_record(cc.read_runs(cc.runs_file(runs_dir, LAB, "boston")), "cv04_mae_ratio")
    ratios = [r["cv04_mae_ratio"] for r in boston["runs"]]
    ratio_bar = cc.upper_bar(ratios)
    record = {
        "lab": LAB,
        "questions": {"cv02_accuracy": ["cv02"], "cv04_mae_ratio_max": ["cv04"]},
        "thresholds": {
            "cv02_accuracy": {p: cc.lower_bar([r["cv02_accuracy"] for r in profiles[p]["runs"]])
                              for p in ("full", "smoke")},
            "cv04_mae_ratio_max": {"full": ratio_bar, "smoke": ratio_bar},
        },
        "threshold_rule": {
            "cv02_accuracy": "min(held-out accuracy) - max(0.02, 3 * std), rounded down to a multiple of 0.005",
            "cv04_mae_ratio_max": "max(MAE ratio) + max(0.02, 3 * std), rounded up to a multiple of 0.005; "
                                  "one value for both profiles (Boston is the same data in both)",
        },
        "choices": {"cv02_inputs": DIGITS_INPUTS, "cv02_fixed_by_prompt": DIGITS,
                    "cv04_depths": DEPTHS, "cv04_widths": WIDTHS, "cv04_folds": sorted(set(FOLDS)),
                    "cv04_fixed_by_prompt": BOSTON, "cv04_worst_case": BOSTON_WORST},
        "plan": f"balanced levels shuffled with random.Random({PLAN_SEED}) (cv04: + 1, run 0 forced to the "
                f"worst case); seeds 42, 1, 2, ...; before each training 0..{cc.SHIFT_MAX - 1} extra draws "
                f"on the numpy, python and Keras streams (Keras backend {BACKEND})",
        "commands": [f"nice python bench/calibrate_keras_cv.py --profile {p} --runs-dir {RUNS_DIR}" for p in ("smoke", "full", "boston")]
        + [f"python bench/calibrate_keras_cv.py --assemble --runs-dir {RUNS_DIR}"],
        "date": cc.today(),
        "machine": cc.machine(),
        "versions": cc.versions(extra=("scikeras", "jax", "jaxlib")),
        "profiles": profiles,
        "boston": boston,
    }
    cc.write_record(OUT, record)
    print("wrote", OUT, record["thresholds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--profile", choices=["full", "smoke", "boston"])
    parser.add_argument("--runs", type=int, help="number of runs (default: 24 smoke, 16 full, 8 boston)")
    parser.add_argument("--assemble", action="store_true")
    parser.add_argument("--runs-dir", type=Path, default=RUNS_DIR)
    args = parser.parse_args()
    if args.profile:
        run_profile(args.profile, args.runs_dir, args.runs or RUNS[args.profile])
    if args.assemble:
        assemble(args.runs_dir)


if __name__ == "__main__":
    main()
