from otter.test_files import test_case

OK_FORMAT = False

name = "cv02_deux_couches"
points = 2

@test_case(points=0, hidden=False)
def test_cv02_defini(X_train, X_test, y_train, y_test, clf_2layers, holdout_score):
    import numpy as np
    for name, value in [('X_train', X_train), ('X_test', X_test), ('y_train', y_train), ('y_test', y_test)]:
        assert value is not None and value is not ..., f"`{name}` n'est pas encore défini."
        assert hasattr(value, 'shape'), f'`{name}` doit être un tableau numpy.'
    assert np.ndim(X_train) == 2 and np.shape(X_train)[1] == 64, '`X_train` doit avoir la forme (n, 64).'
    assert np.ndim(X_test) == 2 and np.shape(X_test)[1] == 64, '`X_test` doit avoir la forme (n, 64).'
    assert len(X_train) == len(y_train) and len(X_test) == len(y_test), "Chaque tableau d'images doit avoir autant de lignes que d'étiquettes."
    assert clf_2layers is not None and clf_2layers is not ..., "`clf_2layers` n'est pas encore défini."
    assert hasattr(clf_2layers, 'get_params'), '`clf_2layers` doit être un `KerasClassifier`.'
    assert holdout_score is not None and holdout_score is not ..., "`holdout_score` n'est pas encore défini."
    try:
        float(holdout_score)
    except Exception:
        raise AssertionError('`holdout_score` doit être un nombre (le résultat de `score()`).')

