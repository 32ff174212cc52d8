"""Validation of what a sandbox exported, before any hidden test loads it.

A descriptor tree (see `tdgrade.guest.export`) is rebuilt from known shapes only: unknown kinds,
wrong types, too deep or too many nodes, side files that are missing, not valid `.npy` (or object
arrays), or `.keras` archives too big once unpacked, all become "unsupported: export invalide" for
that name; the other names are untouched. Never raises.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

MAX_DEPTH = 16
MAX_NODES = 1_000_000
MAX_STR = 1_000_000
MAX_UNPACKED = 1 << 30
MAX_MEMBERS = 2000
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,200}$")
INVALID = {"t": "unsupported", "type": "export invalide"}


class Invalid(Exception):
    pass


def parse_small_json(payload: bytes):
    try:
        return json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None


def parse_manifest(payload: bytes) -> dict | None:
    doc = parse_small_json(payload)
    return doc if isinstance(doc, dict) and isinstance(doc.get("values"), dict) else None


def check_descriptor(descriptor, files: set[str], folder: Path) -> tuple[dict, set[str]]:
    """(clean descriptor, side files it uses); INVALID and no file when anything is off."""
    checker = _Checker(files, Path(folder))
    try:
        return checker.node(descriptor, 0), checker.used
    except (Invalid, RecursionError, TypeError, ValueError, KeyError, OSError):
        return dict(INVALID), set()


class _Checker:
    def __init__(self, files: set[str], folder: Path):
        self.files, self.folder, self.used, self.nodes = files, folder, set(), 0

    def text(self, value, limit: int = MAX_STR) -> str:
        if not isinstance(value, str) or len(value) > limit:
            raise Invalid("text")
        return value

    def file(self, name, ext: str) -> str:
        if not isinstance(name, str) or name not in self.files or not name.endswith(ext):
            raise Invalid("file")
        (_npy_check if ext == ".npy" else _keras_check)(self.folder / name)
        self.used.add(name)
        return name

    def node(self, d, depth: int) -> dict:
        self.nodes += 1
        if depth > MAX_DEPTH or self.nodes > MAX_NODES or not isinstance(d, dict):
            raise Invalid("shape")
        t = d.get("t")
        if t in ("none", "ellipsis", "missing"):
            return {"t": t}
        if t in ("unsupported", "too_large"):
            out = {"t": t, "type": self.text(d.get("type", "?"), 300)}
            if isinstance(d.get("size"), int):
                out["size"] = d["size"]
            return out
        if t == "json":
            v = d.get("v")
            if isinstance(v, str):
                self.text(v)
            elif not isinstance(v, (bool, int, float)) or isinstance(v, int) and abs(v) > 1 << 64:
                raise Invalid("json")
            return {"t": t, "v": v}
        if t == "ndarray":
            return {"t": t, "file": self.file(d.get("file"), ".npy")}
        if t == "keras_model":
            out = {"t": t, "file": self.file(d.get("file"), ".keras")}
            if "architecture" in d:
                out["architecture"] = self.node(d["architecture"], depth + 1)
            return out
        if t == "keras_architecture":  # a model that could not be saved whole: what was readable of it
            return {"t": t, "cause": self.text(d.get("cause", "?"), 300),
                    "architecture": self.node(d.get("architecture"), depth + 1)}
        if t in ("list", "tuple"):
            return {"t": t, "items": [self.node(v, depth + 1) for v in self.seq(d.get("items"))]}
        if t == "dict":
            return {"t": t, "items": [self.pair(p, depth) for p in self.seq(d.get("items"))]}
        if t == "series":
            return {"t": t, **{k: self.node(d.get(k), depth + 1) for k in ("name", "index", "values")}}
        if t == "dataframe":
            return {"t": t, "index": self.node(d.get("index"), depth + 1),
                    "columns": [self.pair(p, depth) for p in self.seq(d.get("columns"))]}
        if t == "history":
            return {"t": t, "history": self.node(d.get("history"), depth + 1),
                    "params": self.node(d.get("params"), depth + 1)}
        if t == "figure":
            return {"t": t, "axes": [self.axes(a) for a in self.seq(d.get("axes"))]}
        if t == "estimator":
            return self.estimator(d, depth)
        if t == "callable":
            return {"t": t, "name": self.text(d.get("name"), 200),
                    "params": [self.text(p, 200) for p in self.seq(d.get("params", []))]}
        raise Invalid(f"kind {t!r}")

    def seq(self, value) -> list:
        if not isinstance(value, list) or len(value) > MAX_NODES:
            raise Invalid("list")
        return value

    def pair(self, p, depth: int) -> list:
        if not isinstance(p, list) or len(p) != 2:
            raise Invalid("pair")
        return [self.node(p[0], depth + 1), self.node(p[1], depth + 1)]

    def axes(self, a) -> dict:
        if not isinstance(a, dict) or not isinstance(a.get("images"), int):
            raise Invalid("axes")
        lines = [{"x": self.file(ln.get("x"), ".npy"), "y": self.file(ln.get("y"), ".npy"),
                  "label": self.text(ln.get("label"), 1000)}
                 for ln in self.seq(a.get("lines")) if isinstance(ln, dict)]
        return {"title": self.text(a.get("title"), 1000), "xlabel": self.text(a.get("xlabel"), 1000),
                "ylabel": self.text(a.get("ylabel"), 1000), "lines": lines, "images": min(a["images"], 1000)}

    def estimator(self, d: dict, depth: int) -> dict:
        module, cls = self.text(d.get("module"), 200), self.text(d.get("class"), 200)
        if not _IDENT.match(module) or not _IDENT.match(cls) or "." in cls:
            raise Invalid("class name")
        attrs = d.get("attrs")
        if not isinstance(attrs, dict) or len(attrs) > 1000:
            raise Invalid("attrs")
        clone_error = d.get("clone_error")
        return {"t": "estimator", "module": module, "class": cls, "params": self.node(d.get("params"), depth + 1),
                "attrs": {self.text(k, 200): self.node(v, depth + 1) for k, v in attrs.items()},
                "clone_error": None if clone_error is None else self.text(clone_error, 1000)}


def _npy_check(path: Path) -> None:
    """A plain numeric `.npy` whose size matches its header (no pickle, no object dtype)."""
    import numpy as np
    from numpy.lib import format as npformat

    size = path.stat().st_size
    with open(path, "rb") as f:
        version = npformat.read_magic(f)
        if version != (1, 0):
            raise Invalid("npy version")
        shape, fortran, dtype = npformat.read_array_header_1_0(f)
        offset = f.tell()
    if dtype.hasobject or any(not isinstance(n, int) or n < 0 for n in shape):
        raise Invalid("npy dtype")
    count = int(np.prod(shape, dtype=object)) if shape else 1
    if count * dtype.itemsize != size - offset:
        raise Invalid("npy size")


def _keras_check(path: Path) -> None:
    """A zip archive whose members unpack to a bounded size (no zip bomb reaches Keras)."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
            raise Invalid("keras archive")
