from otter.test_files import test_case

OK_FORMAT = False

name = "fm13_entrainement"
points = 1

@test_case(points=None, hidden=False)
def test_fm13_defini(history):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(history), "`history` n'est pas encore défini."
    assert isinstance(getattr(history, 'history', None), dict), "`history` doit être l'objet renvoyé par `model.fit(...)`."

@test_case(points=None, hidden=True)
def test_fm13_entrainement(history, batch_size, TDGRADE_PROFILE):
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
    hist, params, acc = _history(history, 'history')
    try:
        b = int(batch_size)
        steps = int(params.get('steps'))
    except Exception:
        raise AssertionError("impossible de vérifier le nombre de mises à jour par epoch : `batch_size` (fm12) et l'historique de `fit` sont nécessaires.")
    assert b > 0, '`batch_size` doit être positif.'
    assert steps == math.ceil(0.8 * n_train / b), 'le nombre de mises à jour par epoch ne correspond pas à un entraînement avec `batch_size` et 20 % de validation.'

