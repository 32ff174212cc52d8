from otter.test_files import test_case

OK_FORMAT = False

name = "fm28_demi_batch"
points = 1

@test_case(points=None, hidden=False)
def test_fm28_defini(half_batch_size, history_half_batch, time_full_batch, time_half_batch):

    def _missing(v):
        return v is None or v is Ellipsis
    for name, v in (('half_batch_size', half_batch_size), ('history_half_batch', history_half_batch), ('time_full_batch', time_full_batch), ('time_half_batch', time_half_batch)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
    assert isinstance(half_batch_size, int), '`half_batch_size` doit être un entier.'
    assert isinstance(getattr(history_half_batch, 'history', None), dict), "`history_half_batch` doit être l'objet renvoyé par `fit`."

