from otter.test_files import test_case

OK_FORMAT = False

name = "fm22_anomalies_et_erreurs"
points = 1

@test_case(points=0, hidden=False)
def test_fm22_defini(iso_network_errors, iso_overlap):
    assert iso_network_errors is not None and iso_network_errors is not ..., "`iso_network_errors` n'est pas encore défini."
    assert iso_overlap is not None and iso_overlap is not ..., "`iso_overlap` n'est pas encore défini."

@test_case(points=1, hidden=True)
def test_fm22_recoupement(model, x_train_prep, y_train, iso_class, anomaly_indices, iso_network_errors, iso_overlap):
    import numpy as np
    from tdgrade_checks import images, models, values
    label = values.as_int(iso_class, 'iso_class')
    rows = images.rows_of_class(x_train_prep, y_train, label, ('x_train_prep', 'y_train'), flatten=False)
    assert 0 <= label <= 9 and len(rows) > 0, '`iso_class` doit être une classe entre 0 et 9 présente dans `y_train` (question fm21).'
    errors = set(np.flatnonzero(models.predict_scores(model, 'model', rows, 'x_train_prep').argmax(axis=1) != label).tolist())
    student = set(values.indices(iso_network_errors, 'iso_network_errors', len(rows)).tolist())
    assert len(errors ^ student) <= max(2, len(errors) // 100), '`iso_network_errors` doit donner les indices, dans `x_iso`, des images que `model` classe mal.'
    flagged = set(values.indices(anomaly_indices, 'anomaly_indices', len(rows)).tolist())
    assert values.as_float(iso_overlap, 'iso_overlap') == len(flagged & student), "`iso_overlap` doit être le nombre d'indices communs à `anomaly_indices` et `iso_network_errors`."

