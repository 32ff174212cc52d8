from otter.test_files import test_case

OK_FORMAT = False

name = "fm14_taux_erreur"
points = 1

@test_case(points=None, hidden=False)
def test_fm14_defini(test_error_rate, val_error_rate):

    def _missing(v):
        return v is None or v is Ellipsis
    for name, v in (('test_error_rate', test_error_rate), ('val_error_rate', val_error_rate)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        try:
            float(v)
        except Exception:
            raise AssertionError(f'`{name}` doit être un nombre.')

@test_case(points=None, hidden=True)
def test_fm14_taux_erreur(model, x_test_prep, y_test, history, test_error_rate, val_error_rate, TDGRADE_PROFILE):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    profile = 'smoke' if isinstance(TDGRADE_PROFILE, str) and TDGRADE_PROFILE == 'smoke' else 'full'

    def _test_accuracy(m, name, x, y):
        if _missing(m):
            raise AssertionError(f"`{name}` n'est pas encore défini.")
        if _missing(x) or _missing(y):
            raise AssertionError('`x_test_prep` (question fm07) et `y_test` (question fm01) sont nécessaires pour évaluer le modèle.')
        try:
            xs = np.asarray(x, dtype='float32')
            ys = np.asarray(y).astype(np.int64).ravel()
        except Exception:
            raise AssertionError('`x_test_prep` et `y_test` doivent être des tableaux numpy.')
        assert xs.ndim >= 2 and ys.ndim == 1 and (xs.shape[0] == ys.shape[0] > 0), '`x_test_prep` et `y_test` doivent contenir les mêmes images de test, une par ligne.'
        try:
            proba = np.asarray(m.predict(xs, verbose=0, batch_size=1000))
        except Exception:
            raise AssertionError(f"impossible d'obtenir les prédictions de `{name}` sur `x_test_prep` : le modèle doit accepter les images préparées à la question fm07.")
        assert proba.ndim == 2 and proba.shape[1] == 10 and (proba.shape[0] == len(ys)), f'`{name}` doit produire 10 probabilités par image.'
        return float(np.mean(proba.argmax(axis=1) == ys))

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
    threshold = {'full': 0.85, 'smoke': 0.795}[profile]
    rates = {}
    for name, v in (('test_error_rate', test_error_rate), ('val_error_rate', val_error_rate)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        try:
            rates[name] = float(np.asarray(v, dtype=np.float64).reshape(-1)[0])
        except Exception:
            raise AssertionError(f'`{name}` doit être un nombre.')
        assert 0.0 <= rates[name] <= 1.0, f'`{name}` doit être une proportion entre 0 et 1, pas un pourcentage.'
    hist, params, acc = _history(history, 'history', check_epochs=False)
    try:
        val_acc = float(hist['val_' + acc][-1])
    except Exception:
        raise AssertionError("`history` ne contient pas l'accuracy de validation.")
    assert abs(rates['val_error_rate'] - (1 - val_acc)) <= 0.005, "`val_error_rate` doit valoir 1 − l'accuracy de validation de la dernière epoch de `history`."
    test_acc = _test_accuracy(model, 'model', x_test_prep, y_test)
    assert abs(rates['test_error_rate'] - (1 - test_acc)) <= 0.005, "`test_error_rate` ne correspond pas au taux d'erreur de `model` sur les données de test préparées."
    assert test_acc >= threshold, "l'accuracy de `model` sur le test est trop faible pour cette architecture : revoyez le prétraitement, la compilation et l'entraînement."

