"""scikit-learn and scikeras estimators (or their exported snapshots): wrappers, fitted Keras
models, cross-validation results, grid searches."""
import inspect
import re

import numpy as np

from .values import missing, require

SCIKERAS_KEYS = {"model", "optimizer", "loss", "epochs", "batch_size", "verbose", "callbacks", "warm_start"}


def params_of(estimator, name: str, what: str = "un estimateur scikit-learn") -> dict:
    require(estimator, name)
    try:
        return {str(k): v for k, v in dict(estimator.get_params()).items()}
    except Exception:
        raise AssertionError(f"`{name}` doit être {what} (pas de méthode `get_params()`).")


def check_scikeras_wrapper(estimator, name: str) -> dict:
    """A scikeras wrapper around a build function (not a built model), clonable, whose `model__…`
    parameters are arguments of the function. Returns its parameters."""
    params = params_of(estimator, name, "une enveloppe scikeras (`KerasClassifier`)")
    assert SCIKERAS_KEYS <= set(params), f"`{name}` n'est pas une enveloppe scikeras (`KerasClassifier` ou `KerasRegressor`) : ses paramètres ne sont pas ceux attendus."
    build = params.get("model")
    assert build is not None and callable(build) and not hasattr(build, "layers"), f"Le paramètre `model` de `{name}` doit être votre fonction de construction elle-même (`model=build_mlp`, sans parenthèses), pas un modèle déjà construit."
    try:
        import sklearn.base

        copy_keys = {str(k) for k in dict(sklearn.base.clone(estimator).get_params())}
    except Exception:
        raise AssertionError(f"`clone({name})` échoue : scikit-learn ne peut pas copier votre estimateur (vérifiez les arguments passés à l'enveloppe).")
    assert set(params) <= copy_keys, f"`clone({name})` ne conserve pas tous les paramètres de `{name}`."
    routed = {k[len("model__"):] for k in params if k.startswith("model__")}
    assert routed, f"`{name}.get_params()` n'expose aucun paramètre de votre fonction de construction : passez-les à l'enveloppe avec le préfixe `model__` (par exemple `model__hidden_units=32`)."
    names = getattr(build, "tdgrade_params", None)
    if names is None:
        try:
            signature = inspect.signature(build).parameters.values()
            names = None if any(p.kind == p.VAR_KEYWORD for p in signature) else [p.name for p in signature]
        except Exception:
            names = None
    if names is not None and "kwargs" not in names:
        assert routed <= {str(n) for n in names}, f"Certains paramètres `model__…` de `{name}` ne sont pas des arguments de votre fonction de construction : le nom après `model__` doit être celui d'un argument de la fonction."
    return params


def fitted_keras_model(estimator, name: str):
    """The Keras model a fitted scikeras wrapper trained (`model_`)."""
    model = getattr(estimator, "model_", None)
    assert model is not None and hasattr(model, "layers") and hasattr(model, "predict"), f"`{name}` n'a pas été entraîné : appelez sa méthode `fit` sur la partie d'entraînement."
    return model


def built_networks(build, build_name: str, wrappers: dict) -> list:
    """[(wrapper name, its parameters, the network it built)] for each fitted wrapper of `wrappers`
    whose `model` is the function `build` (the networks `build` really returned)."""
    wanted = getattr(build, "__name__", build_name)
    found = []
    for name, wrapper in wrappers.items():
        if missing(wrapper) or getattr(wrapper, "model_", None) is None:
            continue
        try:
            params = {str(k): v for k, v in dict(wrapper.get_params()).items()}
        except Exception:
            continue
        if getattr(params.get("model"), "__name__", None) == wanted and hasattr(wrapper.model_, "layers"):
            found.append((name, params, wrapper.model_))
    return found


def check_built_classifier(build, build_name: str, wrappers: dict, classes: int, features: int,
                           sample=None, sample_name: str = "", sample_params: tuple = ()) -> int:
    """Each network `build` returned for a fitted wrapper of `wrappers`, and `sample` (the network a
    provided notebook cell asked `build` for, with `model__n_hidden, model__hidden_units` =
    `sample_params`), is Input(features) -> n_hidden Dense(hidden_units, relu) -> Dense(classes,
    softmax). The sample judges `build` even when no wrapper around it was fitted; when it is
    missing (the cell deleted, or `build` failed there), a network built in a fitted wrapper is
    required. Returns how many networks were checked."""
    networks = [(f"réseau que construit `{build_name}` (dans `{name}`)", f"{name}.model_", network, params.get("model__n_hidden"),
                 params.get("model__hidden_units"), "model__") for name, params, network in built_networks(build, build_name, wrappers)]
    if not missing(sample) and hasattr(sample, "layers"):
        depth, width = sample_params
        networks.append((f"réseau `{sample_name}` (construit par `{build_name}` avec `n_hidden={depth}`, `hidden_units={width}`)",
                         sample_name, sample, depth, width, ""))
    assert networks or not sample_name, f"`{sample_name}` doit être le réseau Keras que renvoie `{build_name}` : exécutez sans la modifier la cellule qui le construit, juste après la question."
    for net, label, network, depth, width, prefix in networks:
        check_classifier_network(network, net, label, classes, features, depth, width, prefix)
    return len(networks)


def check_classifier_network(network, net: str, label: str, classes: int, features: int, depth, width,
                             prefix: str) -> None:
    """`network` is Input(features) -> `depth` Dense(`width`, relu) -> Dense(classes, softmax);
    `net` names it in messages, `label` is the expression that holds it, `prefix` the one of the
    depth and width arguments as the student passed them."""
    from .models import input_shape, layer_stack

    stack = layer_stack(network, label)
    shape = input_shape(network)
    assert shape is not None and shape[1:] == (features,), f"L'entrée du {net} doit avoir `meta[\"n_features_in_\"]` variables ({features})."
    assert stack and all(s[0] == "Dense" for s in stack), f"Le {net} ne doit contenir que des couches `Dense` (trouvé : {', '.join(s[0] for s in stack) or 'aucune couche'})."
    *hidden, output = stack
    assert output[1] == classes, f"La couche de sortie du {net} doit avoir `meta[\"n_classes_\"]` neurones ({classes}), pas {output[1]}."
    assert output[2] == "softmax", f"La couche de sortie du {net} doit avoir l'activation `softmax` (des probabilités sur les {classes} classes), pas `{output[2]}`."
    assert all(s[2] == "relu" for s in hidden), f"Les couches cachées du {net} doivent utiliser l'activation `relu`."
    try:
        depth, width = int(depth), int(width)
    except Exception:
        return
    assert len(hidden) == depth and all(s[1] == width for s in hidden), f"Le {net} ne suit pas ses paramètres : `{prefix}n_hidden={depth}` et `{prefix}hidden_units={width}` demandent {depth} couche(s) cachée(s) de {width} neurones, le réseau en a {len(hidden)} ({', '.join(str(s[1]) for s in hidden) or 'aucune'})."


def dense_layers(model, name: str) -> tuple[list, list[str]]:
    """(Dense layers, names of other layers except Input and Dropout)."""
    try:
        kinds = [type(layer).__name__ for layer in model.layers]
        dense = [layer for layer in model.layers if type(layer).__name__ == "Dense"]
    except Exception:
        raise AssertionError(f"Impossible de lire les couches du réseau entraîné de `{name}`.")
    return dense, [k for k in kinds if k not in ("Dense", "InputLayer", "Dropout")]


def optimizer_key(value) -> str:
    text = str(value).lower()
    for known in ("rmsprop", "nadam", "adam", "sgd"):
        if known in text:
            return known
    return text


def fold_scores(cv_scores, search, names=("cv_scores", "optimizer_cv"), param: str = "optimizer") -> list:
    """[(optimizer, fold scores)] from a dict optimizer -> scores, or from a fitted GridSearchCV
    whose grid varies `param`."""
    dict_name, search_name = names
    runs = []
    if not missing(search):
        results = getattr(search, "cv_results_", None)
        assert isinstance(results, dict), f"`{search_name}` doit être un `GridSearchCV` entraîné (appelez `fit`)."
        keys = [k for k in results if str(k).startswith("param_") and str(k).endswith(param)]
        assert keys, f"La grille de `{search_name}` doit faire varier le paramètre `{param}`."
        split_keys = sorted(k for k in results if re.fullmatch(r"split\d+_test_score", str(k)))
        try:
            for i, value in enumerate(list(results[keys[0]])):
                runs.append((optimizer_key(value), np.asarray([float(results[k][i]) for k in split_keys])))
        except Exception:
            raise AssertionError(f"Les résultats de `{search_name}` (`cv_results_`) sont illisibles.")
        return runs
    if not missing(cv_scores):
        assert isinstance(cv_scores, dict), f"`{dict_name}` doit être un dictionnaire optimiseur -> scores des plis."
        for key, scores in cv_scores.items():
            if isinstance(scores, dict) and "test_score" in scores:
                scores = scores["test_score"]
            try:
                runs.append((optimizer_key(key), np.asarray(scores, dtype=float).ravel()))
            except Exception:
                raise AssertionError(f"Chaque valeur de `{dict_name}` doit être le tableau des scores obtenus sur les plis.")
        return runs
    raise AssertionError(f"Définissez `{dict_name}` (un dictionnaire optimiseur -> scores des plis) ou `{search_name}` (un `GridSearchCV` entraîné).")


def best_of(runs: list) -> set:
    """The names whose mean score is the best (ties kept)."""
    means = [(n, float(np.mean(s))) for n, s in runs if s.size and np.all(np.isfinite(s))]
    assert means, "Vos résultats de validation croisée ne contiennent aucun score fini."
    best = max(m for _, m in means)
    return {n for n, m in means if m >= best - 1e-9}


def search_results(search, name: str) -> dict:
    require(search, name)
    results = getattr(search, "cv_results_", None)
    assert isinstance(results, dict) and "params" in results, f"`{name}` doit être un `GridSearchCV` entraîné (appelez `fit`)."
    return results


def n_folds(search, results: dict) -> int:
    split_keys = [k for k in results if re.fullmatch(r"split\d+_test_score", str(k))]
    try:
        declared = int(getattr(search, "n_splits_", len(split_keys)))
    except Exception:
        declared = len(split_keys)
    return min(declared, len(split_keys))


def check_disjoint_folds(search, name: str) -> None:
    """When the folds were given explicitly (`cv=[(train, validation), ...]`), no validation row
    is also a training row of its fold."""
    try:
        cv = dict(search.get_params()).get("cv")
    except Exception:
        return
    if not isinstance(cv, (list, tuple)):
        return  # an int or a splitter object: scikit-learn makes disjoint folds
    for fold in cv:
        try:
            train, validation = (np.asarray(part).ravel() for part in fold)
        except Exception:
            raise AssertionError(f"Les plis donnés à `{name}` (`cv=`) doivent être des couples (indices d'apprentissage, indices de validation).")
        if train.dtype.kind == "b":
            train, validation = np.flatnonzero(train), np.flatnonzero(validation)
        assert np.intersect1d(train, validation).size == 0, f"Dans la validation croisée de `{name}`, des exemples de validation servent aussi à l'apprentissage du même pli : les plis doivent séparer les deux."


def refit_predictions(search, name: str, X) -> np.ndarray:
    """What the refit best estimator of a grid search predicts for X: its Keras network, through
    a `TransformedTargetRegressor` (inverse of a fitted StandardScaler) or directly."""
    try:
        refit = dict(search.get_params()).get("refit", True)
    except Exception:
        refit = True
    best = getattr(search, "best_estimator_", None)
    assert best is not None and refit is not False and refit is not None, f"`{name}` doit réapprendre la meilleure combinaison sur toute la partie d'entraînement (`refit=True`)."
    inner, scaler = best, None
    if getattr(best, "regressor_", None) is not None:
        inner, scaler = best.regressor_, getattr(best, "transformer_", None)
    model = getattr(inner, "model_", None)
    assert model is not None and hasattr(model, "predict"), f"impossible de retrouver le réseau réappris par `{name}` : gardez la structure demandée (`TransformedTargetRegressor` autour d'un `KerasRegressor`)."
    try:
        out = np.asarray(model.predict(np.asarray(X, dtype="float32"), verbose=0), dtype=float).reshape(len(X), -1)[:, 0]
        if scaler is not None:
            out = out * float(np.asarray(scaler.scale_).ravel()[0]) + float(np.asarray(scaler.mean_).ravel()[0])
    except Exception:
        raise AssertionError(f"impossible d'obtenir les prédictions du modèle réappris par `{name}`.")
    return out


def check_fit_settings(estimator, params: dict, name: str) -> None:
    """`epochs` and `batch_size` fixed when the wrapper was built, and used by `fit`."""
    try:
        epochs, batch_size = int(params.get("epochs")), int(params.get("batch_size"))
    except Exception:
        raise AssertionError(f"Fixez le nombre d'époques (`epochs=...`) et la taille des batchs (`batch_size=...`) dès la construction de `{name}`.")
    assert epochs > 1, f"Fixez le nombre d'époques demandé (`epochs=...`) dès la construction de `{name}` : la valeur par défaut n'entraîne qu'une seule époque."
    assert batch_size > 0, f"La taille des batchs de `{name}` doit être un entier positif."
    history = getattr(estimator, "history_", None)
    if isinstance(history, dict) and "loss" in history:
        try:
            fitted = len(history["loss"])
        except Exception:
            fitted = None
        assert fitted is None or fitted == epochs, f"L'historique d'apprentissage de `{name}` ne correspond pas au nombre d'époques fixé à la construction : ne passez pas `epochs` à `fit`."


def check_grid_covers(search, name: str, axes: dict, optimizers: tuple, min_folds: int) -> None:
    """The grid of a fitted search crosses ≥ axes[k] values of each architecture parameter k (by
    the last part of its name, e.g. `regressor__model__n_hidden`) with every optimizer, over ≥
    `min_folds` folds."""
    results = search_results(search, name)
    assert n_folds(search, results) >= min_folds, f"La validation croisée de `{name}` doit utiliser au moins {min_folds} plis."
    try:
        candidates = [{str(k).split("__")[-1]: v for k, v in dict(p).items()} for p in list(results["params"])]
    except Exception:
        raise AssertionError(f"Les résultats de `{name}` (`cv_results_`) sont illisibles.")
    keys = list(axes)
    combos = {tuple(str(p[k]) for k in keys) + (optimizer_key(p["optimizer"]),)
              for p in candidates if all(k in p for k in keys) and "optimizer" in p}
    listed = ", ".join(f"`{k}`" for k in keys)
    assert combos, f"La grille de `{name}` doit faire varier {listed} et l'optimiseur (`optimizer`)."
    for i, key in enumerate(keys):
        assert len({c[i] for c in combos}) >= axes[key], f"La grille de `{name}` doit essayer au moins {axes[key]} valeurs de `{key}`."
    names = " et ".join(f'"{o}"' for o in optimizers)
    assert set(optimizers) <= {c[-1] for c in combos}, f"La grille de `{name}` doit essayer les optimiseurs {names}."
    crossed = {c[:-1] for c in combos if all(c[:-1] + (o,) in combos for o in optimizers)}
    assert all(len({c[i] for c in crossed}) >= axes[k] for i, k in enumerate(keys)), f"La grille de `{name}` doit croiser les valeurs de {listed} avec tous les optimiseurs (toutes les combinaisons)."


def check_best_params(search, name: str, best_params, params_name: str) -> None:
    """`best_params` is a combination with the best mean validation score of the search."""
    results = search_results(search, name)
    assert isinstance(best_params, dict), f"`{params_name}` doit être un dictionnaire (la combinaison retenue)."
    try:
        means = np.asarray(list(results["mean_test_score"]), dtype=float)
        candidates = [{str(k): str(v) for k, v in dict(p).items()} for p in list(results["params"])]
    except Exception:
        raise AssertionError(f"Les résultats de `{name}` (`cv_results_`) sont illisibles.")
    finite = np.isfinite(means)
    assert finite.any(), f"Aucune combinaison de `{name}` n'a un score de validation croisée fini."
    best = means[finite].max()
    winners = [candidates[i] for i in range(len(candidates)) if finite[i] and means[i] >= best - 1e-9]
    chosen = {str(k): str(v) for k, v in best_params.items()}
    assert chosen in winners, f"`{params_name}` n'est pas la combinaison qui a le meilleur score moyen dans `{name}.cv_results_`."


def linear_regression_mae(X_train, y_train, X_test, y_test) -> float:
    """Test mean absolute error of a LinearRegression fitted on the training part."""
    try:
        from sklearn.linear_model import LinearRegression

        baseline = LinearRegression().fit(X_train, y_train)
        return float(np.mean(np.abs(baseline.predict(X_test) - y_test)))
    except Exception:
        raise AssertionError("Impossible d'apprendre une régression linéaire sur (`X_boston_train`, `y_boston_train`) : vérifiez ces tableaux.")
