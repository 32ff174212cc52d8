from otter.test_files import test_case

OK_FORMAT = False

name = "fm15_courbes"
points = 1

@test_case(points=None, hidden=False)
def test_fm15_defini(curves_figure):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(curves_figure), "`curves_figure` n'est pas encore défini."
    assert hasattr(curves_figure, 'axes'), '`curves_figure` doit être une figure matplotlib (par exemple `fig` dans `fig, axes = plt.subplots(...)`).'

