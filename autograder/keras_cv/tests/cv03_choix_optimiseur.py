from otter.test_files import test_case

OK_FORMAT = False

name = "cv03_choix_optimiseur"
points = 2

@test_case(points=0, hidden=False)
def test_cv03_defini(cv_scores, optimizer_cv, best_optimizer):
    assert not ((cv_scores is None or cv_scores is ...) and (optimizer_cv is None or optimizer_cv is ...)), 'Définissez `cv_scores` (un dictionnaire optimiseur -> scores des plis) ou `optimizer_cv` (un `GridSearchCV` entraîné).'
    if cv_scores is not None and cv_scores is not ...:
        assert isinstance(cv_scores, dict), '`cv_scores` doit être un dictionnaire.'
    if optimizer_cv is not None and optimizer_cv is not ...:
        assert hasattr(optimizer_cv, 'cv_results_'), '`optimizer_cv` doit être un `GridSearchCV` entraîné (appelez `fit`).'
    assert best_optimizer is not None and best_optimizer is not ..., "`best_optimizer` n'est pas encore défini."
    assert isinstance(best_optimizer, str), '`best_optimizer` doit être une chaîne de caractères ("rmsprop" ou "sgd").'

@test_case(points=2, hidden=True)
def test_cv03_choix(cv_scores, optimizer_cv, best_optimizer, X_train):
    import numpy as np
    from tdgrade_checks import estimators, images, leaks, values
    runs = estimators.fold_scores(cv_scores, optimizer_cv)
    assert {'rmsprop', 'sgd'} <= {name for name, _ in runs}, 'La validation croisée doit comparer les deux optimiseurs, "rmsprop" et "sgd".'
    assert all((scores.size >= 3 for _, scores in runs)), 'Utilisez au moins 3 plis de validation croisée pour chaque optimiseur.'
    assert all((np.all(np.isfinite(scores)) for _, scores in runs)), 'Certains scores de validation croisée ne sont pas des nombres finis.'
    n_train = len(images.flat_rows(X_train, 'X_train', 64))
    results_name = 'cv_scores' if values.missing(optimizer_cv) else 'optimizer_cv'
    leaks.check_folds_from_rows(runs, n_train, 'X_train', results_name)
    if results_name == 'optimizer_cv':
        leaks.check_fitted_on_rows(optimizer_cv, 'optimizer_cv', n_train, 'X_train')
    values.require(best_optimizer, 'best_optimizer')
    choice = estimators.optimizer_key(best_optimizer)
    assert choice in ('rmsprop', 'sgd'), '`best_optimizer` doit valoir "rmsprop" ou "sgd".'
    assert choice in estimators.best_of([run for run in runs if run[0] in ('rmsprop', 'sgd')]), "`best_optimizer` n'est pas l'optimiseur qui a le meilleur score moyen dans vos résultats de validation croisée."

