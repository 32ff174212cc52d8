from otter.test_files import test_case

OK_FORMAT = False

name = "fm18_erreurs_par_classe"
points = 1

@test_case(points=0, hidden=False)
def test_fm18_defini(errors_per_class, worst_class):
    import numpy as np
    assert errors_per_class is not None and errors_per_class is not ..., "`errors_per_class` n'est pas encore défini."
    assert worst_class is not None and worst_class is not ..., "`worst_class` n'est pas encore défini."
    assert len(np.asarray(errors_per_class).ravel()) == 10, '`errors_per_class` doit contenir 10 valeurs, une par classe.'

@test_case(points=1, hidden=True)
def test_fm18_erreurs(errors_per_class, worst_class, predictions_df):
    from tdgrade_checks import predictions
    pred, true = predictions.pred_true(predictions_df)
    predictions.check_errors_per_class(errors_per_class, worst_class, pred, true)

