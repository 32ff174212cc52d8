from otter.test_files import test_case

OK_FORMAT = False

name = "fm21_isolation_forest"
points = 1

@test_case(points=None, hidden=False)
def test_fm21_defini(iso_class, x_iso, iso_forest, anomaly_indices):

    def _missing(v):
        return v is None or v is Ellipsis
    for name, v in (('iso_class', iso_class), ('x_iso', x_iso), ('iso_forest', iso_forest), ('anomaly_indices', anomaly_indices)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
    assert hasattr(iso_forest, 'get_params'), '`iso_forest` doit être un `IsolationForest` de scikit-learn.'

@test_case(points=None, hidden=True)
def test_fm21_isolation_forest(iso_class, x_iso, iso_forest, anomaly_indices, x_train, y_train, TDGRADE_PROFILE):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    profile = 'smoke' if isinstance(TDGRADE_PROFILE, str) and TDGRADE_PROFILE == 'smoke' else 'full'

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
    per_class = {'full': 6000, 'smoke': 600}[profile]
    for name, v in (('iso_class', iso_class), ('x_iso', x_iso), ('iso_forest', iso_forest), ('anomaly_indices', anomaly_indices)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
    try:
        c = int(iso_class)
    except Exception:
        raise AssertionError('`iso_class` doit être un entier entre 0 et 9.')
    assert 0 <= c <= 9, '`iso_class` doit être une classe entre 0 et 9.'
    try:
        X = np.asarray(x_iso, dtype=np.float64)
        n = X.shape[0]
        X = X.reshape(n, -1)
    except Exception:
        raise AssertionError("`x_iso` doit être un tableau numpy d'images.")
    assert X.shape[1] == 784, '`x_iso` doit contenir une image de 28 × 28 pixels par ligne.'
    assert n == per_class, "`x_iso` doit contenir toutes les images d'entraînement de la classe `iso_class`, et elles seules."
    try:
        ref = np.asarray(x_train, dtype=np.float64)[np.asarray(y_train).astype(np.int64).ravel() == c].reshape(n, -1)
    except Exception:
        raise AssertionError("`x_iso` doit contenir les images de `x_train` dont l'étiquette `y_train` vaut `iso_class`.")
    rows = np.unique(np.linspace(0, n - 1, min(n, 60)).astype(int))
    a = ref[rows] - ref[rows].mean(axis=1, keepdims=True)
    b = X[rows] - X[rows].mean(axis=1, keepdims=True)
    a /= np.linalg.norm(a, axis=1, keepdims=True) + 1e-12
    b /= np.linalg.norm(b, axis=1, keepdims=True) + 1e-12
    same = np.mean((a @ b.T).argmax(axis=1) == np.arange(len(rows)))
    assert same >= 0.9, "`x_iso` doit contenir les images d'entraînement de la classe `iso_class`, dans l'ordre de `x_train`."
    try:
        params = dict(iso_forest.get_params())
    except Exception:
        raise AssertionError('`iso_forest` doit être un `IsolationForest` de scikit-learn.')
    assert 'contamination' in params, '`iso_forest` doit être un `IsolationForest` de scikit-learn.'
    n_features = getattr(iso_forest, 'n_features_in_', None)
    assert n_features is not None, "`iso_forest` n'est pas entraîné : appelez `iso_forest.fit(x_iso)`."
    try:
        n_features = int(n_features)
    except Exception:
        raise AssertionError("`iso_forest` n'est pas entraîné : appelez `iso_forest.fit(x_iso)`.")
    assert n_features == 784, '`iso_forest` doit être entraîné sur `x_iso` (784 valeurs par image).'
    cont = params.get('contamination')
    if not isinstance(cont, str):
        try:
            cont = float(cont)
        except Exception:
            raise AssertionError('le paramètre `contamination` de `iso_forest` doit être un nombre.')
        assert cont * n < 10, 'avec ce paramètre `contamination`, la forêt attend 10 anomalies ou plus dans `x_iso` : diminuez-le.'
    idx = _indices(anomaly_indices, 'anomaly_indices', n)
    k = len(np.unique(idx))
    assert 1 <= k <= 9 and k == idx.size, '`anomaly_indices` doit contenir entre 1 et 9 indices distincts (moins de 10 anomalies).'

