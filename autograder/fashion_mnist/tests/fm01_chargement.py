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

@test_case(points=1, hidden=True)
def test_fm01_donnees(x_train, y_train, x_test, y_test, TDGRADE_PROFILE):
    from tdgrade_checks import values
    facts = {'full': {'n': (60000, 10000), 'images': ('2e487a6c89124f78f2d7521542223cafe96f7123c3ca13d447772ac6ecbb3012', 'c867c93ff95360594e8ec3287995350b824dd110b11595c0e13d5423f621867a'), 'labels': ('657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7', '3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9')}, 'smoke': {'n': (6000, 1000), 'images': ('2b17438af55637db62c122a92490b5b4275bed5719a838b5b0486ea2193a98a4', '3d7f6d64869a3f2d1afe64ae33ffb9b20670a91b31e3bbf0657e3999ec7b35cf'), 'labels': ('f16e201ddc15b401c509545575d23793b230f5735ae378c1ced3a6156cb72251', '6b25654537ff83dd6c40fe0a122c7778d8219b2a88ff02c36dbdd21152fdb075')}}[values.profile_of(TDGRADE_PROFILE)]
    for i, (part, x, y) in enumerate((('train', x_train, y_train), ('test', x_test, y_test))):
        origin = f'la partie {part} de `keras.datasets.fashion_mnist.load_data()`'
        values.check_raw_array(x, f'x_{part}', (facts['n'][i], 28, 28), facts['images'][i], origin, dtype='uint8')
        values.check_raw_array(y, f'y_{part}', (facts['n'][i],), facts['labels'][i], origin, digest_as='uint8')

