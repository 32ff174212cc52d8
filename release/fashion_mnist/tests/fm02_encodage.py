from otter.test_files import test_case

OK_FORMAT = False

name = "fm02_encodage"
points = 1

@test_case(points=0, hidden=False)
def test_fm02_defini(x_train_shape, y_train_shape, x_test_shape, y_test_shape, x_dtype, y_dtype):
    shapes = (('x_train_shape', x_train_shape), ('y_train_shape', y_train_shape), ('x_test_shape', x_test_shape), ('y_test_shape', y_test_shape))
    for name, v in shapes:
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
        try:
            tuple((int(d) for d in v))
        except Exception:
            raise AssertionError(f"`{name}` doit être un tuple d'entiers (par exemple `x_train.shape`).")
    for name, v in (('x_dtype', x_dtype), ('y_dtype', y_dtype)):
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
        if not isinstance(v, str):
            try:
                import numpy as np
                np.dtype(v)
            except Exception:
                raise AssertionError(f'`{name}` doit être une chaîne de caractères, par exemple `str(x_train.dtype)`.')

