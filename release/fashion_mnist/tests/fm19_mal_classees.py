from otter.test_files import test_case

OK_FORMAT = False

name = "fm19_mal_classees"
points = 1

@test_case(points=0, hidden=False)
def test_fm19_defini(shown_misclassified):
    import numpy as np
    assert shown_misclassified is not None and shown_misclassified is not ..., "`shown_misclassified` n'est pas encore défini."
    assert len(np.asarray(shown_misclassified).ravel()) >= 4, '`shown_misclassified` doit contenir au moins 4 indices.'

