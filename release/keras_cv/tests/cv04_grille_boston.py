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

