OK_FORMAT = False

from otter.test_files import test_case

name = "q1_somme"
points = 2

@test_case(points=0, hidden=False)
def test_q1_public(total):
    assert total is not None, "La variable `total` n'est pas définie."

@test_case(points=2, hidden=True)
def test_q1_hidden(total):
    try:
        value = int(total)
        exact = float(total) == float(value)
    except Exception:
        raise AssertionError("`total` doit être un nombre entier.")
    assert exact and value == sum(range(1, 101)), "La somme est fausse : avez-vous inclus 100 ?"
