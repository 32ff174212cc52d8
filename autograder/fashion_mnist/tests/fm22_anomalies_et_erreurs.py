from otter.test_files import test_case

OK_FORMAT = False

name = "fm22_anomalies_et_erreurs"
points = 1

@test_case(points=None, hidden=False)
def test_fm22_defini(iso_network_errors, iso_overlap):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(iso_network_errors), "`iso_network_errors` n'est pas encore défini."
    assert not _missing(iso_overlap), "`iso_overlap` n'est pas encore défini."

@test_case(points=None, hidden=True)
def test_fm22_recoupement(model, x_train_prep, y_train, iso_class, anomaly_indices, iso_network_errors, iso_overlap):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis

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
    for name, v in (('model', model), ('x_train_prep', x_train_prep), ('y_train', y_train), ('iso_class', iso_class)):
        assert not _missing(v), f'`{name}` est nécessaire pour vérifier cette question.'
    try:
        c = int(iso_class)
        X = np.asarray(x_train_prep, dtype='float32')[np.asarray(y_train).astype(np.int64).ravel() == c]
    except Exception:
        raise AssertionError('impossible de retrouver les images de la classe `iso_class` dans `x_train_prep` (questions fm07 et fm21).')
    n = len(X)
    assert 0 <= c <= 9 and n > 0, '`iso_class` doit être une classe entre 0 et 9 présente dans `y_train` (question fm21).'
    try:
        pred = np.asarray(model.predict(X, verbose=0, batch_size=1000)).argmax(axis=1)
    except Exception:
        raise AssertionError("impossible d'obtenir les prédictions de `model` sur les images de la classe `iso_class`.")
    errors = set(np.flatnonzero(pred != c).tolist())
    student = set(_indices(iso_network_errors, 'iso_network_errors', n).tolist())
    assert len(errors ^ student) <= max(2, len(errors) // 100), '`iso_network_errors` doit donner les indices, dans `x_iso`, des images que `model` classe mal.'
    anomalies = set(_indices(anomaly_indices, 'anomaly_indices', n).tolist())
    assert not _missing(iso_overlap), "`iso_overlap` n'est pas encore défini."
    try:
        overlap = float(iso_overlap)
    except Exception:
        raise AssertionError('`iso_overlap` doit être un entier.')
    assert overlap == len(anomalies & student), "`iso_overlap` doit être le nombre d'indices communs à `anomaly_indices` et `iso_network_errors`."

