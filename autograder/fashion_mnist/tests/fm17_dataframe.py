from otter.test_files import test_case

OK_FORMAT = False

name = "fm17_dataframe"
points = 1

@test_case(points=0, hidden=False)
def test_fm17_defini(predictions_df):
    assert predictions_df is not None and predictions_df is not ..., "`predictions_df` n'est pas encore défini."
    assert hasattr(predictions_df, 'columns'), '`predictions_df` doit être un `pandas.DataFrame`.'
    cols = [str(c) for c in predictions_df.columns]
    assert 'predicted' in cols and 'true' in cols, '`predictions_df` doit avoir les colonnes `predicted` et `true`.'

@test_case(points=1, hidden=True)
def test_fm17_dataframe(predictions_df, y_pred_proba, y_test, TDGRADE_PROFILE):
    from tdgrade_checks import predictions, values
    n_test = {'full': 10000, 'smoke': 1000}[values.profile_of(TDGRADE_PROFILE)]
    columns = predictions.frame_columns(predictions_df, 'predictions_df', n_test)
    assert columns['predicted'].min() >= 0 and columns['predicted'].max() <= 9, 'la colonne `predicted` doit contenir des classes entre 0 et 9.'
    predictions.check_true_labels(columns['true'], y_test, 'y_test')
    best = predictions.predicted_labels(y_pred_proba, 'y_pred_proba', n_test)
    assert (columns['predicted'] == best).mean() >= 0.999, 'la colonne `predicted` doit être la classe de plus grande probabilité dans `y_pred_proba`.'

