"""Runs INSIDE the student's kernel: hands named values over in safe formats only.

Each value becomes a JSON descriptor; bulky parts become side files: arrays as `.npy` (never object
dtype), Keras models as `.keras`, the rest as JSON. Nothing here may raise: a value that cannot be
exported is `unsupported` with its type, one over a bound is `too_large`.

Two ways in:
- `export_to_folder` (sent as source by `tdgrade.artifacts.export_code`): writes a folder. Used only
  where the kernel is trusted (building solutions, tests).
- `install` (run by the kernel's IPython startup file, BEFORE any student cell): opens the runner's
  two FIFOs and starts an export thread that waits for the runner's commands and streams records
  back. Why a thread started first: a trace function set by student code is per thread and cannot
  reach it, and this module runs in a private globals dict whose builtins and library functions were
  captured before student code ran, so patched serialisers (`np.save`, `json.dump`, `builtins`) are
  not used. The values never touch a file the kernel could rewrite later; the runner kills the kernel
  after the last export. Record: `kind` (4 bytes), `seq` (u32), payload length (u64), payload.
"""

MAX_DEPTH = 6
MAX_NODES = 200_000  # descriptors per value (list items, dict entries...)
MAX_VALUE_BYTES = 1 << 30  # side-file bytes per value
MAX_SNAPSHOT_BYTES = 3 << 30  # side-file bytes per export


def _capture():
    """Library functions used by the export, taken before student code runs."""
    import io
    import json
    import os
    import struct
    import tempfile
    import threading

    import numpy

    return {"os_write": os.write, "os_read": os.read, "os_open": os.open, "os_close": os.close,
            "path_join": os.path.join, "makedirs": os.makedirs, "listdir": os.listdir, "remove": os.remove,
            "rmdir": os.rmdir, "mkdtemp": tempfile.mkdtemp, "read_bytes": io.FileIO, "BytesIO": io.BytesIO,
            "pack": struct.pack, "json_str": json.encoder.encode_basestring_ascii, "Thread": threading.Thread,
            "tobytes": numpy.ndarray.tobytes,
            "active_threads": threading.active_count,
            "ndarray": numpy.ndarray, "generic": numpy.generic, "isfinite": numpy.isfinite,
            "np_array": numpy.array, "asarray": numpy.asarray, "contiguous": numpy.ascontiguousarray, "ma_getdata": numpy.ma.getdata, "float64": numpy.float64,
            "O_RDONLY": os.O_RDONLY, "O_WRONLY": os.O_WRONLY}


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
        import sys

        lib = self.lib
        keras = sys.modules.get("keras")
        folder = lib["mkdtemp"](prefix="tdgrade-export-")
        path = lib["path_join"](folder, "model.keras")
        try:
            keras.saving.save_model(model, path)
            with lib["read_bytes"](path, "r") as f:
                data = f.read(MAX_VALUE_BYTES + 1)
        finally:
            for entry in lib["listdir"](folder):
                lib["remove"](lib["path_join"](folder, entry))
            lib["rmdir"](folder)
        name = self.put(".keras", data) if len(data) <= MAX_VALUE_BYTES else None
        if name is None:
            return {"t": "too_large", "type": "keras_model", "size": len(data)}
        return {"t": "keras_model", "file": name}

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


def describe_all(encoder, names, namespace, skip_missing=False):
    manifest = {}
    for var in names:
        if var not in namespace:
            if not skip_missing:
                manifest[var] = {"t": "missing"}
            continue
        try:
            manifest[var] = encoder.value(namespace[var])
        except Exception as exc:  # noqa: BLE001
            manifest[var] = {"t": "unsupported", "type": f"export failed: {type(exc).__name__}: {exc}"[:300]}
    return manifest


def dumps(lib, value):
    """JSON of a descriptor tree, without the json module (its encoder classes may have been patched)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return lib["json_str"](value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value) if lib["isfinite"](value) else lib["json_str"](float.__repr__(value))
    if isinstance(value, dict):
        return "{" + ", ".join(lib["json_str"](str(k)) + ": " + dumps(lib, v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(dumps(lib, v) for v in value) + "]"
    return lib["json_str"](repr(value))


class FolderSink:
    def __init__(self, lib, outdir):
        self.lib, self.outdir = lib, outdir
        lib["makedirs"](outdir, exist_ok=True)

    def file(self, name, parts):
        with open(self.lib["path_join"](self.outdir, name), "wb") as f:
            for part in parts:
                f.write(part)


def export_to_folder(names, outdir, namespace):
    """Trusted contexts only: `names` from `namespace` into `outdir` (side files + manifest.json)."""
    import json
    import os

    lib = _capture()
    manifest = describe_all(Encoder(lib, FolderSink(lib, outdir)), names, namespace)
    tmp = os.path.join(outdir, "manifest.json.part")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f)
    os.replace(tmp, os.path.join(outdir, "manifest.json"))


class PipeSink:
    def __init__(self, lib, fd, seq):
        self.lib, self.fd, self.seq = lib, fd, seq

    def record(self, kind, *parts):
        lib = self.lib
        size = sum(len(p) for p in parts)
        for part in (lib["pack"](">4sIQ", kind, self.seq, size), *parts):
            data = memoryview(part).cast("B") if not isinstance(part, bytes) else memoryview(part)
            while data:
                data = data[lib["os_write"](self.fd, data):]

    def file(self, name, parts):
        self.record(b"FILE", name.encode("ascii") + b"\0", *parts)


def untrusted_modules(trusted_dirs):
    """Modules the export relies on (or that run at start-up) loaded from outside the installation:
    after a kernel death, a notebook could have left `numpy.py` or `sitecustomize.py` in its folder."""
    import sys

    found = []
    for name in ("numpy", "json", "json.encoder", "os", "io", "struct", "tempfile", "threading",
                 "sitecustomize", "usercustomize"):
        module = sys.modules.get(name)
        origin = getattr(module, "__file__", None) if module is not None else None
        if module is not None and origin and not any(str(origin).startswith(d) for d in trusted_dirs):
            found.append(name)
    return found


def install(ctl_path, data_path, namespace, trusted_dirs=()):
    """Open the runner's FIFOs and serve export commands from a thread started before student code.

    Command line (from the runner): `EXPORT <seq> <nonce> <all|some> <name> ...`.
    """
    lib = _capture()
    ctl = lib["os_open"](ctl_path, lib["O_RDONLY"])
    data = lib["os_open"](data_path, lib["O_WRONLY"])
    bad = untrusted_modules(trusted_dirs) if trusted_dirs else []
    PipeSink(lib, data, 0).record(b"HELO", " ".join(bad).encode("ascii"))

    def serve():
        pending = b""
        while True:
            chunk = lib["os_read"](ctl, 65536)
            if not chunk:
                return
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                words = line.decode("ascii", "replace").split()
                if len(words) < 4 or words[0] != "EXPORT":
                    continue
                seq, nonce, scope, names = int(words[1]), words[2], words[3], words[4:]
                sink = PipeSink(lib, data, seq)
                encoder = Encoder(lib, sink, prefix=f"s{seq:04d}_")
                values = describe_all(encoder, names, namespace, skip_missing=scope != "all")
                manifest = {"seq": seq, "nonce": nonce, "values": values, "threads": lib["active_threads"]()}
                sink.record(b"MANI", dumps(lib, manifest).encode("ascii"))

    lib["Thread"](target=serve, name="tdgrade-export", daemon=True).start()
