OK_FORMAT = False

from otter.test_files import test_case

name = "q2_carres"
points = 2

@test_case(points=0, hidden=False)
def test_q2_public(squares):
    assert squares is not None, "La variable `squares` n'est pas définie."

@test_case(points=2, hidden=True)
def test_q2_hidden(squares, TDGRADE_PROFILE):
    import numpy as np
    try:
        arr = np.asarray(squares, dtype=float)
    except Exception:
        raise AssertionError("`squares` doit être un tableau de nombres.")
    n = {"full": 10, "smoke": 10}[TDGRADE_PROFILE or "full"]
    assert arr.shape == (n,), "`squares` n'a pas la bonne forme."
    assert np.array_equal(arr, np.arange(n, dtype=float) ** 2), "Les valeurs de `squares` sont fausses."
