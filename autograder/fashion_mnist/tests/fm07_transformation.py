from otter.test_files import test_case

OK_FORMAT = False

name = "fm07_transformation"
points = 1

@test_case(points=None, hidden=False)
def test_fm07_defini(x_train_prep, x_test_prep, y_train_prep, y_test_prep, x_train, x_test):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    for name, v, raw in (('x_train_prep', x_train_prep, x_train), ('x_test_prep', x_test_prep, x_test), ('y_train_prep', y_train_prep, x_train), ('y_test_prep', y_test_prep, x_test)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        assert isinstance(v, np.ndarray), f'`{name}` doit être un tableau numpy.'
        if isinstance(raw, np.ndarray) and raw.ndim > 0:
            assert v.ndim > 0 and len(v) == len(raw), f'`{name}` doit garder une ligne par image.'

@test_case(points=None, hidden=True)
def test_fm07_transformation(x_train, y_train, x_test, y_test, x_train_prep, x_test_prep, y_train_prep, y_test_prep):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    parts = (('train', x_train, y_train, x_train_prep, y_train_prep), ('test', x_test, y_test, x_test_prep, y_test_prep))
    for part, x, y, xp, yp in parts:
        assert not _missing(x) and (not _missing(y)), f'`x_{part}` et `y_{part}` (question fm01) sont nécessaires pour vérifier la transformation.'
        assert not _missing(xp), f"`x_{part}_prep` n'est pas encore défini."
        assert not _missing(yp), f"`y_{part}_prep` n'est pas encore défini."
        try:
            raw = np.asarray(x, dtype=np.float64)
            labels = np.asarray(y).astype(np.int64).ravel()
            n = raw.shape[0]
            raw = raw.reshape(n, -1)
        except Exception:
            raise AssertionError(f'`x_{part}` et `y_{part}` doivent rester les tableaux chargés à la question fm01.')
        assert n > 0 and raw.shape[1] == 784 and (labels.shape == (n,)), f'`x_{part}` et `y_{part}` doivent rester les tableaux chargés à la question fm01 (une étiquette par image).'
        try:
            kind = np.asarray(xp).dtype.kind
            prep = np.asarray(xp, dtype=np.float64)
        except Exception:
            raise AssertionError(f'`x_{part}_prep` doit être un tableau numpy de nombres.')
        assert prep.ndim >= 2 and prep.shape[0] == n and (prep.size == n * 784), f'`x_{part}_prep` doit contenir les mêmes images, une par ligne, de 28 × 28 pixels.'
        prep = prep.reshape(n, 784)
        assert kind == 'f', f'`x_{part}_prep` doit contenir des nombres à virgule flottante.'
        assert np.all(np.isfinite(prep)), f'`x_{part}_prep` contient des valeurs non finies (NaN ou infini).'
        lo, hi, mean, std = (prep.min(), prep.max(), prep.mean(), prep.std())
        scaled = lo >= -1e-06 and hi <= 1 + 1e-06 and (hi >= 0.5)
        standardised = abs(mean) < 0.1 and 0.5 < std < 1.5
        assert scaled or standardised, f"`x_{part}_prep` n'est pas mis à l'échelle : les pixels doivent être ramenés dans [0, 1] (ou standardisés), pas laissés entre 0 et 255."
        rows = np.unique(np.linspace(0, n - 1, min(n, 60)).astype(int))
        a = raw[rows] - raw[rows].mean(axis=1, keepdims=True)
        b = prep[rows] - prep[rows].mean(axis=1, keepdims=True)
        a /= np.linalg.norm(a, axis=1, keepdims=True) + 1e-12
        b /= np.linalg.norm(b, axis=1, keepdims=True) + 1e-12
        corr = a @ b.T
        same = np.mean(corr.argmax(axis=1) == np.arange(len(rows)))
        assert same >= 0.9, f'`x_{part}_prep` ne contient pas les images de `x_{part}` dans le même ordre.'
        try:
            t = np.asarray(yp)
            t_kind = t.dtype.kind
            t = t.astype(np.float64)
        except Exception:
            raise AssertionError(f'`y_{part}_prep` doit être un tableau numpy.')
        if t.ndim == 1 or (t.ndim == 2 and t.shape[1] == 1):
            t = t.ravel()
            assert t_kind in 'iu' or np.allclose(t, np.round(t)), f'`y_{part}_prep` : des étiquettes entières (classes 0 à 9) sont attendues.'
            assert t.shape[0] == n and np.all(t.astype(np.int64) == labels), f'`y_{part}_prep` doit contenir les étiquettes de `y_{part}`, dans le même ordre.'
        else:
            assert t.ndim == 2 and t.shape == (n, 10), f'`y_{part}_prep` doit être soit les étiquettes entières, soit un codage one-hot à 10 colonnes.'
            one_hot = np.all((t == 0) | (t == 1)) and np.allclose(t.sum(axis=1), 1)
            assert one_hot, f"`y_{part}_prep` : chaque ligne d'un codage one-hot contient un seul 1."
            assert np.all(t.argmax(axis=1) == labels), f'`y_{part}_prep` ne code pas les étiquettes de `y_{part}` dans le même ordre.'

