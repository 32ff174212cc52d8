from otter.test_files import test_case

OK_FORMAT = False

name = "fm18_erreurs_par_classe"
points = 1

@test_case(points=None, hidden=False)
def test_fm18_defini(errors_per_class, worst_class):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(errors_per_class), "`errors_per_class` n'est pas encore défini."
    assert not _missing(worst_class), "`worst_class` n'est pas encore défini."
    assert len(np.asarray(errors_per_class).ravel()) == 10, '`errors_per_class` doit contenir 10 valeurs, une par classe.'

@test_case(points=None, hidden=True)
def test_fm18_erreurs(errors_per_class, worst_class, predictions_df):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis

    def _ints(v, name, what):
        if _missing(v):
            raise AssertionError(f"`{name}` n'est pas encore défini.")
        try:
            if isinstance(v, dict):
                out = np.zeros(10, dtype=np.int64)
                for k, c in v.items():
                    out[int(k)] = int(c)
                return out
            if hasattr(v, 'index') and hasattr(v, 'to_numpy') and (getattr(v, 'ndim', 1) == 1) and (not isinstance(v, np.ndarray)):
                keys = [int(k) for k in list(v.index)]
                vals = [int(c) for c in v.to_numpy().tolist()]
                if sorted(keys) == list(range(len(keys))) and len(keys) <= 10:
                    out = np.zeros(10, dtype=np.int64)
                    for k, c in zip(keys, vals):
                        out[k] = c
                    return out
            arr = np.asarray(v)
            if arr.dtype.kind == 'f' and (not np.all(np.isfinite(arr))):
                raise ValueError
            out = arr.astype(np.int64).ravel()
            if arr.dtype.kind == 'f' and (not np.allclose(out, arr.ravel())):
                raise ValueError
            return out
        except Exception:
            raise AssertionError(f'`{name}` doit être {what}.')

    def _pred_true(df):
        if _missing(df):
            raise AssertionError("`predictions_df` (question fm17) n'est pas encore défini.")
        try:
            pred = np.asarray(df['predicted']).astype(np.int64).ravel()
            true = np.asarray(df['true']).astype(np.int64).ravel()
        except Exception:
            raise AssertionError("`predictions_df` doit être un DataFrame avec les colonnes entières `predicted` et `true` (corrigez d'abord la question fm17).")
        return (pred, true)
    pred, true = _pred_true(predictions_df)
    counts = _ints(errors_per_class, 'errors_per_class', 'un tableau de 10 entiers')
    assert counts.shape == (10,), '`errors_per_class` doit contenir exactement 10 valeurs, une par classe.'
    ok = (true >= 0) & (true <= 9)
    expected = np.bincount(true[ok & (pred != true)], minlength=10)[:10]
    assert np.all(counts == expected), "`errors_per_class` ne correspond pas au nombre d'images mal classées de chaque vraie classe dans `predictions_df`."
    w = _ints(worst_class, 'worst_class', 'un entier entre 0 et 9')
    assert w.shape == (1,), '`worst_class` doit être un seul entier.'
    assert 0 <= int(w[0]) <= 9 and expected[int(w[0])] == expected.max(), "`worst_class` n'est pas la classe qui a le plus d'erreurs."

