from otter.test_files import test_case

OK_FORMAT = False

name = "fm13_entrainement"
points = 1

@test_case(points=0, hidden=False)
def test_fm13_defini(history):
    assert history is not None and history is not ..., "`history` n'est pas encore défini."
    assert isinstance(getattr(history, 'history', None), dict), "`history` doit être l'objet renvoyé par `model.fit(...)`."

