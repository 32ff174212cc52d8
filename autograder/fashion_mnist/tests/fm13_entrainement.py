from otter.test_files import test_case

OK_FORMAT = False

name = "fm13_entrainement"
points = 1

@test_case(points=0, hidden=False)
def test_fm13_defini(history):
    assert history is not None and history is not ..., "`history` n'est pas encore défini."
    assert isinstance(getattr(history, 'history', None), dict), "`history` doit être l'objet renvoyé par `model.fit(...)`."

@test_case(points=1, hidden=True)
def test_fm13_entrainement(history, batch_size, TDGRADE_PROFILE):
    import math
    from tdgrade_checks import training, values
    n_train = {'full': 60000, 'smoke': 6000}[values.profile_of(TDGRADE_PROFILE)]
    training.check_history(history, 'history', epochs=20)
    b = values.as_int(batch_size, 'batch_size')
    steps = training.steps_per_epoch(history, 'history')
    assert b > 0 and steps == math.ceil(0.8 * n_train / b), 'le nombre de mises à jour par époque ne correspond pas à un entraînement avec `batch_size` et 20 % de validation.'

