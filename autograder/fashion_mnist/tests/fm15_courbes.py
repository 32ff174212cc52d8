from otter.test_files import test_case

OK_FORMAT = False

name = "fm15_courbes"
points = 1

@test_case(points=0, hidden=False)
def test_fm15_defini(curves_figure):
    assert curves_figure is not None and curves_figure is not ..., "`curves_figure` n'est pas encore défini."
    assert hasattr(curves_figure, 'axes'), '`curves_figure` doit être une figure matplotlib (par exemple `fig` dans `fig, axes = plt.subplots(...)`).'

@test_case(points=1, hidden=True)
def test_fm15_courbes(curves_figure, history):
    from tdgrade_checks import plots, training
    hist, _, acc = training.check_history(history, 'history', epochs=None)
    plots.check_history_curves(curves_figure, 'curves_figure', hist, acc)

