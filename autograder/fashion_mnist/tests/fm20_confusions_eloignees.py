from otter.test_files import test_case

OK_FORMAT = False

name = "fm20_confusions_eloignees"
points = 1

@test_case(points=None, hidden=False)
def test_fm20_defini(far_pair, shown_far_confusions):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(far_pair), "`far_pair` n'est pas encore défini."
    assert isinstance(far_pair, (tuple, list)) and len(far_pair) == 2, '`far_pair` doit être un couple (vraie classe, classe prédite).'
    assert not _missing(shown_far_confusions), "`shown_far_confusions` n'est pas encore défini."
    assert len(np.asarray(shown_far_confusions).ravel()) >= 1, '`shown_far_confusions` doit contenir au moins un indice.'

@test_case(points=None, hidden=True)
def test_fm20_confusions(far_pair, shown_far_confusions, predictions_df):
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
    assert not _missing(far_pair), "`far_pair` n'est pas encore défini."
    try:
        pair = [int(c) for c in far_pair]
    except Exception:
        raise AssertionError('`far_pair` doit être un couple de deux entiers (vraie classe, classe prédite).')
    assert len(pair) == 2 and all((0 <= c <= 9 for c in pair)), '`far_pair` doit être un couple de deux classes entre 0 et 9.'
    family = [0, 1, 0, 0, 0, 2, 0, 2, 3, 2]
    assert family[pair[0]] != family[pair[1]], 'les deux classes de `far_pair` sont de la même famille : choisissez des formes très différentes.'
    idx = _indices(shown_far_confusions, 'shown_far_confusions', len(true))
    assert idx.size >= 1, '`shown_far_confusions` doit contenir au moins un indice.'
    assert np.all((true[idx] == pair[0]) & (pred[idx] == pair[1])), 'les images de `shown_far_confusions` doivent être de vraie classe `far_pair[0]` et prédites `far_pair[1]`.'

