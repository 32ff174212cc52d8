"""Runs INSIDE the student's kernel: hands named values over in safe formats only.

Each value becomes a JSON descriptor; bulky parts become side files: arrays as `.npy` (never object
dtype), Keras models as `.keras`, the rest as JSON. Nothing here may raise: a value that cannot be
exported is `unsupported` with its type, one over a bound is `too_large`.

The encoding itself is in `encode.py`; both files are executed in one private globals dict.

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
    manifest = describe_all(Encoder(lib, FolderSink(lib, outdir)), names, namespace)  # noqa: F821 - from encode.py, same globals
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

    sent = {}  # name -> fingerprint of the array last sent

    def fingerprint(value):
        """Cheap identity of a big array: same object, buffer, layout and sampled bytes. Only the
        per-cell snapshots skip an unchanged array; the last export sends everything."""
        if not isinstance(value, lib["ndarray"]) or value.nbytes < 1 << 20 or value.dtype.hasobject:
            return None
        flat = value.reshape(-1) if value.flags.c_contiguous else None
        if flat is None:
            return None
        step = max(1, flat.size // 4096)
        return (id(value), value.__array_interface__["data"][0], value.shape, value.dtype.str,
                lib["tobytes"](lib["contiguous"](flat[::step])))

    def unchanged(names):
        keep = []
        for name in names:
            mark = fingerprint(namespace.get(name))
            if mark is None or sent.get(name) != mark:
                keep.append(name)
            sent[name] = mark
        return keep

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
                if scope != "all":
                    names = unchanged(names)
                sink = PipeSink(lib, data, seq)
                encoder = Encoder(lib, sink, prefix=f"s{seq:04d}_")  # noqa: F821 - from encode.py, same globals
                values = describe_all(encoder, names, namespace, skip_missing=scope != "all")
                manifest = {"seq": seq, "nonce": nonce, "values": values, "threads": lib["active_threads"]()}
                sink.record(b"MANI", dumps(lib, manifest).encode("ascii"))

    lib["Thread"](target=serve, name="tdgrade-export", daemon=True).start()
