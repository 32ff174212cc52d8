from otter.test_files import test_case

OK_FORMAT = False

name = "fm16_prediction"
points = 1

@test_case(points=0, hidden=False)
def test_fm16_defini(y_pred_proba, y_test):
    import numpy as np
    assert y_pred_proba is not None and y_pred_proba is not ..., "`y_pred_proba` n'est pas encore défini."
    assert isinstance(y_pred_proba, np.ndarray), '`y_pred_proba` doit être un tableau numpy (le résultat de `model.predict`).'
    if isinstance(y_test, np.ndarray) and y_test.ndim == 1:
        assert y_pred_proba.ndim > 0 and len(y_pred_proba) == len(y_test), '`y_pred_proba` doit contenir une ligne par image de test.'

@test_case(points=1, hidden=True)
def test_fm16_prediction(y_pred_proba, y_test, TDGRADE_PROFILE):
    from tdgrade_checks import predictions, thresholds, values
    n_test = {'full': 10000, 'smoke': 1000}[values.profile_of(TDGRADE_PROFILE)]
    predicted = predictions.predicted_labels(y_pred_proba, 'y_pred_proba', n_test)
    truth = values.labels(y_test, 'y_test', n_test)
    predictions.check_accuracy_at_least(predicted, truth, thresholds.threshold('fashion_mnist', 'first_model_accuracy', TDGRADE_PROFILE), "l'accuracy de ces prédictions sur le test est trop faible pour ce modèle : prédisez avec le modèle entraîné sur les images de test préparées.")

