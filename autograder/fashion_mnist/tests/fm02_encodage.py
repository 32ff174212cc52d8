from otter.test_files import test_case

OK_FORMAT = False

name = "fm02_encodage"
points = 1

@test_case(points=None, hidden=False)
def test_fm02_defini(x_train_shape, y_train_shape, x_test_shape, y_test_shape, x_dtype, y_dtype):

    def _missing(v):
        return v is None or v is Ellipsis
    shapes = (('x_train_shape', x_train_shape), ('y_train_shape', y_train_shape), ('x_test_shape', x_test_shape), ('y_test_shape', y_test_shape))
    for name, v in shapes:
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        assert isinstance(v, (tuple, list)), f"`{name}` doit être un tuple d'entiers (par exemple `x_train.shape`)."
    for name, v in (('x_dtype', x_dtype), ('y_dtype', y_dtype)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        assert isinstance(v, str), f'`{name}` doit être une chaîne de caractères, par exemple `str(x_train.dtype)`.'

@test_case(points=None, hidden=True)
def test_fm02_valeurs(x_train_shape, y_train_shape, x_test_shape, y_test_shape, x_dtype, y_dtype, TDGRADE_PROFILE):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    profile = 'smoke' if isinstance(TDGRADE_PROFILE, str) and TDGRADE_PROFILE == 'smoke' else 'full'
    n_train, n_test = {'full': (60000, 10000), 'smoke': (6000, 1000)}[profile]
    truth = (('x_train_shape', x_train_shape, (n_train, 28, 28)), ('y_train_shape', y_train_shape, (n_train,)), ('x_test_shape', x_test_shape, (n_test, 28, 28)), ('y_test_shape', y_test_shape, (n_test,)))
    for name, v, expected in truth:
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        try:
            got = tuple((int(d) for d in v))
        except Exception:
            raise AssertionError(f"`{name}` doit être un tuple d'entiers.")
        assert got == expected, f"`{name}` ne correspond pas à la forme du tableau chargé (les images n'ont pas encore été aplaties)."
    for name, v in (('x_dtype', x_dtype), ('y_dtype', y_dtype)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        try:
            got = np.dtype(v).name
        except Exception:
            try:
                got = np.dtype(str(v).strip()).name
            except Exception:
                got = None
        assert got == 'uint8', f'`{name}` ne correspond pas au type des données brutes (avant toute transformation).'

