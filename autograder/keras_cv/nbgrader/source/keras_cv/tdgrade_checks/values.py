"""Reading student values: missing ones, numbers, integer arrays, indices. Never trusts `==`."""
import numpy as np


def missing(value) -> bool:
    """Undefined (otter passes None) or left as the `...` placeholder."""
    return value is None or value is Ellipsis


def require(value, name: str, hint: str = "") -> None:
    """The value named `name` must be defined (and readable by the grader)."""
    if missing(value):
        raise AssertionError(f"`{name}` n'est pas encore défini{hint}.")
    if getattr(value, "__tdgrade_unexportable__", False):
        raise AssertionError(f"`{name}` est bien défini, mais sa valeur n'a pas pu être transmise à la correction "
                             f"({getattr(value, 'type_name', '?')}) : gardez le type demandé par la consigne "
                             "(nombre, tableau numpy, DataFrame, modèle Keras…).")


def profile_of(tdgrade_profile) -> str:
    """The grader's profile: "smoke" or "full" (None or anything else is "full")."""
    return "smoke" if isinstance(tdgrade_profile, str) and tdgrade_profile == "smoke" else "full"


def as_int(value, name: str) -> int:
    """An integer value (an int, a numpy integer or an integral float)."""
    require(value, name)
    try:
        number = int(value)
        if float(number) != float(value):
            raise ValueError
    except Exception:
        raise AssertionError(f"`{name}` doit être un entier.")
    return number


def as_float(value, name: str) -> float:
    """A finite number (an int, a float, a numpy scalar or a one-element array)."""
    require(value, name)
    try:
        # a Python or numpy number (or a one-element array), not a container that happens to hold one
        if isinstance(value, (bool, str, bytes, list, tuple, dict)) or hasattr(value, "columns") or hasattr(value, "index"):
            raise ValueError
        number = float(np.asarray(value, dtype=np.float64).reshape(-1)[0])
        if np.asarray(value).size != 1 or not np.isfinite(number):
            raise ValueError
    except Exception:
        raise AssertionError(f"`{name}` doit être un nombre.")
    return number


def int_array(value, name: str, what: str) -> np.ndarray:
    """A flat int64 array from a list, an array, a pandas Series indexed 0..k or a dict {k: count}."""
    require(value, name)
    try:
        if isinstance(value, dict):
            out = np.zeros(10, dtype=np.int64)
            for key, count in value.items():
                out[int(key)] = int(count)
            return out
        if hasattr(value, "index") and hasattr(value, "to_numpy") and getattr(value, "ndim", 1) == 1 \
                and not isinstance(value, np.ndarray):
            keys = [int(k) for k in list(value.index)]
            counts = [int(c) for c in value.to_numpy().tolist()]
            if sorted(keys) == list(range(len(keys))) and len(keys) <= 10:
                out = np.zeros(10, dtype=np.int64)
                for key, count in zip(keys, counts):
                    out[key] = count
                return out
        array = np.asarray(value)
        if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
            raise ValueError
        out = array.astype(np.int64).ravel()
        if array.dtype.kind == "f" and not np.allclose(out, array.ravel()):
            raise ValueError
        return out
    except Exception:
        raise AssertionError(f"`{name}` doit être {what}.")


def indices(value, name: str, n: int) -> np.ndarray:
    """A 1-D array of integer indices into an array of `n` rows (a list or an array, not a mask)."""
    require(value, name)
    try:
        if hasattr(value, "columns") or isinstance(value, (str, bytes, dict)):
            raise ValueError
        array = np.asarray(value)
        if array.ndim != 1 or array.dtype.kind == "b":
            raise ValueError
        out = array.astype(np.int64)
        if array.dtype.kind == "f" and not np.allclose(out, array):
            raise ValueError
    except Exception:
        raise AssertionError(f"`{name}` doit être une liste ou un tableau d'indices entiers.")
    assert out.size == 0 or (out.min() >= 0 and out.max() < n), f"`{name}` contient des indices hors du tableau concerné."
    return out


def float_array(value, name: str, what: str = "un tableau numpy de nombres") -> np.ndarray:
    """A float64 array of finite numbers."""
    require(value, name)
    try:
        array = np.asarray(value, dtype=np.float64)
    except Exception:
        raise AssertionError(f"`{name}` doit être {what}.")
    assert np.all(np.isfinite(array)), f"`{name}` contient des valeurs non finies (NaN ou infini)."
    return array


def labels(value, name: str, n: int | None = None) -> np.ndarray:
    """A flat int64 array of class labels (`n` of them when given)."""
    require(value, name)
    try:
        out = np.asarray(value).astype(np.int64).ravel()
    except Exception:
        raise AssertionError(f"`{name}` doit être un tableau d'étiquettes entières.")
    assert n is None or out.shape == (n,), f"`{name}` doit contenir une étiquette par exemple ({name} a une autre taille)."
    return out


def check_raw_array(value, name: str, shape: tuple, sha256: str, origin: str, dtype: str | None = None,
                    digest_as: str | None = None) -> np.ndarray:
    """`value` is exactly a known array (its sha256), untransformed: `shape`, `dtype` when given;
    `digest_as` casts before hashing (labels may come as another integer type)."""
    import hashlib

    require(value, name)
    try:
        array = np.asarray(value)
    except Exception:
        raise AssertionError(f"`{name}` doit être un tableau numpy.")
    assert array.shape == tuple(shape), f"`{name}` n'a pas la forme des données de {origin} : utilisez-les telles quelles."
    if dtype == "uint8" and array.dtype.kind == "f":
        # The right data, rescaled later in place (x / 255, x / 127.5 - 1): the load was right; the
        # question that forbids the overwrite (the transformation) is the one that charges it.
        array = _unscaled_uint8(array)
    assert dtype is None or array.dtype == np.dtype(dtype), f"`{name}` doit garder les valeurs brutes, telles que {origin} les fournit : faites les transformations plus loin, dans une autre variable."
    try:
        data = array.astype(digest_as) if digest_as else array
        digest = hashlib.sha256(np.ascontiguousarray(data).tobytes()).hexdigest()
    except Exception:
        digest = None
    assert digest == sha256, f"`{name}` ne contient pas les données de {origin} dans l'ordre d'origine."
    return array


def _unscaled_uint8(array: np.ndarray) -> np.ndarray:
    """`array` back to uint8 when it is uint8 data times 1/255 or mapped to [-1, 1]; else unchanged."""
    for raw in (array * 255.0, (array + 1.0) * 127.5):
        rounded = np.rint(raw)
        if rounded.size and np.all(np.abs(raw - rounded) < 1e-3) and rounded.min() >= 0 and rounded.max() <= 255:
            return rounded.astype(np.uint8)
    return array


def check_shape_tuple(value, name: str, expected: tuple, hint: str) -> None:
    """A tuple (or list) of ints equal to `expected`."""
    require(value, name)
    try:
        got = tuple(int(d) for d in value)
    except Exception:
        raise AssertionError(f"`{name}` doit être un tuple d'entiers.")
    assert got == tuple(expected), f"`{name}` {hint}"


def check_dtype_name(value, name: str, expected: str, hint: str) -> None:
    """A numpy type name (a str such as "uint8"; a dtype object is read as its name too)."""
    require(value, name)
    try:
        got = np.dtype(value).name
    except Exception:
        try:
            got = np.dtype(str(value).strip()).name
        except Exception:
            got = None
    assert got == expected, f"`{name}` {hint}"


def check_counts(value, name: str, expected, hint: str) -> None:
    """An array of per-class counts equal to `expected`."""
    counts = int_array(value, name, "un tableau d'effectifs entiers")
    expected = np.asarray(expected).ravel()
    assert counts.shape == expected.shape, f"`{name}` doit contenir exactement {expected.size} effectifs, un par classe."
    assert np.all(counts == expected), f"`{name}` {hint}"
