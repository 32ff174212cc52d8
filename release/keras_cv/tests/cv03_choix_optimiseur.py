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

