from otter.test_files import test_case

OK_FORMAT = False

name = "fm14_taux_erreur"
points = 1

@test_case(points=0, hidden=False)
def test_fm14_defini(test_error_rate, val_error_rate):
    for name, v in (('test_error_rate', test_error_rate), ('val_error_rate', val_error_rate)):
        assert v is not None and v is not ..., f"`{name}` n'est pas encore défini."
        try:
            float(v)
        except Exception:
            raise AssertionError(f'`{name}` doit être un nombre.')

@test_case(points=1, hidden=True)
def test_fm14_taux_erreur(model, x_test_prep, y_test, history, test_error_rate, val_error_rate, TDGRADE_PROFILE):
    from tdgrade_checks import models, thresholds, training, values
    rates = {name: values.as_float(v, name) for name, v in (('test_error_rate', test_error_rate), ('val_error_rate', val_error_rate))}
    for name, rate in rates.items():
        assert 0.0 <= rate <= 1.0, f'`{name}` doit être une proportion entre 0 et 1, pas un pourcentage.'
    hist, _, acc = training.check_history(history, 'history', epochs=None)
    assert abs(rates['val_error_rate'] - (1 - float(hist['val_' + acc][-1]))) <= 0.005, "`val_error_rate` doit valoir 1 − l'accuracy de validation de la dernière époque de `history`."
    test_acc = models.accuracy(model, 'model', x_test_prep, y_test)
    assert abs(rates['test_error_rate'] - (1 - test_acc)) <= 0.005, "`test_error_rate` ne correspond pas au taux d'erreur de `model` sur les données de test préparées."
    assert test_acc >= thresholds.threshold('fashion_mnist', 'first_model_accuracy', TDGRADE_PROFILE), "l'accuracy de `model` sur le test est trop faible pour cette architecture : revoyez le prétraitement, la compilation et l'entraînement."

