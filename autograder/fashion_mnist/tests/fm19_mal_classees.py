from otter.test_files import test_case

OK_FORMAT = False

name = "fm19_mal_classees"
points = 1

@test_case(points=None, hidden=False)
def test_fm19_defini(shown_misclassified):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(shown_misclassified), "`shown_misclassified` n'est pas encore défini."
    assert len(np.asarray(shown_misclassified).ravel()) >= 4, '`shown_misclassified` doit contenir au moins 4 indices.'

@test_case(points=None, hidden=True)
def test_fm19_mal_classees(shown_misclassified, predictions_df):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis

    def _pred_true(df):
        if _missing(df):
            raise AssertionError("`predictions_df` (question fm17) n'est pas encore défini.")
        try:
            pred = np.asarray(df['predicted']).astype(np.int64).ravel()
            true = np.asarray(df['true']).astype(np.int64).ravel()
        except Exception:
            raise AssertionError("`predictions_df` doit être un DataFrame avec les colonnes entières `predicted` et `true` (corrigez d'abord la question fm17).")
        return (pred, true)

    def _indices(v, name, n):
        if _missing(v):
            raise AssertionError(f"`{name}` n'est pas encore défini.")
        try:
            if hasattr(v, 'columns') or isinstance(v, (str, bytes, dict)):
                raise ValueError
            arr = np.asarray(v)
            if arr.ndim != 1 or arr.dtype.kind == 'b':
                raise ValueError
            idx = arr.astype(np.int64)
            if arr.dtype.kind == 'f' and (not np.allclose(idx, arr)):
                raise ValueError
        except Exception:
            raise AssertionError(f"`{name}` doit être une liste ou un tableau d'indices entiers.")
        assert idx.size == 0 or (idx.min() >= 0 and idx.max() < n), f'`{name}` contient des indices hors du tableau concerné.'
        return idx
    pred, true = _pred_true(predictions_df)
    idx = _indices(shown_misclassified, 'shown_misclassified', len(true))
    assert len(np.unique(idx)) >= 4, '`shown_misclassified` doit contenir au moins 4 images différentes.'
    assert np.all(pred[idx] != true[idx]), 'certaines images de `shown_misclassified` sont en fait bien classées par le modèle.'
    ok = (true >= 0) & (true <= 9)
    errors = np.bincount(true[ok & (pred != true)], minlength=10)[:10]
    third = np.sort(errors)[::-1][2]
    worst = np.flatnonzero(errors >= third)
    assert np.all(np.isin(true[idx], worst)), "les images de `shown_misclassified` doivent appartenir aux trois classes qui ont le plus d'erreurs."

