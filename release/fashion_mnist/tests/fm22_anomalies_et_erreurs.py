from otter.test_files import test_case

OK_FORMAT = False

name = "fm22_anomalies_et_erreurs"
points = 1

@test_case(points=0, hidden=False)
def test_fm22_defini(iso_network_errors, iso_overlap):
    assert iso_network_errors is not None and iso_network_errors is not ..., "`iso_network_errors` n'est pas encore défini."
    assert iso_overlap is not None and iso_overlap is not ..., "`iso_overlap` n'est pas encore défini."

