from otter.test_files import test_case

OK_FORMAT = False

name = "fm10_parametres"
points = 1

@test_case(points=None, hidden=False)
def test_fm10_defini(params_per_layer, total_params):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(params_per_layer), "`params_per_layer` n'est pas encore défini."
    assert not _missing(total_params), "`total_params` n'est pas encore défini."
    assert isinstance(params_per_layer, (list, tuple)) and len(params_per_layer) == 3, '`params_per_layer` doit être une liste de 3 entiers, un par couche `Dense`.'
    assert isinstance(total_params, int), '`total_params` doit être un entier.'

@test_case(points=None, hidden=True)
def test_fm10_comptes(params_per_layer, total_params):
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
    per_layer = _ints(params_per_layer, 'params_per_layer', 'une liste de 3 entiers')
    per_layer = per_layer[per_layer != 0]
    assert per_layer.shape == (3,), '`params_per_layer` doit donner un nombre par couche `Dense` : les deux couches cachées puis la sortie.'
    total = _ints(total_params, 'total_params', 'un entier')
    assert total.shape == (1,), '`total_params` doit être un seul entier.'
    expected = np.array([200960, 65792, 2570])
    weights_only = np.array([200704, 65536, 2560])
    hint = ' Avez-vous compté les biais ?' if np.any(per_layer == weights_only) else ''
    for i, label in enumerate(('la première couche cachée', 'la deuxième couche cachée', 'la couche de sortie')):
        assert per_layer[i] == expected[i], f'`params_per_layer` : le nombre de paramètres de {label} est incorrect.{hint}'
    hint = ' Avez-vous compté les biais ?' if int(total[0]) in (268800, 269312) else ''
    assert int(total[0]) == int(expected.sum()), f'`total_params` ne correspond pas au total du modèle.{hint}'

