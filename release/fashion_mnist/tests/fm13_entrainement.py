from otter.test_files import test_case

OK_FORMAT = False

name = "fm13_entrainement"
points = 1

@test_case(points=None, hidden=False)
def test_fm13_defini(history):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(history), "`history` n'est pas encore défini."
    assert isinstance(getattr(history, 'history', None), dict), "`history` doit être l'objet renvoyé par `model.fit(...)`."

