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

@test_case(points=1, hidden=True)
def test_fm11_compilation(model, loss_name, y_train_prep, TDGRADE_PROFILE):
    from tdgrade_checks import models, training, values
    n_train = {'full': 60000, 'smoke': 6000}[values.profile_of(TDGRADE_PROFILE)]
    settings = training.compile_settings(model, 'model')
    training.check_classification_loss(settings, models.output_activation(model, 'model'), y_train_prep, 'y_train_prep', n_train)
    assert isinstance(loss_name, str) and training.keras_name(loss_name.strip()) == settings['loss'], '`loss_name` doit être le nom de la perte passée à `model.compile`.'
    assert any((m in training.ACCURACY_KEYS for m in settings['metrics'])), "`model` doit suivre l'accuracy : ajoutez-la dans `metrics` lors de la compilation."
    training.check_default_optimizer(settings, 'model')

