"""Training: Keras `History` objects (or their exported stand-ins) and compile settings."""
import re

from .keras_config import compile_config
from .models import check_exported_whole
from .values import require

ACCURACY_KEYS = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy")

# Optimizers a prompt may allow "with Keras's default settings", with their default learning rate.
DEFAULT_LEARNING_RATES = {"adam": 1e-3, "rmsprop": 1e-3, "nadam": 1e-3, "sgd": 1e-2}


def check_history(history, name: str, epochs: int | None = 20):
    """A `History` returned by `fit` with validation and accuracy, of exactly `epochs` epochs
    (any number when None). Returns (history dict, params dict, accuracy key)."""
    require(history, name)
    if isinstance(history, dict):
        raise AssertionError(f"`{name}` doit être l'objet `History` renvoyé par `fit`, pas seulement son dictionnaire `history`.")
    hist = getattr(history, "history", None)
    params = getattr(history, "params", None)
    if not isinstance(hist, dict):
        raise AssertionError(f"`{name}` doit être l'objet `History` renvoyé par `model.fit(...)`.")
    if not isinstance(params, dict):
        params = {}
    assert "loss" in hist and "val_loss" in hist, f"`{name}` ne contient pas de mesures sur la validation : avez-vous passé `validation_split=0.2` à `fit` ?"
    acc = next((k for k in ACCURACY_KEYS if k in hist and "val_" + k in hist), None)
    assert acc is not None, f"`{name}` ne contient pas l'accuracy : ajoutez `metrics=['accuracy']` lors de la compilation."
    try:
        lengths = sorted({len(list(v)) for v in hist.values()})
        fitted = params.get("epochs", epochs)
        fitted = epochs if fitted is None else int(fitted)
    except Exception:
        raise AssertionError(f"`{name}` n'a pas la forme d'un historique d'entraînement Keras.")
    if epochs is not None:
        assert lengths == [epochs] and fitted == epochs, f"`{name}` : le modèle doit être entraîné sur exactement {epochs} époques, en un seul appel à `fit`."
    return hist, params, acc


def steps_per_epoch(history, name: str) -> int:
    """The number of weight updates per epoch recorded by `fit`."""
    try:
        return int(dict(getattr(history, "params", None) or {}).get("steps"))
    except Exception:
        raise AssertionError(f"impossible de lire le nombre de mises à jour par époque dans `{name}`.")


def keras_name(value) -> str:
    """A loss / metric / optimizer as Keras's snake_case name ("SparseCategoricalCrossentropy" ->
    "sparse_categorical_crossentropy"), from a string, a serialized dict or an object."""
    if isinstance(value, dict):
        cfg = value.get("config")
        if isinstance(cfg, str):
            value = cfg
        elif isinstance(cfg, dict) and isinstance(cfg.get("name"), str):
            value = cfg["name"]
        elif isinstance(value.get("class_name"), str):
            value = value["class_name"]
        else:
            value = ""
    if not isinstance(value, str):
        value = getattr(value, "name", None) or getattr(value, "__name__", None) or type(value).__name__
    text = str(value)
    if text != text.lower():
        text = re.sub(r"(?<!^)(?=[A-Z])", "_", text).lower()
    return text.replace("__", "_")


def _from_logits(loss) -> bool:
    if isinstance(loss, dict) and isinstance(loss.get("config"), dict):
        return bool(loss["config"].get("from_logits", False))
    return bool(getattr(loss, "from_logits", False))


def _flat(value) -> list:
    if isinstance(value, (list, tuple)):
        return [item for v in value for item in _flat(v)]
    if isinstance(value, dict) and "class_name" not in value and "config" not in value:
        return _flat(list(value.values()))
    return [value]


def compile_settings(model, name: str) -> dict:
    """{"loss", "from_logits", "metrics", "optimizer", "learning_rate"} of a compiled model."""
    require(model, name)
    check_exported_whole(model, name)
    try:
        cfg = compile_config(model)
    except Exception:
        cfg = None
    assert isinstance(cfg, dict) and cfg.get("loss") is not None, f"`{name}` n'est pas compilé avec une fonction de perte : appelez `{name}.compile(...)`."
    optimizer = cfg.get("optimizer")
    try:
        rate = float(optimizer["config"]["learning_rate"]) if isinstance(optimizer, dict) else None
    except Exception:
        rate = None
    if isinstance(optimizer, dict):
        optimizer = optimizer.get("class_name", "")
    elif not isinstance(optimizer, str):
        optimizer = type(optimizer).__name__
    return {"loss": keras_name(cfg["loss"]), "from_logits": _from_logits(cfg["loss"]),
            "metrics": [keras_name(m) for m in _flat(cfg.get("metrics"))],
            "optimizer": str(optimizer).lower(), "learning_rate": rate}


def check_default_optimizer(settings: dict, name: str, allowed=tuple(DEFAULT_LEARNING_RATES)) -> None:
    """The optimizer is one of `allowed`, with Keras's default learning rate."""
    names = ", ".join(f'"{o}"' for o in allowed)
    optimizer = settings["optimizer"]
    assert optimizer in allowed, f"`{name}` : utilisez l'un des optimiseurs proposés par l'énoncé ({names})."
    rate = settings["learning_rate"]
    default = DEFAULT_LEARNING_RATES[optimizer]
    assert rate is None or abs(rate - default) <= 1e-3 * default, f"`{name}` : gardez les réglages par défaut de l'optimiseur (passez simplement son nom, par exemple `optimizer=\"{optimizer}\"`)."


def check_classification_loss(settings: dict, output: str, targets, targets_name: str, n: int, classes: int = 10) -> None:
    """A cross-entropy loss consistent with the target encoding (integers: sparse, one-hot:
    categorical) and with the output layer (softmax: probabilities, linear: `from_logits=True`)."""
    import numpy as np

    loss = settings["loss"]
    assert loss in ("sparse_categorical_crossentropy", "categorical_crossentropy"), "la fonction de perte n'est pas adaptée à une classification en plusieurs classes (l'erreur quadratique ne convient pas ici)."
    require(targets, targets_name, " : il est nécessaire pour vérifier la cohérence de la perte")
    try:
        t = np.asarray(targets)
        one_hot = t.ndim == 2 and t.shape == (n, classes)
        integers = t.ndim == 1 and t.shape == (n,) and t.dtype.kind in "iuf"
    except Exception:
        one_hot = integers = False
    assert one_hot or integers, f"`{targets_name}` doit contenir les cibles d'entraînement, entières ou en one-hot : corrigez d'abord la question où il est défini."
    if one_hot:
        assert loss == "categorical_crossentropy", f"avec des cibles codées en one-hot, la perte choisie n'est pas cohérente avec le codage de `{targets_name}`."
    else:
        assert loss == "sparse_categorical_crossentropy", f"avec des cibles entières, la perte choisie n'est pas cohérente avec le codage de `{targets_name}`."
    if output == "linear":
        assert settings["from_logits"], "la couche de sortie n'a pas d'activation (elle donne des logits) : la perte doit alors être créée avec `from_logits=True`."
    elif output == "softmax":
        assert not settings["from_logits"], "la couche de sortie donne déjà des probabilités (softmax) : la perte ne doit pas utiliser `from_logits=True`."
