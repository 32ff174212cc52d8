from otter.test_files import test_case

OK_FORMAT = False

name = "fm28_demi_batch"
points = 1

@test_case(points=0, hidden=False)
def test_fm28_defini(half_batch_size, history_half_batch, time_full_batch, time_half_batch):
    for name, v in (('half_batch_size', half_batch_size), ('history_half_batch', history_half_batch), ('time_full_batch', time_full_batch), ('time_half_batch', time_half_batch)):
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
    try:
        integral = float(int(half_batch_size)) == float(half_batch_size)
    except Exception:
        integral = False
    assert integral, '`half_batch_size` doit être un entier.'
    assert isinstance(getattr(history_half_batch, 'history', None), dict), "`history_half_batch` doit être l'objet renvoyé par `fit`."

