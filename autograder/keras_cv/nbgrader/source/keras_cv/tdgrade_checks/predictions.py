"""Predictions of a classifier: predicted labels, per-class errors, misclassified examples,
confusions between families of classes."""
import numpy as np

from .values import indices, int_array, labels, missing, require


def predicted_labels(scores, name: str, n: int, classes: int = 10) -> np.ndarray:
    """Labels from an (n, classes) array of scores (argmax) or from n labels."""
    require(scores, name)
    try:
        p = np.asarray(scores, dtype=np.float64)
    except Exception:
        raise AssertionError(f"`{name}` doit être un tableau numpy de nombres.")
    assert p.shape in ((n, classes), (n,)), f"`{name}` doit avoir une ligne de {classes} probabilités par exemple de test."
    return p.argmax(axis=1) if p.ndim == 2 else p.astype(np.int64)


def check_accuracy_at_least(predicted: np.ndarray, truth: np.ndarray, bar: float, message: str) -> None:
    assert np.mean(predicted == truth) >= bar, message


def frame_columns(df, name: str, n: int, columns=("predicted", "true")) -> dict:
    """The integer columns of a DataFrame of `n` rows, by name."""
    require(df, name)
    try:
        names = [str(c) for c in df.columns]
    except Exception:
        raise AssertionError(f"`{name}` doit être un `pandas.DataFrame`.")
    listed = " et ".join(f"`{c}`" for c in columns)
    assert all(c in names for c in columns), f"`{name}` doit avoir les colonnes {listed}."
    out = {}
    for column in columns:
        try:
            raw = np.asarray(df[column])
        except Exception:
            raise AssertionError(f"impossible de lire la colonne `{column}` de `{name}`.")
        assert raw.ndim == 1 and raw.shape[0] == n, f"`{name}` doit avoir une ligne par exemple de test, et une seule colonne `{column}`."
        assert raw.dtype.kind in "iu", f"la colonne `{column}` de `{name}` doit contenir des entiers (des numéros de classe), pas des probabilités : passez par `argmax`."
        out[column] = raw.astype(np.int64)
    return out


def pred_true(df, name: str = "predictions_df", question: str = "fm17"):
    """(predicted, true) integer arrays of a predictions DataFrame made at an earlier question."""
    if missing(df):
        raise AssertionError(f"`{name}` (question {question}) n'est pas encore défini.")
    try:
        pred = np.asarray(df["predicted"]).astype(np.int64).ravel()
        true = np.asarray(df["true"]).astype(np.int64).ravel()
    except Exception:
        raise AssertionError(f"`{name}` doit être un DataFrame avec les colonnes entières `predicted` et `true` (corrigez d'abord la question {question}).")
    return pred, true


def errors_by_true_class(pred: np.ndarray, true: np.ndarray, classes: int = 10) -> np.ndarray:
    ok = (true >= 0) & (true < classes)
    return np.bincount(true[ok & (pred != true)], minlength=classes)[:classes]


def check_errors_per_class(counts, worst, pred, true, names=("errors_per_class", "worst_class")) -> None:
    counts_name, worst_name = names
    got = int_array(counts, counts_name, "un tableau de 10 entiers")
    assert got.shape == (10,), f"`{counts_name}` doit contenir exactement 10 valeurs, une par classe."
    expected = errors_by_true_class(pred, true)
    assert np.all(got == expected), f"`{counts_name}` ne correspond pas au nombre d'exemples mal classés de chaque vraie classe dans `predictions_df`."
    w = int_array(worst, worst_name, "un entier entre 0 et 9")
    assert w.shape == (1,), f"`{worst_name}` doit être un seul entier."
    assert 0 <= int(w[0]) <= 9 and expected[int(w[0])] == expected.max(), f"`{worst_name}` n'est pas la classe qui a le plus d'erreurs."


def check_misclassified_among_worst(shown, pred, true, name: str, at_least: int = 4, worst: int = 3) -> None:
    """`shown` holds ≥ `at_least` distinct misclassified examples whose true class is one of the
    `worst` classes with the most errors."""
    idx = indices(shown, name, len(true))
    assert len(np.unique(idx)) >= at_least, f"`{name}` doit contenir au moins {at_least} exemples différents."
    assert np.all(pred[idx] != true[idx]), f"certains exemples de `{name}` sont en fait bien classés par le modèle."
    errors = errors_by_true_class(pred, true)
    cut = np.sort(errors)[::-1][worst - 1]
    assert np.all(np.isin(true[idx], np.flatnonzero(errors >= cut))), f"les exemples de `{name}` doivent appartenir aux {worst} classes qui ont le plus d'erreurs."


def check_confusion_pair(pair, shown, pred, true, family: list[int], names=("far_pair", "shown_far_confusions")) -> None:
    """`pair` = (true class, predicted class) of two different families, and `shown` ≥ 1 example
    with exactly that confusion."""
    pair_name, shown_name = names
    require(pair, pair_name)
    try:
        got = [int(c) for c in pair]
    except Exception:
        raise AssertionError(f"`{pair_name}` doit être un couple de deux entiers (vraie classe, classe prédite).")
    assert len(got) == 2 and all(0 <= c < len(family) for c in got), f"`{pair_name}` doit être un couple de deux classes entre 0 et {len(family) - 1}."
    assert family[got[0]] != family[got[1]], f"les deux classes de `{pair_name}` sont de la même famille : choisissez des formes très différentes."
    idx = indices(shown, shown_name, len(true))
    assert idx.size >= 1, f"`{shown_name}` doit contenir au moins un indice."
    assert np.all((true[idx] == got[0]) & (pred[idx] == got[1])), f"les exemples de `{shown_name}` doivent être de vraie classe `{pair_name}[0]` et prédits `{pair_name}[1]`."


def check_true_labels(column: np.ndarray, y, y_name: str, column_name: str = "true") -> None:
    truth = labels(y, y_name)
    assert truth.shape == column.shape and np.all(column == truth), f"la colonne `{column_name}` doit contenir les vraies classes, dans l'ordre de `{y_name}`."
