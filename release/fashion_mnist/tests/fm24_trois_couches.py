from otter.test_files import test_case

OK_FORMAT = False

name = "fm24_trois_couches"
points = 1

@test_case(points=None, hidden=False)
def test_fm24_defini(model_3x256, history_3x256):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(model_3x256), "`model_3x256` n'est pas encore défini."
    assert not _missing(history_3x256), "`history_3x256` n'est pas encore défini."
    assert hasattr(model_3x256, 'layers'), '`model_3x256` doit être un modèle Keras.'
    assert isinstance(getattr(history_3x256, 'history', None), dict), "`history_3x256` doit être l'objet renvoyé par `fit`."

