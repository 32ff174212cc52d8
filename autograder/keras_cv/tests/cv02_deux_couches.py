from otter.test_files import test_case

OK_FORMAT = False

name = "cv02_deux_couches"
points = 2

@test_case(points=0, hidden=False)
def test_cv02_defini(X_train, X_test, y_train, y_test, clf_2layers, holdout_score):
    import numpy as np
    for name, value in [('X_train', X_train), ('X_test', X_test), ('y_train', y_train), ('y_test', y_test)]:
        assert value is not None and value is not ..., f"`{name}` n'est pas encore défini."
        assert hasattr(value, 'shape'), f'`{name}` doit être un tableau numpy.'
    assert np.ndim(X_train) == 2 and np.shape(X_train)[1] == 64, '`X_train` doit avoir la forme (n, 64).'
    assert np.ndim(X_test) == 2 and np.shape(X_test)[1] == 64, '`X_test` doit avoir la forme (n, 64).'
    assert len(X_train) == len(y_train) and len(X_test) == len(y_test), "Chaque tableau d'images doit avoir autant de lignes que d'étiquettes."
    assert clf_2layers is not None and clf_2layers is not ..., "`clf_2layers` n'est pas encore défini."
    assert hasattr(clf_2layers, 'get_params'), '`clf_2layers` doit être un `KerasClassifier`.'
    assert holdout_score is not None and holdout_score is not ..., "`holdout_score` n'est pas encore défini."
    try:
        float(holdout_score)
    except Exception:
        raise AssertionError('`holdout_score` doit être un nombre (le résultat de `score()`).')

@test_case(points=2, hidden=True)
def test_cv02_deux_couches(clf_2layers, X_train, X_test, y_train, y_test, holdout_score, TDGRADE_PROFILE):
    import numpy as np
    from tdgrade_checks import estimators, images, leaks, models, thresholds, values
    n_total = {'full': 1797, 'smoke': 500}[values.profile_of(TDGRADE_PROFILE)]
    estimators.check_fit_settings(clf_2layers, estimators.params_of(clf_2layers, 'clf_2layers', 'un `KerasClassifier` (scikeras)'), 'clf_2layers')
    network = estimators.fitted_keras_model(clf_2layers, 'clf_2layers')
    dense, others = estimators.dense_layers(network, 'clf_2layers')
    assert not others and len(dense) == 3, 'Le réseau de `clf_2layers` doit avoir exactement deux couches cachées `Dense`, suivies de la couche de sortie.'
    xtr, xte = (images.flat_rows(X_train, 'X_train', 64), images.flat_rows(X_test, 'X_test', 64))
    ytr, yte = (values.labels(y_train, 'y_train', len(xtr)), values.labels(y_test, 'y_test', len(xte)))
    assert len(xtr) + len(xte) == n_total and 0.1 * n_total <= len(xte) <= 0.5 * n_total, "Les parties d'entraînement (75 %) et de test (25 %) doivent se partager toutes les images chargées par `dataset_utils.load_digits_data()`."
    assert np.all(np.isfinite(xtr)) and np.all(np.isfinite(xte)), 'Les images contiennent des valeurs non finies.'
    assert images.is_scaled(xtr), "Les pixels doivent être mis à l'échelle : divisez par 16 pour les ramener dans [0, 1] (ils valent de 0 à 16 au départ)."
    leaks.check_scaled_with_training_statistics(xtr, xte, ('X_train', 'X_test'))
    leaks.check_fitted_on_rows(clf_2layers, 'clf_2layers', len(xtr), 'X_train')
    train_rows = {row.tobytes() for row in np.round(xtr, 6)}
    assert sum((row.tobytes() in train_rows for row in np.round(xte, 6))) <= 0.01 * len(xte), "Des images de test se trouvent aussi dans la partie d'entraînement : les deux parties doivent être disjointes."
    accuracy = models.accuracy(network, 'clf_2layers', xte, yte, 'X_test', 'y_test', classes=getattr(clf_2layers, 'classes_', None))
    assert abs(values.as_float(holdout_score, 'holdout_score') - accuracy) <= 0.01, "`holdout_score` ne correspond pas au score de `clf_2layers` sur (`X_test`, `y_test`) : le score doit être mesuré sur les données de test, pas sur celles de l'apprentissage."
    assert accuracy >= thresholds.threshold('keras_cv', 'cv02_accuracy', TDGRADE_PROFILE), "L'accuracy de `clf_2layers` sur la partie de test est trop faible pour ce réseau : vérifiez la mise à l'échelle des pixels, le nombre d'époques et la fonction de perte."

