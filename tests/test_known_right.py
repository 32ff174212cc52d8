"""Known-right corpus: answers a competent student may write instead of the solution's.

Each case starts from the solution's exported values (smoke profile, see conftest.py) and swaps in
an alternative that the prompts allow. It must earn full marks on every question through all
three grading paths (tests/parity.py), except where a prompt explicitly forbids the alternative:
then only that question loses. Nothing here trains: models are rebuilt with the solution's
weights, transformed exactly for the other input scaling (the first Dense layer absorbs the
affine map), so they are "trained" by construction.
"""
import math
from types import SimpleNamespace

import numpy as np
import pytest

PROFILE = "smoke"
FM, CV = "fashion_mnist", "keras_cv"
VARIANTS = ("model", "model_3x256", "model_2x128", "model_dropout", "model_sigmoid")


def rebuilt(model, *, first_scale=1.0, first_shift=0.0, logits=False, functional=False, input_layer=None,
            optimizer="adam", loss=None, metrics=("accuracy",)):
    """The same network, optionally for inputs x' with x01 = first_scale * x' + first_shift (per
    pixel or global), with a linear output (logits), as a functional model, or with another input
    layer; compiled with `optimizer` and `loss`."""
    import keras

    layers = [layer for layer in model.layers if type(layer).__name__ != "InputLayer"]
    weights = [layer.get_weights() for layer in layers]
    scale = np.broadcast_to(np.asarray(first_scale, dtype="float64").ravel(), (784,))
    shift = np.broadcast_to(np.asarray(first_shift, dtype="float64").ravel(), (784,))
    dense_seen = False
    for layer, w in zip(layers, weights):
        if type(layer).__name__ == "Dense" and not dense_seen:
            kernel, bias = w
            w[0] = (kernel * scale[:, None]).astype("float32")
            w[1] = (bias + shift @ kernel).astype("float32")
            dense_seen = True
    configs = [type(layer).from_config(layer.get_config()) for layer in layers]
    if logits:
        cfg = layers[-1].get_config()
        cfg["activation"] = "linear"
        configs[-1] = type(layers[-1]).from_config(cfg)
    if functional:
        inputs = keras.Input(shape=(28, 28))
        x = inputs
        for layer in configs:
            x = layer(x)
        new = keras.Model(inputs, x)
    else:
        first = input_layer() if input_layer else keras.Input(shape=(28, 28))
        new = keras.Sequential([first, *configs])
    for layer, w in zip([layer for layer in new.layers if type(layer).__name__ != "InputLayer"], weights):
        layer.set_weights(w)
    if loss is None:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True) if logits else "sparse_categorical_crossentropy"
    new.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    return new


def all_models(good, **kw):
    out = {name: rebuilt(good[name], **kw) for name in VARIANTS}
    out["width_models"] = {w: rebuilt(m, **kw) for w, m in good["width_models"].items()}
    return out


def history_with_steps(h, steps):
    return SimpleNamespace(history={k: list(v) for k, v in h.history.items()}, params={**h.params, "steps": steps})


def input_scaling(good, kind):
    """(x_train_prep, x_test_prep, first_scale, first_shift) for another input scaling."""
    x, x_test = good["x_train"].astype("float32"), good["x_test"].astype("float32")
    if kind == "minus_one_one":
        return x / 127.5 - 1, x_test / 127.5 - 1, 0.5, 0.5
    if kind == "standardised":  # one mean and one standard deviation for all pixels
        mean, std = float(x.mean()), float(x.std())
        return (x - mean) / std, (x_test - mean) / std, std / 255, mean / 255
    flat = x.reshape(len(x), -1)  # StandardScaler, pixel by pixel, training statistics only
    mean, std = flat.mean(axis=0), flat.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    prep = lambda a: ((a.reshape(len(a), -1) - mean) / std).reshape(a.shape).astype("float32")  # noqa: E731
    return prep(x), prep(x_test), std / 255, mean / 255


def fashion_case(good, name):
    """(overrides, questions the prompts forbid this alternative for) of one named case."""
    import keras

    eye = np.eye(10, dtype="float32")
    n_train = len(good["y_train"])

    def batch(size, half):
        return {"batch_size": size, "half_batch_size": half,
                "history": history_with_steps(good["history"], math.ceil(0.8 * n_train / size)),
                "history_half_batch": history_with_steps(good["history_half_batch"], math.ceil(0.8 * n_train / half))}

    if name.startswith("optimizer_"):
        return {"model": rebuilt(good["model"], optimizer=name.split("_", 1)[1])}, set()
    if name.startswith("inputs_"):
        train, test, scale, shift = input_scaling(good, name.split("_", 1)[1])
        return {"x_train_prep": train, "x_test_prep": test, **all_models(good, first_scale=scale, first_shift=shift)}, set()
    if name == "logits_output_from_logits_loss":
        # the fm08 prompt asks for an output giving probabilities: only fm08 may lose for logits
        models = all_models(good, logits=True)
        return {**models, "output_activation": "linear",
                "y_pred_proba": models["model"].predict(good["x_test_prep"], verbose=0)}, {"fm08_sortie"}
    return {
        "one_hot_labels_categorical_crossentropy": lambda: {
            "y_train_prep": eye[good["y_train"]], "y_test_prep": eye[good["y_test"]],
            "loss_name": "categorical_crossentropy", "model": rebuilt(good["model"], loss="categorical_crossentropy")},
        "functional_api": lambda: {"model": rebuilt(good["model"], functional=True)},
        "input_layer": lambda: {"model": rebuilt(good["model"], input_layer=lambda: keras.layers.InputLayer(shape=(28, 28)))},
        "layers_input": lambda: {"model": rebuilt(good["model"], input_layer=lambda: keras.layers.Input(shape=(28, 28)))},
        "batch_256_and_half": lambda: batch(256, 128),
        "batch_299_and_half_rounded_up": lambda: batch(299, 150),
        "numpy_numbers": lambda: numpy_numbers(good),
    }[name](), set()


def numpy_numbers(good):
    """What numpy hands back: integers as numpy scalars (`np.sum`, `len` of an array slice...), shapes and
    pairs as arrays, dtypes as dtype objects. The grading accepts them, so must the public checks."""
    return {"output_units": np.int64(good["output_units"]), "batch_size": np.int64(good["batch_size"]),
            "half_batch_size": np.int32(good["half_batch_size"]), "total_params": np.sum(good["params_per_layer"]),
            "params_per_layer": np.asarray(good["params_per_layer"]),
            "x_train_shape": np.asarray(good["x_train_shape"]), "y_test_shape": list(good["y_test_shape"]),
            "x_dtype": np.dtype(good["x_dtype"]), "far_pair": np.asarray(good["far_pair"])}


def cv_cases(good):
    from tdgrade.artifacts import EstimatorSnapshot  # noqa: F401 - the type of the stand-ins below
    from test_hidden_keras_cv import optimizer_grid, snapshot_like

    from keras_cv_leak_cases import absorbed, right_cases, standardised_on

    raw_train, raw_test = good["X_train"] * 16, good["X_test"] * 16
    train, test, scale, shift = standardised_on(raw_train, raw_test, raw_train, per_column=False)
    extra = {name: (changes, set()) for name, changes in right_cases(good, optimizer_grid).items()}
    extra["cv02_standardised_globally_with_training_statistics"] = (
        {"X_train": train, "X_test": test, "clf_2layers": snapshot_like(good["clf_2layers"], model_=absorbed(good["clf_2layers"].model_, scale, shift))},
        set())
    mean, std = raw_train.mean(axis=0), raw_train.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    clf = good["clf_2layers"]
    network = clf.model_
    import keras

    standardised = keras.models.clone_model(network)
    weights = network.get_weights()
    # x01 = raw / 16 = (z * std + mean) / 16: the first Dense layer absorbs the map
    weights[0] = (weights[0] * (std / 16)[:, None]).astype("float32")
    weights[1] = (weights[1] + (mean / 16) @ network.get_weights()[0]).astype("float32")
    standardised.set_weights(weights)
    from keras_cv_leak_cases import builder_named, small_net

    return {
        # build_mlp right, but no wrapper around it is ever fitted: the provided cell's network judges it
        "cv01_no_fitted_wrapper_around_build_mlp": (
            {"clf_2layers": snapshot_like(clf, params={"model": builder_named("build_deux_couches")}),
             "reseau_build_mlp": small_net(hidden=(16, 16))}, set()),
        "cv02_standardised_inputs": (
            {"X_train": (raw_train - mean) / std, "X_test": (raw_test - mean) / std,
             "clf_2layers": snapshot_like(clf, model_=standardised)}, set()),
        "cv03_gridsearch_instead_of_cross_val_score": (
            {"cv_scores": None, "optimizer_cv": optimizer_grid(good["cv_scores"])}, set()),
        **extra,
    }


@pytest.fixture(scope="module")
def fm_good(solution_values):
    return solution_values(FM)


@pytest.fixture(scope="module")
def cv_good(solution_values):
    return solution_values(CV)


def _assert_full_marks(paths, good, overrides, forbidden, name):
    scores = paths.score({**good, **overrides}, PROFILE)
    assert scores.disagreements() == {}, (name, scores.disagreements())
    detail = {r.name: [c.message for c in r.cases if not c.passed]
              for r in paths.suite.run({**good, **overrides}, PROFILE) if not r.passed}
    for question, score in scores.tdgrade.items():
        expected = 0 if question in forbidden else scores.maximum[question]
        assert score == expected, (name, question, detail.get(question))
    # the public checks (no points) must accept every answer the grading accepts: a student must never
    # see ✘ in the notebook for an answer that earns full marks
    public_failures = {r.name: [c.message for c in r.cases if c.hidden is False and not c.passed]
                       for r in paths.suite.run({**good, **overrides}, PROFILE) if r.name not in forbidden}
    assert {q: m for q, m in public_failures.items() if m} == {}, name


def test_solutions_score_full_marks_in_every_path(fm_good, cv_good, three_paths):
    for lab, good in ((FM, fm_good), (CV, cv_good)):
        _assert_full_marks(three_paths(lab), good, {}, set(), f"{lab} solution")


@pytest.mark.parametrize("case", ["one_hot_labels_categorical_crossentropy", "functional_api", "input_layer",
                                  "layers_input", "batch_256_and_half", "batch_299_and_half_rounded_up",
                                  "numpy_numbers", "logits_output_from_logits_loss", "optimizer_adam", "optimizer_rmsprop",
                                  "optimizer_sgd", "optimizer_nadam", "inputs_minus_one_one", "inputs_standardised",
                                  "inputs_standardised_per_pixel"])
def test_fashion_mnist_alternative_scores_full_marks(fm_good, three_paths, case):
    overrides, forbidden = fashion_case(fm_good, case)
    _assert_full_marks(three_paths(FM), fm_good, overrides, forbidden, case)


@pytest.mark.parametrize("case", ["cv01_no_fitted_wrapper_around_build_mlp", "cv02_standardised_inputs", "cv03_gridsearch_instead_of_cross_val_score",
                                  "cv02_standardised_globally_with_training_statistics", "cv03_cross_validate_results",
                                  "cv03_kfold_shuffled", "cv03_five_stratified_folds",
                                  "cv03_pipeline_scaler_in_each_fold_gridsearch"])
def test_keras_cv_alternative_scores_full_marks(cv_good, three_paths, case):
    overrides, forbidden = cv_cases(cv_good)[case]
    _assert_full_marks(three_paths(CV), cv_good, overrides, forbidden, case)
