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

