from otter.test_files import test_case

OK_FORMAT = False

name = "fm03_repartition"
points = 1

@test_case(points=None, hidden=False)
def test_fm03_defini(train_class_counts, test_class_counts):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    for name, v in (('train_class_counts', train_class_counts), ('test_class_counts', test_class_counts)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        assert len(np.asarray(v).ravel()) == 10, f'`{name}` doit contenir un effectif par classe (10 valeurs).'

@test_case(points=None, hidden=True)
def test_fm03_effectifs(train_class_counts, test_class_counts, TDGRADE_PROFILE):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    profile = 'smoke' if isinstance(TDGRADE_PROFILE, str) and TDGRADE_PROFILE == 'smoke' else 'full'

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
    per_class = {'full': (6000, 1000), 'smoke': (600, 100)}[profile]
    for (name, v), expected in zip((('train_class_counts', train_class_counts), ('test_class_counts', test_class_counts)), per_class):
        counts = _ints(v, name, 'un tableau de 10 effectifs entiers')
        assert counts.shape == (10,), f'`{name}` doit contenir exactement 10 effectifs, un par classe.'
        assert np.all(counts == expected), f'`{name}` ne correspond pas aux effectifs réels des classes : comptez les étiquettes de la bonne partie (train ou test).'

