from otter.test_files import test_case

OK_FORMAT = False

name = "fm18_erreurs_par_classe"
points = 1

@test_case(points=None, hidden=False)
def test_fm18_defini(errors_per_class, worst_class):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(errors_per_class), "`errors_per_class` n'est pas encore défini."
    assert not _missing(worst_class), "`worst_class` n'est pas encore défini."
    assert len(np.asarray(errors_per_class).ravel()) == 10, '`errors_per_class` doit contenir 10 valeurs, une par classe.'

