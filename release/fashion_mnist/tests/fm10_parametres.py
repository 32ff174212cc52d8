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

