from otter.test_files import test_case

OK_FORMAT = False

name = "fm21_isolation_forest"
points = 1

@test_case(points=0, hidden=False)
def test_fm21_defini(iso_class, x_iso, iso_forest, anomaly_indices):
    for name, v in (('iso_class', iso_class), ('x_iso', x_iso), ('iso_forest', iso_forest), ('anomaly_indices', anomaly_indices)):
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
    assert hasattr(iso_forest, 'get_params'), '`iso_forest` doit être un `IsolationForest` de scikit-learn.'

@test_case(points=1, hidden=True)
def test_fm21_isolation_forest(iso_class, x_iso, iso_forest, anomaly_indices, x_train, y_train, TDGRADE_PROFILE):
    from tdgrade_checks import anomalies, images, values
    per_class = {'full': 6000, 'smoke': 600}[values.profile_of(TDGRADE_PROFILE)]
    label = values.as_int(iso_class, 'iso_class')
    assert 0 <= label <= 9, '`iso_class` doit être une classe entre 0 et 9.'
    data = images.flat_rows(x_iso, 'x_iso', 784)
    assert len(data) == per_class, "`x_iso` doit contenir toutes les images d'entraînement de la classe `iso_class`, et elles seules."
    images.check_same_order(images.rows_of_class(x_train, y_train, label, ('x_train', 'y_train')), data, 'x_iso', 'x_train')
    params = anomalies.forest_params(iso_forest, 'iso_forest')
    anomalies.check_fitted_on(iso_forest, 'iso_forest', 784, 'x_iso')
    anomalies.check_contamination_below(params, len(data), 10, 'iso_forest')
    own = anomalies.forest_predictions(iso_forest, params, data, 'iso_forest')
    anomalies.check_anomalies(anomaly_indices, 'anomaly_indices', len(data), 9, own, 'iso_forest')

