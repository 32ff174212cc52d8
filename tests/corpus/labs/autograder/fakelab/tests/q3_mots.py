OK_FORMAT = False

from otter.test_files import test_case

name = "q3_mots"
points = 1

@test_case(points=1, hidden=True)
def test_q3_hidden(words):
    try:
        items = [str(w) for w in list(words)] if isinstance(words, (list, tuple)) else None
    except Exception:
        items = None
    assert items is not None, "`words` doit être une liste de chaînes."
    assert items == ["chat", "chien", "souris"], "La liste `words` n'est pas triée comme demandé."
