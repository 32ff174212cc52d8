from otter.test_files import test_case

OK_FORMAT = False

name = "cv03_choix_optimiseur"
points = 2

@test_case(points=None, hidden=False)
def test_cv03_defini(cv_scores, optimizer_cv, best_optimizer):

    def _missing(v):
        return v is None or v is Ellipsis
    assert not (_missing(cv_scores) and _missing(optimizer_cv)), 'Définissez `cv_scores` (un dictionnaire optimiseur -> scores des plis) ou `optimizer_cv` (un `GridSearchCV` entraîné).'
    if not _missing(cv_scores):
        assert isinstance(cv_scores, dict), '`cv_scores` doit être un dictionnaire.'
    if not _missing(optimizer_cv):
        assert hasattr(optimizer_cv, 'cv_results_'), '`optimizer_cv` doit être un `GridSearchCV` entraîné (appelez `fit`).'
    assert not _missing(best_optimizer), "`best_optimizer` n'est pas encore défini."
    assert isinstance(best_optimizer, str), '`best_optimizer` doit être une chaîne de caractères ("rmsprop" ou "sgd").'

