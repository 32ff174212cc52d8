"""Values out of the student's kernel and back, through safe formats only.

`export_code` exports from a trusted kernel (solutions, tests; graded submissions use the streamed
export of `tdgrade.guest`); `load_values` rebuilds
the values in a clean process: arrays with `allow_pickle=False`, Keras models with
`safe_mode=True`, the rest from JSON. Objects come back as stand-ins with the attributes hidden
tests read (see docs/authoring.md).
"""
import json
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

_EXPORT_SOURCE = "\n".join((Path(__file__).parent / "guest" / name).read_text(encoding="utf-8")
                           for name in ("encode.py", "export.py"))

MANIFEST = "manifest.json"
# `LazyValues` maps arrays from this size on, read-only: only the pages a check reads count in memory,
# and `tdgrade_checks.mapped` hands them back block by block (a copy-on-write mapping could not be
# handed back without losing writes). No check writes into the values it reads.
MAP_FROM = 8 << 20


def export_code(names: list[str], outdir: str) -> str:
    """Python source that exports `names` from the kernel's globals into `outdir`, then forgets itself."""
    return (f"def _tdgrade_export(names, outdir, namespace):\n"
            f"    g = {{'__name__': 'tdgrade_export'}}\n"
            f"    exec({_EXPORT_SOURCE!r}, g)\n"
            f"    g['export_to_folder'](names, outdir, namespace)\n"
            f"_tdgrade_export({sorted(names)!r}, {str(outdir)!r}, globals())\n"
            "del _tdgrade_export\n")


class EstimatorSnapshot:
    """A fitted scikit-learn estimator, as its parameters and fitted attributes."""

    def __init__(self, params: dict, attrs: dict, clone_error: str | None):
        self._params, self._clone_error = params, clone_error
        for key, value in attrs.items():
            setattr(self, key, value)

    def get_params(self, deep: bool = False) -> dict:
        return dict(self._params)

    def __sklearn_clone__(self):
        if self._clone_error:
            raise RuntimeError(f"clone() failed in the student's kernel: {self._clone_error}")
        return self

    def __repr__(self):
        return f"{type(self).__name__}(snapshot)"


def _snapshot_class(module: str, name: str) -> type:
    """A subclass named like the original, so `type(x).__name__` checks still work."""
    return type(name, (EstimatorSnapshot,), {"__module__": module, "__qualname__": name})


def _stub_callable(name: str, params: list[str]):
    def stub(*args, **kwargs):
        raise RuntimeError(f"{name} is a snapshot of the student's function; it cannot be called")

    stub.__name__ = stub.__qualname__ = name
    stub.tdgrade_params = params
    return stub


class _Decoder:
    def __init__(self, folder: Path, models: dict[str, Any] | None = None, map_large: bool = False):
        self.folder = folder
        self.models = dict(models or {})  # side-file name -> model already loaded from it
        self.map_large = map_large

    def array(self, name: str) -> np.ndarray:
        path = (self.folder / name).resolve()
        if path.parent != self.folder.resolve():
            raise ValueError(f"artifact path escapes its folder: {name}")
        if self.map_large and path.stat().st_size >= MAP_FROM:
            try:
                return np.load(path, allow_pickle=False, mmap_mode="r")
            except Exception:  # noqa: BLE001 - anything mapping refuses: read it as before
                pass
        return np.load(path, allow_pickle=False)

    def __call__(self, d: dict) -> Any:
        t = d.get("t")
        if t in ("none", "missing", "unsupported", "too_large"):
            return None
        if t == "ellipsis":
            return Ellipsis
        if t == "json":
            return d["v"]
        if t == "ndarray":
            return self.array(d["file"])
        if t in ("list", "tuple"):
            items = [self(v) for v in d["items"]]
            return tuple(items) if t == "tuple" else items
        if t == "dict":
            return {_hashable(self(k)): self(v) for k, v in d["items"]}
        if t == "series":
            import pandas as pd

            return pd.Series(self(d["values"]), index=self(d["index"]), name=self(d["name"]))
        if t == "dataframe":
            import pandas as pd

            return pd.DataFrame({_hashable(self(k)): self(v) for k, v in d["columns"]}, index=self(d["index"]))
        if t == "keras_model":
            import keras

            name = Path(d["file"]).name
            if name in self.models:
                return self.models.pop(name)
            path = str(self.folder / name)
            try:
                return keras.saving.load_model(path, safe_mode=True)
            except Exception:  # compile config that needs custom objects: keep the architecture
                try:
                    return keras.saving.load_model(path, safe_mode=True, compile=False)
                except Exception as exc:  # a layer safe mode refuses (Lambda, custom class...)
                    if not isinstance(d.get("architecture"), dict):
                        raise
                    cause = f"the .keras file could not be loaded back: {type(exc).__name__}: {exc}"
                    return partial_model(self(d["architecture"]), cause[:300])
        if t == "keras_architecture":
            return partial_model(self(d["architecture"]), str(d.get("cause", "?")))
        if t == "history":
            return SimpleNamespace(history=self(d["history"]), params=self(d["params"]))
        if t == "figure":
            return self.figure(d)
        if t == "estimator":
            params = self(d["params"]) or {}
            attrs = {k: self(v) for k, v in d.get("attrs", {}).items()}
            return _snapshot_class(d["module"], d["class"])(params, attrs, d.get("clone_error"))
        if t == "callable":
            return _stub_callable(d["name"], d.get("params", []))
        raise ValueError(f"unknown artifact type {t!r}")

    def figure(self, d: dict):
        from matplotlib.figure import Figure

        fig = Figure()
        for spec in d["axes"]:
            ax = fig.add_subplot(len(d["axes"]), 1, len(fig.axes) + 1)
            for line in spec["lines"]:
                ax.plot(self.array(line["x"]), self.array(line["y"]), label=line["label"])
            ax.set_title(spec["title"]), ax.set_xlabel(spec["xlabel"]), ax.set_ylabel(spec["ylabel"])
            for _ in range(spec["images"]):
                ax.imshow(np.zeros((1, 1)))
        return fig


class LayerSnapshot:
    """One layer of a `PartialModel`: its class name, plain configuration and parameter count."""

    def __init__(self, config: dict, params):
        self._config, self._params = dict(config), params
        self.name = self._config.get("name")

    def get_config(self) -> dict:
        return dict(self._config)

    def count_params(self) -> int:
        if self._params is None:
            raise ValueError("the layer was not built in the student's kernel")
        return int(self._params)


class PartialModel:
    """A Keras model the student's kernel could not export whole (training failed half-way, a layer
    that cannot be saved or loaded safely): its architecture only, so questions on the architecture
    are still judged. Whatever needs the trained model raises with the cause, which checks show
    (`tdgrade_checks` reads `tdgrade_export_cause`)."""

    def __init__(self, architecture: dict, cause: str):
        self.tdgrade_export_cause = cause
        layers = architecture.get("layers") or []
        self.layers = [_named(LayerSnapshot, str(layer.get("class", "Layer")))(layer.get("config") or {}, layer.get("params"))
                       for layer in layers if isinstance(layer, dict)]
        shape = architecture.get("input_shape")
        self.input_shape = tuple(shape) if isinstance(shape, (list, tuple)) else None
        self.compiled = bool(architecture.get("compiled"))
        self._params = architecture.get("params")

    def count_params(self) -> int:
        if self._params is None:
            raise ValueError(f"parameter count unknown ({self.tdgrade_export_cause})")
        return int(self._params)

    def _unavailable(self, *args, **kwargs):
        raise RuntimeError(f"only the architecture of this model was exported: {self.tdgrade_export_cause}")

    predict = get_weights = get_compile_config = evaluate = __call__ = _unavailable

    def __repr__(self):
        return f"<{type(self).__name__} (architecture only)>"


def _named(base: type, name: str) -> type:
    """A subclass of `base` named like the original class, so `type(x).__name__` checks still work."""
    name = name if name.isidentifier() else "Layer"
    return type(name, (base,), {"__qualname__": name})


def partial_model(architecture, cause: str) -> PartialModel:
    if not isinstance(architecture, dict):
        raise ValueError("no architecture to rebuild the model from")
    return _named(PartialModel, str(architecture.get("class", "Model")))(architecture, cause)


class Unexportable:
    """A value the student's notebook defined but whose type cannot travel to the hidden tests (or whose
    artifact was damaged): distinct from "not defined", so checks can say so (`tdgrade_checks.values`
    recognises the marker attribute without importing tdgrade)."""

    __tdgrade_unexportable__ = True

    def __init__(self, type_name: str):
        self.type_name = str(type_name)[:120]

    def __repr__(self) -> str:
        return f"<valeur non exportable : {self.type_name}>"


def _hashable(key):
    return tuple(key) if isinstance(key, list) else key


def _load_one(decode: _Decoder, descriptor: dict) -> Any:
    if descriptor.get("t") == "unsupported":
        return Unexportable(descriptor.get("type", "type inconnu"))
    if descriptor.get("t") == "too_large":
        return Unexportable(f"valeur trop volumineuse ({descriptor.get('type', '?')})")
    try:
        return decode(descriptor)
    except Exception:  # a damaged artifact: defined, but unreadable; the check says so
        return Unexportable("fichier d'export illisible")


def load_values(folder: Path, models: dict[str, Any] | None = None) -> dict[str, Any]:
    """name -> value for every name in the manifest; undefined names are absent, unexportable ones
    are `Unexportable`. `models`: Keras models already loaded from this folder, by side-file name
    (the hidden process loads them once to choose its backend)."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    decode = _Decoder(folder, models)
    return {name: _load_one(decode, d) for name, d in manifest.items() if d.get("t") != "missing"}


class LazyValues(Mapping):
    """What `load_values` gives, each value loaded when first read.

    The hidden process runs the questions in order and calls `done_with` after each: values no later
    question reads are dropped, and so are plain arrays read again later (reloaded from their .npy
    file then: the same numbers, not held in between), so it never holds every array at once (the
    training set, its preprocessed copy, the models...). Other values stay the same object between
    their readers, as with `load_values`. `before_models`, called once before the first value that
    holds a Keras model is decoded, returns models already loaded (by side-file name): the hidden
    process imports Keras there, not before the questions that need no model. Large arrays are
    memory-mapped read-only (`MAP_FROM`)."""

    def __init__(self, folder: Path, models: dict[str, Any] | None = None, before_models=None):
        folder = Path(folder)
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        self._manifest = {name: d for name, d in manifest.items() if d.get("t") != "missing"}
        self._decode = _Decoder(folder, models, map_large=True)
        self._before_models = before_models
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            descriptor = self._manifest[name]
            if self._before_models is not None and model_files(descriptor):
                before, self._before_models = self._before_models, None
                self._decode.models.update(before())
            self._loaded[name] = _load_one(self._decode, descriptor)
        return self._loaded[name]

    def __iter__(self):
        return iter(self._manifest)

    def __len__(self) -> int:
        return len(self._manifest)

    def done_with(self, read: set[str], later: set[str]) -> None:
        """A question that read `read` is over; `later` are the names later questions read."""
        for name in read:
            if name not in later or self._manifest.get(name, {}).get("t") == "ndarray":
                self._loaded.pop(name, None)
            if name not in later:  # a model loaded by the backend choice and never read
                for file in model_files(self._manifest.get(name)):
                    self._decode.models.pop(file, None)
        _trim_heap()

    @property
    def loaded(self) -> set[str]:
        return set(self._loaded)


def _trim_heap() -> None:
    """Give the C heap's free pages back (glibc keeps them after a question's temporary arrays and
    scikit-learn's small allocations: ~90 MB of RSS in the full fashion_mnist run)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def model_files(node) -> list[str]:
    """Side-file names of every Keras model in a manifest or descriptor (models can sit inside dicts,
    lists, estimators)."""
    if isinstance(node, dict):
        found = [Path(node["file"]).name] if node.get("t") == "keras_model" and isinstance(node.get("file"), str) else []
        return found + [f for value in node.values() for f in model_files(value)]
    if isinstance(node, list):
        return [f for value in node for f in model_files(value)]
    return []


def describe(folder: Path) -> dict[str, str]:
    """name -> exported kind, for feedback ("missing", "unsupported: <type>", ...)."""
    manifest = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    return {name: d["t"] + (f": {d['type']}" if d.get("type") else "") for name, d in manifest.items()}
