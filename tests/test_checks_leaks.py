"""Conditions of `tdgrade_checks.leaks` at their edges (issue 23, mutation survivors): how deep a
fitted estimator is read, which fold sizes a k-fold split can give, fold scores stored in float32,
and what counts as standardised columns. The keras_cv corpus reaches each check with a leak; these
pin the boundaries a leak case far from them cannot."""
from types import SimpleNamespace

import numpy as np
import pytest

from tdgrade_checks import leaks


def _with_steps(*steps):
    return SimpleNamespace(get_params=lambda deep=False: {"steps": list(steps)})


def test_rows_seen_reads_four_levels_of_search_regressor_and_pipeline():
    model = SimpleNamespace(X_shape_=(404, 13))
    inner_pipeline = _with_steps(("model", model))            # depth 4 below
    regressor = SimpleNamespace(regressor_=inner_pipeline)   # depth 2
    pipeline = _with_steps(("scale", SimpleNamespace(n_samples_seen_=np.array([404, 404]))), ("reg", regressor))
    search = SimpleNamespace(best_estimator_=pipeline)        # depth 0 -> pipeline at 1
    assert leaks.rows_seen(search) == [404, 404]  # the scaler's count, the network's shape
    assert leaks.rows_seen(SimpleNamespace(best_estimator_=SimpleNamespace(regressor_=inner_pipeline))) == [404]
    # the network four levels down alone
    deep = SimpleNamespace(best_estimator_=SimpleNamespace(regressor_=_with_steps(("m", SimpleNamespace(transformer_=model)))))
    assert leaks.rows_seen(deep) == [404]


def test_rows_seen_stops_below_four_levels_and_on_cycles():
    far = SimpleNamespace(X_shape_=(506, 13))
    chain = far
    for _ in range(5):
        chain = SimpleNamespace(best_estimator_=chain)       # `far` at depth 5: not read
    assert leaks.rows_seen(chain) is None
    loop = SimpleNamespace(X_shape_=(404, 13))
    loop.best_estimator_ = loop                               # a cycle ends, it does not recurse forever
    assert leaks.rows_seen(loop) == [404] * 5                 # read at depths 0 to 4, then no further


def test_rows_seen_skips_steps_that_are_not_name_estimator_pairs():
    scaler = SimpleNamespace(n_samples_seen_=404)
    assert leaks.rows_seen(_with_steps(scaler, ("scale", scaler))) == [404]
    assert leaks.rows_seen(_with_steps(object())) is None


def test_fold_sizes_are_those_of_every_k_from_two_to_the_folds():
    assert leaks.fold_sizes(10, 3) == {2, 3, 4, 5, 6, 7}      # k=2: 4..7, k=3: 2..5
    assert leaks.fold_sizes(10, 2) == {4, 5, 6, 7}
    assert leaks.fold_sizes(3, 3) == {1, 2, 3}
    assert leaks.fold_sizes(10, 1) == {4, 5, 6, 7}            # fewer than 2 folds reads as 2


def test_fold_scores_stored_in_float32_are_still_fractions_of_their_fold():
    score = float(np.float32(41 / 125))
    assert leaks.is_fraction_of(score, {125})
    assert not leaks.is_fraction_of(41.5 / 125, {125})


def test_standardised_columns_need_every_column_centred_and_scaled():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    assert leaks.standardised_columns(z, 1e-6)
    assert leaks.standardised_columns(np.column_stack([z, np.zeros(200)]), 1e-6)   # a constant column at 0
    assert not leaks.standardised_columns(np.column_stack([z, np.full(200, 5.0)]), 1e-6)  # constant, not centred
    assert not leaks.standardised_columns(z * 2, 1e-6)        # centred, not scaled
    assert not leaks.standardised_columns(z + 1, 1e-6)        # scaled, not centred
    assert not leaks.standardised_columns(np.zeros((200, 2)), 1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_scaled_with_training_statistics_accepts_either_precision(dtype):
    rng = np.random.default_rng(1)
    raw = rng.integers(0, 17, size=(400, 8)).astype(float)
    mean, std = raw[:300].mean(axis=0), raw[:300].std(axis=0)
    z = ((raw - mean) / np.where(std > 0, std, 1)).astype(dtype)
    leaks.check_scaled_with_training_statistics(z[:300], z[300:], ("X_train", "X_test"))


def test_rows_seen_stops_on_a_pipeline_that_holds_itself():
    loop = SimpleNamespace(X_shape_=(404, 13))
    loop.get_params = lambda deep=False: {"steps": [("self", loop)]}
    assert leaks.rows_seen(loop) == [404] * 5                 # depths 0 to 4 through the steps too
