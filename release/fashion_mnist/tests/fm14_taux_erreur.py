from otter.test_files import test_case

OK_FORMAT = False

name = "fm14_taux_erreur"
points = 1

@test_case(points=None, hidden=False)
def test_fm14_defini(test_error_rate, val_error_rate):

    def _missing(v):
        return v is None or v is Ellipsis
    for name, v in (('test_error_rate', test_error_rate), ('val_error_rate', val_error_rate)):
        assert not _missing(v), f"`{name}` n'est pas encore défini."
        try:
            float(v)
        except Exception:
            raise AssertionError(f'`{name}` doit être un nombre.')

