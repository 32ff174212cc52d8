from otter.test_files import test_case

OK_FORMAT = False

name = "fm10_parametres"
points = 1

@test_case(points=None, hidden=False)
def test_fm10_defini(params_per_layer, total_params):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(params_per_layer), "`params_per_layer` n'est pas encore défini."
    assert not _missing(total_params), "`total_params` n'est pas encore défini."
    assert isinstance(params_per_layer, (list, tuple)) and len(params_per_layer) == 3, '`params_per_layer` doit être une liste de 3 entiers, un par couche `Dense`.'
    assert isinstance(total_params, int), '`total_params` doit être un entier.'

