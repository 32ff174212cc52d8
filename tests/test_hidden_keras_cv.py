"""Known-wrong corpus of the keras_cv hidden tests.

Starts from the solution's exported values (smoke profile, shared cached execution) and breaks one
thing at a time, the way students do: each case must fail exactly the questions listed, and the
solution itself must pass everything. Wrong values are built from the exported stand-ins, so this
file costs seconds beyond the shared execution.
"""
import importlib.util
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from tdgrade.artifacts import EstimatorSnapshot
from tdgrade_checks import estimators as estimators_lib, leaks
from keras_cv_leak_cases import small_net, snapshot_like, wrong_cases as leak_cases
from golden_messages import GoldenMessages
from tdgrade.hidden import failing

LAB = "keras_cv"
PROFILE = "smoke"
ROOT = Path(__file__).resolve().parents[1]
CV01, CV02, CV03, CV04 = ("cv01_enveloppe_sklearn", "cv02_deux_couches", "cv03_choix_optimiseur",
                          "cv04_grille_boston")
ALL = {CV01, CV02, CV03, CV04}
CRASH = "Le test n'a pas pu s'exécuter"  # tdgrade.hidden's message for an exception other than a failed assert


@pytest.fixture(scope="module")
def solution(solution_values):
    return solution_values(LAB)


@pytest.fixture(scope="module")
def suite(hidden_suite):
    return hidden_suite(LAB)



def without(d, *keys):
    return {k: v for k, v in d.items() if k not in keys}


def dataset_utils():
    spec = importlib.util.spec_from_file_location("dataset_utils_corpus", ROOT / "source" / LAB / "dataset_utils.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def accuracy(model, X, y):
    return float(np.mean(np.asarray(model.predict(np.asarray(X, dtype="float32"), verbose=0)).argmax(axis=1) == y))


def mlp(n_hidden, units=64):
    import keras

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(64,))])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(units, activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    return model


def param(params, name):
    """A grid parameter by its last name (`regressor__model__n_hidden` -> `n_hidden`)."""
    return next(v for k, v in params.items() if k.split("__")[-1] == name)


def filtered_search(search, keep, n_splits=None, drop_splits=()):
    """The exported GridSearchCV with only the candidates `keep(params)` and some splits removed."""
    results = search.cv_results_
    index = [i for i, p in enumerate(results["params"]) if keep(p)]
    new = {}
    for key, value in results.items():
        if key in drop_splits:
            continue
        new[key] = [value[i] for i in index] if isinstance(value, list) else np.asarray(value)[index]
    split_keys = [k for k in new if k.startswith("split") and k.endswith("_test_score")]
    new["mean_test_score"] = np.mean([new[k] for k in split_keys], axis=0)
    best = int(np.argmax(new["mean_test_score"]))
    return snapshot_like(search, cv_results_=new, best_index_=best, best_params_=new["params"][best],
                         n_splits_=n_splits if n_splits is not None else search.n_splits_)


def wrong_cases(s):
    """name -> (changes to the solution's values, questions that must fail)."""
    from sklearn.neural_network import MLPClassifier

    clf, clf2, search = s["clf"], s["clf_2layers"], s["boston_search"]
    cases = {}

    # cv01: not a scikeras estimator / no routed build parameters / not clonable
    cases["cv01_keras_model_not_wrapped"] = ({"clf": clf2.model_}, {CV01})
    cases["cv01_sklearn_mlp_not_scikeras"] = ({"clf": MLPClassifier(hidden_layer_sizes=(32,))}, {CV01})
    cases["cv01_no_model_params"] = (
        {"clf": EstimatorSnapshot(without(clf.get_params(), "model__n_hidden", "model__hidden_units"), {}, None)},
        {CV01})
    cases["cv01_built_model_instead_of_function"] = (
        {"clf": snapshot_like(clf, params={"model": mlp(1, 32)})}, {CV01})
    cases["cv01_clone_fails"] = ({"clf": snapshot_like(clf, clone_error="TypeError: bad param")}, {CV01})
    cases["cv01_routed_name_not_in_function"] = (
        {"clf": snapshot_like(clf, params={"model__units": 32})}, {CV01})

    # cv02: architecture, construction parameters, held-out score, threshold
    cases["cv02_three_hidden_layers"] = (
        {"clf_2layers": snapshot_like(clf2, params={"model__n_hidden": 3}, model_=mlp(3))}, {CV02})
    cases["cv02_epochs_not_set_at_construction"] = (
        {"clf_2layers": snapshot_like(clf2, params={"epochs": 1})}, {CV02})
    # A score not measured on the test part: the training score, or, when a run happens to score
    # alike on both parts, one beyond the test's tolerance (0.01) by construction.
    train_score, test_score = accuracy(clf2.model_, s["X_train"], s["y_train"]), float(s["holdout_score"])
    if abs(train_score - test_score) <= 0.02:
        train_score = test_score + 0.03 if test_score <= 0.97 else test_score - 0.03
    cases["cv02_score_on_training_data"] = ({"holdout_score": train_score}, {CV02})
    n_test = len(s["X_test"])
    cases["cv02_test_part_is_train_part"] = (
        {"X_test": s["X_train"][:n_test], "y_test": s["y_train"][:n_test],
         "holdout_score": accuracy(clf2.model_, s["X_train"][:n_test], s["y_train"][:n_test])}, {CV02})
    cases["cv02_unscaled_pixels"] = ({"X_train": s["X_train"] * 16, "X_test": s["X_test"] * 16}, {CV02})
    below, _ = near_the_bar(s)
    cases["cv02_just_below_the_calibrated_bar"] = (below, {CV02})
    untrained = mlp(2)
    cases["cv02_below_threshold"] = (
        {"clf_2layers": snapshot_like(clf2, model_=untrained),
         "holdout_score": accuracy(untrained, s["X_test"], s["y_test"])}, {CV02})

    # cv03: folds, both optimizers, choice consistent with the student's own results
    # Fold scores built so that sgd is worse by construction, whatever the training gave: ten
    # fewer right answers per fold (fold accuracies stay counts over the fold sizes of X_train).
    scores = {"rmsprop": np.asarray(s["cv_scores"]["rmsprop"], dtype=float)}
    sizes = [min(leaks.fold_sizes(len(s["X_train"]), 3), key=lambda m: abs(a * m - round(a * m))) for a in scores["rmsprop"]]
    scores["sgd"] = np.array([(round(a * m) - 10) / m for a, m in zip(scores["rmsprop"], sizes)])
    worst = "sgd"
    cases["cv03_choice_not_best"] = ({"cv_scores": scores, "best_optimizer": worst}, {CV03})
    cases["cv03_two_folds"] = ({"cv_scores": {k: np.asarray(v)[:2] for k, v in scores.items()}}, {CV03})
    cases["cv03_one_optimizer"] = ({"cv_scores": {"rmsprop": scores["rmsprop"]}, "best_optimizer": "rmsprop"}, {CV03})
    cases["cv03_missing_results"] = ({"cv_scores": None}, {CV03})
    grid = optimizer_grid(scores)
    cases["cv03_gridsearch_choice_not_best"] = ({"cv_scores": None, "optimizer_cv": grid, "best_optimizer": worst}, {CV03})
    cases["cv03_gridsearch_two_folds"] = (
        {"cv_scores": None, "optimizer_cv": optimizer_grid({k: np.asarray(v)[:2] for k, v in scores.items()})}, {CV03})

    # cv04: data, grid, choice, refit model vs LinearRegression
    du = dataset_utils()
    (raw_train, _), (raw_test, _) = du.load_boston_housing(standardize=False)
    cases["cv04_unscaled_data"] = ({"X_boston_train": raw_train, "X_boston_test": raw_test}, {CV04})
    own = (raw_test - raw_test.mean(axis=0)) / raw_test.std(axis=0)
    cases["cv04_test_standardised_with_its_own_stats"] = ({"X_boston_test": own}, {CV04})
    cases["cv04_wrong_split"] = (
        {"X_boston_train": s["X_boston_train"][:300], "y_boston_train": s["y_boston_train"][:300]}, {CV04})
    cases["cv04_one_depth_only"] = (
        {"boston_search": filtered_search(search, lambda p: param(p, "n_hidden") == 1)}, {CV04})
    cases["cv04_one_width_only"] = (
        {"boston_search": filtered_search(search, lambda p: param(p, "hidden_units") == 64)}, {CV04})
    cases["cv04_rmsprop_only"] = (
        {"boston_search": filtered_search(search, lambda p: param(p, "optimizer") == "rmsprop")}, {CV04})
    cases["cv04_two_folds"] = (
        {"boston_search": filtered_search(search, lambda p: True, n_splits=2, drop_splits=("split2_test_score",))},
        {CV04})
    means = np.asarray(search.cv_results_["mean_test_score"], dtype=float)
    cases["cv04_choice_not_best"] = (
        {"best_params": dict(search.cv_results_["params"][int(np.nanargmin(means))])}, {CV04})
    y_test = np.asarray(s["y_boston_test"], dtype=float)
    constant = np.full_like(y_test, float(np.mean(s["y_boston_train"])))
    # the refit network itself predicts the training mean (last layer zeroed): its own, consistent
    # predictions, worse than the linear regression; only the MAE-ratio bar can reject it
    flat = zeroed_refit(search)
    flat_pred = estimators_lib.refit_predictions(flat, "boston_search", s["X_boston_test"])
    cases["cv04_worse_than_linear_regression"] = (
        {"boston_search": flat, "boston_test_pred": flat_pred,
         "boston_test_mae": float(np.mean(np.abs(flat_pred - y_test)))}, {CV04})
    cases["cv04_constant_predictions_not_from_the_refit_model"] = (
        {"boston_test_pred": constant, "boston_test_mae": float(np.mean(np.abs(constant - y_test)))}, {CV04})
    cases["cv04_mae_not_from_predictions"] = ({"boston_test_mae": float(s["boston_test_mae"]) * 0.5}, {CV04})
    cases["cv04_linreg_mae_on_train"] = ({"linreg_test_mae": float(s["linreg_test_mae"]) * 0.7}, {CV04})
    n_train = len(s["y_boston_train"])
    same_rows = [(np.arange(n_train), np.arange(n_train))] * 3
    cases["cv04_validation_rows_are_training_rows"] = ({"boston_search": snapshot_like(search, params={"cv": same_rows})}, {CV04})
    shifted = np.asarray(s["boston_test_pred"], dtype=float) + 0.5  # not what the refit model predicts
    cases["cv04_predictions_not_from_the_refit_model"] = (
        {"boston_test_pred": shifted, "boston_test_mae": float(np.mean(np.abs(shifted - y_test)))}, {CV04})
    cases["cv04_no_refit"] = ({"boston_search": snapshot_like(search, params={"refit": False})}, {CV04})
    cases["cv04_no_refit_default_params"] = (
        {"boston_search": snapshot_like(search, best_estimator_=None)}, {CV04})
    n_b = len(s["y_boston_train"])
    everything, third = np.ones(n_b, dtype=bool), np.arange(n_b) % 3
    cases["cv04_fold_masks_validate_on_training_rows"] = (
        {"boston_search": snapshot_like(search, params={"cv": [(everything, third == k) for k in range(3)]})}, {CV04})
    cases["cv04_folds_not_pairs"] = (
        {"boston_search": snapshot_like(search, params={"cv": [np.flatnonzero(third == k) for k in range(3)]})}, {CV04})
    # cv02's fit settings: each condition of check_fit_settings alone
    history = dict(clf2.history_)
    epochs = int(clf2.get_params()["epochs"])
    cases["cv02_one_epoch_at_construction"] = (
        {"clf_2layers": snapshot_like(clf2, params={"epochs": 1}, history_={k: list(v)[:1] for k, v in history.items()})},
        {CV02})
    cases["cv02_epochs_passed_to_fit"] = (
        {"clf_2layers": snapshot_like(clf2, history_={k: list(v)[:epochs - 1] for k, v in history.items()})}, {CV02})
    cases["cv02_batch_size_not_set"] = ({"clf_2layers": snapshot_like(clf2, params={"batch_size": None})}, {CV02})
    cases["cv02_batch_size_zero"] = ({"clf_2layers": snapshot_like(clf2, params={"batch_size": 0})}, {CV02})
    cases["cv01_no_hidden_layer"] = ({"clf": snapshot_like(clf, model_=small_net(hidden=()))}, {CV01})
    # a Dropout layer: cv02 counts Dense layers only (it passes), cv01 says build_mlp must not add one
    cases["cv01_dropout_in_clf_2layers_network"] = (
        {"clf_2layers": snapshot_like(clf2, model_=with_dropout(clf2.model_))}, {CV01})
    cases.update({name: (changes, expected) for name, (changes, expected, _) in leak_cases(s, optimizer_grid).items()})
    return cases


def zeroed_refit(search):
    """The search with its refit network's last layer zeroed: it predicts the training mean."""
    import copy

    import keras

    best = copy.copy(search.best_estimator_)
    inner = copy.copy(getattr(best, "regressor_", best))
    network = keras.models.clone_model(inner.model_)
    weights = inner.model_.get_weights()
    weights[-2], weights[-1] = np.zeros_like(weights[-2]), np.zeros_like(weights[-1])
    network.set_weights(weights)
    inner.model_ = network
    if inner is not best:
        best.regressor_ = inner
    return snapshot_like(search, best_estimator_=best)


def with_dropout(network):
    """`network` with a Dropout layer after each hidden layer, same weights (same predictions)."""
    import keras

    layers = [layer for layer in network.layers if type(layer).__name__ != "InputLayer"]
    stack = [keras.Input(shape=(network.input_shape[-1],))]
    for layer in layers[:-1]:
        stack += [type(layer).from_config(layer.get_config()), keras.layers.Dropout(0.2)]
    new = keras.Sequential(stack + [type(layers[-1]).from_config(layers[-1].get_config())])
    new.set_weights(network.get_weights())
    return new


# The start of the message of the check that must reject each case (keras_cv_leak_cases carries its
# own): a case that fails its question through another check, or a crash, does not test its check.
MESSAGES = {
    "cv01_keras_model_not_wrapped": "`clf` doit être une enveloppe scikeras",
    "cv01_sklearn_mlp_not_scikeras": "`clf` n'est pas une enveloppe scikeras",
    "cv01_no_model_params": "`clf.get_params()` n'expose aucun paramètre de votre fonction de construction",
    "cv01_built_model_instead_of_function": "Le paramètre `model` de `clf` doit être votre fonction de construction",
    "cv01_clone_fails": "`clone(clf)` échoue",
    "cv01_routed_name_not_in_function": "Certains paramètres `model__…` de `clf` ne sont pas des arguments",
    "cv01_no_hidden_layer": "Le réseau que construit `build_mlp` (dans `clf`) ne suit pas ses paramètres",
    "cv01_dropout_in_clf_2layers_network": "Le réseau que construit `build_mlp` (dans `clf_2layers`) ne doit contenir que des couches `Dense`",
    "cv02_three_hidden_layers": "Le réseau de `clf_2layers` doit avoir exactement deux couches cachées",
    "cv02_epochs_not_set_at_construction": "Fixez le nombre d'époques demandé (`epochs=...`) dès la construction de `clf_2layers`",
    "cv02_one_epoch_at_construction": "Fixez le nombre d'époques demandé (`epochs=...`) dès la construction de `clf_2layers`",
    "cv02_epochs_passed_to_fit": "L'historique d'apprentissage de `clf_2layers` ne correspond pas",
    "cv02_batch_size_not_set": "Fixez le nombre d'époques (`epochs=...`) et la taille des batchs (`batch_size=...`) dès la construction de `clf_2layers`",
    "cv02_batch_size_zero": "La taille des batchs de `clf_2layers` doit être un entier positif",
    "cv02_score_on_training_data": "`holdout_score` ne correspond pas au score de `clf_2layers`",
    "cv02_test_part_is_train_part": "Des images de test se trouvent aussi dans la partie d'entraînement",
    "cv02_unscaled_pixels": "Les pixels doivent être mis à l'échelle",
    "cv02_just_below_the_calibrated_bar": "L'accuracy de `clf_2layers` sur la partie de test est trop faible",
    "cv02_below_threshold": "L'accuracy de `clf_2layers` sur la partie de test est trop faible",
    "cv03_choice_not_best": "`best_optimizer` n'est pas l'optimiseur qui a le meilleur score moyen",
    "cv03_two_folds": "Utilisez au moins 3 plis de validation croisée",
    "cv03_one_optimizer": "La validation croisée doit comparer les deux optimiseurs",
    "cv03_missing_results": "Définissez `cv_scores`",
    "cv03_gridsearch_choice_not_best": "`best_optimizer` n'est pas l'optimiseur qui a le meilleur score moyen",
    "cv03_gridsearch_two_folds": "Utilisez au moins 3 plis de validation croisée",
    "cv04_unscaled_data": "Les variables d'apprentissage ne sont pas standardisées",
    "cv04_test_standardised_with_its_own_stats": "La partie de test semble standardisée avec ses propres statistiques",
    "cv04_wrong_split": "Les tableaux n'ont pas les formes du découpage",
    "cv04_one_depth_only": "La grille de `boston_search` doit essayer au moins 2 valeurs de `n_hidden`",
    "cv04_one_width_only": "La grille de `boston_search` doit essayer au moins 2 valeurs de `hidden_units`",
    "cv04_rmsprop_only": "La grille de `boston_search` doit essayer les optimiseurs",
    "cv04_two_folds": "La validation croisée de `boston_search` doit utiliser au moins 3 plis",
    "cv04_choice_not_best": "`best_params` n'est pas la combinaison qui a le meilleur score moyen dans `boston_search.cv_results_`",
    "cv04_worse_than_linear_regression": "Le réseau retenu par la validation croisée ne fait pas mieux que la régression linéaire",
    "cv04_constant_predictions_not_from_the_refit_model": "`boston_test_pred` doit être la prédiction du modèle réappris",
    "cv04_mae_not_from_predictions": "`boston_test_mae` n'est pas l'erreur absolue moyenne",
    "cv04_linreg_mae_on_train": "`linreg_test_mae` n'est pas l'erreur absolue moyenne",
    "cv04_validation_rows_are_training_rows": "Dans la validation croisée de `boston_search`, des exemples de validation servent aussi",
    "cv04_fold_masks_validate_on_training_rows": "Dans la validation croisée de `boston_search`, des exemples de validation servent aussi",
    "cv04_folds_not_pairs": "Les plis donnés à `boston_search` (`cv=`) doivent être des couples",
    "cv04_predictions_not_from_the_refit_model": "`boston_test_pred` doit être la prédiction du modèle réappris",
    "cv04_no_refit": "`boston_search` doit réapprendre la meilleure combinaison",
    "cv04_no_refit_default_params": "`boston_search` doit réapprendre la meilleure combinaison",
}


def near_the_bar(s):
    """(values just below, values just above) cv02's calibrated bar: the solution's network, with
    test labels it gets right relabelled until exactly the wanted count is right (a half-trained
    model, by construction). The bar is the calibration record's, not thresholds.py's: a bar moved
    in the library lets the case below pass."""
    import json
    import math

    bar = json.loads((ROOT / "tests" / "calibration" / "keras_cv.json").read_text())["thresholds"]["cv02_accuracy"][PROFILE]
    y = np.asarray(s["y_test"])
    right = np.flatnonzero(np.asarray(s["clf_2layers"].model_.predict(np.asarray(s["X_test"], dtype="float32"), verbose=0)).argmax(axis=1) == y)
    needed = math.ceil(bar * len(y) - 1e-9)  # fewest right answers that reach the bar
    assert len(right) >= needed, "the solution's network is below its own bar"

    def with_right(count):
        labels = y.copy()
        wrong = right[count:]
        labels[wrong] = (labels[wrong] + 1) % 10
        return {"y_test": labels, "holdout_score": count / len(y)}

    return with_right(needed - 1), with_right(needed)


def test_just_above_the_calibrated_bar_passes(suite, solution):
    _, above = near_the_bar(solution)
    assert failing(suite.run(dict(solution, **above), PROFILE)) == set()


def optimizer_grid(scores):
    """A GridSearchCV stand-in over `optimizer` holding the same fold scores as `scores`."""
    names = list(scores)
    folds = np.array([np.asarray(scores[n], dtype=float) for n in names])
    results = {"param_optimizer": names, "params": [{"optimizer": n} for n in names],
               "mean_test_score": folds.mean(axis=1)}
    for k in range(folds.shape[1]):
        results[f"split{k}_test_score"] = folds[:, k]
    best = int(np.argmax(results["mean_test_score"]))
    return SimpleNamespace(cv_results_=results, best_index_=best, best_params_=results["params"][best],
                           n_splits_=folds.shape[1], get_params=lambda deep=False: {"refit": True})


@pytest.fixture(scope="module")
def cases(solution):
    return wrong_cases(solution)


def test_solution_passes_every_hidden_test(suite, solution):
    results = suite.run(solution, PROFILE)
    assert {r.name for r in results} == ALL
    assert failing(results) == set(), [(r.name, [c.message for c in r.cases if not c.passed]) for r in results]


def test_gridsearch_form_of_cv03_is_accepted(suite, solution):
    values = dict(solution, cv_scores=None, optimizer_cv=optimizer_grid(solution["cv_scores"]))
    assert failing(suite.run(values, PROFILE)) == set()


def test_blank_values_fail_every_question(suite):
    assert failing(suite.run({}, PROFILE)) == ALL
    assert failing(suite.run({name: ... for name in suite.names}, PROFILE)) == ALL


@pytest.fixture(scope="module")
def case_results(suite, solution, cases):
    return {name: (suite.run(dict(solution, **changes), PROFILE), expected)
            for name, (changes, expected) in cases.items()}


def test_every_wrong_case_fails_exactly_its_questions(case_results):
    problems = []
    for name, (results, expected) in case_results.items():
        got = failing(results)
        if got != expected:
            problems.append(f"{name}: failed {sorted(got)}, expected {sorted(expected)}")
        for result in results:
            for case in result.cases:
                if not case.passed:
                    assert case.message and "def " not in case.message and "assert " not in case.message
    assert not problems, "\n".join(problems)


def test_every_wrong_case_scores_zero_on_its_questions_in_every_path(solution, cases, three_paths):
    """otter's scoring of the zip's test files, the nbgrader export and tdgrade give each question
    the same score; the questions a wrong case fails score 0, the others full marks."""
    paths = three_paths(LAB)
    for name, (changes, expected) in cases.items():
        scores = paths.score(dict(solution, **changes), PROFILE)
        assert scores.disagreements() == {}, (name, scores.disagreements())
        for question, score in scores.tdgrade.items():
            assert score == (0 if question in expected else scores.maximum[question]), (name, question, score)


def test_every_wrong_case_is_rejected_by_its_own_check(case_results, solution):
    """Each case fails its question with the message of the check written for it (MESSAGES here,
    the third item of each keras_cv_leak_cases case), never by a crash or by accident through
    another check, e.g. a lower accuracy. Reads the suite's results of `case_results`."""
    own = dict(MESSAGES, **{name: message for name, (_, _, message) in leak_cases(solution, optimizer_grid).items()})
    assert set(own) == set(case_results), f"cases without their message: {sorted(set(case_results) - set(own))}"
    problems = []
    for name, message in own.items():
        results, expected = case_results[name]
        messages = [" ".join(c.message.split()) for r in results if r.name in expected for c in r.cases if not c.passed]
        if not any(m.startswith(message) for m in messages) or any(m.startswith(CRASH) for m in messages):
            problems.append(f"{name}: {messages}")
    assert not problems, "\n".join(problems)


def test_every_wrong_case_fails_with_its_reviewed_messages(case_results):
    """The full messages, numbers masked, as reviewed (tests/wrong_case_messages/keras_cv.json):
    a checker that still rejects a case but says something else, or names another variable, is caught."""
    golden = GoldenMessages("keras_cv.json")
    for name in sorted(case_results):
        golden.expect_as(name, case_results[name][0])


def test_every_hidden_test_has_a_wrong_case(suite, solution, case_results):
    """Each hidden test function is the one that fails for at least one wrong case."""
    hidden = {c.name for r in suite.run(solution, PROFILE) for c in r.cases if c.hidden}
    caught = {c.name for results, _ in case_results.values() for r in results for c in r.cases
              if c.hidden and not c.passed}
    assert hidden - caught == set()
