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

@test_case(points=None, hidden=True)
def test_cv03_validation_croisee(cv_scores, optimizer_cv):
    import re
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis

    def _opt(value):
        text = str(value).lower()
        return 'rmsprop' if 'rmsprop' in text else 'sgd' if 'sgd' in text else text
    runs = []
    if not _missing(optimizer_cv):
        results = getattr(optimizer_cv, 'cv_results_', None)
        assert isinstance(results, dict), '`optimizer_cv` doit être un `GridSearchCV` entraîné (appelez `fit`).'
        keys = [k for k in results if str(k).startswith('param_') and str(k).endswith('optimizer')]
        assert keys, 'La grille de `optimizer_cv` doit faire varier le paramètre `optimizer`.'
        split_keys = sorted((k for k in results if re.fullmatch('split\\d+_test_score', str(k))))
        try:
            opts = [_opt(v) for v in list(results[keys[0]])]
            for i, name in enumerate(opts):
                runs.append((name, np.asarray([float(results[k][i]) for k in split_keys])))
        except Exception:
            raise AssertionError('Les résultats de `optimizer_cv` (`cv_results_`) sont illisibles.')
    elif not _missing(cv_scores):
        assert isinstance(cv_scores, dict), '`cv_scores` doit être un dictionnaire optimiseur -> scores des plis.'
        for name, scores in cv_scores.items():
            if isinstance(scores, dict) and 'test_score' in scores:
                scores = scores['test_score']
            try:
                runs.append((_opt(name), np.asarray(scores, dtype=float).ravel()))
            except Exception:
                raise AssertionError('Chaque valeur de `cv_scores` doit être le tableau des scores obtenus sur les plis.')
    else:
        raise AssertionError('Définissez `cv_scores` (un dictionnaire optimiseur -> scores des plis) ou `optimizer_cv` (un `GridSearchCV` entraîné).')
    names = {name for name, _ in runs}
    assert {'rmsprop', 'sgd'} <= names, 'La validation croisée doit comparer les deux optimiseurs, "rmsprop" et "sgd".'
    assert all((scores.size >= 3 for _, scores in runs)), 'Utilisez au moins 3 plis de validation croisée pour chaque optimiseur.'
    assert all((np.all(np.isfinite(scores)) for _, scores in runs)), 'Certains scores de validation croisée ne sont pas des nombres finis.'

@test_case(points=None, hidden=True)
def test_cv03_choix(cv_scores, optimizer_cv, best_optimizer):
    import numpy as np

    def _missing(v):
        return v is None or v is Ellipsis

    def _opt(value):
        text = str(value).lower()
        return 'rmsprop' if 'rmsprop' in text else 'sgd' if 'sgd' in text else text
    assert not _missing(best_optimizer), "`best_optimizer` n'est pas encore défini."
    means = []
    if not _missing(optimizer_cv):
        results = getattr(optimizer_cv, 'cv_results_', None)
        assert isinstance(results, dict), '`optimizer_cv` doit être un `GridSearchCV` entraîné (appelez `fit`).'
        keys = [k for k in results if str(k).startswith('param_') and str(k).endswith('optimizer')]
        assert keys and 'mean_test_score' in results, 'La grille de `optimizer_cv` doit faire varier le paramètre `optimizer`.'
        try:
            opts = [_opt(v) for v in list(results[keys[0]])]
            means = [(name, float(m)) for name, m in zip(opts, list(results['mean_test_score']))]
        except Exception:
            raise AssertionError('Les résultats de `optimizer_cv` (`cv_results_`) sont illisibles.')
    elif not _missing(cv_scores):
        assert isinstance(cv_scores, dict), '`cv_scores` doit être un dictionnaire optimiseur -> scores des plis.'
        for name, scores in cv_scores.items():
            if isinstance(scores, dict) and 'test_score' in scores:
                scores = scores['test_score']
            try:
                means.append((_opt(name), float(np.mean(np.asarray(scores, dtype=float)))))
            except Exception:
                raise AssertionError('Chaque valeur de `cv_scores` doit être le tableau des scores obtenus sur les plis.')
    else:
        raise AssertionError("Définissez `cv_scores` ou `optimizer_cv` : le choix doit s'appuyer sur vos propres résultats de validation croisée.")
    means = [(n, m) for n, m in means if n in ('rmsprop', 'sgd') and np.isfinite(m)]
    assert means, 'Vos résultats de validation croisée ne contiennent aucun score pour "rmsprop" ou "sgd".'
    best = max((m for _, m in means))
    winners = {n for n, m in means if m >= best - 1e-09}
    assert _opt(best_optimizer) in ('rmsprop', 'sgd'), '`best_optimizer` doit valoir "rmsprop" ou "sgd".'
    assert _opt(best_optimizer) in winners, "`best_optimizer` n'est pas l'optimiseur qui a le meilleur score moyen dans vos résultats de validation croisée."

