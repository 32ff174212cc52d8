from otter.test_files import test_case

OK_FORMAT = False

name = "fm28_demi_batch"
points = 1

@test_case(points=None, hidden=False)
def test_fm28_defini(half_batch_size, history_half_batch, time_full_batch, time_half_batch):

    def _missing(v):
        return v is None or v is Ellipsis
    for name, v in (('half_batch_size', half_batch_size), ('history_half_batch', history_half_batch), ('time_full_batch', time_full_batch), ('time_half_batch', time_half_batch)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
    assert isinstance(half_batch_size, int), '`half_batch_size` doit être un entier.'
    assert isinstance(getattr(history_half_batch, 'history', None), dict), "`history_half_batch` doit être l'objet renvoyé par `fit`."

@test_case(points=None, hidden=True)
def test_fm28_demi_batch(half_batch_size, batch_size, history_half_batch, time_full_batch, time_half_batch, TDGRADE_PROFILE):
    import math

    def _missing(v):
        return v is None or v is Ellipsis
    profile = 'smoke' if isinstance(TDGRADE_PROFILE, str) and TDGRADE_PROFILE == 'smoke' else 'full'

    def _history(h, name, check_epochs=True):
        if _missing(h):
            raise AssertionError(f"`{name}` n'est pas encore défini.")
        if isinstance(h, dict):
            raise AssertionError(f"`{name}` doit être l'objet `History` renvoyé par `fit`, pas seulement son dictionnaire `history`.")
        hist = getattr(h, 'history', None)
        params = getattr(h, 'params', None)
        if not isinstance(hist, dict):
            raise AssertionError(f"`{name}` doit être l'objet `History` renvoyé par `model.fit(...)`.")
        if not isinstance(params, dict):
            params = {}
        assert 'loss' in hist and 'val_loss' in hist, f'`{name}` ne contient pas de mesures sur la validation : avez-vous passé `validation_split=0.2` à `fit` ?'
        acc = None
        for k in ('accuracy', 'acc', 'sparse_categorical_accuracy', 'categorical_accuracy'):
            if k in hist and 'val_' + k in hist:
                acc = k
                break
        assert acc is not None, f"`{name}` ne contient pas l'accuracy : ajoutez `metrics=['accuracy']` lors de la compilation."
        try:
            lengths = sorted({len(list(v)) for v in hist.values()})
            epochs = params.get('epochs', 20)
            epochs = 20 if epochs is None else int(epochs)
        except Exception:
            raise AssertionError(f"`{name}` n'a pas la forme d'un historique d'entraînement Keras.")
        assert not check_epochs or (lengths == [20] and epochs == 20), f'`{name}` : le modèle doit être entraîné sur exactement 20 epochs, en un seul appel à `fit`.'
        return (hist, params, acc)
    n_train = {'full': 60000, 'smoke': 6000}[profile]
    for name, v in (('half_batch_size', half_batch_size), ('batch_size', batch_size)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
    try:
        half = int(half_batch_size)
        full = int(batch_size)
    except Exception:
        raise AssertionError('`half_batch_size` et `batch_size` doivent être des entiers.')
    assert half in (full // 2, (full + 1) // 2), '`half_batch_size` doit être la moitié de `batch_size` (question fm12).'
    hist, params, acc = _history(history_half_batch, 'history_half_batch')
    try:
        steps = int(params.get('steps'))
    except Exception:
        raise AssertionError('impossible de lire le nombre de mises à jour par epoch dans `history_half_batch`.')
    assert half > 0 and steps == math.ceil(0.8 * n_train / half), '`history_half_batch` ne correspond pas à un entraînement avec `half_batch_size` et 20 % de validation.'
    for name, v in (('time_full_batch', time_full_batch), ('time_half_batch', time_half_batch)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        try:
            t = float(v)
        except Exception:
            raise AssertionError(f'`{name}` doit être une durée en secondes (un nombre).')
        assert math.isfinite(t) and 0 < t < 86400, f"`{name}` doit être la durée de l'entraînement, en secondes."

