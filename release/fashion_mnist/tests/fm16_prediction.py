from otter.test_files import test_case

OK_FORMAT = False

name = "fm16_prediction"
points = 1

@test_case(points=0, hidden=False)
def test_fm16_defini(y_pred_proba, y_test):
    import numpy as np
    assert y_pred_proba is not None and y_pred_proba is not ..., "`y_pred_proba` n'est pas encore défini."
    assert isinstance(y_pred_proba, np.ndarray), '`y_pred_proba` doit être un tableau numpy (le résultat de `model.predict`).'
    if isinstance(y_test, np.ndarray) and y_test.ndim == 1:
        assert y_pred_proba.ndim > 0 and len(y_pred_proba) == len(y_test), '`y_pred_proba` doit contenir une ligne par image de test.'

