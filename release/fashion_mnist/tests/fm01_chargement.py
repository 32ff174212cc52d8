from otter.test_files import test_case

OK_FORMAT = False

name = "fm01_chargement"
points = 1

@test_case(points=0, hidden=False)
def test_fm01_defini(x_train, y_train, x_test, y_test):
    import numpy as np
    for name, v, ndim in (('x_train', x_train, 3), ('y_train', y_train, 1), ('x_test', x_test, 3), ('y_test', y_test, 1)):
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
        assert isinstance(v, np.ndarray), f'`{name}` doit être un tableau numpy.'
        assert v.ndim == ndim, f'`{name}` devrait avoir {ndim} dimension(s), tel que renvoyé par `load_data()`.'

