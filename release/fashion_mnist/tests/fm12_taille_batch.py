from otter.test_files import test_case

OK_FORMAT = False

name = "fm12_taille_batch"
points = 1

@test_case(points=None, hidden=False)
def test_fm12_defini(batch_size):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(batch_size), "`batch_size` n'est pas encore défini."
    assert isinstance(batch_size, int), '`batch_size` doit être un entier.'

