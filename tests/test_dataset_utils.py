"""source/keras_cv/dataset_utils.py: the offline Boston Housing split and the digits helper."""
import hashlib
import importlib.util
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
LAB_DIR = ROOT / "source" / "keras_cv"
SHARED_CSV = ROOT.parent / "shared" / "datasets" / "boston_house_prices.csv"

# Check values from the lab spec (keras split of the StatLib table).
FIRST_TRAIN_ROW = [1.23247, 0, 8.14, 0, 0.538, 6.142, 91.7, 3.9769, 4, 307, 21, 396.9, 18.72]
FIRST_TRAIN_TARGETS = [15.2, 42.3, 50, 21.1, 17.7, 18.5, 11.3, 15.6, 15.6, 14.4]


@pytest.fixture()
def du(monkeypatch):
    """A fresh import of dataset_utils, full profile unless a test says otherwise."""
    monkeypatch.delenv("TDGRADE_PROFILE", raising=False)
    spec = importlib.util.spec_from_file_location("dataset_utils_under_test", LAB_DIR / "dataset_utils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_table(path):
    table = np.loadtxt(path, delimiter=",", skiprows=1)
    return table[:, :13], table[:, 13]


def keras_algorithm(x, y, test_split=0.2, seed=113):
    """keras.datasets.boston_housing.load_data(), minus the download (keras/src/datasets/boston_housing.py)."""
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))


def test_shipped_csv_is_the_statlib_table(du):
    digest = hashlib.sha256(du.BOSTON_CSV.read_bytes()).hexdigest()
    assert digest == du.BOSTON_SHA256 == "04ea3ed0aa63691cfedf388349eafc1213e91e00f8e4d31747534692c0f1ce02"
    if SHARED_CSV.is_file():
        assert SHARED_CSV.read_bytes() == du.BOSTON_CSV.read_bytes()
    x, y = du.load_boston_raw()
    assert x.shape == (506, 13) and y.shape == (506,)


def test_split_is_keras_split_with_spec_check_values(du):
    (x_train, y_train), (x_test, y_test) = du.load_boston_housing(standardize=False)
    assert x_train.shape == (404, 13) and x_test.shape == (102, 13)
    assert y_train.shape == (404,) and y_test.shape == (102,)
    np.testing.assert_allclose(x_train[0], FIRST_TRAIN_ROW)
    np.testing.assert_allclose(y_train[:10], FIRST_TRAIN_TARGETS)
    (kx_train, ky_train), (kx_test, ky_test) = keras_algorithm(*read_table(du.BOSTON_CSV))
    np.testing.assert_array_equal(x_train, kx_train)
    np.testing.assert_array_equal(y_train, ky_train)
    np.testing.assert_array_equal(x_test, kx_test)
    np.testing.assert_array_equal(y_test, ky_test)


def test_split_matches_keras_own_function(du, tmp_path, monkeypatch):
    """Feed keras's load_data() the same table (as its npz) instead of downloading it."""
    module = pytest.importorskip("keras.src.datasets.boston_housing")
    if not hasattr(module, "get_file"):
        pytest.skip("keras's boston_housing module changed layout")
    x, y = read_table(du.BOSTON_CSV)
    npz = tmp_path / "boston_housing.npz"
    np.savez(npz, x=x, y=y)
    monkeypatch.setattr(module, "get_file", lambda *args, **kwargs: str(npz))
    (kx_train, ky_train), (kx_test, ky_test) = module.load_data()
    (x_train, y_train), (x_test, y_test) = du.load_boston_housing(standardize=False)
    np.testing.assert_array_equal(x_train, kx_train)
    np.testing.assert_array_equal(y_train, ky_train)
    np.testing.assert_array_equal(x_test, kx_test)
    np.testing.assert_array_equal(y_test, ky_test)


def test_standardised_with_train_statistics_only(du):
    (raw_train, y_raw_train), (raw_test, y_raw_test) = du.load_boston_housing(standardize=False)
    (x_train, y_train), (x_test, y_test) = du.load_boston_housing()
    mean, std = raw_train.mean(axis=0), raw_train.std(axis=0)
    np.testing.assert_allclose(x_train, (raw_train - mean) / std)
    np.testing.assert_allclose(x_test, (raw_test - mean) / std)
    np.testing.assert_allclose(x_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x_train.std(axis=0), 1, atol=1e-12)
    # the test part keeps its own offset: no statistics were taken from it
    assert np.abs(x_test.mean(axis=0)).max() > 0.01
    all_rows = np.vstack([raw_train, raw_test])
    assert not np.allclose(x_test, (raw_test - all_rows.mean(axis=0)) / all_rows.std(axis=0))
    # targets are never transformed
    np.testing.assert_array_equal(y_train, y_raw_train)
    np.testing.assert_array_equal(y_test, y_raw_test)


def test_boston_ignores_profile(du, monkeypatch):
    (full_train, _), (full_test, _) = du.load_boston_housing()
    monkeypatch.setenv("TDGRADE_PROFILE", "smoke")
    (smoke_train, _), (smoke_test, _) = du.load_boston_housing()
    np.testing.assert_array_equal(full_train, smoke_train)
    np.testing.assert_array_equal(full_test, smoke_test)


def test_missing_file_gives_clear_french_error(du, tmp_path):
    with pytest.raises(FileNotFoundError, match="introuvable") as info:
        du.load_boston_housing(path=tmp_path / "boston_house_prices.csv")
    assert "dataset_utils.py" in str(info.value)


@pytest.mark.parametrize("damage", ["edit", "truncate"])
def test_altered_file_gives_clear_french_error(du, tmp_path, damage):
    copy = tmp_path / "boston_house_prices.csv"
    shutil.copyfile(du.BOSTON_CSV, copy)
    text = copy.read_text()
    copy.write_text(text.replace("396.9", "396.8", 1) if damage == "edit" else text[: len(text) // 2])
    with pytest.raises(ValueError, match="modifié ou est corrompu"):
        du.load_boston_housing(path=copy)


def test_digits_full_and_smoke(du, monkeypatch):
    X, y = du.load_digits_data()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.shape == (1797,)
    assert X.min() == 0 and X.max() == 16 and set(np.unique(y)) == set(range(10))
    monkeypatch.setenv("TDGRADE_PROFILE", "smoke")
    Xs, ys = du.load_digits_data()
    assert Xs.shape == (500, 64) and np.bincount(ys).tolist() == [50] * 10
    # deterministic subset in original order: the first 50 images of each class
    keep = np.concatenate([np.flatnonzero(y == k)[:50] for k in range(10)])
    keep.sort()
    np.testing.assert_array_equal(Xs, X[keep])
    np.testing.assert_array_equal(ys, y[keep])
