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

