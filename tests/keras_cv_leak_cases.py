"""keras_cv known-wrong cases for the network cv01 builds and every leak the prompts make possible
(issue 23), and the fold scores a competent student's cross-validation gives.

Wrong by construction, never by trained values: networks are the solution's with one layer's
configuration changed (weights kept, so the predictions of another question do not move: sigmoid
and softmax have the same argmax) or untrained ones held by `clf` (which no other question reads);
standardised inputs come with the solution's network whose first layer absorbs the map; fold
accuracies are counts of right answers over the fold sizes of the rows used. Each case carries the
start of the message of the check that must reject it.
"""
from __future__ import annotations

import numpy as np

from tdgrade_checks import leaks

CV01, CV02, CV03, CV04 = ("cv01_enveloppe_sklearn", "cv02_deux_couches", "cv03_choix_optimiseur",
                          "cv04_grille_boston")


def snapshot_like(est, params=None, clone_error=None, **attrs):
    """A copy of an exported estimator stand-in with some parameters / fitted attributes replaced."""
    new_params = dict(est.get_params())
    new_params.update(params or {})
    new_attrs = {k: v for k, v in vars(est).items() if not k.startswith("_")}
    new_attrs.update(attrs)
    return type(est)(new_params, new_attrs, clone_error)


def reconfigured(network, *, output=None, hidden=None):
    """`network` with its output activation and/or hidden activations changed, same weights."""
    import keras

    layers = [layer for layer in network.layers if type(layer).__name__ != "InputLayer"]
    configs = [layer.get_config() for layer in layers]
    for i, cfg in enumerate(configs):
        if i == len(configs) - 1 and output:
            cfg["activation"] = output
        elif i < len(configs) - 1 and hidden:
            cfg["activation"] = hidden
    new = keras.Sequential([keras.Input(shape=(network.input_shape[-1],)),
                            *(type(layer).from_config(cfg) for layer, cfg in zip(layers, configs))])
    new.set_weights(network.get_weights())
    return new


def builder_named(name: str):
    """The stand-in of an exported build function called `name` (it cannot be called)."""
    from tdgrade.artifacts import _stub_callable

    return _stub_callable(name, ["n_hidden", "hidden_units", "meta"])


def small_net(hidden=(32,), outputs=10, output="softmax", activation="relu", features=64, dropout=False):
    """An untrained network for `clf` (cv01 only reads its architecture)."""
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(features,))])
    for units in hidden:
        model.add(keras.layers.Dense(units, activation=activation))
        if dropout:
            model.add(keras.layers.Dropout(0.2))
    model.add(keras.layers.Dense(outputs, activation=output))
    return model


def absorbed(network, scale, shift):
    """The network for inputs z with x01 = scale * z + shift (per pixel): its first layer absorbs the map."""
    import keras

    new = keras.models.clone_model(network)
    weights = network.get_weights()
    kernel = weights[0]
    weights[0] = (kernel * np.broadcast_to(scale, (kernel.shape[0],))[:, None]).astype("float32")
    weights[1] = (weights[1] + np.broadcast_to(shift, (kernel.shape[0],)) @ kernel).astype("float32")
    new.set_weights(weights)
    return new


def standardised_on(raw_train, raw_test, rows, per_column=True):
    """(train, test, scale, shift): both parts standardised with the statistics of `rows`, and
    the map back to x / 16."""
    if per_column:
        mean, std = rows.mean(axis=0), rows.std(axis=0)
        std = np.where(std > 0, std, 1.0)
    else:
        mean, std = np.full(rows.shape[1], rows.mean()), np.full(rows.shape[1], rows.std())
    return (raw_train - mean) / std, (raw_test - mean) / std, std / 16, mean / 16


def fold_accuracies(correct: np.ndarray, folds) -> np.ndarray:
    """Accuracy of each validation fold: right answers over the fold's size."""
    return np.array([correct[validation].mean() for _, validation in folds])


def off_train_fractions(n_train: int, n_rows: int, rate: float, k: int = 3) -> np.ndarray:
    """k fold accuracies near `rate` over the fold sizes of `n_rows` rows, at least one of which no
    k-fold split of the `n_train` training rows can give (chosen, then checked, by construction; a
    fold size dividing a training fold size cannot be told apart, its score is kept)."""
    allowed = leaks.fold_sizes(n_train, k)
    sizes = [n_rows // k + (1 if i < n_rows % k else 0) for i in range(k)]
    out = []
    for m in sizes:
        tell = [a for a in range(int(round(rate * m)), 0, -1) if not leaks.is_fraction_of(a / m, allowed)]
        out.append((tell[0] if tell else int(round(rate * m))) / m)
    assert not all(leaks.is_fraction_of(x, allowed) for x in out), (n_train, n_rows)
    return np.asarray(out)


def wrong_cases(s, optimizer_grid) -> dict:
    """name -> (changes, questions that must fail, start of the rejecting message)."""
    from sklearn.linear_model import LinearRegression

    clf, clf2, search = s["clf"], s["clf_2layers"], s["boston_search"]
    n_train, n_test = len(s["X_train"]), len(s["X_test"])
    cases = {}

    # cv01: the networks build_mlp returns (in clf_2layers, or in clf when it was fitted)
    cases["cv01_sigmoid_output"] = (
        {"clf_2layers": snapshot_like(clf2, model_=reconfigured(clf2.model_, output="sigmoid"))}, {CV01},
        "La couche de sortie du réseau que construit `build_mlp` (dans `clf_2layers`) doit avoir l'activation `softmax`")
    cases["cv01_linear_output"] = (
        {"clf_2layers": snapshot_like(clf2, model_=reconfigured(clf2.model_, output="linear"))}, {CV01},
        "La couche de sortie du réseau que construit `build_mlp` (dans `clf_2layers`) doit avoir l'activation `softmax`")
    cases["cv01_tanh_hidden_layer"] = (
        {"clf": snapshot_like(clf, model_=small_net(activation="tanh"))}, {CV01},
        "Les couches cachées du réseau que construit `build_mlp` (dans `clf`)")
    cases["cv01_ten_sigmoid_outputs_in_fitted_clf"] = (
        {"clf": snapshot_like(clf, model_=small_net(output="sigmoid"))}, {CV01}, "La couche de sortie")
    cases["cv01_eleven_outputs"] = (
        {"clf": snapshot_like(clf, model_=small_net(outputs=11))}, {CV01}, "La couche de sortie du réseau que construit `build_mlp` (dans `clf`) doit avoir `meta[\"n_classes_\"]` neurones (10), pas 11")
    cases["cv01_n_hidden_ignored"] = (
        {"clf": snapshot_like(clf, model_=small_net(hidden=(32, 32)))}, {CV01}, "Le réseau que construit `build_mlp` (dans `clf`) ne suit pas ses paramètres")
    cases["cv01_hidden_units_ignored"] = (
        {"clf": snapshot_like(clf, model_=small_net(hidden=(64,)))}, {CV01}, "Le réseau que construit `build_mlp` (dans `clf`) ne suit pas ses paramètres")
    cases["cv01_dropout_added"] = (
        {"clf": snapshot_like(clf, model_=small_net(dropout=True))}, {CV01}, "Le réseau que construit `build_mlp` (dans `clf`) ne doit contenir que des couches `Dense`")
    # cv01 when no wrapper around build_mlp is ever fitted (clf_2layers built by another function):
    # the network the provided cell asked build_mlp for is all there is to judge
    other_builder = snapshot_like(clf2, params={"model": builder_named("build_deux_couches")})
    cases["cv01_unfitted_wrapper_sigmoid_builder"] = (
        {"clf_2layers": other_builder, "reseau_build_mlp": small_net(hidden=(16, 16), output="sigmoid")}, {CV01},
        "La couche de sortie du réseau `reseau_build_mlp` (construit par `build_mlp` avec `n_hidden=2`, `hidden_units=16`) doit avoir l'activation `softmax`")
    cases["cv01_sample_ignores_n_hidden"] = (
        {"reseau_build_mlp": small_net(hidden=(16,))}, {CV01}, "Le réseau `reseau_build_mlp` (construit par `build_mlp`")
    cases["cv01_sample_cell_deleted_nothing_fitted"] = (
        {"clf_2layers": other_builder, "reseau_build_mlp": None}, {CV01},
        "`reseau_build_mlp` doit être le réseau Keras que renvoie `build_mlp`")
    cases["cv01_input_size_not_from_meta"] = (
        {"clf": snapshot_like(clf, model_=small_net(features=63))}, {CV01}, "L'entrée du réseau que construit `build_mlp`")

    # cv02: a scaler fitted on all the images before the split, the test part's own statistics,
    # the network fitted on every row
    raw_train, raw_test = s["X_train"] * 16, s["X_test"] * 16
    every_row = np.concatenate([raw_train, raw_test])
    for per_column, label in ((True, "per_column"), (False, "global")):
        train, test, scale, shift = standardised_on(raw_train, raw_test, every_row, per_column)
        tol = leaks.EXACT
        assert not leaks.standardised_columns(train, tol) and not leaks.standardised_globally(train, tol)
        cases[f"cv02_scaler_fitted_on_all_images_{label}"] = (
            {"X_train": train, "X_test": test, "clf_2layers": snapshot_like(clf2, model_=absorbed(clf2.model_, scale, shift))},
            {CV02}, "La standardisation de `X_train` et `X_test` a été calculée sur toutes les images")
    train, _, scale, shift = standardised_on(raw_train, raw_test, raw_train)
    own = (raw_test - raw_test.mean(axis=0)) / np.where(raw_test.std(axis=0) > 0, raw_test.std(axis=0), 1.0)
    cases["cv02_test_standardised_with_its_own_statistics"] = (
        {"X_train": train, "X_test": own, "clf_2layers": snapshot_like(clf2, model_=absorbed(clf2.model_, scale, shift))},
        {CV02}, "`X_test` est standardisée avec ses propres statistiques")
    cases["cv02_network_fitted_on_every_row"] = (
        {"clf_2layers": snapshot_like(clf2, X_shape_=(n_train + n_test, 64))}, {CV02},
        f"`clf_2layers` a été entraîné sur {n_train + n_test} exemples")

    # cv03: cross-validation over all the rows (test part included), or over the test part;
    # a grid search refit on every row
    def scores_over(n_rows):
        return {"rmsprop": off_train_fractions(n_train, n_rows, 0.95), "sgd": off_train_fractions(n_train, n_rows, 0.7)}

    cases["cv03_cv_over_all_rows"] = ({"cv_scores": scores_over(n_train + n_test), "best_optimizer": "rmsprop"}, {CV03},
                                      "Les scores des plis de `cv_scores` (\"rmsprop\") ne sont pas des accuracies mesurées sur des plis de `X_train`")
    cases["cv03_cv_over_the_test_part"] = ({"cv_scores": scores_over(n_test), "best_optimizer": "rmsprop"}, {CV03},
                                           "Les scores des plis de `cv_scores`")
    cases["cv03_gridsearch_over_all_rows"] = (
        {"cv_scores": None, "optimizer_cv": optimizer_grid(scores_over(n_train + n_test)), "best_optimizer": "rmsprop"},
        {CV03}, "Les scores des plis de `optimizer_cv`")
    grid = optimizer_grid({k: np.asarray(v, dtype=float) for k, v in s["cv_scores"].items()})
    grid.best_estimator_ = snapshot_like(clf2, X_shape_=(n_train + n_test, 64))
    cases["cv03_gridsearch_refit_on_every_row"] = (
        {"cv_scores": None, "optimizer_cv": grid, "best_optimizer": max(s["cv_scores"], key=lambda k: np.mean(s["cv_scores"][k]))},
        {CV03}, f"`optimizer_cv` a été entraîné sur {n_train + n_test} exemples")

    # cv04: the grid search (and its refit) on every row, the LinearRegression on every row
    best = search.best_estimator_
    n_boston = len(s["y_boston_train"]) + len(s["y_boston_test"])
    leaky_scaler = snapshot_like(best.transformer_, n_samples_seen_=n_boston)
    leaky_inner = snapshot_like(best.regressor_, X_shape_=(n_boston, 13))
    cases["cv04_search_fitted_on_every_row"] = (
        {"boston_search": snapshot_like(search, best_estimator_=snapshot_like(best, regressor_=leaky_inner, transformer_=leaky_scaler))},
        {CV04}, f"`boston_search` a été entraîné sur {n_boston} exemples")
    X_all = np.concatenate([s["X_boston_train"], s["X_boston_test"]])
    y_all = np.concatenate([s["y_boston_train"], s["y_boston_test"]])
    y_test = np.asarray(s["y_boston_test"], dtype=float)
    leaky_mae = float(np.mean(np.abs(LinearRegression().fit(X_all, y_all).predict(s["X_boston_test"]) - y_test)))
    honest = float(s["linreg_test_mae"])
    assert abs(leaky_mae - honest) > 0.01 * honest  # the data, not training, makes them differ
    cases["cv04_linear_regression_fitted_on_every_row"] = ({"linreg_test_mae": leaky_mae}, {CV04}, "`linreg_test_mae` n'est pas")
    return cases


def right_fold_scores(s, folds_of, n_splits: int) -> dict:
    """optimizer -> fold accuracies of the solution's network over the folds `folds_of(n_splits)`
    makes of the training part (sgd: ten fewer right answers per fold)."""
    X, y = s["X_train"], np.asarray(s["y_train"])
    correct = np.asarray(s["clf_2layers"].model_.predict(np.asarray(X, dtype="float32"), verbose=0)).argmax(axis=1) == y
    folds = list(folds_of(n_splits).split(X, y))
    rmsprop = fold_accuracies(correct, folds)
    sgd = np.array([(round(a * len(v)) - 10) / len(v) for a, (_, v) in zip(rmsprop, folds)])
    return {"rmsprop": rmsprop, "sgd": sgd}


def right_cases(s, optimizer_grid) -> dict:
    """name -> changes: cross-validations a competent student may write, all on the training part."""
    from sklearn.model_selection import KFold, StratifiedKFold

    from tdgrade.artifacts import EstimatorSnapshot

    def shuffled_kfold(k):
        return KFold(n_splits=k, shuffle=True, random_state=0)

    def stratified(k):
        return StratifiedKFold(n_splits=k, shuffle=True, random_state=1)

    kfold = right_fold_scores(s, shuffled_kfold, 3)
    five = right_fold_scores(s, stratified, 5)
    n_train = len(s["X_train"])
    clf2 = s["clf_2layers"]
    scaler = EstimatorSnapshot({"copy": True, "with_mean": True, "with_std": True},
                               {"n_samples_seen_": n_train, "mean_": np.zeros(64), "scale_": np.ones(64)}, None)
    pipeline = EstimatorSnapshot({"steps": [("scaler", scaler), ("clf", clf2)], "memory": None, "verbose": False}, {}, None)
    grid = optimizer_grid(kfold)
    grid.best_estimator_ = pipeline
    return {
        "cv03_cross_validate_results": {"cv_scores": {k: {"test_score": v, "fit_time": np.ones(3), "score_time": np.ones(3)}
                                                      for k, v in kfold.items()}, "best_optimizer": "rmsprop"},
        "cv03_kfold_shuffled": {"cv_scores": kfold, "best_optimizer": "rmsprop"},
        "cv03_five_stratified_folds": {"cv_scores": five, "best_optimizer": "rmsprop"},
        "cv03_pipeline_scaler_in_each_fold_gridsearch": {"cv_scores": None, "optimizer_cv": grid, "best_optimizer": "rmsprop"},
    }
