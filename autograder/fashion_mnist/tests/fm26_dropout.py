from otter.test_files import test_case

OK_FORMAT = False

name = "fm26_dropout"
points = 1

@test_case(points=0, hidden=False)
def test_fm26_defini(model_dropout):
    assert model_dropout is not None and model_dropout is not ..., "`model_dropout` n'est pas encore défini."
    assert hasattr(model_dropout, 'layers'), '`model_dropout` doit être un modèle Keras.'

@test_case(points=1, hidden=True)
def test_fm26_dropout(model_dropout):
    from tdgrade_checks import models
    models.check_mlp(model_dropout, 'model_dropout', hidden=[256, 256], activation='relu', dropout=0.4, total_params=269322)

