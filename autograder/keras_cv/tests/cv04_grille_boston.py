from otter.test_files import test_case

OK_FORMAT = False

name = "cv04_grille_boston"
points = 3

@test_case(points=0, hidden=False)
def test_cv04_defini(X_boston_train, y_boston_train, X_boston_test, y_boston_test, build_regressor, boston_search, best_params, boston_test_pred, boston_test_mae, linreg_test_mae):
    import numpy as np
    for name, value in [('X_boston_train', X_boston_train), ('y_boston_train', y_boston_train), ('X_boston_test', X_boston_test), ('y_boston_test', y_boston_test)]:
        assert value is not None and value is not ..., f"`{name}` n'est pas encore défini."
        assert hasattr(value, 'shape'), f'`{name}` doit être un tableau numpy.'
    assert np.shape(X_boston_train)[-1] == 13 and np.shape(X_boston_test)[-1] == 13, 'Les données Boston Housing ont 13 variables par quartier.'
    assert (build_regressor is not None and build_regressor is not ...) and callable(build_regressor), '`build_regressor` doit être une fonction.'
    assert boston_search is not None and boston_search is not ..., "`boston_search` n'est pas encore défini."
    assert hasattr(boston_search, 'cv_results_'), '`boston_search` doit être un `GridSearchCV` entraîné (appelez `fit`).'
    assert isinstance(best_params, dict), '`best_params` doit être un dictionnaire.'
    assert (boston_test_pred is not None and boston_test_pred is not ...) and hasattr(boston_test_pred, 'shape'), '`boston_test_pred` doit être un tableau numpy de prédictions.'
    for name, value in [('boston_test_mae', boston_test_mae), ('linreg_test_mae', linreg_test_mae)]:
        assert value is not None and value is not ..., f"`{name}` n'est pas encore défini."
        try:
            float(value)
        except Exception:
            raise AssertionError(f'`{name}` doit être un nombre.')

@test_case(points=3, hidden=True)
def test_cv04_grille_boston(X_boston_train, y_boston_train, X_boston_test, y_boston_test, boston_search, best_params, boston_test_pred, boston_test_mae, linreg_test_mae, TDGRADE_PROFILE):
    import numpy as np
    from tdgrade_checks import estimators, leaks, thresholds, values
    xtr, xte = (values.float_array(X_boston_train, 'X_boston_train'), values.float_array(X_boston_test, 'X_boston_test'))
    ytr, yte = (values.float_array(y_boston_train, 'y_boston_train').ravel(), values.float_array(y_boston_test, 'y_boston_test').ravel())
    assert xtr.shape == (404, 13) and xte.shape == (102, 13) and (len(ytr) == 404) and (len(yte) == 102), "Les tableaux n'ont pas les formes du découpage de `dataset_utils.load_boston_housing()` (404 quartiers d'apprentissage, 102 de test) : utilisez ce découpage tel quel."
    assert abs(ytr.sum() - 9047.6) < 0.001 and abs(yte.sum() - 2354.0) < 0.001, 'Les prix (`y_boston_train`, `y_boston_test`) ne sont pas ceux du découpage fourni, ou ont été transformés : gardez-les tels que `dataset_utils` les renvoie.'
    assert np.all(np.abs(xtr.mean(axis=0)) < 0.05) and np.all(np.abs(xtr.std(axis=0) - 1) < 0.05), "Les variables d'apprentissage ne sont pas standardisées : utilisez `dataset_utils.load_boston_housing()` avec son réglage par défaut (`standardize=True`)."
    assert not (np.all(np.abs(xte.mean(axis=0)) < 1e-09) and np.all(np.abs(xte.std(axis=0) - 1) < 1e-09)), "La partie de test semble standardisée avec ses propres statistiques : elle doit l'être avec la moyenne et l'écart-type de la partie d'entraînement."
    estimators.check_grid_covers(boston_search, 'boston_search', {'n_hidden': 2, 'hidden_units': 2}, ('rmsprop', 'sgd'), min_folds=3)
    estimators.check_disjoint_folds(boston_search, 'boston_search')
    leaks.check_fitted_on_rows(boston_search, 'boston_search', len(xtr), 'X_boston_train')
    estimators.check_best_params(boston_search, 'boston_search', best_params, 'best_params')
    pred = values.float_array(boston_test_pred, 'boston_test_pred').ravel()
    assert pred.shape == yte.shape, '`boston_test_pred` doit contenir une prédiction par quartier de `X_boston_test`.'
    refit = estimators.refit_predictions(boston_search, 'boston_search', xte)
    assert np.allclose(pred, refit, rtol=0.001, atol=0.01), '`boston_test_pred` doit être la prédiction du modèle réappris par `boston_search` (`boston_search.predict(X_boston_test)`).'
    mae = float(np.mean(np.abs(pred - yte)))
    assert abs(mae - values.as_float(boston_test_mae, 'boston_test_mae')) <= 0.01 * mae + 1e-06, "`boston_test_mae` n'est pas l'erreur absolue moyenne de `boston_test_pred` sur la partie de test."
    baseline = estimators.linear_regression_mae(xtr, ytr, xte, yte)
    assert abs(values.as_float(linreg_test_mae, 'linreg_test_mae') - baseline) <= 0.01 * baseline + 1e-06, "`linreg_test_mae` n'est pas l'erreur absolue moyenne sur la partie de test d'une `LinearRegression` apprise sur (`X_boston_train`, `y_boston_train`)."
    assert mae / baseline < thresholds.threshold('keras_cv', 'cv04_mae_ratio_max', TDGRADE_PROFILE), "Le réseau retenu par la validation croisée ne fait pas mieux que la régression linéaire sur la partie de test : vérifiez la préparation des données, la grille et le nombre d'époques."

