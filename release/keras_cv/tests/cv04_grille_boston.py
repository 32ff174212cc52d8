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

