from otter.test_files import test_case

OK_FORMAT = False

name = "fm29_sigmoide"
points = 1

@test_case(points=0, hidden=False)
def test_fm29_defini(model_sigmoid, history_sigmoid):
    assert model_sigmoid is not None and model_sigmoid is not ..., "`model_sigmoid` n'est pas encore défini."
    assert history_sigmoid is not None and history_sigmoid is not ..., "`history_sigmoid` n'est pas encore défini."
    assert hasattr(model_sigmoid, 'layers'), '`model_sigmoid` doit être un modèle Keras.'
    assert isinstance(getattr(history_sigmoid, 'history', None), dict), "`history_sigmoid` doit être l'objet renvoyé par `fit`."

