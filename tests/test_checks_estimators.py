"""Conditions of `tdgrade_checks.estimators` that the keras_cv corpus cannot reach through tdgrade's
path alone (issue 23, mutation survivors): real build functions (the otter and nbgrader paths call
the checks on live objects, tdgrade on exported stand-ins), the other result forms the prompts
allow (cross_validate dicts, optimizer objects, tied scores), and forged or malformed results.
Each wrong input is rejected with its own French message; each right one passes."""
import re
from types import SimpleNamespace

import numpy as np
import pytest

from tdgrade_checks import estimators, values


def _scikeras(build, **params):
    from scikeras.wrappers import KerasClassifier

    return KerasClassifier(model=build, loss="sparse_categorical_crossentropy", optimizer="rmsprop", verbose=0, **params)


def build_named(n_hidden=1, hidden_units=32, meta=None):
    return None


def build_kwargs(meta=None, **kwargs):
    return None


def test_scikeras_wrapper_reads_a_real_functions_arguments():
    assert "model__n_hidden" in estimators.check_scikeras_wrapper(_scikeras(build_named, model__n_hidden=1), "clf")
    # **kwargs takes any routed name
    estimators.check_scikeras_wrapper(_scikeras(build_kwargs, model__units=32), "clf")
    with pytest.raises(AssertionError, match=re.escape("Certains paramètres `model__…` de `clf` ne sont pas des arguments de votre fonction")):
        estimators.check_scikeras_wrapper(_scikeras(build_named, model__units=32), "clf")


def test_scikeras_wrapper_messages_name_the_variable_and_what_is_expected():
    with pytest.raises(AssertionError, match=re.escape("`clf` doit être une enveloppe scikeras (`KerasClassifier`) (pas de méthode `get_params()`).")):
        estimators.check_scikeras_wrapper(object(), "clf")
    with pytest.raises(AssertionError, match=re.escape("`modele` doit être un estimateur scikit-learn (pas de méthode `get_params()`).")):
        estimators.params_of(object(), "modele")
    # exactly the scikeras keys is still a scikeras wrapper
    bare = SimpleNamespace(get_params=lambda deep=False: {k: None for k in estimators.SCIKERAS_KEYS})
    with pytest.raises(AssertionError, match=re.escape("Le paramètre `model` de `bare`")):
        estimators.check_scikeras_wrapper(bare, "bare")

    class Unclonable:
        def get_params(self, deep=False):
            return {**{k: None for k in estimators.SCIKERAS_KEYS}, "model": build_named, "model__n_hidden": 1}

        def __sklearn_clone__(self):
            raise TypeError("no")

    with pytest.raises(AssertionError, match=re.escape("`clone(clf)` échoue : scikit-learn ne peut pas copier votre estimateur")):
        estimators.check_scikeras_wrapper(Unclonable(), "clf")


@pytest.mark.parametrize("value, key", [("rmsprop", "rmsprop"), ("Nadam", "nadam"), ("Adam", "adam"), ("SGD", "sgd"),
                                        ("<keras.src.optimizers.sgd.SGD object at 0x1>", "sgd"),
                                        ("<class 'keras.src.optimizers.rmsprop.RMSprop'>", "rmsprop"),
                                        ("<keras.src.optimizers.adam.Adam object at 0x2>", "adam"),
                                        ("Adagrad", "adagrad")])
def test_optimizer_key_names_optimizer_objects_and_classes(value, key):
    assert estimators.optimizer_key(value) == key


def _grid(names, folds, param="param_optimizer", n_splits=None):
    folds = np.asarray(folds, dtype=float)
    results = {param: list(names), "params": [{"optimizer": n} for n in names], "mean_test_score": folds.mean(axis=1)}
    for k in range(folds.shape[1]):
        results[f"split{k}_test_score"] = folds[:, k]
    return SimpleNamespace(cv_results_=results, n_splits_=folds.shape[1] if n_splits is None else n_splits)


def test_fold_scores_reads_every_form_the_prompt_allows():
    runs = estimators.fold_scores({"rmsprop": {"test_score": [0.9, 0.8, 0.85]}, "SGD": np.array([[0.5], [0.6], [0.7]])}, None)
    assert [(n, s.dtype, len(s)) for n, s in runs] == [("rmsprop", np.float64, 3), ("sgd", np.float64, 3)]
    runs = estimators.fold_scores(None, _grid(["rmsprop", "sgd"], [[0.9, 0.8, 0.7], [0.5, 0.6, 0.7]], "param_model__optimizer"))
    assert [n for n, _ in runs] == ["rmsprop", "sgd"] and np.allclose(runs[1][1], [0.5, 0.6, 0.7])


def test_fold_scores_rejects_each_malformed_result_with_its_message():
    with pytest.raises(AssertionError, match=re.escape("Chaque valeur de `cv_scores` doit être le tableau des scores obtenus sur les plis.")):
        estimators.fold_scores({"rmsprop": ["haut", "bas"]}, None)
    with pytest.raises(AssertionError, match=re.escape("`cv_scores` doit être un dictionnaire optimiseur -> scores des plis.")):
        estimators.fold_scores([0.9, 0.8], None)
    with pytest.raises(AssertionError, match=re.escape("Définissez `cv_scores` (un dictionnaire optimiseur -> scores des plis) ou `optimizer_cv` (un `GridSearchCV` entraîné).")):
        estimators.fold_scores(None, ...)
    with pytest.raises(AssertionError, match=re.escape("`optimizer_cv` doit être un `GridSearchCV` entraîné (appelez `fit`).")):
        estimators.fold_scores(None, SimpleNamespace())
    # `param_...` alone is not the optimizer's column; another parameter ending in `optimizer` is not either
    with pytest.raises(AssertionError, match=re.escape("La grille de `optimizer_cv` doit faire varier le paramètre `optimizer`.")):
        estimators.fold_scores(None, _grid(["a", "b"], [[0.9, 0.8, 0.7]] * 2, "param_model__n_hidden"))
    with pytest.raises(AssertionError, match=re.escape("La grille de `optimizer_cv` doit faire varier le paramètre `optimizer`.")):
        estimators.fold_scores(None, SimpleNamespace(cv_results_={"optimizer": ["a"], "params": [{}]}))
    broken = _grid(["rmsprop", "sgd"], [[0.9, 0.8, 0.7]] * 2)
    broken.cv_results_["split1_test_score"] = ["?"]
    with pytest.raises(AssertionError, match=re.escape("Les résultats de `optimizer_cv` (`cv_results_`) sont illisibles.")):
        estimators.fold_scores(None, broken)


def test_best_of_keeps_ties_and_skips_runs_without_finite_scores():
    assert estimators.best_of([("a", np.array([0.5, 0.7])), ("b", np.array([0.7, 0.5])), ("c", np.array([0.1, 0.2]))]) == {"a", "b"}
    assert estimators.best_of([("a", np.array([0.5])), ("b", np.array([np.nan, 0.9])), ("c", np.array([]))]) == {"a"}
    with pytest.raises(AssertionError, match="^" + re.escape("Vos résultats de validation croisée ne contiennent aucun score fini.") + "$"):
        estimators.best_of([("a", np.array([np.nan])), ("b", np.array([]))])


def test_folds_count_is_the_fewest_of_declared_and_present():
    three = _grid(["a"], [[0.1, 0.2, 0.3]])
    assert estimators.n_folds(three, three.cv_results_) == 3
    forged = _grid(["a"], [[0.1, 0.2, 0.3]], n_splits=2)  # claims fewer folds than it shows
    assert estimators.n_folds(forged, forged.cv_results_) == 2
    assert estimators.n_folds(SimpleNamespace(), three.cv_results_) == 3  # no n_splits_: the split columns
    assert estimators.n_folds(SimpleNamespace(n_splits_="trois"), three.cv_results_) == 3
    with pytest.raises(AssertionError, match=re.escape("La validation croisée de `grille` doit utiliser au moins 3 plis.")):
        estimators.check_grid_covers(forged, "grille", {}, ("a",), min_folds=3)


def _search_with_folds(cv):
    return SimpleNamespace(get_params=lambda deep=False: {"cv": cv})


def test_explicit_disjoint_folds_pass_as_indices_or_masks():
    idx = np.arange(12)
    estimators.check_disjoint_folds(_search_with_folds([(idx[idx % 3 != k], idx[idx % 3 == k]) for k in range(3)]), "s")
    estimators.check_disjoint_folds(_search_with_folds([(idx % 3 != k, idx % 3 == k) for k in range(3)]), "s")
    estimators.check_disjoint_folds(_search_with_folds(3), "s")
    estimators.check_disjoint_folds(SimpleNamespace(), "s")  # no parameters to read: nothing to judge here


def test_overlapping_or_malformed_folds_are_rejected():
    idx = np.arange(12)
    with pytest.raises(AssertionError, match=re.escape("Dans la validation croisée de `s`, des exemples de validation servent aussi à l'apprentissage du même pli")):
        estimators.check_disjoint_folds(_search_with_folds([(np.ones(12, dtype=bool), idx % 3 == 0)]), "s")
    with pytest.raises(AssertionError, match=re.escape("Dans la validation croisée de `s`")):
        estimators.check_disjoint_folds(_search_with_folds([(idx, idx[:4])]), "s")
    with pytest.raises(AssertionError, match=re.escape("Les plis donnés à `s` (`cv=`) doivent être des couples (indices d'apprentissage, indices de validation).")):
        estimators.check_disjoint_folds(_search_with_folds([idx]), "s")


def test_best_params_accepts_any_tied_winner_and_names_what_is_wrong():
    search = _grid(["rmsprop", "sgd", "adam"], [[0.5, 0.7], [0.7, 0.5], [0.1, 0.2]])
    estimators.check_best_params(search, "grille", {"optimizer": "sgd"}, "best_params")
    estimators.check_best_params(search, "grille", {"optimizer": "rmsprop"}, "best_params")
    with pytest.raises(AssertionError, match=re.escape("`best_params` n'est pas la combinaison qui a le meilleur score moyen dans `grille.cv_results_`.")):
        estimators.check_best_params(search, "grille", {"optimizer": "adam"}, "best_params")
    with pytest.raises(AssertionError, match=re.escape("`best_params` doit être un dictionnaire (la combinaison retenue).")):
        estimators.check_best_params(search, "grille", "sgd", "best_params")
    search.cv_results_["mean_test_score"] = ["?", "?", "?"]
    with pytest.raises(AssertionError, match=re.escape("Les résultats de `grille` (`cv_results_`) sont illisibles.")):
        estimators.check_best_params(search, "grille", {"optimizer": "sgd"}, "best_params")
    with pytest.raises(AssertionError, match=re.escape("`grille` doit être un `GridSearchCV` entraîné (appelez `fit`).")):
        estimators.check_best_params(SimpleNamespace(cv_results_=[1]), "grille", {}, "best_params")


def test_fit_settings_conditions_one_by_one():
    ok = SimpleNamespace(history_={"loss": [1.0] * 20})
    estimators.check_fit_settings(ok, {"epochs": 20, "batch_size": 1}, "clf")
    estimators.check_fit_settings(SimpleNamespace(history_={"loss": [1.0, 0.5]}), {"epochs": 2, "batch_size": 32}, "clf")
    estimators.check_fit_settings(SimpleNamespace(history_={"loss": 0.5}), {"epochs": 20, "batch_size": 32}, "clf")  # unreadable length: not judged
    estimators.check_fit_settings(SimpleNamespace(), {"epochs": 20, "batch_size": 32}, "clf")  # no history: nothing to compare
    estimators.check_fit_settings(SimpleNamespace(history_={"acc": [1.0]}), {"epochs": 20, "batch_size": 32}, "clf")
    with pytest.raises(AssertionError, match=re.escape("Fixez le nombre d'époques demandé (`epochs=...`) dès la construction de `clf`")):
        estimators.check_fit_settings(SimpleNamespace(history_={"loss": [1.0]}), {"epochs": 1, "batch_size": 32}, "clf")
    with pytest.raises(AssertionError, match=re.escape("L'historique d'apprentissage de `clf` ne correspond pas")):
        estimators.check_fit_settings(SimpleNamespace(history_={"loss": [1.0] * 2}), {"epochs": 20, "batch_size": 32}, "clf")
    with pytest.raises(AssertionError, match=re.escape("La taille des batchs de `clf` doit être un entier positif.")):
        estimators.check_fit_settings(ok, {"epochs": 20, "batch_size": 0}, "clf")
    with pytest.raises(AssertionError, match=re.escape("Fixez le nombre d'époques (`epochs=...`) et la taille des batchs (`batch_size=...`) dès la construction de `clf`.")):
        estimators.check_fit_settings(ok, {"epochs": 20, "batch_size": None}, "clf")


def test_dense_layers_skips_input_and_dropout_only():
    import keras

    inputs = keras.Input(shape=(4,))
    hidden = keras.layers.Dropout(0.1)(keras.layers.Dense(3, activation="relu")(inputs))
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(keras.layers.BatchNormalization()(hidden)))
    dense, others = estimators.dense_layers(model, "m")
    assert len(dense) == 2 and others == ["BatchNormalization"]
    with pytest.raises(AssertionError, match=re.escape("Impossible de lire les couches du réseau entraîné de `m`.")):
        estimators.dense_layers(object(), "m")


def test_float_array_converts_or_names_the_variable():
    assert values.float_array([1, 2], "x").dtype == np.float64
    with pytest.raises(AssertionError, match=re.escape("`x` doit être un tableau numpy de nombres.")):
        values.float_array(["a"], "x")
    with pytest.raises(AssertionError, match=re.escape("`x` n'est pas encore défini.")):
        values.float_array(None, "x")


class _Network:
    """A network stand-in that answers 2x + 1 on the first column and records the input dtype and
    the progress setting (Keras' default, "auto", prints a progress bar)."""

    def __init__(self):
        self.dtypes, self.verbose = [], []

    def predict(self, X, verbose="auto"):
        self.dtypes.append(np.asarray(X).dtype)
        self.verbose.append(verbose)
        return (2 * np.asarray(X)[:, :1] + 1).astype("float32")


def _search(best, **params):
    return SimpleNamespace(best_estimator_=best, get_params=lambda deep=False: params)


def test_refit_predictions_through_a_target_scaler_or_directly():
    X = np.array([[0.0, 9.0], [1.0, 9.0], [2.0, 9.0]])
    network = _Network()
    scaler = SimpleNamespace(scale_=np.array([10.0]), mean_=np.array([100.0]))
    ttr = SimpleNamespace(regressor_=SimpleNamespace(model_=network), transformer_=scaler)
    out = estimators.refit_predictions(_search(ttr, refit=True), "s", X)
    assert out.dtype == np.float64 and np.allclose(out, [110, 130, 150]) and network.dtypes == [np.float32]
    assert network.verbose == [0]  # no progress bar in the hidden tests' output
    # a search without a `refit` parameter (default True), or whose parameters cannot be read
    plain = SimpleNamespace(model_=_Network())
    assert np.allclose(estimators.refit_predictions(_search(plain), "s", X), [1, 3, 5])
    unreadable = SimpleNamespace(best_estimator_=plain, get_params=lambda deep=False: 1 / 0)
    assert np.allclose(estimators.refit_predictions(unreadable, "s", X), [1, 3, 5])
    # a TransformedTargetRegressor without a fitted transformer: the network's own outputs
    bare = SimpleNamespace(regressor_=SimpleNamespace(model_=_Network()))
    assert np.allclose(estimators.refit_predictions(_search(bare, refit=True), "s", X), [1, 3, 5])


def test_refit_predictions_rejects_each_missing_piece_with_its_message():
    X = np.zeros((2, 2))
    refit = "`s` doit réapprendre la meilleure combinaison sur toute la partie d'entraînement (`refit=True`)."
    for search in (SimpleNamespace(get_params=lambda deep=False: {"refit": True}),
                   _search(SimpleNamespace(model_=_Network()), refit=False),
                   _search(SimpleNamespace(model_=_Network()), refit=None)):
        with pytest.raises(AssertionError, match=re.escape(refit)):
            estimators.refit_predictions(search, "s", X)
    for inner in (SimpleNamespace(), SimpleNamespace(model_=object())):  # no network, or one that cannot predict
        with pytest.raises(AssertionError, match=re.escape("impossible de retrouver le réseau réappris par `s` : gardez la structure demandée")):
            estimators.refit_predictions(_search(SimpleNamespace(regressor_=inner)), "s", X)

    class Failing:
        def predict(self, X, verbose=0):
            raise ValueError("shape")

    with pytest.raises(AssertionError, match=re.escape("impossible d'obtenir les prédictions du modèle réappris par `s`.")):
        estimators.refit_predictions(_search(SimpleNamespace(model_=Failing())), "s", X)


def test_search_results_and_grid_need_a_fitted_search_with_both_axes():
    with pytest.raises(AssertionError, match=re.escape("`g` doit être un `GridSearchCV` entraîné (appelez `fit`).")):
        estimators.search_results(SimpleNamespace(cv_results_={"mean_test_score": [1]}), "g")
    with pytest.raises(AssertionError, match=re.escape("`g` n'est pas encore défini.")):
        estimators.search_results(None, "g")
    with pytest.raises(AssertionError, match=re.escape("`g` doit être un `GridSearchCV` entraîné (appelez `fit`).")):
        estimators.search_results(SimpleNamespace(), "g")
    # candidates without an optimizer do not count for the architecture axes
    results = {"params": [{"n_hidden": 1}, {"n_hidden": 2}, {"n_hidden": 1, "optimizer": "sgd"}, {"n_hidden": 1, "optimizer": "rmsprop"}],
               **{f"split{k}_test_score": [0.5] * 4 for k in range(3)}}
    with pytest.raises(AssertionError, match=re.escape("`n_hidden`")):
        estimators.check_grid_covers(SimpleNamespace(cv_results_=results, n_splits_=3), "g", {"n_hidden": 2}, ("rmsprop", "sgd"), 3)


def test_cross_validate_dicts_need_their_test_scores():
    with pytest.raises(AssertionError, match=re.escape("Chaque valeur de `cv_scores` doit être le tableau des scores obtenus sur les plis.")):
        estimators.fold_scores({"rmsprop": {"fit_time": [1.0, 2.0]}}, None)


def build_two(n_hidden=1, hidden_units=32):
    return None


def test_every_argument_of_the_build_function_may_be_routed():
    estimators.check_scikeras_wrapper(_scikeras(build_two, model__n_hidden=1, model__hidden_units=32), "clf")


def test_an_undefined_estimator_is_named_in_the_message():
    with pytest.raises(AssertionError, match="^" + re.escape("`modele` n'est pas encore défini.") + "$"):
        estimators.params_of(None, "modele")
    with pytest.raises(AssertionError, match="^" + re.escape("`grille` n'est pas encore défini.") + "$"):
        estimators.check_grid_covers(None, "grille", {"n_hidden": 2}, ("adam",), 3)


def test_output_width_message_names_the_width_found():
    from keras_cv_leak_cases import small_net

    with pytest.raises(AssertionError, match=re.escape("doit avoir `meta[\"n_classes_\"]` neurones (10), pas 3.")):
        estimators.check_classifier_network(small_net(outputs=3), "réseau", "clf.model_", 10, 64, 1, 32, "model__")


def _grid_search(params, folds=3):
    rows = len(params) if isinstance(params, list) else 1
    results = {"params": params, "mean_test_score": [0.5] * rows}
    for k in range(folds):
        results[f"split{k}_test_score"] = [0.5] * rows
    return SimpleNamespace(cv_results_=results, n_splits_=folds)


def test_grid_messages_list_the_axes_and_the_optimizers():
    axes, optimizers = {"n_hidden": 2, "hidden_units": 2}, ("adam", "rmsprop")

    def judge(params):
        estimators.check_grid_covers(_grid_search(params), "grille", axes, optimizers, 3)

    full = [{"model__n_hidden": d, "model__hidden_units": w, "optimizer": o}
            for d in (1, 2) for w in (16, 32) for o in optimizers]
    judge(full)
    with pytest.raises(AssertionError, match="^" + re.escape("Les résultats de `grille` (`cv_results_`) sont illisibles.") + "$"):
        judge(5)
    with pytest.raises(AssertionError, match="^" + re.escape(
            "La grille de `grille` doit faire varier `n_hidden`, `hidden_units` et l'optimiseur (`optimizer`).") + "$"):
        judge([{"model__n_hidden": 1, "model__hidden_units": 16}])
    with pytest.raises(AssertionError, match="^" + re.escape('La grille de `grille` doit essayer les optimiseurs "adam" et "rmsprop".') + "$"):
        judge([p for p in full if p["optimizer"] == "adam"])


def test_a_baseline_that_cannot_be_fitted_names_the_arrays_to_check():
    X = np.array([[0.0, np.nan], [1.0, 2.0], [2.0, 3.0]])
    with pytest.raises(AssertionError, match="^" + re.escape(
            "Impossible d'apprendre une régression linéaire sur (`X_boston_train`, `y_boston_train`) : vérifiez ces tableaux.") + "$"):
        estimators.linear_regression_mae(X, np.array([1.0, 2.0, 3.0]), X, np.array([1.0, 2.0, 3.0]))
