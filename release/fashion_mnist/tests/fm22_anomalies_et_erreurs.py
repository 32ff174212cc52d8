from otter.test_files import test_case

OK_FORMAT = False

name = "fm22_anomalies_et_erreurs"
points = 1

@test_case(points=None, hidden=False)
def test_fm22_defini(iso_network_errors, iso_overlap):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(iso_network_errors), "`iso_network_errors` n'est pas encore défini."
    assert not _missing(iso_overlap), "`iso_overlap` n'est pas encore défini."

