from otter.test_files import test_case

OK_FORMAT = False

name = "fm21_isolation_forest"
points = 1

@test_case(points=0, hidden=False)
def test_fm21_defini(iso_class, x_iso, iso_forest, anomaly_indices):
    for name, v in (('iso_class', iso_class), ('x_iso', x_iso), ('iso_forest', iso_forest), ('anomaly_indices', anomaly_indices)):
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
    assert hasattr(iso_forest, 'get_params'), '`iso_forest` doit être un `IsolationForest` de scikit-learn.'

