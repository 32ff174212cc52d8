"""Conditions of the fashion_mnist checks at their edges (issue 23, mutation survivors of 2026-12-05):
the corpus reaches each of these checks with a case far from its bound, or never reaches the
message of an unreadable value. Here each bound is met exactly on both sides, and each message is
asserted whole, with the variable it must name."""
import re

import numpy as np
import pytest

from tdgrade_checks import plots, predictions, training, values


def _raises(message: str):
    return pytest.raises(AssertionError, match="^" + re.escape(message) + "$")


def test_type_names_are_read_from_strings_with_spaces_or_dtype_objects():
    values.check_dtype_name(" uint8 ", "x_type", "uint8", "indice")  # numpy itself refuses the spaces
    values.check_dtype_name(np.dtype("uint8"), "x_type", "uint8", "indice")
    with _raises("`x_type` indice"):
        values.check_dtype_name("float32", "x_type", "uint8", "indice")
    with _raises("`x_type` indice"):
        values.check_dtype_name("pas un type", "x_type", "uint8", "indice")
    with _raises("`x_type` n'est pas encore défini."):
        values.check_dtype_name(None, "x_type", "uint8", "indice")


def test_shape_tuples_name_the_variable_when_missing_or_unreadable():
    values.check_shape_tuple([60000, 28, 28], "forme", (60000, 28, 28), "indice")
    with _raises("`forme` n'est pas encore défini."):
        values.check_shape_tuple(None, "forme", (2,), "indice")
    with _raises("`forme` doit être un tuple d'entiers."):
        values.check_shape_tuple(("a", "b"), "forme", (2,), "indice")


def test_counts_that_are_not_integers_are_named_with_what_is_expected():
    values.check_counts({0: 3, 1: 4}, "effectifs", [3, 4] + [0] * 8, "indice")
    with _raises("`effectifs` doit être un tableau d'effectifs entiers."):
        values.check_counts(["trois", "quatre"], "effectifs", [3, 4], "indice")
    with _raises("`effectifs` doit être un tableau d'effectifs entiers."):
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
    with _raises("trop bas"):
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
    with _raises("les exemples de `shown_far_confusions` doivent être de vraie classe `far_pair[0]` et prédits `far_pair[1]`."):
        predictions.check_confusion_pair((0, 7), [0, 1], pred, true, FAMILY)  # right true class, other prediction
    with _raises("les exemples de `shown_far_confusions` doivent être de vraie classe `far_pair[0]` et prédits `far_pair[1]`."):
        predictions.check_confusion_pair((0, 7), [2], pred, true, FAMILY)     # right prediction, other true class
    with _raises("`far_pair` doit être un couple de deux entiers (vraie classe, classe prédite)."):
        predictions.check_confusion_pair(("t-shirt", "sandale"), [0], pred, true, FAMILY)
    with _raises("`far_pair` doit être un couple de deux classes entre 0 et 9."):
        predictions.check_confusion_pair((0, 10), [0], pred, true, FAMILY)


def test_the_worst_class_may_be_class_zero():
    true, pred = np.array([0, 0, 1, 2]), np.array([1, 1, 1, 0])
    counts = [2, 0, 1] + [0] * 7
    predictions.check_errors_per_class(counts, 0, pred, true)
    with _raises("`worst_class` n'est pas la classe qui a le plus d'erreurs."):
        predictions.check_errors_per_class(counts, 2, pred, true)
    with _raises("`errors_per_class` doit être un tableau de 10 entiers."):
        predictions.check_errors_per_class("deux erreurs", 0, pred, true)


def test_predictions_of_an_earlier_question_are_named_with_it():
    with _raises("`predictions_df` (question fm17) n'est pas encore défini."):
        predictions.pred_true(None)


def test_anomalies_may_number_exactly_the_maximum():
    from tdgrade_checks import anomalies

    assert list(anomalies.check_anomalies([3, 1, 2], "anomalies", 10, 3)) == [3, 1, 2]
    with _raises("`anomalies` doit contenir entre 1 et 3 indices distincts."):
        anomalies.check_anomalies([3, 1, 2, 0], "anomalies", 10, 3)


def test_a_real_fitted_forest_is_asked_for_its_own_predictions():
    from sklearn.ensemble import IsolationForest

    from tdgrade_checks import anomalies

    data = np.random.default_rng(0).normal(size=(60, 3))
    forest = IsolationForest(n_estimators=20, random_state=0).fit(data)
    got = anomalies.forest_predictions(forest, {}, data, "forest")  # no random_state needed: it has its trees
    assert np.array_equal(got, forest.predict(data))


def test_the_input_shape_falls_back_to_the_first_input_tensor():
    from types import SimpleNamespace

    from tdgrade_checks import models

    assert models.input_shape(SimpleNamespace(inputs=[SimpleNamespace(shape=(None, 784))])) == (None, 784)
    assert models.input_shape(SimpleNamespace()) is None


def test_keras_names_come_from_the_object_or_the_serialized_config_before_the_class():
    from types import SimpleNamespace

    assert training.keras_name(SimpleNamespace(name="accuracy")) == "accuracy"
    # Keras serializes the metric "accuracy" as a MeanMetricWrapper whose config keeps the name
    assert training.keras_name({"class_name": "MeanMetricWrapper", "config": {"name": "accuracy"}}) == "accuracy"
    assert training.keras_name({"class_name": "Adam", "config": "adam"}) == "adam"
    assert training.keras_name({"class_name": "SparseCategoricalCrossentropy"}) == "sparse_categorical_crossentropy"


def test_rows_of_a_class_name_the_missing_array_and_why_it_is_needed():
    from tdgrade_checks import images

    with _raises("`x_test` n'est pas encore défini : il est nécessaire pour vérifier cette question."):
        images.rows_of_class(None, [0, 1], 0, ("x_test", "y_test"))
    with _raises("`y_test` n'est pas encore défini : il est nécessaire pour vérifier cette question."):
        images.rows_of_class(np.zeros((2, 4)), None, 0, ("x_test", "y_test"))


def test_a_separate_activation_layer_is_read_as_the_dense_layer_s_activation():
    import keras

    from tdgrade_checks import models

    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8), keras.layers.Activation("relu"),
                              keras.layers.Dense(6), keras.layers.ReLU(), keras.layers.Dense(3), keras.layers.Softmax()])
    assert models.layer_stack(model, "model") == [["Dense", 8, "relu"], ["Dense", 6, "relu"], ["Dense", 3, "softmax"]]


def test_counts_may_come_as_floats_or_a_one_column_frame():
    import pandas as pd

    assert list(values.int_array([3.0, 4.0], "effectifs", "x")) == [3, 4]
    assert list(values.int_array(pd.DataFrame({"n": [3, 4]}), "effectifs", "x")) == [3, 4]
    with _raises("`effectifs` doit être x."):
        values.int_array([3.0, np.nan], "effectifs", "x")


def test_a_forest_that_cannot_predict_its_own_data_is_named():
    from types import SimpleNamespace

    from tdgrade_checks import anomalies

    def fails(data):
        raise ValueError("X has 3 features")

    broken = SimpleNamespace(estimators_=[object()], predict=fails)
    with _raises("impossible d'appliquer `forest.predict` aux données d'entraînement de la forêt."):
        anomalies.forest_predictions(broken, {}, np.zeros((4, 2)), "forest")


def test_one_scale_and_offset_for_all_pixels_when_there_is_one():
    from tdgrade_checks import images

    raw = np.arange(24, dtype=np.float64).reshape(4, 6) * 10
    scale, offset = images.affine_map(raw, raw / 127.5 - 1)
    assert np.ndim(scale) == 0 and np.isclose(scale, 1 / 127.5) and np.isclose(offset, -1.0)


def test_preprocessing_messages_name_the_missing_array():
    from tdgrade_checks import images

    raw = np.arange(24, dtype=np.float64).reshape(6, 4)
    names = ("x_train", "x_train_prep", "x_test", "x_test_prep")
    with _raises("`x_train_prep` n'est pas encore défini."):
        images.check_preprocessed(raw, None, raw, raw / 255, names, 4)


def test_accuracy_names_unreadable_labels_and_the_missing_model():
    from tdgrade_checks import models

    class Unreadable:
        def __array__(self, *args, **kwargs):
            raise ValueError("no")

    with _raises("`y_test` doit être un tableau d'étiquettes."):
        models.accuracy(None, "model", np.zeros((2, 4)), Unreadable())
    with _raises("`model` n'est pas encore défini."):
        models.accuracy(None, "model", np.zeros((2, 4)), [0, 1])


def test_a_dense_layer_with_an_unnamed_activation_is_marked_unknown():
    from tdgrade_checks import models

    class Dense:
        def get_config(self):
            return {"units": 3, "activation": {"class_name": "function", "config": "my_activation"}}

    class Model:
        layers = [Dense()]

    assert models.layer_stack(Model(), "model") == [["Dense", 3, "?"]]


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
    with _raises("`y_train` n'est pas encore défini : il est nécessaire pour vérifier la cohérence de la perte."):
        training.check_classification_loss(settings, "softmax", None, "y_train", 4)


def test_a_value_the_grader_could_not_receive_names_its_type():
    from types import SimpleNamespace

    unexportable = SimpleNamespace(__tdgrade_unexportable__=True, type_name="generator")
    with _raises("`data` est bien défini, mais sa valeur n'a pas pu être transmise à la correction (generator) : "
                 "gardez le type demandé par la consigne (nombre, tableau numpy, DataFrame, modèle Keras…)."):
        values.require(unexportable, "data")


def test_an_unreadable_original_array_is_named():
    from tdgrade_checks import images

    class Unreadable:
        def __array__(self, *args, **kwargs):
            raise ValueError("no")

    raw = np.arange(24, dtype=np.float64).reshape(6, 4)
    with _raises("`x_train` doit rester le tableau d'origine (non modifié)."):
        images.check_preprocessed(Unreadable(), raw, raw, raw, ("x_train", "x_train_prep", "x_test", "x_test_prep"), 4)


def test_the_trained_check_names_the_missing_test_data():
    from types import SimpleNamespace

    from tdgrade_checks import models

    model = SimpleNamespace(layers=[])
    with _raises("`x_test_prep` n'est pas encore défini : il est nécessaire pour évaluer le modèle."):
        models.check_trained(model, "model", None, [0, 1], 0.5)
    with _raises("`y_test` n'est pas encore défini : il est nécessaire pour évaluer le modèle."):
        models.check_trained(model, "model", np.zeros((2, 4)), None, 0.5)


def test_each_missing_curve_is_named():
    from types import SimpleNamespace

    hist = {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7], "accuracy": [0.6, 0.8], "val_accuracy": [0.55, 0.75]}

    def figure(*keys):
        lines = [SimpleNamespace(get_ydata=lambda k=k: hist[k]) for k in keys]
        return SimpleNamespace(axes=[SimpleNamespace(get_lines=lambda: lines)])

    plots.check_history_curves(figure(*hist), "fig", hist, "accuracy")
    for key, label in [("loss", "perte d'entraînement"), ("val_loss", "perte de validation"),
                       ("accuracy", "accuracy d'entraînement"), ("val_accuracy", "accuracy de validation")]:
        with _raises(f"`fig` ne contient pas la courbe de {label} de l'historique."):
            plots.check_history_curves(figure(*(k for k in hist if k != key)), "fig", hist, "accuracy")


def test_preprocessing_names_a_missing_original_and_why_it_is_needed():
    from tdgrade_checks import images

    raw = np.arange(24, dtype=np.float64).reshape(6, 4)
    with _raises("`x_test` n'est pas encore défini : il est nécessaire pour vérifier la transformation."):
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


def test_accuracy_maps_output_columns_to_the_estimator_s_classes():
    import keras

    from tdgrade_checks import models

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(2, activation="softmax")])
    model.set_weights([np.eye(2, dtype="float32"), np.zeros(2, dtype="float32")])  # argmax of the input
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert models.accuracy(model, "model", x, [3, 7, 3], classes=[3, 7]) == 1.0
    assert models.accuracy(model, "model", x, [3, 7, 7], classes=np.array([3, 7])) == 2 / 3


def test_shown_indices_are_named_when_unreadable():
    true, pred = np.array([1, 1]), np.array([8, 8])
    with _raises("`shown_far_confusions` doit être une liste ou un tableau d'indices entiers."):
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


def test_an_unreadable_layer_is_named_by_its_kind():
    from tdgrade_checks import models

    class Dense:
        def get_config(self):
            raise RuntimeError("not built")

    class Model:
        layers = [Dense()]

    with _raises("`model` : impossible de lire la configuration de la couche `Dense`."):
        models.layer_stack(Model(), "model")


def test_the_profile_is_full_unless_it_says_smoke():
    assert values.profile_of("smoke") == "smoke"
    assert values.profile_of(None) == "full" and values.profile_of("SMOKE") == "full"


def test_one_anomaly_is_enough():
    from tdgrade_checks import anomalies

    assert list(anomalies.check_anomalies([4], "anomalies", 10, 3)) == [4]
    with _raises("`anomalies` doit contenir entre 1 et 3 indices distincts."):
        anomalies.check_anomalies([], "anomalies", 10, 3)


def test_something_that_is_no_forest_is_named():
    from tdgrade_checks import anomalies

    with _raises("`iso_forest` doit être un `IsolationForest` de scikit-learn."):
        anomalies.forest_params(object(), "iso_forest")


def test_labels_may_stay_integers_even_as_floats_or_become_one_hot():
    from tdgrade_checks import images

    y = np.array([2, 0, 1])
    assert images.check_encoded_labels(y, y.astype(np.float64), "y_prep", "y", classes=3) == "integers"
    assert images.check_encoded_labels(y, np.eye(3)[y], "y_prep", "y", classes=3) == "one_hot"
    with _raises("`y_prep` : des étiquettes entières (classes 0 à 2) sont attendues."):
        images.check_encoded_labels(y, y + 0.5, "y_prep", "y", classes=3)


def test_the_trained_check_names_a_missing_model_and_the_labels_it_was_given():
    from types import SimpleNamespace

    from tdgrade_checks import models

    with _raises("`model` n'est pas encore défini."):
        models.check_trained(None, "model", np.zeros((2, 4)), [0, 1], 0.5)
    with _raises("`y_val` n'est pas encore défini : il est nécessaire pour évaluer le modèle."):
        models.check_trained(SimpleNamespace(layers=[]), "model", np.zeros((2, 4)), None, 0.5, "x_val", "y_val")


def test_a_serialized_object_without_a_name_has_an_empty_name():
    assert training.keras_name({"module": "keras.losses"}) == ""


def test_a_missing_number_is_named():
    with _raises("`batch_size` n'est pas encore défini."):
        values.as_float(None, "batch_size")
