from otter.test_files import test_case

OK_FORMAT = False

name = "fm01_chargement"
points = 1

@test_case(points=None, hidden=False)
def test_fm01_defini(x_train, y_train, x_test, y_test):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    for name, v, ndim in (('x_train', x_train, 3), ('y_train', y_train, 1), ('x_test', x_test, 3), ('y_test', y_test, 1)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        assert isinstance(v, np.ndarray), f'`{name}` doit être un tableau numpy.'
        assert v.ndim == ndim, f'`{name}` devrait avoir {ndim} dimension(s), tel que renvoyé par `load_data()`.'

