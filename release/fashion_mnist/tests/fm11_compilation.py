from otter.test_files import test_case

OK_FORMAT = False

name = "fm11_compilation"
points = 1

@test_case(points=0, hidden=False)
def test_fm11_defini(model, loss_name):
    assert loss_name is not None and loss_name is not ..., "`loss_name` n'est pas encore défini."
    assert isinstance(loss_name, str), '`loss_name` doit être une chaîne, le nom de la fonction de perte.'
    assert model is not None and model is not ..., "`model` n'est pas encore défini."
    assert getattr(model, 'compiled', False) is True, "`model` n'est pas encore compilé : appelez `model.compile(...)`."

