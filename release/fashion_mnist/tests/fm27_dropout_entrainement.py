from otter.test_files import test_case

OK_FORMAT = False

name = "fm27_dropout_entrainement"
points = 1

@test_case(points=0, hidden=False)
def test_fm27_defini(history_dropout):
    assert history_dropout is not None and history_dropout is not ..., "`history_dropout` n'est pas encore défini."
    assert isinstance(getattr(history_dropout, 'history', None), dict), "`history_dropout` doit être l'objet renvoyé par `fit`."

