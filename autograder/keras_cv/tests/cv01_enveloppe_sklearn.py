from otter.test_files import test_case

OK_FORMAT = False

name = "cv01_enveloppe_sklearn"
points = 1

@test_case(points=0, hidden=False)
def test_cv01_defini(build_mlp, clf):
    assert build_mlp is not None and build_mlp is not ..., "`build_mlp` n'est pas encore défini."
    assert callable(build_mlp), '`build_mlp` doit être une fonction.'
    assert clf is not None and clf is not ..., "`clf` n'est pas encore défini."
    assert hasattr(clf, 'get_params'), '`clf` doit être un estimateur scikit-learn : enveloppez votre fonction avec `KerasClassifier`.'

@test_case(points=1, hidden=True)
def test_cv01_enveloppe(clf, build_mlp, clf_2layers, reseau_build_mlp):
    from tdgrade_checks import estimators
    estimators.check_scikeras_wrapper(clf, 'clf')
    estimators.check_built_classifier(build_mlp, 'build_mlp', {'clf': clf, 'clf_2layers': clf_2layers}, classes=10, features=64, sample=reseau_build_mlp, sample_name='reseau_build_mlp', sample_params=(2, 16))

