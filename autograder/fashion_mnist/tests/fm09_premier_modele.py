from otter.test_files import test_case

OK_FORMAT = False

name = "fm09_premier_modele"
points = 2

@test_case(points=0, hidden=False)
def test_fm09_defini(model):
    assert model is not None and model is not ..., "`model` n'est pas encore défini."
    assert hasattr(model, 'layers') and hasattr(model, 'count_params'), '`model` doit être un modèle Keras (par exemple `keras.Sequential([...])`).'

@test_case(points=2, hidden=True)
def test_fm09_architecture(model):
    from tdgrade_checks import models
    models.check_mlp(model, 'model', hidden=[256, 256], activation='relu', dropout=None, total_params=269322)

