from otter.test_files import test_case

OK_FORMAT = False

name = "fm10_parametres"
points = 1

@test_case(points=0, hidden=False)
def test_fm10_defini(params_per_layer, total_params):
    assert params_per_layer is not None and params_per_layer is not ..., "`params_per_layer` n'est pas encore défini."
    assert total_params is not None and total_params is not ..., "`total_params` n'est pas encore défini."
    import numpy as np
    try:
        counts = np.asarray(params_per_layer, dtype=np.float64).ravel()
    except Exception:
        counts = np.zeros(0)
    assert np.count_nonzero(counts) == 3, '`params_per_layer` doit être une liste de 3 entiers, un par couche `Dense`.'
    try:
        integral = float(int(total_params)) == float(total_params)
    except Exception:
        integral = False
    assert integral, '`total_params` doit être un entier.'

@test_case(points=1, hidden=True)
def test_fm10_comptes(params_per_layer, total_params):
    import numpy as np
    from tdgrade_checks import values
    per_layer = values.int_array(params_per_layer, 'params_per_layer', 'une liste de 3 entiers')
    per_layer = per_layer[per_layer != 0]
    assert per_layer.shape == (3,), '`params_per_layer` doit donner un nombre par couche `Dense` : les deux couches cachées puis la sortie.'
    total = values.int_array(total_params, 'total_params', 'un entier')
    assert total.shape == (1,), '`total_params` doit être un seul entier.'
    expected, weights_only = (np.array([200960, 65792, 2570]), np.array([200704, 65536, 2560]))
    hint = ' Avez-vous compté les biais ?' if np.any(per_layer == weights_only) else ''
    for i, label in enumerate(('la première couche cachée', 'la deuxième couche cachée', 'la couche de sortie')):
        assert per_layer[i] == expected[i], f'`params_per_layer` : le nombre de paramètres de {label} est incorrect.{hint}'
    hint = ' Avez-vous compté les biais ?' if int(total[0]) in (268800, 269312) else ''
    assert int(total[0]) == int(expected.sum()), f'`total_params` ne correspond pas au total du modèle.{hint}'

