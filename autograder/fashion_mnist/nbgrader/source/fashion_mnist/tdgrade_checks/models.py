"""Keras models: the layer stack of an MLP, its parameter count, its accuracy on held-out data.

Works on real Keras models and on models reloaded from `.keras` files (tdgrade's export); reads
only `layers`, `get_config()`, `input_shape` / `inputs`, `count_params()` and `predict()`.
"""
import numpy as np

from .keras_config import layer_config
from .values import missing, require

# Output activations accepted for a 10-class classifier: probabilities, or logits with a loss
# built with `from_logits=True` (the compile check, not the architecture check, ties the two).
CLASSIFIER_OUTPUTS = ("softmax", "linear")


def layer_stack(model, name: str) -> list[list]:
    """The layers after the input, as ["Dense", units, activation], ["Dropout", rate] or [kind]."""
    require(model, name)
    try:
        layers = list(model.layers)
    except Exception:
        raise AssertionError(f"`{name}` doit être un modèle Keras (`keras.Sequential` ou `keras.Model`).")
    out = []
    for layer in layers:
        kind = type(layer).__name__
        try:
            cfg = layer_config(layer)
        except Exception:
            cfg = {}
        if kind == "InputLayer":
            continue
        try:
            if kind == "Dense":
                act = cfg.get("activation", "linear")
                out.append(["Dense", int(cfg.get("units")), act if isinstance(act, str) else "?"])
            elif kind in ("Activation", "Softmax", "ReLU") and out and out[-1][0] == "Dense" and out[-1][2] == "linear":
                act = {"Softmax": "softmax", "ReLU": "relu"}.get(kind, cfg.get("activation"))
                out[-1][2] = act if isinstance(act, str) else "?"
            elif kind == "Dropout":
                out.append(["Dropout", float(cfg.get("rate"))])
            else:
                out.append([kind])
        except Exception:
            raise AssertionError(f"`{name}` : impossible de lire la configuration de la couche `{kind}`.")
    return out


def input_shape(model):
    """The model's input shape as a tuple (batch dimension first), or None."""
    try:
        shape = model.input_shape
    except Exception:
        shape = None
    if shape is None:
        try:
            shape = model.inputs[0].shape
        except Exception:
            return None
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except Exception:
        return None


def output_activation(model, name: str) -> str:
    """The activation of the model's last Dense layer."""
    dense = [s for s in layer_stack(model, name) if s[0] == "Dense"]
    assert dense, f"`{name}` ne contient aucune couche `Dense`."
    return dense[-1][2]


def check_mlp(model, name: str, hidden: list[int], activation: str = "relu", dropout=None,
              total_params: int | None = None, image_shape=(28, 28), classes: int = 10,
              outputs=CLASSIFIER_OUTPUTS) -> None:
    """Input(image_shape) -> Flatten -> hidden Dense layers (with Dropout(dropout) after each when
    `dropout` is a rate, none when None, anything when "any") -> Dense(classes) output."""
    stack = layer_stack(model, name)
    shape = input_shape(model)
    dims = " × ".join(str(d) for d in image_shape)
    assert shape is not None and shape[1:] == tuple(image_shape), f"`{name}` doit commencer par une entrée `keras.Input(shape={tuple(image_shape)})` : les images {dims} entrent telles quelles."
    assert len(stack) > 0 and stack[0][0] == "Flatten", f"`{name}` : la première couche après l'entrée doit être `Flatten`, qui aplatit chaque image."
    extra = [s[0] for s in stack[1:] if s[0] not in ("Dense", "Dropout")]
    assert len(extra) == 0, f"`{name}` contient des couches qui ne sont pas demandées : {', '.join(extra)}."
    dense = [s for s in stack if s[0] == "Dense"]
    assert len(dense) == len(hidden) + 1, f"`{name}` doit avoir {len(hidden)} couches cachées `Dense` suivies de la couche de sortie."
    assert [d[1] for d in dense[:-1]] == list(hidden), f"`{name}` : le nombre de neurones des couches cachées ne correspond pas à l'énoncé."
    assert all(d[2] == activation for d in dense[:-1]), f"`{name}` : les couches cachées doivent utiliser l'activation `{activation}`."
    assert dense[-1][1] == classes and dense[-1][2] in outputs, f"`{name}` : la couche de sortie ne convient pas à une classification en {classes} classes (revoyez la question fm08)."
    drops = [s for s in stack if s[0] == "Dropout"]
    if dropout is None:
        assert len(drops) == 0, f"`{name}` ne doit pas contenir de `Dropout` dans cette question."
    elif dropout != "any":
        assert len(drops) == len(hidden), f"`{name}` : il faut une couche `Dropout` après chacune des couches cachées, et seulement là."
        for i, layer in enumerate(stack[:-1]):
            if layer[0] == "Dense":
                following = stack[i + 1]
                assert following[0] == "Dropout", f"`{name}` : chaque couche cachée `Dense` doit être suivie immédiatement d'un `Dropout`."
                assert abs(following[1] - dropout) < 1e-6, f"`{name}` : le taux de `Dropout` ne correspond pas à l'énoncé (fraction de neurones désactivés)."
    if total_params is not None:
        try:
            n_params = int(model.count_params())
        except Exception:
            raise AssertionError(f"`{name}` : impossible de compter les paramètres (le modèle est-il construit ?).")
        assert n_params == total_params, f"`{name}` : le nombre de paramètres ne correspond pas à l'architecture demandée."


def check_exported_whole(model, name: str) -> None:
    """A model of which only the architecture reached the grader (tdgrade's `PartialModel`) cannot
    be evaluated: say why, with the cause the export recorded."""
    cause = getattr(model, "tdgrade_export_cause", None)
    assert cause is None, f"Seule l'architecture de `{name}` a pu être transmise à la correction, pas le modèle entier ({cause}) : les questions qui utilisent le modèle entraîné ou compilé ne peuvent pas être notées. Vérifiez que sa compilation et son apprentissage se sont terminés sans erreur."


def predict_scores(model, name: str, x, x_name: str, classes: int = 10) -> np.ndarray:
    """`model.predict(x)`: one row of `classes` scores (probabilities or logits) per example."""
    require(model, name)
    require(x, x_name, " : il est nécessaire pour évaluer le modèle")
    try:
        xs = np.asarray(x, dtype="float32")
    except Exception:
        raise AssertionError(f"`{x_name}` doit être un tableau numpy de nombres.")
    check_exported_whole(model, name)
    try:
        scores = np.asarray(model.predict(xs, verbose=0, batch_size=1000))
    except Exception:
        raise AssertionError(f"impossible d'obtenir les prédictions de `{name}` sur `{x_name}` : le modèle doit accepter ces données telles quelles.")
    assert scores.ndim == 2 and scores.shape == (len(xs), classes), f"`{name}` doit produire {classes} scores (une probabilité par classe) pour chaque exemple."
    return scores


def accuracy(model, name: str, x, y, x_name: str = "x_test_prep", y_name: str = "y_test", classes=None) -> float:
    """The proportion of examples of (x, y) that `model` classifies right (argmax of its output);
    `classes` maps output columns to labels (scikit-learn's `classes_`), default 0..k-1."""
    require(y, y_name, " : il est nécessaire pour évaluer le modèle")
    try:
        ys = np.asarray(y).ravel()
    except Exception:
        raise AssertionError(f"`{y_name}` doit être un tableau d'étiquettes.")
    try:
        n_out = int(np.asarray(classes).size) if classes is not None else 10
    except Exception:
        n_out = 10
    scores = predict_scores(model, name, x, x_name, classes=n_out)
    assert scores.shape[0] == ys.shape[0], f"`{x_name}` et `{y_name}` doivent contenir les mêmes exemples, un par ligne."
    labels = np.arange(scores.shape[1]) if classes is None else np.asarray(classes).ravel()
    return float(np.mean(labels[scores.argmax(axis=1)] == ys))


def check_trained(model, name: str, x, y, bar: float, x_name: str = "x_test_prep", y_name: str = "y_test") -> None:
    """The model reaches the calibrated accuracy `bar` on held-out data: it was trained."""
    if missing(model):
        raise AssertionError(f"`{name}` n'est pas encore défini.")
    got = accuracy(model, name, x, y, x_name, y_name)
    assert got >= bar, f"`{name}` ne semble pas entraîné : son accuracy sur le test est trop faible."
