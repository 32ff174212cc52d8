from otter.test_files import test_case

OK_FORMAT = False

name = "fm24_trois_couches"
points = 1

@test_case(points=0, hidden=False)
def test_fm24_defini(model_3x256, history_3x256):
    assert model_3x256 is not None and model_3x256 is not ..., "`model_3x256` n'est pas encore défini."
    assert history_3x256 is not None and history_3x256 is not ..., "`history_3x256` n'est pas encore défini."
    assert hasattr(model_3x256, 'layers'), '`model_3x256` doit être un modèle Keras.'
    assert isinstance(getattr(history_3x256, 'history', None), dict), "`history_3x256` doit être l'objet renvoyé par `fit`."

@test_case(points=1, hidden=True)
def test_fm24_trois_couches(model_3x256, history_3x256, x_test_prep, y_test, TDGRADE_PROFILE):
    from tdgrade_checks import models, thresholds, training
    models.check_mlp(model_3x256, 'model_3x256', hidden=[256, 256, 256], activation='relu', dropout=None, total_params=335114)
    training.check_history(history_3x256, 'history_3x256', epochs=20)
    models.check_trained(model_3x256, 'model_3x256', x_test_prep, y_test, thresholds.threshold('fashion_mnist', 'trained_model_accuracy', TDGRADE_PROFILE))

