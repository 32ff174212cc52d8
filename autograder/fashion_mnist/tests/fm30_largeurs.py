from otter.test_files import test_case

OK_FORMAT = False

name = "fm30_largeurs"
points = 1

@test_case(points=0, hidden=False)
def test_fm30_defini(width_models, width_histories):
    assert width_models is not None and width_models is not ..., "`width_models` n'est pas encore défini."
    assert width_histories is not None and width_histories is not ..., "`width_histories` n'est pas encore défini."
    assert isinstance(width_models, dict) and isinstance(width_histories, dict), '`width_models` et `width_histories` doivent être des dictionnaires.'
    for name, d in (('width_models', width_models), ('width_histories', width_histories)):
        assert sorted(d) == [16, 32, 64, 128], f'les clés de `{name}` doivent être les entiers 16, 32, 64 et 128.'

@test_case(points=1, hidden=True)
def test_fm30_largeurs(width_models, width_histories, x_test_prep, y_test, TDGRADE_PROFILE):
    from tdgrade_checks import models, thresholds, training, values
    totals = {16: 13002, 32: 26506, 64: 55050, 128: 118282}
    bar = thresholds.threshold('fashion_mnist', 'trained_model_accuracy', TDGRADE_PROFILE)
    found = {}
    for name, d in (('width_models', width_models), ('width_histories', width_histories)):
        values.require(d, name)
        try:
            found[name] = {int(k): v for k, v in dict(d).items()}
        except Exception:
            raise AssertionError(f'`{name}` doit être un dictionnaire dont les clés sont des largeurs entières.')
        assert sorted(found[name]) == sorted(totals), f'les clés de `{name}` doivent être exactement les largeurs demandées.'
    for width, total in totals.items():
        label = f'width_models[{width}]'
        models.check_mlp(found['width_models'][width], label, hidden=[width, width], activation='relu', dropout=0.4, total_params=total)
        training.check_history(found['width_histories'][width], f'width_histories[{width}]', epochs=20)
        models.check_trained(found['width_models'][width], label, x_test_prep, y_test, bar)

