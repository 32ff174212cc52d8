from otter.test_files import test_case

OK_FORMAT = False

name = "fm27_dropout_entrainement"
points = 1

@test_case(points=None, hidden=False)
def test_fm27_defini(history_dropout):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(history_dropout), "`history_dropout` n'est pas encore défini."
    assert isinstance(getattr(history_dropout, 'history', None), dict), "`history_dropout` doit être l'objet renvoyé par `fit`."

