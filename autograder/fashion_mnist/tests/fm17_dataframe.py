from otter.test_files import test_case

OK_FORMAT = False

name = "fm17_dataframe"
points = 1

@test_case(points=None, hidden=False)
def test_fm17_defini(predictions_df):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(predictions_df), "`predictions_df` n'est pas encore défini."
    assert hasattr(predictions_df, 'columns'), '`predictions_df` doit être un `pandas.DataFrame`.'
    cols = [str(c) for c in predictions_df.columns]
    assert 'predicted' in cols and 'true' in cols, '`predictions_df` doit avoir les colonnes `predicted` et `true`.'

@test_case(points=None, hidden=True)
def test_fm17_dataframe(predictions_df, y_pred_proba, y_test, TDGRADE_PROFILE):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    profile = 'smoke' if isinstance(TDGRADE_PROFILE, str) and TDGRADE_PROFILE == 'smoke' else 'full'
    n_test = {'full': 10000, 'smoke': 1000}[profile]
    assert not _missing(predictions_df), "`predictions_df` n'est pas encore défini."
    try:
        cols = [str(c) for c in predictions_df.columns]
    except Exception:
        raise AssertionError('`predictions_df` doit être un `pandas.DataFrame`.')
    assert 'predicted' in cols and 'true' in cols, '`predictions_df` doit avoir les colonnes `predicted` et `true`.'
    try:
        raw_pred = np.asarray(predictions_df['predicted'])
        raw_true = np.asarray(predictions_df['true'])
    except Exception:
        raise AssertionError('impossible de lire les colonnes `predicted` et `true` de `predictions_df`.')
    assert raw_pred.ndim == 1 and raw_pred.shape[0] == n_test, '`predictions_df` doit avoir une ligne par image de test, et une seule colonne `predicted`.'
    assert raw_pred.dtype.kind in 'iu', 'la colonne `predicted` doit contenir des entiers (le numéro de la classe prédite), pas des probabilités : passez par `argmax`.'
    assert raw_true.dtype.kind in 'iu', 'la colonne `true` doit contenir des entiers.'
    assert raw_pred.min() >= 0 and raw_pred.max() <= 9, 'la colonne `predicted` doit contenir des classes entre 0 et 9.'
    try:
        y = np.asarray(y_test).astype(np.int64).ravel()
    except Exception:
        raise AssertionError('`y_test` (question fm01) est nécessaire.')
    assert y.shape == raw_true.shape and np.all(raw_true.astype(np.int64) == y), "la colonne `true` doit contenir les vraies classes du test, dans l'ordre de `y_test`."
    assert not _missing(y_pred_proba), '`y_pred_proba` (question fm16) est nécessaire.'
    try:
        p = np.asarray(y_pred_proba, dtype=np.float64)
    except Exception:
        raise AssertionError('`y_pred_proba` (question fm16) doit être un tableau numpy de nombres.')
    assert p.shape in ((n_test, 10), (n_test,)), "`y_pred_proba` (question fm16) doit avoir une ligne de 10 probabilités par image de test : corrigez d'abord la question fm16."
    best = p.argmax(axis=1) if p.ndim == 2 else p.astype(np.int64)
    assert np.mean(raw_pred.astype(np.int64) == best) >= 0.999, 'la colonne `predicted` doit être la classe de plus grande probabilité dans `y_pred_proba`.'

