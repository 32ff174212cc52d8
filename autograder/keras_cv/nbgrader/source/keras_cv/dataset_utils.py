"""Data helpers for the ``keras_cv`` lab (shipped next to the student notebook).

Everything here works offline:

* ``load_digits_data()`` returns scikit-learn's bundled *digits* set (8x8 images, 10 classes);
* ``load_boston_housing()`` returns Boston Housing split exactly like
  ``keras.datasets.boston_housing.load_data()`` (506 rows shuffled with
  ``np.random.RandomState(113)``, first 80 % -> 404 train rows, last 102 -> test), read from the
  StatLib table ``boston_house_prices.csv`` shipped with this file, and standardised with the
  statistics of the train part only.

The ``TDGRADE_PROFILE`` environment variable selects the data size: ``"full"`` (default) is the
real data; ``"smoke"`` (used by tdgrade's own tests) makes ``load_digits_data()`` return a small
deterministic subset.  Boston Housing is the same in both profiles: it is already tiny, and the
cost of a grid search on it is the number of fits and epochs, not the number of rows (cutting the
train part would save little and break the comparison with the keras split).  Students never need
to set the variable.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

__all__ = [
    "BOSTON_CSV",
    "BOSTON_SHA256",
    "BOSTON_FEATURES",
    "boston_split_indices",
    "load_boston_housing",
    "load_boston_raw",
    "load_digits_data",
    "profile",
]

BOSTON_CSV = Path(__file__).resolve().with_name("boston_house_prices.csv")
BOSTON_SHA256 = "04ea3ed0aa63691cfedf388349eafc1213e91e00f8e4d31747534692c0f1ce02"
BOSTON_FEATURES = (
    "CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE",
    "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT",
)

# Same defaults as keras.datasets.boston_housing.load_data().
KERAS_TEST_SPLIT = 0.2
KERAS_SEED = 113

# Smoke profile size of the digits subset (first images of each class, original order).
SMOKE_DIGITS_PER_CLASS = 50


def profile() -> str:
    """Return the active profile: ``"smoke"`` or ``"full"`` (anything else counts as full)."""
    value = os.environ.get("TDGRADE_PROFILE", "full").strip().lower()
    return "smoke" if value == "smoke" else "full"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def load_boston_raw(path: str | os.PathLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read the 506 x 14 StatLib table in its original row order.

    Returns ``(x, y)``: ``x`` float64 of shape (506, 13), ``y`` float64 of shape (506,) (MEDV,
    in k$).  The file's SHA-256 is checked first; a missing or altered file raises an error that
    says what to do, in French (the students read it).
    """
    csv = Path(path) if path is not None else BOSTON_CSV
    if not csv.is_file():
        raise FileNotFoundError(
            f"Fichier de données introuvable : {csv}. Le fichier « boston_house_prices.csv » "
            "doit se trouver dans le même dossier que dataset_utils.py (il est fourni avec le "
            "sujet) : ne le déplacez pas et ne le renommez pas, ou téléchargez à nouveau le sujet."
        )
    found = _sha256(csv)
    if found != BOSTON_SHA256:
        raise ValueError(
            f"Le fichier {csv.name} a été modifié ou est corrompu (empreinte SHA-256 "
            f"{found[:12]}… au lieu de {BOSTON_SHA256[:12]}…). Remplacez-le par le fichier "
            "d'origine fourni avec le sujet : les résultats ne seraient pas comparables."
        )
    table = np.loadtxt(csv, delimiter=",", skiprows=1, dtype=np.float64)
    if table.shape != (506, 14):  # pragma: no cover - guarded by the checksum
        raise ValueError(f"Le fichier {csv.name} n'a pas la forme attendue (506 × 14).")
    return table[:, :13], table[:, 13]


def boston_split_indices(n: int = 506, test_split: float = KERAS_TEST_SPLIT,
                         seed: int = KERAS_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of keras's split: shuffle ``arange(n)`` with ``RandomState(seed)``, cut at
    ``int(n * (1 - test_split))`` (404 / 102 for the real table)."""
    rng = np.random.RandomState(seed)
    indices = np.arange(n)
    rng.shuffle(indices)
    cut = int(n * (1 - test_split))
    return indices[:cut], indices[cut:]


def load_boston_housing(standardize: bool = True, path: str | os.PathLike | None = None):
    """Boston Housing as ``(x_train, y_train), (x_test, y_test)``.

    The split is the one of ``keras.datasets.boston_housing.load_data()`` (404 train / 102 test
    rows, shuffle seeded with 113).  With ``standardize=True`` (default) every feature is centred
    and scaled with the mean and standard deviation of the **train part only**; the test part is
    transformed with those same statistics, so nothing leaks from the test set.  Targets (median
    price in k$) are never transformed.  ``standardize=False`` returns the raw features.

    The result does not depend on ``TDGRADE_PROFILE``.
    """
    x, y = load_boston_raw(path)
    train_idx, test_idx = boston_split_indices(len(x))
    x_train, y_train = np.array(x[train_idx]), np.array(y[train_idx])
    x_test, y_test = np.array(x[test_idx]), np.array(y[test_idx])
    if standardize:
        mean = x_train.mean(axis=0)
        std = x_train.std(axis=0)
        std[std == 0] = 1.0
        x_train = (x_train - mean) / std
        x_test = (x_test - mean) / std
    return (x_train, y_train), (x_test, y_test)


def load_digits_data():
    """scikit-learn's *digits* set as ``(X, y)``: ``X`` float32 (n, 64) with raw pixel values
    0–16 (scaling is up to you), ``y`` int64 labels 0–9.

    Full profile: the 1 797 images.  Smoke profile: the first 50 images of each class, original
    order (500 images).
    """
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = X.astype(np.float32)
    y = y.astype(np.int64)
    if profile() == "smoke":
        keep = np.zeros(len(y), dtype=bool)
        for label in np.unique(y):
            keep[np.flatnonzero(y == label)[:SMOKE_DIGITS_PER_CLASS]] = True
        X, y = X[keep], y[keep]
    return X, y
