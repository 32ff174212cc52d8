"""Runs INSIDE the student's kernel: writes named values to a folder in safe formats only.

This file is sent as source text (`tdgrade.artifacts.export_code`), so it imports nothing from
tdgrade. Each value becomes a JSON descriptor in `manifest.json`, bulky parts go to side files:
arrays as `.npy` (never object dtype), Keras models as `.keras`, the rest as JSON. Nothing here
may raise: a value that cannot be exported is recorded as `unsupported` with its type.
"""


def _tdgrade_export(names, outdir, namespace):
    import json
    import os

    os.makedirs(outdir, exist_ok=True)
    counter = [0]

    def side_file(ext):
        counter[0] += 1
        return f"v{counter[0]:04d}{ext}"

    def encode(value, depth=0):
        import numpy as np

        if depth > 6:
            return {"t": "unsupported", "type": "too deep"}
        if value is None:
            return {"t": "none"}
        if value is Ellipsis:
            return {"t": "ellipsis"}
        if isinstance(value, (bool, int, float, str)):
            return {"t": "json", "v": value if not isinstance(value, float) or np.isfinite(value) else repr(value)}
        if isinstance(value, np.generic):
            return encode(value.item(), depth)
        if isinstance(value, np.ndarray):
            array = np.asarray(value)
            if array.dtype == object:
                return {"t": "list", "items": [encode(v, depth + 1) for v in array.tolist()]}
            name = side_file(".npy")
            np.save(os.path.join(outdir, name), np.ma.getdata(array), allow_pickle=False)
            return {"t": "ndarray", "file": name}
        if isinstance(value, (list, tuple, range, set, frozenset)):
            kind = "tuple" if isinstance(value, tuple) else "list"
            items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else list(value)
            return {"t": kind, "items": [encode(v, depth + 1) for v in items]}
        if isinstance(value, dict):
            return {"t": "dict", "items": [[encode(k, depth + 1), encode(v, depth + 1)] for k, v in value.items()]}
        module = type(value).__module__ or ""
        if module.startswith("pandas"):
            return encode_pandas(value, depth)
        if module.startswith("tensorflow") and hasattr(value, "numpy"):
            return encode(value.numpy(), depth)
        if hasattr(value, "layers") and hasattr(value, "count_params") and hasattr(value, "save"):
            name = side_file(".keras")
            value.save(os.path.join(outdir, name))
            return {"t": "keras_model", "file": name}
        if isinstance(getattr(value, "history", None), dict) and isinstance(getattr(value, "params", None), dict):
            return {"t": "history", "history": encode(dict(value.history), depth + 1),
                    "params": encode(dict(value.params), depth + 1)}
        if module.startswith("matplotlib") and hasattr(value, "axes") and hasattr(value, "savefig"):
            return encode_figure(value)
        if hasattr(value, "get_params") and hasattr(value, "fit"):
            return encode_estimator(value, depth)
        if callable(value):
            import inspect

            try:
                params = list(inspect.signature(value).parameters)
            except (TypeError, ValueError):
                params = []
            return {"t": "callable", "name": getattr(value, "__name__", type(value).__name__), "params": params}
        return {"t": "unsupported", "type": f"{module}.{type(value).__name__}"}

    def encode_pandas(value, depth):
        import numpy as np
        import pandas as pd

        if isinstance(value, pd.Series):
            return {"t": "series", "name": encode(value.name, depth + 1), "index": encode(value.index.to_numpy(), depth + 1),
                    "values": encode(value.to_numpy(), depth + 1)}
        if isinstance(value, pd.DataFrame):
            columns = [[encode(c, depth + 1), encode(value[c].to_numpy(), depth + 1)] for c in value.columns]
            return {"t": "dataframe", "index": encode(value.index.to_numpy(), depth + 1), "columns": columns}
        if isinstance(value, pd.Index):
            return encode(np.asarray(value), depth)
        return {"t": "unsupported", "type": type(value).__name__}

    def encode_figure(fig):
        import numpy as np

        axes = []
        for ax in fig.axes:
            lines = []
            for line in ax.get_lines():
                x, y = side_file(".npy"), side_file(".npy")
                np.save(os.path.join(outdir, x), np.asarray(line.get_xdata(), dtype=float), allow_pickle=False)
                np.save(os.path.join(outdir, y), np.asarray(line.get_ydata(), dtype=float), allow_pickle=False)
                lines.append({"x": x, "y": y, "label": str(line.get_label())})
            axes.append({"title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(),
                         "lines": lines, "images": len(ax.get_images())})
        return {"t": "figure", "axes": axes}

    def encode_estimator(est, depth):
        out = {"t": "estimator", "module": type(est).__module__, "class": type(est).__name__}
        try:
            out["params"] = encode(est.get_params(deep=False), depth + 1)
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
                    attrs[key] = encode(val, depth + 1)
                except Exception as exc:  # noqa: BLE001
                    attrs[key] = {"t": "unsupported", "type": f"{type(val).__name__}: {exc!r}"[:200]}
        out["attrs"] = attrs
        return out

    manifest = {}
    for var in names:
        if var not in namespace:
            manifest[var] = {"t": "missing"}
            continue
        try:
            manifest[var] = encode(namespace[var])
        except Exception as exc:  # noqa: BLE001
            manifest[var] = {"t": "unsupported", "type": f"export failed: {type(exc).__name__}: {exc}"[:300]}
    tmp = os.path.join(outdir, "manifest.json.part")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(manifest, f)
    os.replace(tmp, os.path.join(outdir, "manifest.json"))
