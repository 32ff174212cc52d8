from otter.test_files import test_case

OK_FORMAT = False

name = "fm07_transformation"
points = 1

@test_case(points=0, hidden=False)
def test_fm07_defini(x_train_prep, x_test_prep, y_train_prep, y_test_prep, x_train, x_test):
    import numpy as np
    for name, v, raw in (('x_train_prep', x_train_prep, x_train), ('x_test_prep', x_test_prep, x_test), ('y_train_prep', y_train_prep, x_train), ('y_test_prep', y_test_prep, x_test)):
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
        assert isinstance(v, np.ndarray), f'`{name}` doit être un tableau numpy.'
        if isinstance(raw, np.ndarray) and raw.ndim > 0:
            assert v.ndim > 0 and len(v) == len(raw), f'`{name}` doit garder une ligne par image.'

@test_case(points=1, hidden=True)
def test_fm07_transformation(x_train, y_train, x_test, y_test, x_train_prep, x_test_prep, y_train_prep, y_test_prep):
    from tdgrade_checks import images
    images.check_preprocessed(x_train, x_train_prep, x_test, x_test_prep, ('x_train', 'x_train_prep', 'x_test', 'x_test_prep'), features=28 * 28)
    images.check_encoded_labels(y_train, y_train_prep, 'y_train_prep', 'y_train')
    images.check_encoded_labels(y_test, y_test_prep, 'y_test_prep', 'y_test')

