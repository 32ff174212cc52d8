from otter.test_files import test_case

OK_FORMAT = False

name = "fm29_sigmoide"
points = 1

@test_case(points=None, hidden=False)
def test_fm29_defini(model_sigmoid, history_sigmoid):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(model_sigmoid), "`model_sigmoid` n'est pas encore défini."
    assert not _missing(history_sigmoid), "`history_sigmoid` n'est pas encore défini."
    assert hasattr(model_sigmoid, 'layers'), '`model_sigmoid` doit être un modèle Keras.'
    assert isinstance(getattr(history_sigmoid, 'history', None), dict), "`history_sigmoid` doit être l'objet renvoyé par `fit`."

@test_case(points=None, hidden=True)
def test_fm29_sigmoide(model_sigmoid, history_sigmoid, x_test_prep, y_test):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis

    def _stack(m, name):
        if _missing(m):
            raise AssertionError(f"`{name}` n'est pas encore défini.")
        try:
            layers = list(m.layers)
        except Exception:
            raise AssertionError(f'`{name}` doit être un modèle Keras (`keras.Sequential` ou `keras.Model`).')
        out = []
        for layer in layers:
            kind = type(layer).__name__
            try:
                cfg = dict(layer.get_config())
            except Exception:
                cfg = {}
            if kind == 'InputLayer':
                continue
            try:
                if kind == 'Dense':
                    act = cfg.get('activation', 'linear')
                    out.append(['Dense', int(cfg.get('units')), act if isinstance(act, str) else '?'])
                elif kind in ('Activation', 'Softmax', 'ReLU') and out and (out[-1][0] == 'Dense') and (out[-1][2] == 'linear'):
                    act = {'Softmax': 'softmax', 'ReLU': 'relu'}.get(kind, cfg.get('activation'))
                    out[-1][2] = act if isinstance(act, str) else '?'
                elif kind == 'Dropout':
                    out.append(['Dropout', float(cfg.get('rate'))])
                else:
                    out.append([kind])
            except Exception:
                raise AssertionError(f'`{name}` : impossible de lire la configuration de la couche `{kind}`.')
        return out

    def _input_shape(m):
        shape = None
        try:
            shape = m.input_shape
        except Exception:
            shape = None
        if shape is None:
            try:
                shape = m.inputs[0].shape
            except Exception:
                return None
        try:
            return tuple((None if d is None else int(d) for d in shape))
        except Exception:
            return None

    def _check_mlp(m, name, units, activation, dropout, total):
        stack = _stack(m, name)
        shape = _input_shape(m)
        assert shape is not None and shape[1:] == (28, 28), f'`{name}` doit commencer par une entrée `keras.Input(shape=(28, 28))` : les images 28 × 28 entrent telles quelles.'
        assert len(stack) > 0 and stack[0][0] == 'Flatten', f"`{name}` : la première couche après l'entrée doit être `Flatten`, qui aplatit chaque image."
        extra = [s[0] for s in stack[1:] if s[0] not in ('Dense', 'Dropout')]
        assert len(extra) == 0, f"`{name}` contient des couches qui ne sont pas demandées : {', '.join(extra)}."
        dense = [s for s in stack if s[0] == 'Dense']
        assert len(dense) == len(units) + 1, f'`{name}` doit avoir {len(units)} couches cachées `Dense` suivies de la couche de sortie.'
        assert [d[1] for d in dense[:-1]] == list(units), f"`{name}` : le nombre de neurones des couches cachées ne correspond pas à l'énoncé."
        assert all((d[2] == activation for d in dense[:-1])), f"`{name}` : les couches cachées doivent utiliser l'activation `{activation}`."
        assert dense[-1][1] == 10 and dense[-1][2] == 'softmax', f'`{name}` : la couche de sortie ne convient pas à une classification en 10 classes (revoyez la question fm08).'
        drops = [s for s in stack if s[0] == 'Dropout']
        if dropout is None:
            assert len(drops) == 0, f'`{name}` ne doit pas contenir de `Dropout` dans cette question.'
        elif dropout != 'any':
            assert len(drops) == len(units), f'`{name}` : il faut une couche `Dropout` après chacune des couches cachées, et seulement là.'
            for i, s in enumerate(stack[:-1]):
                if s[0] == 'Dense':
                    nxt = stack[i + 1]
                    assert nxt[0] == 'Dropout', f"`{name}` : chaque couche cachée `Dense` doit être suivie immédiatement d'un `Dropout`."
                    assert abs(nxt[1] - dropout) < 1e-06, f"`{name}` : le taux de `Dropout` ne correspond pas à l'énoncé (fraction de neurones désactivés)."
        try:
            n_params = int(m.count_params())
        except Exception:
            raise AssertionError(f'`{name}` : impossible de compter les paramètres (le modèle est-il construit ?).')
        assert n_params == total, f"`{name}` : le nombre de paramètres ne correspond pas à l'architecture demandée."

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
    _check_mlp(model_sigmoid, 'model_sigmoid', [256, 256], 'sigmoid', 'any', 269322)
    _history(history_sigmoid, 'history_sigmoid')
    assert _test_accuracy(model_sigmoid, 'model_sigmoid', x_test_prep, y_test) >= 0.5, '`model_sigmoid` ne semble pas entraîné : son accuracy sur le test est trop faible.'

