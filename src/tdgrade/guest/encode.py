"""Runs INSIDE the student's kernel: turns one value into a JSON descriptor plus side files.

Executed together with `export.py` in one private globals dict (see there): it imports nothing from
tdgrade, and takes the library functions it needs from `lib`, captured before student code ran.
Bounds: depth, descriptors per value, bytes per value and per export; past them a value becomes
`too_large` (or `unsupported: too deep`) and the others are still exported.
"""

MAX_DEPTH = 6
MAX_NODES = 200_000  # descriptors per value (list items, dict entries...)
MAX_VALUE_BYTES = 1 << 30  # side-file bytes per value
MAX_SNAPSHOT_BYTES = 3 << 30  # side-file bytes per export


class NoTensorFlowProbe:
    """Keras' serialiser asks whether TensorFlow is importable (`tf.available`, to recognise a
    `tf.TensorShape`), and that question imports it: ~3 s of CPU per graded kernel on a lab whose
    backend is not TensorFlow. When TensorFlow is not imported yet, no value can hold a TensorFlow
    object, so the answer "not available" is exact for this save; Keras' cached answer is put back
    afterwards, so the student's own later calls see TensorFlow as before. Keras internals: if they
    move, the save simply probes as usual. `tdgrade_checks/keras_config.py` is its twin for checks
    run in a kernel; this code cannot import it (it imports nothing a notebook could replace)."""

    def __init__(self, modules):
        self.probe, self.saved = None, None
        if "tensorflow" in modules:
            return
        utils = modules.get("keras.src.utils.module_utils")
        probe = getattr(utils, "tensorflow", None)
        if probe is not None and hasattr(probe, "_available"):
            self.probe, self.saved = probe, probe._available

    def __enter__(self):
        if self.probe is not None:
            self.probe._available = False
        return self

    def __exit__(self, *exc):
        if self.probe is not None:
            self.probe._available = self.saved
        return False


class Encoder:
    """Value -> descriptor; side files go to `sink.file(name, bytes)`."""

    def __init__(self, lib, sink, prefix=""):
        self.lib, self.sink, self.prefix = lib, sink, prefix
        self.counter = 0
        self.total = 0

    def side_name(self, ext):
        self.counter += 1
        return f"{self.prefix}v{self.counter:04d}{ext}"

    def value(self, value):
        self.nodes, self.value_bytes = 0, 0
        return self.encode(value, 0)

    def put(self, ext, *parts):
        """Store a side file (its bytes in parts) unless a bound is reached; return its name or None."""
        size = sum(len(p) for p in parts)
        if self.value_bytes + size > MAX_VALUE_BYTES or self.total + size > MAX_SNAPSHOT_BYTES:
            return None
        self.value_bytes += size
        self.total += size
        name = self.side_name(ext)
        self.sink.file(name, parts)
        return name

    def npy(self, array):
        """`.npy` bytes written here (format 1.0): `np.save` and its helpers may have been patched."""
        lib = self.lib
        if array.nbytes > MAX_VALUE_BYTES or array.dtype.fields is not None or array.dtype.hasobject:
            return None
        array = lib["contiguous"](lib["ma_getdata"](array))
        header = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (array.dtype.str, tuple(array.shape))
        header += " " * (63 - (10 + len(header)) % 64) + "\n"
        head = b"\x93NUMPY\x01\x00" + lib["pack"]("<H", len(header)) + header.encode("latin1")
        try:
            body = memoryview(array).cast("B")  # no copy of a big array
        except (TypeError, ValueError):
            body = lib["tobytes"](array)
        return self.put(".npy", head, body)

    def encode(self, value, depth):
        lib = self.lib
        self.nodes += 1
        if depth > MAX_DEPTH:
            return {"t": "unsupported", "type": "too deep"}
        if self.nodes > MAX_NODES:
            return {"t": "too_large", "type": "too many items"}
        if value is None:
            return {"t": "none"}
        if value is Ellipsis:
            return {"t": "ellipsis"}
        if isinstance(value, (bool, int, float, str)):
            if isinstance(value, str) and len(value) > 1_000_000:
                return {"t": "too_large", "type": "str"}
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 1 << 63:
                return {"t": "json", "v": float(value)}
            keep = not isinstance(value, float) or bool(lib["isfinite"](value))
            return {"t": "json", "v": value if keep else repr(value)}
        if isinstance(value, lib["generic"]):
            return self.encode(value.item(), depth)
        if isinstance(value, lib["ndarray"]):
            array = lib["asarray"](value)
            if array.dtype == object:
                if array.size > MAX_NODES:
                    return {"t": "too_large", "type": "ndarray", "size": int(array.size)}
                return {"t": "list", "items": [self.encode(v, depth + 1) for v in array.tolist()]}
            name = self.npy(array)
            if name is None:
                return {"t": "too_large", "type": "ndarray", "size": int(array.nbytes)}
            return {"t": "ndarray", "file": name}
        if isinstance(value, (list, tuple, range, set, frozenset)):
            if len(value) > MAX_NODES:
                return {"t": "too_large", "type": type(value).__name__, "size": len(value)}
            kind = "tuple" if isinstance(value, tuple) else "list"
            items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else list(value)
            return {"t": kind, "items": [self.encode(v, depth + 1) for v in items]}
        if isinstance(value, dict):
            if len(value) > MAX_NODES:
                return {"t": "too_large", "type": "dict", "size": len(value)}
            return {"t": "dict", "items": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                                           for k, v in list(value.items())]}
        module = type(value).__module__ or ""
        if module.startswith("pandas"):
            return self.pandas(value, depth)
        if module.startswith("tensorflow") and hasattr(value, "numpy"):
            return self.encode(value.numpy(), depth)
        if hasattr(value, "layers") and hasattr(value, "count_params") and hasattr(value, "save"):
            return self.keras_model(value)
        if isinstance(getattr(value, "history", None), dict) and isinstance(getattr(value, "params", None), dict):
            return {"t": "history", "history": self.encode(dict(value.history), depth + 1),
                    "params": self.encode(dict(value.params), depth + 1)}
        if module.startswith("matplotlib") and hasattr(value, "axes") and hasattr(value, "savefig"):
            return self.figure(value)
        if hasattr(value, "get_params") and hasattr(value, "fit"):
            return self.estimator(value, depth)
        if callable(value):
            import inspect

            try:
                params = list(inspect.signature(value).parameters)
            except (TypeError, ValueError):
                params = []
            return {"t": "callable", "name": str(getattr(value, "__name__", type(value).__name__))[:120],
                    "params": [str(p)[:60] for p in params[:50]]}
        return {"t": "unsupported", "type": f"{module}.{type(value).__name__}"[:200]}

    def keras_model(self, model):
        """The whole model as a `.keras` file, with its readable architecture beside it (the loader
        falls back on it when the file cannot be read back); when the model cannot be saved whole
        (training failed half-way, an unsupported layer...), the architecture alone and the cause."""
        import sys

        lib = self.lib
        keras = sys.modules.get("keras")
        architecture = self.architecture(model)
        folder = lib["mkdtemp"](prefix="tdgrade-export-")
        path = lib["path_join"](folder, "model.keras")
        try:
            with NoTensorFlowProbe(sys.modules):
                keras.saving.save_model(model, path)
            with lib["read_bytes"](path, "r") as f:
                data = f.read(MAX_VALUE_BYTES + 1)
        except Exception as exc:  # noqa: BLE001 - export what exists
            if architecture is None:
                raise
            return {"t": "keras_architecture", "cause": f"{type(exc).__name__}: {exc}"[:300], "architecture": architecture}
        finally:
            for entry in lib["listdir"](folder):
                lib["remove"](lib["path_join"](folder, entry))
            lib["rmdir"](folder)
        name = self.put(".keras", data) if len(data) <= MAX_VALUE_BYTES else None
        if name is None:
            return {"t": "too_large", "type": "keras_model", "size": len(data)}
        out = {"t": "keras_model", "file": name}
        if architecture is not None:
            out["architecture"] = architecture
        return out

    def architecture(self, model):
        """What can be read of a Keras model without saving it: its class, input shape, parameter
        count, whether it is compiled, and each layer's class, parameter count and plain
        configuration values (numbers, strings, shapes). None when even that cannot be read."""
        import sys

        def plain(value):
            if value is None or isinstance(value, (bool, int, float, str)):
                return True
            return isinstance(value, (list, tuple)) and len(value) <= 16 and all(v is None or isinstance(v, int) for v in value)

        def number(call):
            try:
                return int(call())
            except Exception:  # noqa: BLE001 - an unbuilt layer has no count yet
                return None

        try:
            layers = []
            with NoTensorFlowProbe(sys.modules):
                for layer in list(model.layers)[:1000]:
                    try:
                        config = dict(layer.get_config())
                    except Exception:  # noqa: BLE001
                        config = {}
                    kept = {str(k)[:100]: (v if plain(v) else "?") for k, v in list(config.items())[:100]
                            if plain(v) or k == "activation"}
                    layers.append({"class": type(layer).__name__[:100], "params": number(layer.count_params), "config": kept})
            try:
                shape = [None if d is None else int(d) for d in model.input_shape]
            except Exception:  # noqa: BLE001 - no input yet
                shape = None
            description = {"class": type(model).__name__[:100], "input_shape": shape, "params": number(model.count_params),
                           "compiled": bool(getattr(model, "compiled", False)), "layers": layers}
            return self.encode(description, 0)
        except Exception:  # noqa: BLE001 - nothing readable: the caller reports the model as unsupported
            return None

    def pandas(self, value, depth):
        import pandas as pd

        if isinstance(value, pd.Series):
            return {"t": "series", "name": self.encode(value.name, depth + 1),
                    "index": self.encode(value.index.to_numpy(), depth + 1),
                    "values": self.encode(value.to_numpy(), depth + 1)}
        if isinstance(value, pd.DataFrame):
            columns = [[self.encode(c, depth + 1), self.encode(value[c].to_numpy(), depth + 1)]
                       for c in list(value.columns)[:10_000]]
            return {"t": "dataframe", "index": self.encode(value.index.to_numpy(), depth + 1), "columns": columns}
        if isinstance(value, pd.Index):
            return self.encode(value.to_numpy(), depth)
        return {"t": "unsupported", "type": type(value).__name__}

    def figure(self, fig):
        lib = self.lib
        axes = []
        for ax in list(fig.axes)[:50]:
            lines = []
            for line in list(ax.get_lines())[:100]:
                x = self.npy(lib["np_array"](line.get_xdata(), dtype=lib["float64"]))
                y = self.npy(lib["np_array"](line.get_ydata(), dtype=lib["float64"]))
                if x is None or y is None:
                    return {"t": "too_large", "type": "figure"}
                lines.append({"x": x, "y": y, "label": str(line.get_label())[:200]})
            axes.append({"title": str(ax.get_title())[:200], "xlabel": str(ax.get_xlabel())[:200],
                         "ylabel": str(ax.get_ylabel())[:200], "lines": lines, "images": len(ax.get_images())})
        return {"t": "figure", "axes": axes}

    def estimator(self, est, depth):
        out = {"t": "estimator", "module": type(est).__module__, "class": type(est).__name__}
        try:
            out["params"] = self.encode(est.get_params(deep=False), depth + 1)
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            out["params"] = {"t": "unsupported", "type": f"get_params failed: {exc!r}"[:200]}
        try:
            from sklearn.base import clone

            clone(est)
            out["clone_error"] = None
        except Exception as exc:  # noqa: BLE001
            out["clone_error"] = f"{type(exc).__name__}: {exc}"[:300]
        attrs = {}
        for key, val in list(vars(est).items()):
            if key.endswith("_") and not key.startswith("_") and key not in ("estimators_", "estimators_features_"):
                try:
                    attrs[key] = self.encode(val, depth + 1)
                except Exception as exc:  # noqa: BLE001
                    attrs[key] = {"t": "unsupported", "type": f"{type(val).__name__}: {exc!r}"[:200]}
        out["attrs"] = attrs
        return out
