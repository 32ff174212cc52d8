from otter.test_files import test_case

OK_FORMAT = False

name = "fm12_taille_batch"
points = 1

@test_case(points=0, hidden=False)
def test_fm12_defini(batch_size):
    assert batch_size is not None and batch_size is not ..., "`batch_size` n'est pas encore défini."
    try:
        integral = float(int(batch_size)) == float(batch_size)
    except Exception:
        integral = False
    assert integral, '`batch_size` doit être un entier.'

