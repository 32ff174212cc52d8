"""Every calibrated threshold of the labs, in one place.

Keys and values mirror `tests/calibration/LAB.json["thresholds"]` (written by the calibration
scripts in `bench/`); a test keeps the two equal. A threshold is the lowest value a correct
solution reached over all calibration runs (seeds, shifted random streams, allowed choices),
minus a margin.
"""
THRESHOLDS = {
    "fashion_mnist": {
        # fm14, fm16: test accuracy of the first model (`model`)
        "first_model_accuracy": {"full": 0.775, "smoke": 0.585},
        # fm24, fm25, fm27, fm29, fm30: the lowest bar proving a variant model was trained
        "trained_model_accuracy": {"full": 0.21, "smoke": 0.21},
    },
    "keras_cv": {
        # cv02: held-out accuracy of `clf_2layers`
        "cv02_accuracy": {"full": 0.94, "smoke": 0.84},
        # cv04: the refit network's test MAE divided by LinearRegression's must stay below this
        "cv04_mae_ratio_max": {"full": 0.93, "smoke": 0.93},
    },
}


def threshold(lab: str, key: str, tdgrade_profile) -> float:
    """The threshold `key` of `lab` for the grader's profile (None or unknown means "full")."""
    profile = "smoke" if isinstance(tdgrade_profile, str) and tdgrade_profile == "smoke" else "full"
    return float(THRESHOLDS[lab][key][profile])
