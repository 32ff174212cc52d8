"""Conditions of the fashion_mnist checks at their edges (issue 23, mutation survivors of 2026-12-05):
the corpus reaches each of these checks with a case far from its bound, or never reaches the
message of an unreadable value. Here each bound is met exactly on both sides, and each message is
asserted whole, with the variable it must name."""
import contextlib
import re

import numpy as np
import pytest
from check_helpers import raises_exactly

from tdgrade_checks import plots, predictions, training, values


@contextlib.contextmanager
def _figure(*curves):
    """A matplotlib figure with one line per curve, closed afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, ax = plt.subplots()
    for ys in curves:
        ax.plot(ys)
    try:
        yield figure
    finally:
        plt.close(figure)


def test_type_names_are_read_from_strings_with_spaces_or_dtype_objects():
    values.check_dtype_name(" uint8 ", "x_type", "uint8", "indice")  # numpy itself refuses the spaces
    values.check_dtype_name(np.dtype("uint8"), "x_type", "uint8", "indice")
    with raises_exactly("`x_type` indice"):
        values.check_dtype_name("float32", "x_type", "uint8", "indice")
    with raises_exactly("`x_type` indice"):
        values.check_dtype_name("pas un type", "x_type", "uint8", "indice")
    with raises_exactly("`x_type` n'est pas encore défini."):
        values.check_dtype_name(None, "x_type", "uint8", "indice")


def test_shape_tuples_name_the_variable_when_missing_or_unreadable():
    values.check_shape_tuple([60000, 28, 28], "forme", (60000, 28, 28), "indice")
    with raises_exactly("`forme` n'est pas encore défini."):
        values.check_shape_tuple(None, "forme", (2,), "indice")
    with raises_exactly("`forme` doit être un tuple d'entiers."):
        values.check_shape_tuple(("a", "b"), "forme", (2,), "indice")


def test_counts_that_are_not_integers_are_named_with_what_is_expected():
    values.check_counts({0: 3, 1: 4}, "effectifs", [3, 4] + [0] * 8, "indice")
    with raises_exactly("`effectifs` doit être un tableau d'effectifs entiers."):
        values.check_counts(["trois", "quatre"], "effectifs", [3, 4], "indice")
    with raises_exactly("`effectifs` doit être un tableau d'effectifs entiers."):
        values.check_counts([3.5, 4.0], "effectifs", [3, 4], "indice")


def test_a_loss_curve_is_found_only_as_itself_a_rate_also_in_percent_or_as_an_error():
    s = np.array([0.5, 0.6, 0.8])
    for drawn in (s, 100 * s, 1 - s, 100 * (1 - s)):
        assert plots.holds_series([drawn], s, rate=True)
    assert plots.holds_series([s], s)
    for drawn in (100 * s, 1 - s):
        assert not plots.holds_series([drawn], s)  # a loss is never read in % or as 1 - loss
    assert not plots.holds_series([s[:2]], s, rate=True)


def test_curves_match_within_a_relative_and_an_absolute_tolerance():
    large = np.array([1000.0, 2000.0])
    assert plots.holds_series([large * (1 + 5e-4)], large)  # relative: 0.05 % of a large loss
    assert not plots.holds_series([large * (1 + 5e-3)], large)
    near_zero = np.array([0.0, 0.5])
    assert plots.holds_series([near_zero + np.array([5e-5, 0.0])], near_zero)  # absolute, near zero
    assert not plots.holds_series([near_zero + np.array([5e-3, 0.0])], near_zero)


def test_an_accuracy_exactly_at_the_bar_passes():
    truth = np.array([1, 1, 1, 1])
    predictions.check_accuracy_at_least(np.array([1, 1, 0, 0]), truth, 0.5, "trop bas")
    with raises_exactly("trop bas"):
        predictions.check_accuracy_at_least(np.array([1, 0, 0, 0]), truth, 0.5, "trop bas")


def test_the_default_learning_rate_is_required_within_a_thousandth():
    default = training.DEFAULT_LEARNING_RATES["adam"]
    training.check_default_optimizer({"optimizer": "adam", "learning_rate": None}, "model")
    training.check_default_optimizer({"optimizer": "adam", "learning_rate": default * (1 + 5e-4)}, "model")
    for rate in (default * 1.5, default * 2.002, default / 10):
        with pytest.raises(AssertionError, match=re.escape("`model` : gardez les réglages par défaut de l'optimiseur")):
            training.check_default_optimizer({"optimizer": "adam", "learning_rate": rate}, "model")


FAMILY = [0, 0, 0, 0, 0, 1, 0, 1, 2, 1]  # per class: clothes, shoes, bags (any labelling of families)


def test_a_confusion_pair_needs_both_the_true_and_the_predicted_class():
    true, pred = np.array([0, 0, 7, 8]), np.array([7, 2, 7, 8])
    predictions.check_confusion_pair((0, 7), [0], pred, true, FAMILY)
    with raises_exactly("les exemples de `shown_far_confusions` doivent être de vraie classe `far_pair[0]` et prédits `far_pair[1]`."):
        predictions.check_confusion_pair((0, 7), [0, 1], pred, true, FAMILY)  # right true class, other prediction
    with raises_exactly("les exemples de `shown_far_confusions` doivent être de vraie classe `far_pair[0]` et prédits `far_pair[1]`."):
        predictions.check_confusion_pair((0, 7), [2], pred, true, FAMILY)     # right prediction, other true class
    with raises_exactly("`far_pair` doit être un couple de deux entiers (vraie classe, classe prédite)."):
        predictions.check_confusion_pair(("t-shirt", "sandale"), [0], pred, true, FAMILY)
    with raises_exactly("`far_pair` doit être un couple de deux classes entre 0 et 9."):
        predictions.check_confusion_pair((0, 10), [0], pred, true, FAMILY)


def test_the_worst_class_may_be_class_zero():
    true, pred = np.array([0, 0, 1, 2]), np.array([1, 1, 1, 0])
    counts = [2, 0, 1] + [0] * 7
    predictions.check_errors_per_class(counts, 0, pred, true)
    with raises_exactly("`worst_class` n'est pas la classe qui a le plus d'erreurs."):
        predictions.check_errors_per_class(counts, 2, pred, true)
    with raises_exactly("`errors_per_class` doit être un tableau de 10 entiers."):
        predictions.check_errors_per_class("deux erreurs", 0, pred, true)


def test_predictions_of_an_earlier_question_are_named_with_it():
    with raises_exactly("`predictions_df` (question fm17) n'est pas encore défini."):
        predictions.pred_true(None)


def test_anomalies_may_number_exactly_the_maximum():
    from tdgrade_checks import anomalies

    assert list(anomalies.check_anomalies([3, 1, 2], "anomalies", 10, 3)) == [3, 1, 2]
    with raises_exactly("`anomalies` doit contenir entre 1 et 3 indices distincts."):
        anomalies.check_anomalies([3, 1, 2, 0], "anomalies", 10, 3)


def test_a_real_fitted_forest_is_asked_for_its_own_predictions():
    from sklearn.ensemble import IsolationForest

    from tdgrade_checks import anomalies

    data = np.random.default_rng(0).normal(size=(60, 3))
    forest = IsolationForest(n_estimators=20, random_state=0).fit(data)
    got = anomalies.forest_predictions(forest, {}, data, "forest")  # no random_state needed: it has its trees
    assert np.array_equal(got, forest.predict(data))


def test_keras_names_come_from_the_object_or_the_serialized_config_before_the_class():
    from types import SimpleNamespace

    assert training.keras_name(SimpleNamespace(name="accuracy")) == "accuracy"
    # Keras serializes the metric "accuracy" as a MeanMetricWrapper whose config keeps the name
    assert training.keras_name({"class_name": "MeanMetricWrapper", "config": {"name": "accuracy"}}) == "accuracy"
    assert training.keras_name({"class_name": "Adam", "config": "adam"}) == "adam"
    assert training.keras_name({"class_name": "SparseCategoricalCrossentropy"}) == "sparse_categorical_crossentropy"


def test_counts_may_come_as_floats_or_a_one_column_frame():
    import pandas as pd

    assert list(values.int_array([3.0, 4.0], "effectifs", "x")) == [3, 4]
    assert list(values.int_array(pd.DataFrame({"n": [3, 4]}), "effectifs", "x")) == [3, 4]
    with raises_exactly("`effectifs` doit être x."):
        values.int_array([3.0, np.nan], "effectifs", "x")


def test_a_forest_that_cannot_predict_its_own_data_is_named():
    from types import SimpleNamespace

    from tdgrade_checks import anomalies

    def fails(data):
        raise ValueError("X has 3 features")

    broken = SimpleNamespace(estimators_=[object()], predict=fails)
    with raises_exactly("impossible d'appliquer `forest.predict` aux données d'entraînement de la forêt."):
        anomalies.forest_predictions(broken, {}, np.zeros((4, 2)), "forest")


def test_prediction_columns_are_read_as_integers():
    import pandas as pd

    cols = predictions.frame_columns(pd.DataFrame({"predicted": np.array([1, 2], dtype=np.int32), "true": [1, 1]}), "df", 2)
    assert cols["predicted"].dtype == np.int64 and list(cols["true"]) == [1, 1]


def test_from_logits_is_read_from_a_loss_object_or_its_config():
    import keras

    assert training._from_logits(keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert not training._from_logits(keras.losses.SparseCategoricalCrossentropy())
    assert training._from_logits({"class_name": "SparseCategoricalCrossentropy", "config": {"from_logits": True}})


def test_loss_coherence_names_the_missing_targets_and_why():
    settings = {"loss": "sparse_categorical_crossentropy", "from_logits": False}
    with raises_exactly("`y_train` n'est pas encore défini : il est nécessaire pour vérifier la cohérence de la perte."):
        training.check_classification_loss(settings, "softmax", None, "y_train", 4)


def test_a_value_the_grader_could_not_receive_names_its_type():
    from types import SimpleNamespace

    unexportable = SimpleNamespace(__tdgrade_unexportable__=True, type_name="generator")
    with raises_exactly("`data` est bien défini, mais sa valeur n'a pas pu être transmise à la correction (generator) : "
                 "gardez le type demandé par la consigne (nombre, tableau numpy, DataFrame, modèle Keras…)."):
        values.require(unexportable, "data")


def test_each_missing_curve_is_named():
    from types import SimpleNamespace

    hist = {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7], "accuracy": [0.6, 0.8], "val_accuracy": [0.55, 0.75]}

    def figure(*keys):
        lines = [SimpleNamespace(get_ydata=lambda k=k: hist[k]) for k in keys]
        return SimpleNamespace(axes=[SimpleNamespace(get_lines=lambda: lines)])

    plots.check_history_curves(figure(*hist), "fig", hist, "accuracy")
    for key, label in [("loss", "perte d'entraînement"), ("val_loss", "perte de validation"),
                       ("accuracy", "accuracy d'entraînement"), ("val_accuracy", "accuracy de validation")]:
        with raises_exactly(f"`fig` ne contient pas la courbe de {label} de l'historique."):
            plots.check_history_curves(figure(*(k for k in hist if k != key)), "fig", hist, "accuracy")


def test_shown_indices_are_named_when_unreadable():
    true, pred = np.array([1, 1]), np.array([8, 8])
    with raises_exactly("`shown_far_confusions` doit être une liste ou un tableau d'indices entiers."):
        predictions.check_confusion_pair((1, 8), "0, 1", pred, true, FAMILY)


def test_predicted_labels_are_integers_from_labels_or_scores():
    labels = predictions.predicted_labels([1.0, 2.0], "pred", 2)
    assert labels.dtype == np.int64 and list(labels) == [1, 2]
    assert list(predictions.predicted_labels(np.eye(3)[[2, 0]], "pred", 2, classes=3)) == [2, 0]


def test_metrics_are_flattened_through_lists_and_per_output_dicts_not_configs():
    serialized = {"class_name": "MeanMetricWrapper", "config": {"name": "accuracy"}}
    assert training._flat({"output": ["accuracy", "mse"]}) == ["accuracy", "mse"]
    assert training._flat([serialized, ["acc"]]) == [serialized, "acc"]


def test_compile_settings_read_an_optimizer_given_by_name_or_as_an_object():
    from types import SimpleNamespace

    def compiled(optimizer):
        return SimpleNamespace(get_compile_config=lambda: {"loss": "sparse_categorical_crossentropy", "optimizer": optimizer})

    assert training.compile_settings(compiled("adam"), "model")["optimizer"] == "adam"
    assert training.compile_settings(compiled({"class_name": "RMSprop", "config": {"learning_rate": 0.001}}), "model")["optimizer"] == "rmsprop"

    class Nadam:
        pass

    assert training.compile_settings(compiled(Nadam()), "model")["optimizer"] == "nadam"


def test_the_profile_is_full_unless_it_says_smoke():
    assert values.profile_of("smoke") == "smoke"
    assert values.profile_of(None) == "full" and values.profile_of("SMOKE") == "full"


def test_one_anomaly_is_enough():
    from tdgrade_checks import anomalies

    assert list(anomalies.check_anomalies([4], "anomalies", 10, 3)) == [4]
    with raises_exactly("`anomalies` doit contenir entre 1 et 3 indices distincts."):
        anomalies.check_anomalies([], "anomalies", 10, 3)


def test_something_that_is_no_forest_is_named():
    from tdgrade_checks import anomalies

    with raises_exactly("`iso_forest` doit être un `IsolationForest` de scikit-learn."):
        anomalies.forest_params(object(), "iso_forest")


def test_a_serialized_object_without_a_name_has_an_empty_name():
    assert training.keras_name({"module": "keras.losses"}) == ""


def test_a_missing_number_is_named():
    with raises_exactly("`batch_size` n'est pas encore défini."):
        values.as_float(None, "batch_size")


# --- survivors of the fresh sample batches (seeds 11-17, 2026-12-05 evening) ---


def test_exactly_the_required_number_of_misclassified_examples_is_enough():
    true = np.array([0, 0, 0, 0, 1, 1, 2, 3])
    pred = np.array([1, 1, 1, 1, 0, 1, 2, 3])  # class 0: 4 errors, class 1: 1, the others none
    predictions.check_misclassified_among_worst([0, 1, 2, 3], pred, true, "worst_shown")
    with raises_exactly("`worst_shown` doit contenir au moins 4 exemples différents."):
        predictions.check_misclassified_among_worst([0, 1, 2, 2], pred, true, "worst_shown")


def test_a_history_without_accuracy_is_told_to_add_the_metric():
    from types import SimpleNamespace

    history = SimpleNamespace(history={"loss": [0.5] * 20, "val_loss": [0.6] * 20}, params={"epochs": 20})
    with raises_exactly("`history` ne contient pas l'accuracy : ajoutez `metrics=['accuracy']` lors de la compilation."):
        training.check_history(history, "history", epochs=20)


def test_the_worst_classes_are_the_three_with_most_errors_by_default():
    true = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 4])
    pred = np.array([9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 4])  # errors: class 0: 4, 1: 3, 2: 2, 3: 1, 4: 0
    predictions.check_misclassified_among_worst([0, 4, 7, 8], pred, true, "worst_shown")  # classes 0, 1, 2
    with raises_exactly("les exemples de `worst_shown` doivent appartenir aux 3 classes qui ont le plus d'erreurs."):
        predictions.check_misclassified_among_worst([0, 4, 7, 9], pred, true, "worst_shown")  # 9: class 3


def test_an_optimizer_saved_without_a_class_name_has_an_empty_name():
    class Compiled:
        def get_compile_config(self):
            return {"loss": "mse", "optimizer": {"config": {"learning_rate": 0.01}}}

    settings = training.compile_settings(Compiled(), "model")
    assert settings["optimizer"] == "" and settings["learning_rate"] == 0.01


def test_a_number_is_not_a_boolean_a_string_or_a_list_holding_one():
    for bad in (True, "3", [3], (3,), {"n": 3}, 1 + 0j):
        with raises_exactly("`batch_size` doit être un nombre."):
            values.as_float(bad, "batch_size")
    assert values.as_float(np.array([3]), "batch_size") == 3.0


def test_counts_are_int64_from_a_dict_or_a_series_and_a_missing_one_is_named():
    import pandas as pd

    for counts in ({0: 3, 2: 4}, pd.Series([3, 0, 4])):
        out = values.int_array(counts, "effectifs", "x")
        assert out.dtype == np.int64 and out.tolist()[:3] == [3, 0, 4]
    with raises_exactly("`effectifs` n'est pas encore défini."):
        values.int_array(None, "effectifs", "x")


def test_a_value_the_grader_could_not_receive_without_a_type_name_is_still_named():
    class Unexportable:
        __tdgrade_unexportable__ = True

    with pytest.raises(AssertionError, match=re.escape("n'a pas pu être transmise à la correction (?) :")):
        values.require(Unexportable(), "x")


def test_scores_and_labels_that_are_not_numbers_are_named():
    with raises_exactly("`y_pred` doit être un tableau numpy de nombres."):
        predictions.predicted_labels(["a", "b"], "y_pred", 2)
    with raises_exactly("`y_test` doit être un tableau d'étiquettes entières."):
        predictions.check_true_labels(np.array([0, 1]), ["a", "b"], "y_test")


def test_targets_that_cannot_be_read_are_sent_back_to_their_question():
    class Unreadable:
        def __array__(self, *args, **kwargs):
            raise ValueError("unreadable")

    settings = {"loss": "sparse_categorical_crossentropy", "from_logits": False}
    with raises_exactly("`y_train_prep` doit contenir les cibles d'entraînement, entières ou en one-hot : corrigez d'abord la question où il est défini."):
        training.check_classification_loss(settings, "softmax", Unreadable(), "y_train_prep", 2)


def test_a_loss_given_as_a_plain_function_is_named_by_the_function():
    def my_loss(y_true, y_pred):
        return y_pred

    assert training.keras_name(my_loss) == "my_loss"


def test_a_figure_without_any_curve_is_named():
    with _figure() as figure, raises_exactly("`fig` ne contient aucune courbe."):
        plots.line_data(figure, "fig")


def test_a_missing_history_is_named():
    with raises_exactly("`history` n'est pas encore défini."):
        training.check_history(None, "history")


def test_a_number_is_not_a_one_element_series_and_indices_are_not_fractions():
    import pandas as pd

    with raises_exactly("`batch_size` doit être un nombre."):
        values.as_float(pd.Series([3]), "batch_size")
    assert list(values.indices(np.array([1.0, 2.0]), "shown", 10)) == [1, 2]
    with pytest.raises(AssertionError, match="^`shown` "):
        values.indices(np.array([1.5, 2.0]), "shown", 10)


def test_a_loss_curve_drawn_as_one_minus_the_loss_is_not_the_loss():
    hist = {"loss": [0.9, 0.5, 0.3], "val_loss": [0.8, 0.6, 0.5], "accuracy": [0.6, 0.8, 0.9], "val_accuracy": [0.6, 0.7, 0.8]}
    for flipped in ("loss", "val_loss"):
        curves = [1 - np.asarray(ys) if key == flipped else ys for key, ys in hist.items()]
        with _figure(*curves) as figure, pytest.raises(AssertionError, match="^`fig` ne contient pas la courbe de "):
            plots.check_history_curves(figure, "fig", hist, "accuracy")


def test_counts_indexed_by_other_labels_are_read_in_order():
    import pandas as pd

    assert values.int_array(pd.Series([5, 6, 7], index=[1, 2, 3]), "effectifs", "x").tolist() == [5, 6, 7]


def test_an_object_without_a_name_is_named_by_its_class():
    class HuberLike:
        pass

    assert training.keras_name(HuberLike()) == "huber_like"


def test_a_curve_of_words_is_no_curve_of_numbers():
    with _figure(["bas", "haut"]) as figure, \
            raises_exactly("`fig` doit être une figure matplotlib contenant des courbes tracées avec `plot`."):
        plots.line_data(figure, "fig")


def test_a_serialized_metric_without_config_is_one_metric():
    metric = {"class_name": "Accuracy", "module": "keras.metrics"}
    assert training._flat([metric]) == [metric]


def test_a_history_has_twenty_epochs_by_default_and_missing_labels_are_named():
    from types import SimpleNamespace

    keys = ("loss", "val_loss", "accuracy", "val_accuracy")
    training.check_history(SimpleNamespace(history={k: [0.5] * 20 for k in keys}, params={"epochs": 20}), "history")
    with raises_exactly("`y_test` n'est pas encore défini."):
        values.labels(None, "y_test")


# --- survivors of batches 18-20, the batches the score was estimated from (killed after it) ---

def test_a_wider_integer_copy_of_the_pixels_is_refused_for_its_type():
    import hashlib

    raw = (np.arange(256) % 2).astype(np.uint8).reshape(16, 16)
    sha = hashlib.sha256(raw.tobytes()).hexdigest()
    with raises_exactly("`x_train` doit garder les valeurs brutes, telles que Keras les fournit : faites les transformations plus loin, dans une autre variable."):
        values.check_raw_array(raw.astype(np.int64), "x_train", (16, 16), sha, "Keras", dtype="uint8")


def test_a_forest_expecting_exactly_the_limit_is_told_to_lower_contamination():
    from tdgrade_checks import anomalies

    anomalies.check_contamination_below({"contamination": 0.099}, 100, 10, "forest")
    with raises_exactly("avec ce paramètre `contamination`, la forêt attend 10 anomalies ou plus : diminuez-le."):
        anomalies.check_contamination_below({"contamination": 0.1}, 100, 10, "forest")  # 0.1 × 100 = 10 exactly


def test_unreadable_arrays_and_models_are_named_with_their_own_message():
    from types import SimpleNamespace

    from tdgrade_checks import images, models

    with raises_exactly("`x_train_prep` doit être un tableau numpy de nombres."):
        images.flat_images([[1.0, 2.0], [3.0]], "x_train_prep", 2, 2)  # ragged rows
    with raises_exactly("`predictions_df` doit être un DataFrame avec les colonnes entières `predicted` et `true` (corrigez d'abord la question fm17)."):
        predictions.pred_true({"predicted": ["a"], "true": [0]})
    with raises_exactly("`x_flat` n'est pas encore défini."):
        images.flat_rows(None, "x_flat", 4)
    with raises_exactly("`model` n'est pas encore défini."):
        models.layer_stack(None, "model")
    with raises_exactly("`model` n'est pas encore défini."):
        models.check_mlp(None, "model", [256])
    with raises_exactly("`x_test` doit rester le tableau d'origine (non modifié)."):
        images.check_preprocessed(np.zeros((2, 2, 2)), np.zeros((2, 4)), np.float64(3.0), np.zeros((2, 4)),
                                  ("x_train", "x_train_prep", "x_test", "x_test_prep"), features=4)


def test_names_with_capitals_after_an_underscore_get_one_underscore():
    assert training.keras_name("Mean_Squared") == "mean_squared"


