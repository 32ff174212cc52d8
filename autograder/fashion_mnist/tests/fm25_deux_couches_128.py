from otter.test_files import test_case

OK_FORMAT = False

name = "fm25_deux_couches_128"
points = 1

@test_case(points=0, hidden=False)
def test_fm25_defini(model_2x128, history_2x128):
    assert model_2x128 is not None and model_2x128 is not ..., "`model_2x128` n'est pas encore défini."
    assert history_2x128 is not None and history_2x128 is not ..., "`history_2x128` n'est pas encore défini."
    assert hasattr(model_2x128, 'layers'), '`model_2x128` doit être un modèle Keras.'
    assert isinstance(getattr(history_2x128, 'history', None), dict), "`history_2x128` doit être l'objet renvoyé par `fit`."

@test_case(points=1, hidden=True)
def test_fm25_deux_couches_128(model_2x128, history_2x128, x_test_prep, y_test, TDGRADE_PROFILE):
    from tdgrade_checks import models, thresholds, training
    models.check_mlp(model_2x128, 'model_2x128', hidden=[128, 128], activation='relu', dropout=None, total_params=118282)
    training.check_history(history_2x128, 'history_2x128', epochs=20)
    models.check_trained(model_2x128, 'model_2x128', x_test_prep, y_test, thresholds.threshold('fashion_mnist', 'trained_model_accuracy', TDGRADE_PROFILE))

