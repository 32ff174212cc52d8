from otter.test_files import test_case

OK_FORMAT = False

name = "fm29_sigmoide"
points = 1

@test_case(points=None, hidden=False)
def test_fm29_defini(model_sigmoid, history_sigmoid):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(model_sigmoid), "`model_sigmoid` n'est pas encore défini."
    assert not _missing(history_sigmoid), "`history_sigmoid` n'est pas encore défini."
    assert hasattr(model_sigmoid, 'layers'), '`model_sigmoid` doit être un modèle Keras.'
    assert isinstance(getattr(history_sigmoid, 'history', None), dict), "`history_sigmoid` doit être l'objet renvoyé par `fit`."

