from otter.test_files import test_case

OK_FORMAT = False

name = "fm19_mal_classees"
points = 1

@test_case(points=None, hidden=False)
def test_fm19_defini(shown_misclassified):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(shown_misclassified), "`shown_misclassified` n'est pas encore défini."
    assert len(np.asarray(shown_misclassified).ravel()) >= 4, '`shown_misclassified` doit contenir au moins 4 indices.'

