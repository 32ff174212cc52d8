from otter.test_files import test_case

OK_FORMAT = False

name = "fm16_prediction"
points = 1

@test_case(points=None, hidden=False)
def test_fm16_defini(y_pred_proba, y_test):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(y_pred_proba), "`y_pred_proba` n'est pas encore défini."
    assert isinstance(y_pred_proba, np.ndarray), '`y_pred_proba` doit être un tableau numpy (le résultat de `model.predict`).'
    if isinstance(y_test, np.ndarray) and y_test.ndim == 1:
        assert y_pred_proba.ndim > 0 and len(y_pred_proba) == len(y_test), '`y_pred_proba` doit contenir une ligne par image de test.'

@test_case(points=None, hidden=True)
def test_fm16_prediction(y_pred_proba, y_test, TDGRADE_PROFILE):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    profile = 'smoke' if isinstance(TDGRADE_PROFILE, str) and TDGRADE_PROFILE == 'smoke' else 'full'
    threshold = {'full': 0.85, 'smoke': 0.795}[profile]
    n_test = {'full': 10000, 'smoke': 1000}[profile]
    assert not _missing(y_pred_proba), "`y_pred_proba` n'est pas encore défini."
    assert not _missing(y_test), '`y_test` (question fm01) est nécessaire.'
    try:
        p = np.asarray(y_pred_proba, dtype=np.float64)
        y = np.asarray(y_test).astype(np.int64).ravel()
    except Exception:
        raise AssertionError('`y_pred_proba` doit être un tableau numpy de nombres.')
    assert p.shape in ((n_test, 10), (n_test,)), '`y_pred_proba` doit avoir une ligne de 10 probabilités par image de test.'
    pred = p.argmax(axis=1) if p.ndim == 2 else p.astype(np.int64)
    assert y.shape == (n_test,), '`y_test` doit contenir les étiquettes de test chargées à la question fm01.'
    assert np.mean(pred == y) >= threshold, "l'accuracy de ces prédictions sur le test est trop faible pour ce modèle : prédisez avec le modèle entraîné sur les images de test préparées."

