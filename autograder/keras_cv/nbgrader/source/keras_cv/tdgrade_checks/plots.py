"""Figures (matplotlib, or tdgrade's rebuilt stand-ins): the curves they hold."""
import numpy as np

from .values import require


def line_data(figure, name: str) -> list[np.ndarray]:
    """The y data of every line of every axes of `figure`."""
    require(figure, name)
    lines = []
    try:
        for ax in list(figure.axes):
            for line in ax.get_lines():
                lines.append(np.asarray(line.get_ydata(), dtype=np.float64).ravel())
    except Exception:
        raise AssertionError(f"`{name}` doit être une figure matplotlib contenant des courbes tracées avec `plot`.")
    assert len(lines) > 0, f"`{name}` ne contient aucune courbe."
    return lines


def holds_series(lines: list[np.ndarray], series, rate: bool = False) -> bool:
    """One of `lines` is `series` (for a rate: also in %, or as 1 - rate)."""
    s = np.asarray(series, dtype=np.float64).ravel()
    targets = [s, 100 * s, 1 - s, 100 * (1 - s)] if rate else [s]
    return any(y.shape == t.shape and np.allclose(y, t, rtol=1e-3, atol=1e-4) for y in lines for t in targets)


def check_history_curves(figure, name: str, hist: dict, acc: str) -> None:
    """`figure` draws the four curves of a training history (loss and accuracy, train and validation)."""
    lines = line_data(figure, name)
    labels = {"loss": "perte d'entraînement", "val_loss": "perte de validation",
              acc: "accuracy d'entraînement", "val_" + acc: "accuracy de validation"}
    for key, label in labels.items():
        assert holds_series(lines, hist[key], rate=key != "loss" and key != "val_loss"), f"`{name}` ne contient pas la courbe de {label} de l'historique."
