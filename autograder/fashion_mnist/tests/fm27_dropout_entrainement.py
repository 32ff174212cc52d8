from otter.test_files import test_case

OK_FORMAT = False

name = "fm27_dropout_entrainement"
points = 1

@test_case(points=0, hidden=False)
def test_fm27_defini(history_dropout):
    assert history_dropout is not None and history_dropout is not ..., "`history_dropout` n'est pas encore défini."
    assert isinstance(getattr(history_dropout, 'history', None), dict), "`history_dropout` doit être l'objet renvoyé par `fit`."

@test_case(points=1, hidden=True)
def test_fm27_dropout_entrainement(model_dropout, history_dropout, x_test_prep, y_test, TDGRADE_PROFILE):
    from tdgrade_checks import models, thresholds, training
    training.check_history(history_dropout, 'history_dropout', epochs=20)
    models.check_trained(model_dropout, 'model_dropout', x_test_prep, y_test, thresholds.threshold('fashion_mnist', 'trained_model_accuracy', TDGRADE_PROFILE))

