"""Conditions of `tdgrade_checks.models` at their edges (issue 23, mutation survivors of 2026-12-05):
each bound met exactly on both sides, each message asserted whole, with the variable it must name.
The other modules' edges: tests/test_checks_conditions.py."""
import re

import numpy as np
import pytest
from check_helpers import raises_exactly


def test_the_input_shape_falls_back_to_the_first_input_tensor():
    from types import SimpleNamespace

    from tdgrade_checks import models

    assert models.input_shape(SimpleNamespace(inputs=[SimpleNamespace(shape=(None, 784))])) == (None, 784)
    assert models.input_shape(SimpleNamespace()) is None


def test_a_separate_activation_layer_is_read_as_the_dense_layer_s_activation():
    import keras

    from tdgrade_checks import models

    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8), keras.layers.Activation("relu"),
                              keras.layers.Dense(6), keras.layers.ReLU(), keras.layers.Dense(3), keras.layers.Softmax()])
    assert models.layer_stack(model, "model") == [["Dense", 8, "relu"], ["Dense", 6, "relu"], ["Dense", 3, "softmax"]]


def test_accuracy_names_unreadable_labels_and_the_missing_model():
    from tdgrade_checks import models

    class Unreadable:
        def __array__(self, *args, **kwargs):
            raise ValueError("no")

    with raises_exactly("`y_test` doit être un tableau d'étiquettes."):
        models.accuracy(None, "model", np.zeros((2, 4)), Unreadable())
    with raises_exactly("`model` n'est pas encore défini."):
        models.accuracy(None, "model", np.zeros((2, 4)), [0, 1])


def test_a_dense_layer_with_an_unnamed_activation_is_marked_unknown():
    from tdgrade_checks import models

    class Dense:
        def get_config(self):
            return {"units": 3, "activation": {"class_name": "function", "config": "my_activation"}}

    class Model:
        layers = [Dense()]

    assert models.layer_stack(Model(), "model") == [["Dense", 3, "?"]]


def test_the_trained_check_names_the_missing_test_data():
    from types import SimpleNamespace

    from tdgrade_checks import models

    model = SimpleNamespace(layers=[])
    with raises_exactly("`x_test_prep` n'est pas encore défini : il est nécessaire pour évaluer le modèle."):
        models.check_trained(model, "model", None, [0, 1], 0.5)
    with raises_exactly("`y_test` n'est pas encore défini : il est nécessaire pour évaluer le modèle."):
        models.check_trained(model, "model", np.zeros((2, 4)), None, 0.5)


def test_accuracy_maps_output_columns_to_the_estimator_s_classes():
    import keras

    from tdgrade_checks import models

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(2, activation="softmax")])
    model.set_weights([np.eye(2, dtype="float32"), np.zeros(2, dtype="float32")])  # argmax of the input
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    assert models.accuracy(model, "model", x, [3, 7, 3], classes=[3, 7]) == 1.0
    assert models.accuracy(model, "model", x, [3, 7, 7], classes=np.array([3, 7])) == 2 / 3


def test_an_unreadable_layer_is_named_by_its_kind():
    from tdgrade_checks import models

    class Dense:
        def get_config(self):
            raise RuntimeError("not built")

    class Model:
        layers = [Dense()]

    with raises_exactly("`model` : impossible de lire la configuration de la couche `Dense`."):
        models.layer_stack(Model(), "model")


def test_the_trained_check_names_a_missing_model_and_the_labels_it_was_given():
    from types import SimpleNamespace

    from tdgrade_checks import models

    with raises_exactly("`model` n'est pas encore défini."):
        models.check_trained(None, "model", np.zeros((2, 4)), [0, 1], 0.5)
    with raises_exactly("`y_val` n'est pas encore défini : il est nécessaire pour évaluer le modèle."):
        models.check_trained(SimpleNamespace(layers=[]), "model", np.zeros((2, 4)), None, 0.5, "x_val", "y_val")


def test_a_network_without_any_layer_after_its_input_is_told_to_flatten():
    import keras

    from tdgrade_checks import models

    inputs = keras.Input(shape=(28, 28))
    with raises_exactly("`model` : la première couche après l'entrée doit être `Flatten`, qui aplatit chaque image."):
        models.check_mlp(keras.Model(inputs, inputs), "model", [256, 256])


def test_predictions_for_a_check_print_no_progress_bar(capsys):
    import keras

    from tdgrade_checks import models

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(2, activation="softmax")])
    assert models.predict_scores(model, "model", np.ones((3, 2)), "x_test", classes=2).shape == (3, 2)
    assert capsys.readouterr().out == ""  # under nbgrader the hidden tests print into the student's kernel


def test_a_custom_activation_function_is_marked_unknown():
    import keras

    from tdgrade_checks import models

    def identity(x):
        return x

    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(3), keras.layers.Activation(identity)])
    assert models.layer_stack(model, "model") == [["Dense", 3, "?"]]


def test_inputs_that_are_not_numbers_are_named_before_any_prediction():
    import keras

    from tdgrade_checks import models

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(2, activation="softmax")])
    with raises_exactly("`x_test_prep` doit être un tableau numpy de nombres."):
        models.predict_scores(model, "model", [["a", "b"]], "x_test_prep", classes=2)


def test_a_partly_exported_model_names_the_cause_of_the_failed_export():
    from types import SimpleNamespace

    from tdgrade_checks import models

    partial = SimpleNamespace(tdgrade_export_cause="l'apprentissage a échoué")
    with pytest.raises(AssertionError, match=re.escape("pas le modèle entier (l'apprentissage a échoué)")):
        models.check_exported_whole(partial, "model")


def test_a_layer_that_is_not_asked_for_is_named_even_right_after_flatten():
    import keras

    from tdgrade_checks import models

    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.BatchNormalization(),
                              keras.layers.Dense(256, activation="relu"), keras.layers.Dense(10, activation="softmax")])
    with raises_exactly("`model` contient des couches qui ne sont pas demandées : BatchNormalization."):
        models.check_mlp(model, "model", [256])


def test_every_layer_that_is_not_asked_for_is_listed():
    import keras

    from tdgrade_checks import models

    model = keras.Sequential([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.BatchNormalization(),
                              keras.layers.Dense(256, activation="relu"), keras.layers.GaussianNoise(0.1),
                              keras.layers.Dense(10, activation="softmax")])
    with raises_exactly("`model` contient des couches qui ne sont pas demandées : BatchNormalization, GaussianNoise."):
        models.check_mlp(model, "model", [256])


def test_a_dense_layer_saved_without_an_activation_is_linear():
    from types import SimpleNamespace

    from tdgrade_checks import models

    class Dense:
        def get_config(self):
            return {"units": 3}

    assert models.layer_stack(SimpleNamespace(layers=[Dense()]), "model") == [["Dense", 3, "linear"]]


def test_accuracy_names_the_test_arrays_by_default():
    import keras

    from tdgrade_checks import models

    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(10, activation="softmax")])
    with raises_exactly("`x_test_prep` et `y_test` doivent contenir les mêmes exemples, un par ligne."):
        models.accuracy(model, "model", np.zeros((3, 2)), [0, 1])


def test_an_activation_layer_whose_configuration_cannot_be_read_is_marked_unknown():
    from types import SimpleNamespace

    from tdgrade_checks import models

    class Dense:
        def get_config(self):
            return {"units": 3, "activation": "linear"}

    class Activation:
        def get_config(self):
            raise RuntimeError("unreadable")

    assert models.layer_stack(SimpleNamespace(layers=[Dense(), Activation()]), "model") == [["Dense", 3, "?"]]


def test_predictions_of_a_partly_exported_model_name_the_model():
    from types import SimpleNamespace

    from tdgrade_checks import models

    partial = SimpleNamespace(tdgrade_export_cause="cause")
    with pytest.raises(AssertionError, match="^Seule l'architecture de `model` a pu être transmise"):
        models.predict_scores(partial, "model", np.zeros((2, 2)), "x_test_prep")


def test_a_network_whose_parameters_cannot_be_counted_is_named():
    import keras

    from tdgrade_checks import models

    class Uncountable(keras.Sequential):
        def count_params(self):
            raise ValueError("not built")

    model = Uncountable([keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax")])
    with raises_exactly("`model` : impossible de compter les paramètres (le modèle est-il construit ?)."):
        models.check_mlp(model, "model", [], total_params=7850)
