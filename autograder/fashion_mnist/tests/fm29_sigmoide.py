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

@test_case(points=1, hidden=True)
def test_fm29_sigmoide(model_sigmoid, history_sigmoid, x_test_prep, y_test, TDGRADE_PROFILE):
    from tdgrade_checks import models, thresholds, training
    models.check_mlp(model_sigmoid, 'model_sigmoid', hidden=[256, 256], activation='sigmoid', dropout='any', total_params=269322)
    training.check_history(history_sigmoid, 'history_sigmoid', epochs=20)
    models.check_trained(model_sigmoid, 'model_sigmoid', x_test_prep, y_test, thresholds.threshold('fashion_mnist', 'trained_model_accuracy', TDGRADE_PROFILE))

