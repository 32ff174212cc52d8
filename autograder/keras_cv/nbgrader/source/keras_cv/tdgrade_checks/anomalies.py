"""IsolationForest answers: the data it was fitted on, its contamination, its anomalies."""
import numpy as np

from .values import indices, require


def forest_params(forest, name: str) -> dict:
    require(forest, name)
    try:
        params = dict(forest.get_params())
    except Exception:
        raise AssertionError(f"`{name}` doit être un `IsolationForest` de scikit-learn.")
    assert "contamination" in params, f"`{name}` doit être un `IsolationForest` de scikit-learn."
    return params


def check_fitted_on(forest, name: str, features: int, data_name: str) -> None:
    n_features = getattr(forest, "n_features_in_", None)
    try:
        n_features = int(n_features)
    except Exception:
        raise AssertionError(f"`{name}` n'est pas entraîné : appelez `{name}.fit({data_name})`.")
    assert n_features == features, f"`{name}` doit être entraîné sur `{data_name}` ({features} valeurs par exemple)."


def check_contamination_below(params: dict, n: int, limit: int, name: str) -> None:
    """The forest expects fewer than `limit` anomalies among `n` examples ("auto" is judged by
    the anomalies it found)."""
    cont = params.get("contamination")
    if isinstance(cont, str):
        return
    try:
        cont = float(cont)
    except Exception:
        raise AssertionError(f"le paramètre `contamination` de `{name}` doit être un nombre.")
    assert cont * n < limit, f"avec ce paramètre `contamination`, la forêt attend {limit} anomalies ou plus : diminuez-le."


def check_anomalies(anomalies, name: str, n: int, at_most: int, forest_predictions=None, forest_name: str = "") -> np.ndarray:
    """1 to `at_most` distinct indices; when the forest's own predictions (+1 / -1) are known,
    exactly the examples it labels -1."""
    idx = indices(anomalies, name, n)
    k = len(np.unique(idx))
    assert 1 <= k <= at_most and k == idx.size, f"`{name}` doit contenir entre 1 et {at_most} indices distincts."
    if forest_predictions is not None:
        flagged = np.flatnonzero(np.asarray(forest_predictions).ravel() == -1)
        assert np.array_equal(np.sort(idx), flagged), f"`{name}` doit contenir exactement les indices des exemples que `{forest_name}.predict` marque comme anomalies (-1)."
    return idx


def forest_predictions(forest, params: dict, data: np.ndarray, name: str) -> np.ndarray:
    """The forest's own +1 / -1 labels of `data`. A real forest predicts; an exported snapshot
    (no trees) is refitted with its own parameters, which gives the same trees only with a fixed
    integer `random_state` (the prompt asks for one)."""
    if hasattr(forest, "estimators_") and hasattr(forest, "predict"):
        try:
            return np.asarray(forest.predict(data)).ravel()
        except Exception:
            raise AssertionError(f"impossible d'appliquer `{name}.predict` aux données d'entraînement de la forêt.")
    seed = params.get("random_state")
    assert isinstance(seed, int) and not isinstance(seed, bool), f"`{name}` : fixez `random_state=SEED` à la création de la forêt, pour que ses anomalies soient reproductibles."
    try:
        from sklearn.ensemble import IsolationForest

        known = IsolationForest().get_params()
        refit = IsolationForest(**{k: v for k, v in params.items() if k in known})
        return np.asarray(refit.fit(data).predict(data)).ravel()
    except Exception:
        raise AssertionError(f"impossible de reproduire `{name}` avec ses paramètres : gardez les réglages de `IsolationForest` simples (`contamination`, `random_state`).")
