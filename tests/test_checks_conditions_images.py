"""Conditions of `tdgrade_checks.images` at their edges (issue 23, mutation survivors of 2026-12-05):
each bound met exactly on both sides, each message asserted whole, with the variable it must name.
The other modules' edges: tests/test_checks_conditions.py."""

import numpy as np
import pytest
from check_helpers import raises_exactly


def test_rows_of_a_class_name_the_missing_array_and_why_it_is_needed():
    from tdgrade_checks import images

    with raises_exactly("`x_test` n'est pas encore défini : il est nécessaire pour vérifier cette question."):
        images.rows_of_class(None, [0, 1], 0, ("x_test", "y_test"))
    with raises_exactly("`y_test` n'est pas encore défini : il est nécessaire pour vérifier cette question."):
        images.rows_of_class(np.zeros((2, 4)), None, 0, ("x_test", "y_test"))


def test_one_scale_and_offset_for_all_pixels_when_there_is_one():
    from tdgrade_checks import images

    raw = np.arange(24, dtype=np.float64).reshape(4, 6) * 10
    scale, offset = images.affine_map(raw, raw / 127.5 - 1)
    assert np.ndim(scale) == 0 and np.isclose(scale, 1 / 127.5) and np.isclose(offset, -1.0)


def test_preprocessing_messages_name_the_missing_array():
    from tdgrade_checks import images

    raw = np.arange(24, dtype=np.float64).reshape(6, 4)
    names = ("x_train", "x_train_prep", "x_test", "x_test_prep")
    with raises_exactly("`x_train_prep` n'est pas encore défini."):
        images.check_preprocessed(raw, None, raw, raw / 255, names, 4)


def test_an_unreadable_original_array_is_named():
    from tdgrade_checks import images

    class Unreadable:
        def __array__(self, *args, **kwargs):
            raise ValueError("no")

    raw = np.arange(24, dtype=np.float64).reshape(6, 4)
    with raises_exactly("`x_train` doit rester le tableau d'origine (non modifié)."):
        images.check_preprocessed(Unreadable(), raw, raw, raw, ("x_train", "x_train_prep", "x_test", "x_test_prep"), 4)


def test_preprocessing_names_a_missing_original_and_why_it_is_needed():
    from tdgrade_checks import images

    raw = np.arange(24, dtype=np.float64).reshape(6, 4)
    with raises_exactly("`x_test` n'est pas encore défini : il est nécessaire pour vérifier la transformation."):
        images.check_preprocessed(raw, raw / 255, None, raw / 255, ("x_train", "x_train_prep", "x_test", "x_test_prep"), 4)


def test_standardised_inputs_need_a_deviation_near_one():
    from tdgrade_checks import images

    z = np.random.default_rng(0).normal(size=(400, 8))
    z = (z - z.mean()) / z.std()
    assert images.is_scaled(z) and images.is_scaled(z * 1.4)
    assert not images.is_scaled(z * 2)  # std 2: neither standardised nor within [-1, 1]


def test_sampled_rows_include_the_first_and_the_last():
    from tdgrade_checks import images

    assert list(images.sample_rows(5)) == [0, 1, 2, 3, 4]
    rows = images.sample_rows(10_000)
    assert rows[0] == 0 and rows[-1] == 9_999 and len(rows) == 3000


def test_labels_may_stay_integers_even_as_floats_or_become_one_hot():
    from tdgrade_checks import images

    y = np.array([2, 0, 1])
    assert images.check_encoded_labels(y, y.astype(np.float64), "y_prep", "y", classes=3) == "integers"
    assert images.check_encoded_labels(y, np.eye(3)[y], "y_prep", "y", classes=3) == "one_hot"
    with raises_exactly("`y_prep` : des étiquettes entières (classes 0 à 2) sont attendues."):
        images.check_encoded_labels(y, y + 0.5, "y_prep", "y", classes=3)


def test_original_rows_in_small_floats_are_read_without_a_float64_copy():
    from tdgrade_checks import images

    raw32 = np.arange(12, dtype=np.float32).reshape(3, 2, 2)
    rows = images._rows(raw32, "x_train", 4)
    assert rows.dtype == np.float32 and np.shares_memory(rows, raw32)  # 188 MB for the full set, not 376
    as_objects = images._rows(np.array([[1, 2], [3, 4]], dtype=object), "x_train", 2)
    assert as_objects.dtype == np.float64 and as_objects.tolist() == [[1.0, 2.0], [3.0, 4.0]]


def test_a_column_is_z_scored_unless_its_spread_is_rounding_noise():
    from tdgrade_checks import images

    # the noise floor is 1e-12 of the data's scale, and of 1 for data smaller than 1
    x = np.array([[0.0, 0.0], [3e-12, 1e-12]])
    z = images._zscore_columns(x)
    assert np.allclose(z[:, 0], [-1.0, 1.0]) and np.all(z[:, 1] == 0.0)


def test_unreadable_labels_name_both_arrays_and_the_class():
    from tdgrade_checks import images

    with raises_exactly("impossible de retrouver les exemples de la classe 3 dans `x_test` à l'aide de `y_test`."):
        images.rows_of_class(np.zeros((2, 4)), ["a", "b"], 3, ("x_test", "y_test"))


def test_original_arrays_must_both_keep_their_pixel_count():
    from tdgrade_checks import images

    raw_train, raw_test = np.arange(20.0).reshape(5, 2, 2), np.arange(30.0).reshape(3, 10)  # x_test reshaped
    with raises_exactly("`x_train` et `x_test` doivent rester les tableaux d'origine."):
        images.check_preprocessed(raw_train, raw_train / 19, raw_test, raw_test / 19,
                                  ("x_train", "x_train_prep", "x_test", "x_test_prep"), features=4)


def test_scale_bounds_met_exactly_a_span_of_half_the_unit_range_and_a_deviation_of_one_half():
    from tdgrade_checks import images

    assert images.is_scaled(np.array([[0.0], [0.5]]))  # spans exactly half of [0, 1]: accepted
    spread = np.array([[-2.0], [2.0]] + [[0.0]] * 30)  # mean 0, standard deviation exactly 0.5
    assert images._mean_std(spread) == (0.0, 0.5) and not images.is_scaled(spread)
    assert images.is_scaled(spread * 1.01)


def test_inputs_divided_by_too_little_are_not_scaled():
    from tdgrade_checks import images

    x = np.linspace(0.0, 255.0, 64).reshape(8, 8)
    assert images.is_scaled(x / 255) and images.is_scaled(x / 127.5 - 1)
    assert not images.is_scaled(x / 127.5)  # [0, 2]: neither a unit range nor standardised


def test_a_pixel_constant_in_the_training_images_gets_no_scale():
    from tdgrade_checks import images

    raw = np.array([[0.0, 10.0, 5.0], [2.0, 30.0, 5.0], [4.0, 20.0, 5.0]])
    prep = np.column_stack([raw[:, 0] / 4, (raw[:, 1] - 10) / 20, np.zeros(3)])  # one scale per pixel
    scale, offset = images.affine_map(raw, prep)
    assert np.allclose(scale[:2], [0.25, 0.05]) and np.isnan(scale[2])  # nothing is known about pixel 2


def test_labels_as_one_column_stay_integers_and_a_multi_hot_row_is_no_one_hot():
    from tdgrade_checks import images

    y = np.array([2, 0, 1])
    assert images.check_encoded_labels(y, y.reshape(-1, 1), "y_prep", "y", classes=3) == "integers"
    multi_hot = np.eye(3)[y]
    multi_hot[0, 0] = 1.0
    soft = np.full((3, 3), 1 / 3)
    for bad in (multi_hot, soft):
        with raises_exactly("`y_prep` : chaque ligne d'un codage one-hot contient un seul 1."):
            images.check_encoded_labels(y, bad, "y_prep", "y", classes=3)


def test_rows_reordered_anywhere_are_caught_and_nine_in_ten_in_place_is_enough():
    from tdgrade_checks import images

    rng = np.random.default_rng(0)
    raw = rng.integers(0, 256, size=(200, 16)).astype(np.float64)
    late = raw.copy()
    late[100:] = late[100:][::-1]  # only the second half reordered
    with raises_exactly("`x_prep` ne contient pas les exemples de `x` dans le même ordre."):
        images.check_same_order(raw, late / 255, "x_prep", "x")
    sixty = raw[:60]
    swapped = sixty.copy()
    for a, b in ((0, 1), (10, 11), (20, 21)):  # 6 of the 60 sampled rows out of place: 0.9 in place
        swapped[[a, b]] = swapped[[b, a]]
    images.check_same_order(sixty, swapped / 255, "x_prep", "x")
    swapped[[30, 31]] = swapped[[31, 30]]
    with raises_exactly("`x_prep` ne contient pas les exemples de `x` dans le même ordre."):
        images.check_same_order(sixty, swapped / 255, "x_prep", "x")


def test_flattened_rows_are_float64_numbers():
    from tdgrade_checks import images

    rows = images.flat_rows(np.zeros((2, 2, 2), dtype=np.uint8), "x_flat", 4)
    assert rows.dtype == np.float64 and rows.shape == (2, 4)
    with raises_exactly("`x_flat` doit être un tableau numpy, un exemple par ligne."):
        images.flat_rows([["a", "b"]], "x_flat", 2)


def test_a_map_is_judged_relative_to_the_span_of_the_prepared_values():
    from tdgrade_checks import images

    raw = np.arange(11.0).reshape(-1, 1)
    prep = raw * 0.001  # span 0.01
    assert images.affine_map(raw, prep) is not None
    noisy = prep + np.where(np.arange(11) % 2 == 0, 5e-6, -5e-6).reshape(-1, 1)  # 5e-4 of the span off
    assert images.affine_map(raw, noisy) is None


def test_one_scale_for_all_pixels_also_for_originals_spanning_less_than_one():
    from tdgrade_checks import images

    raw = np.array([[0.0, 0.25], [0.5, 0.125]])
    scale, offset = images.affine_map(raw, 2 * raw - 1)
    assert np.ndim(scale) == 0 and np.isclose(scale, 2.0) and np.isclose(offset, -1.0)


def test_one_value_in_a_thousand_may_miss_the_training_map():
    from tdgrade_checks import images

    rng = np.random.default_rng(1)
    raw_train, raw_test = rng.integers(0, 256, (50, 4)).astype(np.float64), rng.integers(0, 256, (250, 4)).astype(np.float64)
    names = ("x_train", "x_train_prep", "x_test", "x_test_prep")
    prep_test = raw_test / 255
    prep_test[7, 2] = 1 - prep_test[7, 2] if abs(prep_test[7, 2] - 0.5) > 0.1 else 0.0  # 1 of the 1,000 test values
    images.check_preprocessed(raw_train, raw_train / 255, raw_test, prep_test, names, features=4)
    prep_test[9, 1] = 1 - prep_test[9, 1] if abs(prep_test[9, 1] - 0.5) > 0.1 else 0.0  # 2 of 1,000
    with pytest.raises(AssertionError, match="^`x_test_prep` doit être transformé exactement comme `x_train_prep`"):
        images.check_preprocessed(raw_train, raw_train / 255, raw_test, prep_test, names, features=4)


def test_one_class_of_integer_images_is_converted_not_the_whole_set():
    import tracemalloc

    from tdgrade_checks import images

    x = np.zeros((10_000, 784), dtype=np.uint8)  # 7.8 MB; as float64, 63 MB
    y = np.arange(10_000) % 10
    tracemalloc.start()
    try:
        rows = images.rows_of_class(x, y, 3, ("x_train", "y_train"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows.shape == (1000, 784) and rows.dtype == np.float64
    assert peak < 20e6, f"{peak / 1e6:.1f} MB allocated for one class of 1,000 images"


def test_a_deviation_of_exactly_one_and_a_half_is_not_standardised():
    from tdgrade_checks import images

    spread = np.array([[-3.0], [3.0]] + [[0.0]] * 6)  # mean 0, standard deviation exactly 1.5
    assert images._mean_std(spread) == (0.0, 1.5) and not images.is_scaled(spread)
    assert images.is_scaled(spread * 0.99)
