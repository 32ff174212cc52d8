"""The calibration records (tests/calibration/*.json) are consistent with their own runs.

Cheap: reads JSON only.  Checks, for both profiles, that every threshold follows the recorded rule
(recomputed here, independently of bench/calibration_common.py), that no recorded correct run falls
below an accuracy bar or above the cv04 ratio bar, that the plans cover every allowed choice and
include the worst case, and that the run counts meet issue 7 (>= 20 smoke, >= 8 full).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

CALIBRATION = Path(__file__).resolve().parent / "calibration"
PROFILES = ("full", "smoke")
MIN_RUNS = {"full": 8, "smoke": 20}
STEP = 0.005


def load(lab: str) -> dict:
    return json.loads((CALIBRATION / f"{lab}.json").read_text())


def sample_std(values: list[float]) -> float:
    mean = sum(values) / len(values)
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def floor_step(value: float) -> float:
    return round(math.floor(value / STEP + 1e-9) * STEP, 3)


def ceil_step(value: float) -> float:
    return round(math.ceil(value / STEP - 1e-9) * STEP, 3)


def lower_bar(values: list[float]) -> float:
    return floor_step(min(values) - max(0.02, 3 * sample_std(values)))


def is_step_multiple(value: float) -> bool:
    return abs(value / STEP - round(value / STEP)) < 1e-6


@pytest.fixture(scope="module")
def fashion() -> dict:
    return load("fashion_mnist")


@pytest.fixture(scope="module")
def keras_cv() -> dict:
    return load("keras_cv")


@pytest.mark.parametrize("lab, keys", [
    ("fashion_mnist", {"first_model_accuracy", "trained_model_accuracy"}),
    ("keras_cv", {"cv02_accuracy", "cv04_mae_ratio_max"}),
])
def test_thresholds_have_every_key_and_profile(lab, keys):
    thresholds = load(lab)["thresholds"]
    assert set(thresholds) == keys
    for key, by_profile in thresholds.items():
        assert set(by_profile) == set(PROFILES), key
        for value in by_profile.values():
            assert isinstance(value, float) and 0 < value < 2 and is_step_multiple(value), (key, value)


# ---------------------------------------------------------------- fashion_mnist
def first_model_values(record: dict, profile: str) -> list[float]:
    return [run["accuracy"]["first_model"] for run in record["profiles"][profile]["runs"]]


def variant_values(record: dict, profile: str) -> list[float]:
    return [acc for run in record["profiles"][profile]["runs"]
            for key, acc in run["accuracy"].items() if key != "first_model"]


def untrained_values(record: dict, profile: str) -> list[float]:
    return [acc for run in record["profiles"][profile]["runs"] for acc in run["untrained_accuracy"].values()]


@pytest.mark.parametrize("profile", PROFILES)
def test_first_model_bar_follows_the_rule_and_fails_no_run(fashion, profile):
    values = first_model_values(fashion, profile)
    runs = fashion["profiles"][profile]["runs"]
    assert len(values) >= MIN_RUNS[profile]
    assert len({run["seed"] for run in runs}) == len(runs), "one seed per run"
    bar = fashion["thresholds"]["first_model_accuracy"][profile]
    assert bar == lower_bar(values)
    assert all(value >= bar for value in values)


def test_trained_bar_separates_trained_from_untrained_models(fashion):
    """One bar for both profiles: the midpoint between the best untrained and the worst trained
    variant, with at least 0.02 on each side (the record's rule)."""
    trained = [v for p in PROFILES for v in variant_values(fashion, p)]
    untrained = [v for p in PROFILES for v in untrained_values(fashion, p)]
    bars = fashion["thresholds"]["trained_model_accuracy"]
    assert bars["full"] == bars["smoke"] == floor_step((max(untrained) + min(trained)) / 2)
    assert min(trained) - bars["full"] >= 0.02
    assert bars["full"] - max(untrained) >= 0.02


@pytest.mark.parametrize("profile", PROFILES)
def test_no_trained_variant_falls_below_the_trained_bar(fashion, profile):
    bar = fashion["thresholds"]["trained_model_accuracy"][profile]
    values = variant_values(fashion, profile)
    assert values and all(value >= bar for value in values)
    # the first model is a trained model too
    assert all(value >= bar for value in first_model_values(fashion, profile))


def test_weakest_variants_have_the_smoke_run_count(fashion):
    runs = fashion["profiles"]["smoke"]["runs"]
    for key in ("model_sigmoid", "width_16", "width_32"):
        assert sum(key in run["accuracy"] for run in runs) >= MIN_RUNS["smoke"], key


@pytest.mark.parametrize("profile", PROFILES)
def test_fashion_plan_covers_every_choice_and_the_worst_case(fashion, profile):
    runs = fashion["profiles"][profile]["runs"]
    choices = fashion["choices"]
    for factor in ("inputs", "target", "optimizer"):
        seen = [run["choices"][factor] for run in runs]
        for level in choices[factor]:
            assert seen.count(level) >= 2, (profile, factor, level)
    low, high = (int(x) for x in choices["batch_size"].split(".."))
    batches = {run["choices"]["batch_size"] for run in runs}
    assert batches <= set(range(low, high + 1)) and {low, high} <= batches
    assert any(run["choices"] == choices["worst_case"] and len(run["accuracy"]) == len(fashion["models"])
               for run in runs), "the worst case trains every model"
    for run in runs:
        assert set(run["stream_shift"]) == set(run["accuracy"]) == set(run["untrained_accuracy"])
        assert any(any(shift) for shift in run["stream_shift"].values())


@pytest.mark.parametrize("profile", PROFILES)
def test_fashion_summaries_match_the_runs(fashion, profile):
    record = fashion["profiles"][profile]
    for key, summary in record["summary"].items():
        values = [run["accuracy"][key] for run in record["runs"] if key in run["accuracy"]]
        assert summary["n"] == len(values) and summary["min"] == min(values), key


# ---------------------------------------------------------------- keras_cv
@pytest.mark.parametrize("profile", PROFILES)
def test_cv02_bar_follows_the_rule_and_fails_no_run(keras_cv, profile):
    runs = keras_cv["profiles"][profile]["runs"]
    values = [run["cv02_accuracy"] for run in runs]
    assert len(values) >= MIN_RUNS[profile]
    assert len({run["seed"] for run in runs}) == len(runs)
    bar = keras_cv["thresholds"]["cv02_accuracy"][profile]
    assert bar == lower_bar(values)
    assert all(value >= bar for value in values)
    for level in keras_cv["choices"]["cv02_inputs"]:
        assert sum(run["choices"]["inputs"] == level for run in runs) >= 2, level


def test_cv04_ratio_bar_is_above_every_run_with_a_margin(keras_cv):
    """Boston Housing is the same data in both profiles: one set of runs, one bar for both."""
    runs = keras_cv["boston"]["runs"]
    ratios = [run["cv04_mae_ratio"] for run in runs]
    assert len(ratios) >= MIN_RUNS["full"]
    bars = keras_cv["thresholds"]["cv04_mae_ratio_max"]
    assert bars["full"] == bars["smoke"] == ceil_step(max(ratios) + max(0.02, 3 * sample_std(ratios)))
    assert all(bars["full"] - ratio >= 0.02 for ratio in ratios)
    worst = keras_cv["choices"]["cv04_worst_case"]
    assert any(run["choices"]["depths"] == list(worst["depths"]) and run["choices"]["widths"] == list(worst["widths"])
               for run in runs)
    for run in runs:
        assert abs(run["test_mae"] / run["linreg_test_mae"] - run["cv04_mae_ratio"]) < 2e-3


# ---------------------------------------------------------------- versions
@pytest.mark.parametrize("lab, backend", [("fashion_mnist", "jax"), ("keras_cv", "jax")])
def test_records_name_every_version_of_the_value_cache_key(lab, backend):
    """The libraries the test value cache is keyed on (tests/value_cache.py) and the backend; a
    library the runs did not have installed would be null, never left out."""
    from value_cache import VERSIONED

    versions = load(lab)["versions"]
    assert set(VERSIONED) - {"scikeras"} <= set(versions), sorted(set(VERSIONED) - set(versions))
    assert versions["keras_backend"] == backend
    for name in ("keras", "tensorflow", "numpy", "scikit-learn"):
        assert isinstance(versions[name], str) and versions[name][0].isdigit(), (name, versions[name])
    if backend == "jax":
        assert versions["jax"] and versions["jaxlib"], "a JAX lab's record names the jax and jaxlib it ran with"
