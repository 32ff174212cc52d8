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

