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

@test_case(points=None, hidden=True)
def test_cv01_enveloppe(clf):
    import inspect

    def _missing(v):
        return v is None or v is Ellipsis
    assert not _missing(clf), "`clf` n'est pas encore défini."
    try:
        params = {str(k): v for k, v in dict(clf.get_params()).items()}
    except Exception:
        raise AssertionError("`clf` n'est pas un estimateur scikit-learn (pas de méthode `get_params()`) : enveloppez votre modèle avec `KerasClassifier` de scikeras.")
    wrapper_keys = {'model', 'optimizer', 'loss', 'epochs', 'batch_size', 'verbose', 'callbacks', 'warm_start'}
    assert wrapper_keys <= set(params), "`clf` n'est pas une enveloppe scikeras (`KerasClassifier` ou `KerasRegressor`) : ses paramètres ne sont pas ceux attendus."
    build = params.get('model')
    assert build is not None and callable(build) and (not hasattr(build, 'layers')), 'Le paramètre `model` de `clf` doit être votre fonction de construction elle-même (`model=build_mlp`, sans parenthèses), pas un modèle déjà construit.'
    try:
        import sklearn.base
        copy = sklearn.base.clone(clf)
        copy_keys = {str(k) for k in dict(copy.get_params())}
    except Exception:
        raise AssertionError('`clone(clf)` échoue : scikit-learn ne peut pas copier votre estimateur (vérifiez les arguments passés à `KerasClassifier`).')
    assert set(params) <= copy_keys, '`clone(clf)` ne conserve pas tous les paramètres de `clf`.'
    routed = {k[len('model__'):] for k in params if k.startswith('model__')}
    assert routed, "`clf.get_params()` n'expose aucun paramètre de votre fonction de construction : passez-les à l'enveloppe avec le préfixe `model__` (par exemple `model__hidden_units=32`)."
    names = getattr(build, 'tdgrade_params', None)
    if names is None:
        try:
            names = [p.name for p in inspect.signature(build).parameters.values() if p.kind != p.VAR_KEYWORD]
            if any((p.kind == p.VAR_KEYWORD for p in inspect.signature(build).parameters.values())):
                names = None
        except Exception:
            names = None
    if names is not None and 'kwargs' not in names:
        assert routed <= {str(n) for n in names}, "Certains paramètres `model__…` de `clf` ne sont pas des arguments de votre fonction de construction : le nom après `model__` doit être celui d'un argument de la fonction."

