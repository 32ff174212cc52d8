from otter.test_files import test_case

OK_FORMAT = False

name = "fm26_dropout"
points = 1

@test_case(points=None, hidden=False)
def test_fm26_defini(model_dropout):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(model_dropout), "`model_dropout` n'est pas encore défini."
    assert hasattr(model_dropout, 'layers'), '`model_dropout` doit être un modèle Keras.'

