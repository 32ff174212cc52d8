from otter.test_files import test_case

OK_FORMAT = False

name = "fm15_courbes"
points = 1

@test_case(points=None, hidden=False)
def test_fm15_defini(curves_figure):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(curves_figure), "`curves_figure` n'est pas encore défini."
    assert hasattr(curves_figure, 'axes'), '`curves_figure` doit être une figure matplotlib (par exemple `fig` dans `fig, axes = plt.subplots(...)`).'

@test_case(points=None, hidden=True)
def test_fm15_courbes(curves_figure, history):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis

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
    assert not _missing(curves_figure), "`curves_figure` n'est pas encore défini."
    hist, params, acc = _history(history, 'history', check_epochs=False)
    lines = []
    try:
        for ax in list(curves_figure.axes):
            for line in ax.get_lines():
                lines.append(np.asarray(line.get_ydata(), dtype=np.float64).ravel())
    except Exception:
        raise AssertionError('`curves_figure` doit être une figure matplotlib contenant des courbes tracées avec `plot`.')
    assert len(lines) > 0, '`curves_figure` ne contient aucune courbe.'

    def _found(series, is_accuracy):
        s = np.asarray(series, dtype=np.float64).ravel()
        targets = [s, 100 * s, 1 - s, 100 * (1 - s)] if is_accuracy else [s]
        for y in lines:
            for t in targets:
                if y.shape == t.shape and np.allclose(y, t, rtol=0.001, atol=0.0001):
                    return True
        return False
    labels = {'loss': "perte d'entraînement", 'val_loss': 'perte de validation', acc: "accuracy d'entraînement", 'val_' + acc: 'accuracy de validation'}
    for key, label in labels.items():
        assert _found(hist[key], 'acc' in key), f'`curves_figure` ne contient pas la courbe de {label} de `history`.'

