from otter.test_files import test_case

OK_FORMAT = False

name = "cv01_enveloppe_sklearn"
points = 1

@test_case(points=None, hidden=False)
def test_cv01_defini(build_mlp, clf):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(build_mlp), "`build_mlp` n'est pas encore défini."
    assert callable(build_mlp), '`build_mlp` doit être une fonction.'
    assert not _missing(clf), "`clf` n'est pas encore défini."
    assert hasattr(clf, 'get_params'), '`clf` doit être un estimateur scikit-learn : enveloppez votre fonction avec `KerasClassifier`.'

