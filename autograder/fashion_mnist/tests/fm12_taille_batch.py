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

@test_case(points=1, hidden=True)
def test_fm12_taille_batch(batch_size):
    import math
    from tdgrade_checks import values
    b = values.as_int(batch_size, 'batch_size')
    assert b > 0, '`batch_size` doit être positif.'
    assert math.ceil(48000 / b) <= 200, "avec cette taille de batch, les poids sont mis à jour plus de 200 fois par époque : comptez les images réellement utilisées pour l'entraînement."
    assert b < 300, 'cette taille de batch est plus grande que nécessaire : la validation retire 20 % des images, refaites le calcul avec les images restantes.'

