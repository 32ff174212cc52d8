OK_FORMAT = False

from otter.test_files import test_case

name = "o1_produit"
points = 1

@test_case(points=None, hidden=True)
def test_o1(product):
    assert product == 3628800, "Produit faux."
