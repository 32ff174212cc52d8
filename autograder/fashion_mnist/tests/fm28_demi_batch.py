from otter.test_files import test_case

OK_FORMAT = False

name = "fm28_demi_batch"
points = 1

@test_case(points=0, hidden=False)
def test_fm28_defini(half_batch_size, history_half_batch, time_full_batch, time_half_batch):
    for name, v in (('half_batch_size', half_batch_size), ('history_half_batch', history_half_batch), ('time_full_batch', time_full_batch), ('time_half_batch', time_half_batch)):
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
    try:
        integral = float(int(half_batch_size)) == float(half_batch_size)
    except Exception:
        integral = False
    assert integral, '`half_batch_size` doit être un entier.'
    assert isinstance(getattr(history_half_batch, 'history', None), dict), "`history_half_batch` doit être l'objet renvoyé par `fit`."

@test_case(points=1, hidden=True)
def test_fm28_demi_batch(half_batch_size, batch_size, history_half_batch, time_full_batch, time_half_batch, TDGRADE_PROFILE):
    import math
    from tdgrade_checks import training, values
    n_train = {'full': 60000, 'smoke': 6000}[values.profile_of(TDGRADE_PROFILE)]
    half, full = (values.as_int(half_batch_size, 'half_batch_size'), values.as_int(batch_size, 'batch_size'))
    assert half in (full // 2, (full + 1) // 2), '`half_batch_size` doit être la moitié de `batch_size` (question fm12).'
    training.check_history(history_half_batch, 'history_half_batch', epochs=20)
    steps = training.steps_per_epoch(history_half_batch, 'history_half_batch')
    assert half > 0 and steps == math.ceil(0.8 * n_train / half), '`history_half_batch` ne correspond pas à un entraînement avec `half_batch_size` et 20 % de validation.'
    for name, value in (('time_full_batch', time_full_batch), ('time_half_batch', time_half_batch)):
        assert 0 < values.as_float(value, name) < 86400, f"`{name}` doit être la durée de l'entraînement, en secondes."

