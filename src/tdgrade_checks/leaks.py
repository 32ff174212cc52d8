"""Data leaks: a scaler, a model or a cross-validation that used rows of the test part.

Each check reads what the student's objects recorded about the data they were given (the rows a
scikeras wrapper or a scaler was fitted on, the fold sizes that fold accuracies imply, the
statistics a standardisation used), never trained values.
"""
import numpy as np

from .values import missing

# Standardised "exactly": what float32 storage of StandardScaler's output leaves (~5e-6 here; the
# checks may receive such values cast to float64, so the dtype does not tell); a scaler fitted on
# other rows is off by far more (all 500 smoke images: the training part's column means drift by
# up to 0.06, its global mean by 8e-4).
EXACT = 2e-5


def rows_seen(estimator):
    """Rows a fitted estimator recorded having been fitted on, or None when it recorded none:
    scikeras' `X_shape_`, a scaler's `n_samples_seen_`, through a `GridSearchCV` (`best_estimator_`),
    a `TransformedTargetRegressor` (`regressor_`, `transformer_`) or a `Pipeline` (its steps)."""
    seen = []

    def visit(est, depth):
        if missing(est) or depth > 4:
            return
        shape = getattr(est, "X_shape_", None)
        if shape is not None:
            try:
                seen.append(int(tuple(shape)[0]))
            except Exception:
                pass
        samples = getattr(est, "n_samples_seen_", None)
        if samples is not None:
            try:
                seen.append(int(np.max(np.asarray(samples))))
            except Exception:
                pass
        for attr in ("best_estimator_", "regressor_", "transformer_"):
            visit(getattr(est, attr, None), depth + 1)
        try:
            steps = dict(est.get_params()).get("steps")
        except Exception:
            steps = None
        if isinstance(steps, (list, tuple)):
            for step in steps:
                if isinstance(step, (list, tuple)) and len(step) == 2:
                    visit(step[1], depth + 1)

    visit(estimator, 0)
    return seen or None


def check_fitted_on_rows(estimator, name: str, n_rows: int, data_name: str) -> None:
    """Whatever `estimator` recorded about the rows it was fitted on says `n_rows` (the training part)."""
    seen = rows_seen(estimator)
    if seen is None:
        return
    wrong = sorted({n for n in seen if n != n_rows})
    assert not wrong, f"`{name}` a été entraîné sur {wrong[-1]} exemples, alors que la partie d'entraînement `{data_name}` en compte {n_rows} : entraînez-le sur la partie d'entraînement seulement (la partie de test ne doit servir qu'à l'évaluation)."


def standardised_columns(x: np.ndarray, tol: float) -> bool:
    """Every non-constant column has mean 0 and standard deviation 1 (StandardScaler fitted on x)."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    live = std > tol
    return bool(live.any() and np.all(np.abs(mean[live]) < tol) and np.all(np.abs(std[live] - 1) < tol)
                and np.all(np.abs(mean[~live]) < tol))


def standardised_globally(x: np.ndarray, tol: float) -> bool:
    """One mean and one standard deviation for all values: mean 0, standard deviation 1."""
    return bool(abs(float(x.mean())) < tol and abs(float(x.std()) - 1) < tol)


def check_scaled_with_training_statistics(x_train: np.ndarray, x_test: np.ndarray, names: tuple[str, str]) -> None:
    """A standardisation of the inputs used the training part's statistics only: not those of all
    the rows (scaler fitted before the split), nor the test part's own."""
    train_name, test_name = names
    tol = EXACT
    union = np.concatenate([x_train, x_test]).astype(np.float64)
    xtr, xte = x_train.astype(np.float64), x_test.astype(np.float64)
    for standardised in (standardised_columns, standardised_globally):
        if standardised(xtr, tol):
            assert not standardised(xte, tol), f"`{test_name}` est standardisée avec ses propres statistiques : elle doit l'être avec la moyenne et l'écart-type de la partie d'entraînement (`scaler.transform`, sans nouveau `fit`)."
            return
        assert not standardised(union, tol), f"La standardisation de `{train_name}` et `{test_name}` a été calculée sur toutes les images, avant la séparation : la partie de test a influencé la préparation. Séparez d'abord, puis apprenez la moyenne et l'écart-type sur `{train_name}` seulement (ou divisez par 16)."


def fold_sizes(n_rows: int, n_folds: int) -> set:
    """Validation-fold sizes a k-fold split of `n_rows` rows can give (k from 2 to `n_folds`, so
    repeated k-folds count too; StratifiedKFold may move one row per fold)."""
    sizes = set()
    for k in range(2, max(2, n_folds) + 1):
        low = n_rows // k
        sizes.update(range(max(1, low - 1), low + 3))
    return sizes


def is_fraction_of(score: float, sizes: set) -> bool:
    """`score` is (correct predictions) / (fold size) for one of `sizes`."""
    return any(abs(score * m - round(score * m)) < 1e-6 * m for m in sizes)


def check_folds_from_rows(runs: list, n_rows: int, data_name: str, name: str) -> None:
    """Every fold accuracy is a count of right answers over a fold of a k-fold split of the
    `n_rows` training rows (a cross-validation over all the rows, test part included, or with
    another score, gives other denominators)."""
    for label, scores in runs:
        scores = np.asarray(scores, dtype=float).ravel()
        sizes = fold_sizes(n_rows, scores.size)
        assert all(is_fraction_of(float(s), sizes) for s in scores), f"Les scores des plis de `{name}` (\"{label}\") ne sont pas des accuracies mesurées sur des plis de `{data_name}` ({n_rows} exemples) : la validation croisée doit porter sur la partie d'entraînement seulement (la partie de test reste de côté), avec le score par défaut (l'accuracy)."
