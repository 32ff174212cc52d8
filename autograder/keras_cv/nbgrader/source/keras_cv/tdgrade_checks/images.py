"""Preprocessed images and labels: same examples in the same order, scaled inputs, and a test
part transformed with the training part's mapping (statistics learnt on training data only)."""
import numpy as np

from .mapped import release, row_blocks, take
from .values import require


# Memory: the full training set as float64 is 376 MB, and the checks read sampled rows or one class.
# Arrays of integers, booleans, float16 or float32 stay in their dtype and only the rows read are
# converted (`_f64`): converting rows after selecting them gives the same float64 numbers as
# selecting them after converting everything, so the decisions are the same, without the copy.
# Large exported arrays are memory-mapped: rows are read through `mapped.take` and whole-array
# statistics block by block, so the file's pages do not all stay resident (`mapped`).
_EXACT_KINDS = "biu"
_SMALL_FLOATS = (np.float16, np.float32)


def _f64(rows) -> np.ndarray:
    return np.asarray(rows, dtype=np.float64)


def _rows(raw, name: str, features: int):
    """`raw` one example a row: float64, or its own integer dtype (converted when rows are read)."""
    try:
        array = np.asarray(raw)
        if array.dtype.kind not in _EXACT_KINDS and array.dtype not in _SMALL_FLOATS:
            array = np.asarray(raw, dtype=np.float64)
        return array.reshape(array.shape[0], -1)
    except Exception:
        raise AssertionError(f"`{name}` doit rester le tableau d'origine (non modifié).")


def flat_images(prep, name: str, n: int, features: int) -> np.ndarray:
    """`prep` as an (n, features) float array (float64, or float16/32 when C-contiguous: `_f64` converts
    the rows read, `is_scaled` computes in float64); it must hold floats, finite, one example a row."""
    require(prep, name)
    try:
        original = np.asarray(prep)
        kind = original.dtype.kind
        lean = original.dtype in _SMALL_FLOATS and original.flags.c_contiguous
        array = original if lean else np.asarray(prep, dtype=np.float64)
    except Exception:
        raise AssertionError(f"`{name}` doit être un tableau numpy de nombres.")
    assert array.ndim >= 2 and array.shape[0] == n and array.size == n * features, f"`{name}` doit contenir les mêmes exemples que les données d'origine, un par ligne, avec toutes leurs valeurs."
    assert kind == "f", f"`{name}` doit contenir des nombres à virgule flottante."
    finite = all(bool(np.isfinite(array[a:b]).all()) for a, b in row_blocks(array))
    assert finite, f"`{name}` contient des valeurs non finies (NaN ou infini)."
    return array.reshape(n, features)


def _zscore_columns(x: np.ndarray) -> np.ndarray:
    mean, std = x.mean(axis=0), x.std(axis=0)
    varies = std > 1e-12 * max(1.0, float(np.abs(x).max(initial=0.0)))
    z = np.zeros_like(x)
    z[:, varies] = (x[:, varies] - mean[varies]) / std[varies]
    return z


def check_same_order(raw: np.ndarray, prep: np.ndarray, name: str, raw_name: str) -> None:
    """Each row of `prep` is the matching row of `raw`, transformed (correlation of sampled rows)."""
    n = raw.shape[0]
    rows = np.unique(np.linspace(0, n - 1, min(n, 60)).astype(int))
    # Columns z-scored first, so that any per-pixel scaling (e.g. standardisation pixel by pixel)
    # compares like the raw pixels; then rows compared by correlation.
    a, b = _zscore_columns(_f64(take(raw, rows))), _zscore_columns(_f64(take(prep, rows)))
    a = a - a.mean(axis=1, keepdims=True)
    b = b - b.mean(axis=1, keepdims=True)
    a /= np.linalg.norm(a, axis=1, keepdims=True) + 1e-12
    b /= np.linalg.norm(b, axis=1, keepdims=True) + 1e-12
    same = np.mean((a @ b.T).argmax(axis=1) == np.arange(len(rows)))
    assert same >= 0.9, f"`{name}` ne contient pas les exemples de `{raw_name}` dans le même ordre."


def _pairwise_sum64(flat: np.ndarray, square_from: float | None = None) -> float:
    """`np.sum` of `flat` as float64 (or of `(flat - square_from) ** 2`), bit for bit what numpy gives
    on a contiguous float64 copy, converting 2**20 values at a time: numpy sums a contiguous array
    pairwise, splitting n values at n // 2 rounded down to a multiple of 8; the halves are split the
    same way here until they are small enough to convert (tests/test_hidden_memory.py compares)."""
    n = flat.size
    if n <= 1 << 20:
        part = _f64(flat)
        total = np.add.reduce(part if square_from is None else (part - square_from) ** 2)
        release(flat)
        return total
    half = n // 2
    half -= half % 8
    return _pairwise_sum64(flat[:half], square_from) + _pairwise_sum64(flat[half:], square_from)


def _mean_std(prep: np.ndarray) -> tuple[float, float]:
    """`prep.mean()` and `prep.std()` of `prep` as float64, without a float64 copy of a float32 array
    (nor a float64 array's temporaries, `prep - mean` of the whole set)."""
    if prep.dtype not in (*_SMALL_FLOATS, np.float64) or not prep.flags.c_contiguous:
        prep = _f64(prep)
        return prep.mean(), prep.std()
    flat = prep.reshape(-1)
    mean = _pairwise_sum64(flat) / flat.size
    return mean, np.sqrt(_pairwise_sum64(flat, mean) / flat.size)


def _min_max(prep: np.ndarray) -> tuple[float, float]:
    """`prep.min()` and `prep.max()` as floats, block by block (exact: float16/32 values are float64
    values; np.min of the blocks' minima keeps a NaN as numpy's whole-array min does)."""
    if prep.ndim == 0 or len(prep) == 0:
        return float(prep.min()), float(prep.max())  # numpy's own answer, or its error when empty
    lows, highs = [], []
    for a, b in row_blocks(prep):
        lows.append(prep[a:b].min())
        highs.append(prep[a:b].max())
    return float(np.min(lows)), float(np.max(highs))


def is_scaled(prep: np.ndarray) -> bool:
    """Inputs of order 1: within [0, 1] or [-1, 1] (spanning at least half of it), or standardised
    (globally, or feature by feature as StandardScaler does)."""
    lo, hi = _min_max(prep)
    in_unit_range = lo >= -1 - 1e-6 and hi <= 1 + 1e-6 and hi - lo >= 0.5
    mean, std = _mean_std(prep)
    standardised = abs(mean) < 0.1 and 0.5 < std < 1.5
    return bool(in_unit_range or standardised)


def sample_rows(n: int, at_most: int = 3000) -> np.ndarray:
    """Evenly spread row indices: the mapping checks need not read every row."""
    return np.unique(np.linspace(0, n - 1, min(n, at_most)).astype(int))


def affine_map(raw: np.ndarray, prep: np.ndarray):
    """(scale, offset) with prep ≈ scale * raw + offset, one pair for all features or one per
    feature (features constant in `raw` get a NaN scale: nothing can be said about them); None
    when `prep` is no such rescaling of `raw`."""
    spread = max(float(np.ptp(prep)), 1e-12)
    tolerance = 1e-4 * spread
    x, y = raw.ravel().astype(np.float64), prep.ravel().astype(np.float64)
    if np.ptp(x) > 0:
        # the least-squares line in closed form: what np.polyfit(x, y, 1) solves, without building
        # its Vandermonde matrix (0.8 s of the hidden process on 3000 images, here a few ms)
        dx = x - x.mean()
        scale = float(dx @ (y - y.mean()) / (dx @ dx))
        offset = float(y.mean() - scale * x.mean())
        if np.max(np.abs(scale * raw + offset - prep)) <= tolerance:
            return scale, offset
    mean_x, mean_y = raw.mean(axis=0), prep.mean(axis=0)
    var_x = ((raw - mean_x) ** 2).mean(axis=0)
    cov = ((raw - mean_x) * (prep - mean_y)).mean(axis=0)
    scale = np.where(var_x > 0, cov / np.where(var_x > 0, var_x, 1), 1.0)
    offset = mean_y - scale * mean_x
    if np.max(np.abs(scale * raw + offset - prep)) <= tolerance:
        return np.where(var_x > 0, scale, np.nan), offset
    return None


def check_preprocessed(raw_train, prep_train, raw_test, prep_test, names: tuple[str, str, str, str],
                       features: int) -> None:
    """The four arrays of a preprocessing question: `prep_*` hold the same examples as `raw_*`, in
    the same order, scaled; the test part follows the mapping fitted on the training part."""
    raw_train_name, prep_train_name, raw_test_name, prep_test_name = names
    for value, name in ((raw_train, raw_train_name), (raw_test, raw_test_name)):
        require(value, name, " : il est nécessaire pour vérifier la transformation")
    raw_tr, raw_te = _rows(raw_train, raw_train_name, features), _rows(raw_test, raw_test_name, features)
    assert raw_tr.shape[1] == features and raw_te.shape[1] == features, f"`{raw_train_name}` et `{raw_test_name}` doivent rester les tableaux d'origine."
    prep_tr = flat_images(prep_train, prep_train_name, raw_tr.shape[0], features)
    prep_te = flat_images(prep_test, prep_test_name, raw_te.shape[0], features)
    check_same_order(raw_tr, prep_tr, prep_train_name, raw_train_name)
    check_same_order(raw_te, prep_te, prep_test_name, raw_test_name)
    for prep, name in ((prep_tr, prep_train_name), (prep_te, prep_test_name)):
        assert is_scaled(prep), f"`{name}` n'est pas mis à l'échelle : ramenez les valeurs dans [0, 1] ou [-1, 1], ou standardisez-les (moyenne 0, écart-type 1), au lieu de garder l'échelle d'origine."
    train_rows, test_rows = sample_rows(len(raw_tr)), sample_rows(len(raw_te))
    prep_train_rows = _f64(take(prep_tr, train_rows))
    mapping = affine_map(_f64(take(raw_tr, train_rows)), prep_train_rows)
    assert mapping is not None, f"`{prep_train_name}` doit être une simple mise à l'échelle de `{raw_train_name}` (une division, ou une soustraction puis une division, identiques pour toutes les images)."
    scale, offset = mapping
    expected = scale * _f64(take(raw_te, test_rows)) + offset
    known = np.broadcast_to(np.isfinite(scale), expected.shape)
    tolerance = 1e-3 * max(float(np.ptp(prep_train_rows)), 1e-12)
    follows = np.mean(np.abs(expected - _f64(take(prep_te, test_rows)))[known] <= tolerance)
    assert follows >= 0.999, f"`{prep_test_name}` doit être transformé exactement comme `{prep_train_name}` : mêmes opérations, avec les statistiques (moyenne, écart-type…) calculées sur la partie d'entraînement seulement."


def check_encoded_labels(labels, prep, name: str, labels_name: str, classes: int = 10) -> str:
    """`prep` is `labels` unchanged (integers) or one-hot encoded, same order. Returns "integers"
    or "one_hot"."""
    require(labels, labels_name, " : il est nécessaire pour vérifier les cibles")
    require(prep, name)
    try:
        truth = np.asarray(labels).astype(np.int64).ravel()
    except Exception:
        raise AssertionError(f"`{labels_name}` doit rester le tableau d'étiquettes d'origine.")
    try:
        t = np.asarray(prep)
        kind = t.dtype.kind
        t = t.astype(np.float64)
    except Exception:
        raise AssertionError(f"`{name}` doit être un tableau numpy.")
    n = truth.shape[0]
    if t.ndim == 1 or (t.ndim == 2 and t.shape[1] == 1):
        t = t.ravel()
        assert kind in "iu" or np.allclose(t, np.round(t)), f"`{name}` : des étiquettes entières (classes 0 à {classes - 1}) sont attendues."
        assert t.shape[0] == n and np.all(t.astype(np.int64) == truth), f"`{name}` doit contenir les étiquettes de `{labels_name}`, dans le même ordre."
        return "integers"
    assert t.ndim == 2 and t.shape == (n, classes), f"`{name}` doit être soit les étiquettes entières, soit un codage one-hot à {classes} colonnes."
    one_hot = np.all((t == 0) | (t == 1)) and np.allclose(t.sum(axis=1), 1)
    assert one_hot, f"`{name}` : chaque ligne d'un codage one-hot contient un seul 1."
    assert np.all(t.argmax(axis=1) == truth), f"`{name}` ne code pas les étiquettes de `{labels_name}` dans le même ordre."
    return "one_hot"


def rows_of_class(x, y, label: int, names: tuple[str, str], flatten: bool = True) -> np.ndarray:
    """The examples of `x` whose label in `y` is `label`, in their original order."""
    x_name, y_name = names
    require(x, x_name, " : il est nécessaire pour vérifier cette question")
    require(y, y_name, " : il est nécessaire pour vérifier cette question")
    try:
        array = np.asarray(x)
        if array.dtype.kind not in _EXACT_KINDS and array.dtype not in _SMALL_FLOATS:
            array = np.asarray(x, dtype=np.float64)
        mask = np.asarray(y).astype(np.int64).ravel() == int(label)
        out = _f64(take(array, mask))  # one class read and converted, not the whole training set
    except Exception:
        raise AssertionError(f"impossible de retrouver les exemples de la classe {label} dans `{x_name}` à l'aide de `{y_name}`.")
    return out.reshape(out.shape[0], -1) if flatten else out


def flat_rows(value, name: str, features: int) -> np.ndarray:
    """`value` as an (n, features) float64 array."""
    require(value, name)
    try:
        array = np.asarray(value, dtype=np.float64)
        array = array.reshape(array.shape[0], -1)
    except Exception:
        raise AssertionError(f"`{name}` doit être un tableau numpy, un exemple par ligne.")
    assert array.shape[1] == features, f"`{name}` doit contenir {features} valeurs par ligne (une image aplatie par ligne)."
    return array
