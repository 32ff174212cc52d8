from otter.test_files import test_case

OK_FORMAT = False

name = "fm20_confusions_eloignees"
points = 1

@test_case(points=0, hidden=False)
def test_fm20_defini(far_pair, shown_far_confusions):
    import numpy as np
    assert far_pair is not None and far_pair is not ..., "`far_pair` n'est pas encore défini."
    try:
        pair_length = len([int(c) for c in far_pair])
    except Exception:
        pair_length = 0
    assert pair_length == 2, '`far_pair` doit être un couple (vraie classe, classe prédite).'
    assert shown_far_confusions is not None and shown_far_confusions is not ..., "`shown_far_confusions` n'est pas encore défini."
    assert len(np.asarray(shown_far_confusions).ravel()) >= 1, '`shown_far_confusions` doit contenir au moins un indice.'

@test_case(points=1, hidden=True)
def test_fm20_confusions(far_pair, shown_far_confusions, predictions_df):
    from tdgrade_checks import predictions
    pred, true = predictions.pred_true(predictions_df)
    clothes, shoes, bag = (0, 1, 2)
    family = [clothes, clothes, clothes, clothes, clothes, shoes, clothes, shoes, bag, shoes]
    predictions.check_confusion_pair(far_pair, shown_far_confusions, pred, true, family)

