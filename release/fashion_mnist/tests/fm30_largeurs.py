from otter.test_files import test_case

OK_FORMAT = False

name = "fm30_largeurs"
points = 1

@test_case(points=None, hidden=False)
def test_fm30_defini(width_models, width_histories):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(width_models), "`width_models` n'est pas encore défini."
    assert not _missing(width_histories), "`width_histories` n'est pas encore défini."
    assert isinstance(width_models, dict) and isinstance(width_histories, dict), '`width_models` et `width_histories` doivent être des dictionnaires.'
    for name, d in (('width_models', width_models), ('width_histories', width_histories)):
        assert sorted(d) == [16, 32, 64, 128], f'les clés de `{name}` doivent être les entiers 16, 32, 64 et 128.'

