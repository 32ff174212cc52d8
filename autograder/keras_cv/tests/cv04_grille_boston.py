from otter.test_files import test_case

OK_FORMAT = False

name = "cv04_grille_boston"
points = 3

@test_case(points=None, hidden=False)
def test_cv04_defini(X_boston_train, y_boston_train, X_boston_test, y_boston_test, build_regressor, boston_search, best_params, boston_test_pred, boston_test_mae, linreg_test_mae):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    for name, value in [('X_boston_train', X_boston_train), ('y_boston_train', y_boston_train), ('X_boston_test', X_boston_test), ('y_boston_test', y_boston_test)]:
        assert not _missing(value), f"`{name}` n'est pas encore défini."
        assert hasattr(value, 'shape'), f'`{name}` doit être un tableau numpy.'
    assert np.shape(X_boston_train)[-1] == 13 and np.shape(X_boston_test)[-1] == 13, 'Les données Boston Housing ont 13 variables par quartier.'
    assert not _missing(build_regressor) and callable(build_regressor), '`build_regressor` doit être une fonction.'
    assert not _missing(boston_search), "`boston_search` n'est pas encore défini."
    assert hasattr(boston_search, 'cv_results_'), '`boston_search` doit être un `GridSearchCV` entraîné (appelez `fit`).'
    assert isinstance(best_params, dict), '`best_params` doit être un dictionnaire.'
    assert not _missing(boston_test_pred) and hasattr(boston_test_pred, 'shape'), '`boston_test_pred` doit être un tableau numpy de prédictions.'
    for name, value in [('boston_test_mae', boston_test_mae), ('linreg_test_mae', linreg_test_mae)]:
        assert not _missing(value), f"`{name}` n'est pas encore défini."
        try:
            float(value)
        except Exception:
            raise AssertionError(f'`{name}` doit être un nombre.')

@test_case(points=None, hidden=True)
def test_cv04_donnees(X_boston_train, y_boston_train, X_boston_test, y_boston_test):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    for name, value in [('X_boston_train', X_boston_train), ('y_boston_train', y_boston_train), ('X_boston_test', X_boston_test), ('y_boston_test', y_boston_test)]:
        assert not _missing(value), f"`{name}` n'est pas encore défini."
    try:
        xtr = np.asarray(X_boston_train, dtype=float)
        xte = np.asarray(X_boston_test, dtype=float)
        ytr = np.asarray(y_boston_train, dtype=float).ravel()
        yte = np.asarray(y_boston_test, dtype=float).ravel()
    except Exception:
        raise AssertionError('Les données Boston Housing doivent être des tableaux numpy de nombres.')
    assert xtr.shape == (404, 13) and xte.shape == (102, 13), "Les tableaux n'ont pas les formes du découpage de `dataset_utils.load_boston_housing()` (404 quartiers d'apprentissage, 102 de test) : utilisez ce découpage tel quel."
    assert len(ytr) == 404 and len(yte) == 102, 'Les prix doivent correspondre aux quartiers de `X_boston_train` et `X_boston_test`.'
    assert abs(ytr.sum() - 9047.6) < 0.001 and abs(yte.sum() - 2354.0) < 0.001, 'Les prix (`y_boston_train`, `y_boston_test`) ne sont pas ceux du découpage fourni, ou ont été transformés : gardez-les tels que `dataset_utils` les renvoie.'
    assert np.all(np.isfinite(xtr)) and np.all(np.isfinite(xte)), 'Les variables contiennent des valeurs non finies.'
    mean, std = (xtr.mean(axis=0), xtr.std(axis=0))
    assert np.all(np.abs(mean) < 0.05) and np.all(np.abs(std - 1) < 0.05), "Les variables d'apprentissage ne sont pas standardisées : utilisez `dataset_utils.load_boston_housing()` avec son réglage par défaut (`standardize=True`)."
    assert not (np.all(np.abs(xte.mean(axis=0)) < 1e-09) and np.all(np.abs(xte.std(axis=0) - 1) < 1e-09)), "La partie de test semble standardisée avec ses propres statistiques : elle doit l'être avec la moyenne et l'écart-type de la partie d'apprentissage."

@test_case(points=None, hidden=True)
def test_cv04_grille(boston_search):
    import re

    def _missing(v):
        return v is None or v is Ellipsis

    def _opt(value):
        text = str(value).lower()
        return 'rmsprop' if 'rmsprop' in text else 'sgd' if 'sgd' in text else text
    assert not _missing(boston_search), "`boston_search` n'est pas encore défini."
    results = getattr(boston_search, 'cv_results_', None)
    assert isinstance(results, dict), '`boston_search` doit être un `GridSearchCV` entraîné (appelez `fit`).'
    split_keys = [k for k in results if re.fullmatch('split\\d+_test_score', str(k))]
    try:
        n_splits = int(getattr(boston_search, 'n_splits_', len(split_keys)))
    except Exception:
        n_splits = len(split_keys)
    assert min(n_splits, len(split_keys)) >= 3, 'La validation croisée de `boston_search` doit utiliser au moins 3 plis.'
    try:
        candidates = [{str(k): v for k, v in dict(p).items()} for p in list(results['params'])]
    except Exception:
        raise AssertionError('Les résultats de `boston_search` (`cv_results_`) sont illisibles.')

    def _find(params, names):
        for key, value in params.items():
            if key.split('__')[-1] in names:
                return value
        return None
    combos = set()
    for params in candidates:
        depth = _find(params, ('n_hidden',))
        width = _find(params, ('hidden_units',))
        sizes = _find(params, ('hidden_layer_sizes', 'layer_sizes', 'layers'))
        if (depth is None or width is None) and isinstance(sizes, (list, tuple)):
            depth, width = (len(sizes), sizes[0] if len(sizes) else None)
        optimizer = _find(params, ('optimizer',))
        if depth is None or width is None or optimizer is None:
            continue
        combos.add((str(depth), str(width), _opt(optimizer)))
    assert combos, "La grille de `boston_search` doit faire varier le nombre de couches cachées (`n_hidden`), le nombre de neurones par couche (`hidden_units`) et l'optimiseur (`optimizer`)."
    assert len({d for d, _, _ in combos}) >= 2, 'La grille doit essayer au moins deux nombres de couches cachées (`n_hidden`).'
    assert len({w for _, w, _ in combos}) >= 2, 'La grille doit essayer au moins deux nombres de neurones par couche (`hidden_units`).'
    assert {'rmsprop', 'sgd'} <= {o for _, _, o in combos}, 'La grille doit essayer les deux optimiseurs, "rmsprop" et "sgd".'
    both = {(d, w) for d, w, o in combos if (d, w, 'rmsprop') in combos and (d, w, 'sgd') in combos}
    assert len({d for d, _ in both}) >= 2 and len({w for _, w in both}) >= 2, 'La grille doit croiser les profondeurs, les largeurs et les deux optimiseurs (toutes les combinaisons).'

@test_case(points=None, hidden=True)
def test_cv04_choix(boston_search, best_params):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(boston_search), "`boston_search` n'est pas encore défini."
    assert isinstance(best_params, dict), '`best_params` doit être un dictionnaire (la combinaison retenue).'
    results = getattr(boston_search, 'cv_results_', None)
    assert isinstance(results, dict) and 'mean_test_score' in results and ('params' in results), '`boston_search` doit être un `GridSearchCV` entraîné avec un seul score (appelez `fit`).'
    try:
        means = np.asarray(list(results['mean_test_score']), dtype=float)
        candidates = [{str(k): str(v) for k, v in dict(p).items()} for p in list(results['params'])]
    except Exception:
        raise AssertionError('Les résultats de `boston_search` (`cv_results_`) sont illisibles.')
    finite = np.isfinite(means)
    assert finite.any(), "Aucune combinaison de `boston_search` n'a un score de validation croisée fini."
    best = means[finite].max()
    winners = [candidates[i] for i in range(len(candidates)) if finite[i] and means[i] >= best - 1e-09]
    chosen = {str(k): str(v) for k, v in best_params.items()}
    assert chosen in winners, "`best_params` n'est pas la combinaison qui a le meilleur score moyen dans `boston_search.cv_results_`."

@test_case(points=None, hidden=True)
def test_cv04_contre_regression_lineaire(boston_search, X_boston_train, y_boston_train, X_boston_test, y_boston_test, boston_test_pred, boston_test_mae, linreg_test_mae):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    for name, value in [('boston_search', boston_search), ('X_boston_train', X_boston_train), ('y_boston_train', y_boston_train), ('X_boston_test', X_boston_test), ('y_boston_test', y_boston_test), ('boston_test_pred', boston_test_pred), ('boston_test_mae', boston_test_mae), ('linreg_test_mae', linreg_test_mae)]:
        assert not _missing(value), f"`{name}` n'est pas encore défini."
    try:
        refit = dict(boston_search.get_params()).get('refit', True)
    except Exception:
        refit = True
    assert refit is not False and refit is not None, "`boston_search` doit réapprendre la meilleure combinaison sur toute la partie d'apprentissage (`refit=True`)."
    try:
        xtr = np.asarray(X_boston_train, dtype=float)
        ytr = np.asarray(y_boston_train, dtype=float).ravel()
        xte = np.asarray(X_boston_test, dtype=float)
        yte = np.asarray(y_boston_test, dtype=float).ravel()
        pred = np.asarray(boston_test_pred, dtype=float).ravel()
        mae_student, mae_linreg = (float(boston_test_mae), float(linreg_test_mae))
    except Exception:
        raise AssertionError('`boston_test_pred` doit être un tableau de nombres et `boston_test_mae`, `linreg_test_mae` des nombres.')
    assert pred.shape == yte.shape, '`boston_test_pred` doit contenir une prédiction par quartier de `X_boston_test`.'
    assert np.all(np.isfinite(pred)), "`boston_test_pred` contient des valeurs non finies : l'apprentissage a divergé."
    mae = float(np.mean(np.abs(pred - yte)))
    assert abs(mae - mae_student) <= 0.01 * mae + 1e-06, "`boston_test_mae` n'est pas l'erreur absolue moyenne de `boston_test_pred` sur la partie de test."
    try:
        import sklearn.linear_model
        baseline = sklearn.linear_model.LinearRegression().fit(xtr, ytr)
        mae_baseline = float(np.mean(np.abs(baseline.predict(xte) - yte)))
    except Exception:
        raise AssertionError("Impossible d'apprendre une régression linéaire sur (`X_boston_train`, `y_boston_train`) : vérifiez ces tableaux.")
    assert abs(mae_linreg - mae_baseline) <= 0.01 * mae_baseline + 1e-06, "`linreg_test_mae` n'est pas l'erreur absolue moyenne sur la partie de test d'une `LinearRegression` apprise sur (`X_boston_train`, `y_boston_train`)."
    assert mae < mae_baseline, "Le réseau retenu par la validation croisée ne fait pas mieux que la régression linéaire sur la partie de test : vérifiez la préparation des données, la grille et le nombre d'époques."

