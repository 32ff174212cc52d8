from otter.test_files import test_case

OK_FORMAT = False

name = "fm12_taille_batch"
points = 1

@test_case(points=0, hidden=False)
def test_fm12_defini(batch_size):
    assert batch_size is not None and batch_size is not ..., "`batch_size` n'est pas encore défini."
    assert isinstance(batch_size, int), '`batch_size` doit être un entier.'

