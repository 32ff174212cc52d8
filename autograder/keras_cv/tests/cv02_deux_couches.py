from otter.test_files import test_case

OK_FORMAT = False

name = "cv02_deux_couches"
points = 2

@test_case(points=None, hidden=False)
def test_cv02_defini(X_train, X_test, y_train, y_test, clf_2layers, holdout_score):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    for name, value in [('X_train', X_train), ('X_test', X_test), ('y_train', y_train), ('y_test', y_test)]:
        assert not _missing(value), f"`{name}` n'est pas encore défini."
        assert hasattr(value, 'shape'), f'`{name}` doit être un tableau numpy.'
    assert np.ndim(X_train) == 2 and np.shape(X_train)[1] == 64, '`X_train` doit avoir la forme (n, 64).'
    assert np.ndim(X_test) == 2 and np.shape(X_test)[1] == 64, '`X_test` doit avoir la forme (n, 64).'
    assert len(X_train) == len(y_train) and len(X_test) == len(y_test), "Chaque tableau d'images doit avoir autant de lignes que d'étiquettes."
    assert not _missing(clf_2layers), "`clf_2layers` n'est pas encore défini."
    assert hasattr(clf_2layers, 'get_params'), '`clf_2layers` doit être un `KerasClassifier`.'
    assert not _missing(holdout_score), "`holdout_score` n'est pas encore défini."
    try:
        float(holdout_score)
    except Exception:
        raise AssertionError('`holdout_score` doit être un nombre (le résultat de `score()`).')

@test_case(points=None, hidden=True)
def test_cv02_architecture(clf_2layers):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(clf_2layers), "`clf_2layers` n'est pas encore défini."
    try:
        params = {str(k): v for k, v in dict(clf_2layers.get_params()).items()}
    except Exception:
        raise AssertionError('`clf_2layers` doit être un `KerasClassifier` (scikeras).')
    try:
        epochs = int(params.get('epochs'))
        batch_size = int(params.get('batch_size'))
    except Exception:
        raise AssertionError("Fixez le nombre d'itérations (`epochs=...`) et la taille des batchs (`batch_size=...`) dès la construction de `clf_2layers`.")
    assert epochs > 1, "Fixez le nombre d'itérations demandé (`epochs=...`) dès la construction de `clf_2layers` : la valeur par défaut n'entraîne qu'une seule époque."
    assert batch_size > 0, 'La taille des batchs de `clf_2layers` doit être un entier positif.'
    model = getattr(clf_2layers, 'model_', None)
    assert model is not None and hasattr(model, 'layers'), "`clf_2layers` n'a pas été entraîné : appelez sa méthode `fit` sur la partie d'apprentissage."
    try:
        dense = [layer for layer in model.layers if type(layer).__name__ == 'Dense']
        others = [type(layer).__name__ for layer in model.layers if type(layer).__name__ not in ('Dense', 'InputLayer', 'Dropout')]
    except Exception:
        raise AssertionError('Impossible de lire les couches du réseau entraîné de `clf_2layers`.')
    assert not others and len(dense) == 3, 'Le réseau de `clf_2layers` doit avoir exactement deux couches cachées `Dense`, suivies de la couche de sortie.'
    history = getattr(clf_2layers, 'history_', None)
    if isinstance(history, dict) and 'loss' in history:
        try:
            n_epochs = len(history['loss'])
        except Exception:
            n_epochs = None
        assert n_epochs is None or n_epochs == epochs, "L'historique d'apprentissage ne correspond pas au nombre d'itérations fixé à la construction : ne passez pas `epochs` à `fit`."

@test_case(points=None, hidden=True)
def test_cv02_score_test(clf_2layers, X_train, X_test, y_train, y_test, holdout_score, TDGRADE_PROFILE):
    import numpy as np
    n_total = {'full': 1797, 'smoke': 500}.get(TDGRADE_PROFILE or 'full', 1797)

    def _missing(v):
        return v is None or v is Ellipsis
    for name, value in [('X_train', X_train), ('X_test', X_test), ('y_train', y_train), ('y_test', y_test), ('holdout_score', holdout_score), ('clf_2layers', clf_2layers)]:
        assert not _missing(value), f"`{name}` n'est pas encore défini."
    try:
        xtr = np.asarray(X_train, dtype=float)
        xte = np.asarray(X_test, dtype=float)
        ytr = np.asarray(y_train).ravel()
        yte = np.asarray(y_test).ravel()
        score = float(holdout_score)
    except Exception:
        raise AssertionError('`X_train`, `X_test`, `y_train`, `y_test` doivent être des tableaux numpy et `holdout_score` un nombre.')
    assert xtr.ndim == 2 and xte.ndim == 2 and (xtr.shape[1] == 64) and (xte.shape[1] == 64), '`X_train` et `X_test` doivent avoir la forme (n, 64).'
    assert len(xtr) == len(ytr) and len(xte) == len(yte), "Chaque tableau d'images doit avoir autant de lignes que d'étiquettes."
    assert len(xtr) + len(xte) == n_total, "Les parties d'apprentissage et de test doivent se partager toutes les images chargées par `dataset_utils.load_digits_data()`."
    assert 0.1 * n_total <= len(xte) <= 0.5 * n_total, 'La partie de test doit contenir environ 25 % des images.'
    assert np.all(np.isfinite(xtr)) and np.all(np.isfinite(xte)), 'Les images contiennent des valeurs non finies.'
    assert xtr.min() >= -1e-06 and xtr.max() <= 1 + 1e-06 and (xte.max() <= 1 + 1e-06), 'Les pixels doivent être ramenés dans [0, 1] (ils valent de 0 à 16 au départ).'
    train_rows = {row.tobytes() for row in np.round(xtr, 6)}
    shared = sum((row.tobytes() in train_rows for row in np.round(xte, 6)))
    assert shared <= 0.01 * len(xte), "Des images de test se trouvent aussi dans la partie d'apprentissage : les deux parties doivent être disjointes."
    model = getattr(clf_2layers, 'model_', None)
    assert model is not None and hasattr(model, 'predict'), "`clf_2layers` n'a pas été entraîné : appelez sa méthode `fit` sur la partie d'apprentissage."
    try:
        proba = np.asarray(model.predict(xte.astype('float32'), verbose=0))
        classes = getattr(clf_2layers, 'classes_', None)
        classes = np.arange(proba.shape[1]) if classes is None else np.asarray(classes).ravel()
        predicted = classes[proba.argmax(axis=1)]
        accuracy = float(np.mean(predicted == yte))
    except Exception:
        raise AssertionError("Impossible d'évaluer le réseau de `clf_2layers` sur `X_test` : vérifiez que `X_test` a la même forme que les données d'apprentissage.")
    assert abs(score - accuracy) <= 0.01, "`holdout_score` ne correspond pas au score de `clf_2layers` sur (`X_test`, `y_test`) : le score doit être mesuré sur les données de test, pas sur celles de l'apprentissage."

@test_case(points=None, hidden=True)
def test_cv02_performance(clf_2layers, X_test, y_test, TDGRADE_PROFILE):
    import numpy as np
    threshold = {'full': 0.935, 'smoke': 0.87}.get(TDGRADE_PROFILE or 'full', 0.935)

    def _missing(v):
        return v is None or v is Ellipsis
    for name, value in [('X_test', X_test), ('y_test', y_test), ('clf_2layers', clf_2layers)]:
        assert not _missing(value), f"`{name}` n'est pas encore défini."
    model = getattr(clf_2layers, 'model_', None)
    assert model is not None and hasattr(model, 'predict'), "`clf_2layers` n'a pas été entraîné : appelez sa méthode `fit` sur la partie d'apprentissage."
    try:
        xte = np.asarray(X_test, dtype='float32')
        yte = np.asarray(y_test).ravel()
        proba = np.asarray(model.predict(xte, verbose=0))
        classes = getattr(clf_2layers, 'classes_', None)
        classes = np.arange(proba.shape[1]) if classes is None else np.asarray(classes).ravel()
        accuracy = float(np.mean(classes[proba.argmax(axis=1)] == yte))
    except Exception:
        raise AssertionError("Impossible d'évaluer le réseau de `clf_2layers` sur `X_test`.")
    assert accuracy >= threshold, "Le taux de bonne classification de `clf_2layers` sur la partie de test est trop faible pour ce réseau : vérifiez la mise à l'échelle des pixels, le nombre d'itérations et la fonction de perte."

