"""Stage 3b: receive, outside the sandbox, what the runner sends (see `tdgrade.guest.relay`).

The grader makes a pipe and passes its write end into the sandbox; a thread here reads records as
they come and keeps, in a grader-owned folder the sandbox cannot see, the latest committed value of
each graded name. A snapshot counts only once the runner commits it, so a kill mid-export leaves the
previous values. Everything read is bounded: record sizes, the folder's total size, and the
manifests (validated by `values_check`). Nothing here raises on what the sandbox sends: a malformed
stream ends the reading and is reported.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import values_check

HEADER = struct.Struct(">4sIQ")
MAX_FILE = (1 << 30) + 256
MAX_SMALL = {b"MANI": 64 << 20, b"NBK_": 64 << 20, b"STAT": 4 << 20, b"CELL": 4096, b"TAMP": 4096}
MAX_HELD = 3 << 30  # bytes of values kept at once
_SIDE_NAME = re.compile(r"^s(\d{4,10})_v\d{4,10}\.(npy|keras)$")


@dataclass
class Received:
    """What the sandbox handed over, all of it grader-owned after `Channel.close`."""

    committed: int = 0  # snapshots accepted
    aborted: int = 0
    last_cell: int | None = None  # the cell running when the stream ended
    status: dict = field(default_factory=dict)  # the runner's own account (untrusted shape)
    notebook: bytes | None = None
    tamper: list[str] = field(default_factory=list)
    protocol_error: str = ""
    too_large: list[str] = field(default_factory=list)
    manifest: dict = field(default_factory=dict)  # name -> committed (validated) descriptor


class Channel:
    """One submission's pipe: `write_fd` goes to the sandbox, values land in `folder`."""

    def __init__(self, folder: Path, names: list[str]):
        self.folder, self.names = Path(folder), list(names)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.staging = self.folder.parent / (self.folder.name + ".staging")
        self.read_fd, self.write_fd = os.pipe()
        self.received = Received()
        self.manifest: dict[str, dict] = {}  # name -> committed descriptor
        self.files_of: dict[str, set[str]] = {}  # name -> side files its descriptor uses
        self._pending: dict[int, dict] = {}  # seq -> {"files": {name: size}, "manifest": dict | None}
        self._held = 0
        self._thread = threading.Thread(target=self._read_all, name="tdgrade-channel", daemon=True)
        self._started = False

    def start(self) -> None:
        """Call after the sandbox was started (it holds its own copy of the write end)."""
        os.close(self.write_fd)
        self._started = True
        self._thread.start()

    def close(self, timeout: float = 30.0) -> Received:
        """Wait for the end of the stream (the sandbox is gone), write the merged manifest."""
        if not self._started:  # the sandbox never ran
            os.close(self.write_fd)
        else:
            self._thread.join(timeout)
        if self._thread.is_alive():
            self.received.protocol_error = self.received.protocol_error or "stream still open"
        try:
            os.close(self.read_fd)
        except OSError:
            pass
        shutil.rmtree(self.staging, ignore_errors=True)
        manifest = {name: self.manifest.get(name, {"t": "missing"}) for name in self.names}
        (self.folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        self.received.manifest = manifest
        return self.received

    @staticmethod
    def discard_values(folder: Path, names: list[str]) -> None:
        """Forget every value (after tampering): the hidden tests then see nothing defined."""
        shutil.rmtree(folder, ignore_errors=True)
        Path(folder).mkdir(parents=True)
        (Path(folder) / "manifest.json").write_text(json.dumps({n: {"t": "missing"} for n in names}), encoding="utf-8")

    # -- reading -------------------------------------------------------------------------------

    def _read_exact(self, size: int) -> bytes | None:
        chunks, left = [], size
        while left:
            chunk = os.read(self.read_fd, min(left, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _read_all(self) -> None:
        try:
            while True:
                head = self._read_exact(HEADER.size)
                if head is None:
                    return
                kind, seq, size = HEADER.unpack(head)
                if not self._record(kind, seq, size):
                    return
        except Exception as exc:  # noqa: BLE001 - a grading run never dies of what a sandbox sent
            self.received.protocol_error = f"{type(exc).__name__}: {exc}"[:300]

    def _record(self, kind: bytes, seq: int, size: int) -> bool:
        if kind == b"FILE":
            return self._file(seq, size)
        if kind in (b"BEGN", b"COMT", b"ABRT"):
            if size:
                return self._fail(f"{kind!r} with a payload")
            {b"BEGN": self._begin, b"COMT": self._commit, b"ABRT": self._abort}[kind](seq)
            return True
        limit = MAX_SMALL.get(kind)
        if limit is None or size > limit:
            return self._fail(f"record {kind!r} of {size} bytes")
        payload = self._read_exact(size)
        if payload is None:
            return False
        if kind == b"MANI":
            if seq in self._pending:
                self._pending[seq]["manifest"] = values_check.parse_manifest(payload)
        elif kind == b"NBK_":
            self.received.notebook = payload
        elif kind in (b"STAT", b"CELL", b"TAMP"):
            doc = values_check.parse_small_json(payload)
            if kind == b"STAT" and isinstance(doc, dict):
                self.received.status = doc
            elif kind == b"CELL" and isinstance(doc, dict) and isinstance(doc.get("cell"), int):
                self.received.last_cell = doc["cell"]
            elif kind == b"TAMP":
                reason = doc.get("reason") if isinstance(doc, dict) else None
                self.received.tamper.append(str(reason or "?")[:200])
        return True

    def _fail(self, why: str) -> bool:
        self.received.protocol_error = why[:300]
        return False

    def _file(self, seq: int, size: int) -> bool:
        if size > MAX_FILE:
            return self._fail(f"side file of {size} bytes")
        head = self._read_exact(min(size, 200))
        if head is None or b"\0" not in head:
            return self._fail("side file without a name")
        raw_name, first = head.split(b"\0", 1)
        name = raw_name.decode("ascii", "replace")
        body = size - len(head)
        match = _SIDE_NAME.match(name)
        pending = self._pending.get(seq)
        keep = (pending is not None and match is not None and int(match.group(1)) == seq
                and name not in pending["files"] and self._held + size <= MAX_HELD)
        out = None
        if keep:
            self.staging.mkdir(parents=True, exist_ok=True)
            out = open(self.staging / name, "wb")
            out.write(first)
        try:
            left = body
            while left:
                chunk = os.read(self.read_fd, min(left, 1 << 20))
                if not chunk:
                    return False
                if out:
                    out.write(chunk)
                left -= len(chunk)
        finally:
            if out:
                out.close()
        if keep:
            pending["files"][name] = size
            self._held += size
        elif pending is not None and match is not None and self._held + size > MAX_HELD:
            self.received.too_large.append(name)
        return True

    # -- snapshots -----------------------------------------------------------------------------

    def _begin(self, seq: int) -> None:
        self._pending[seq] = {"files": {}, "manifest": None}

    def _drop_staged(self, files: dict[str, int]) -> None:
        """Staged side files no committed value uses."""
        for name, size in files.items():
            if (self.staging / name).exists():
                (self.staging / name).unlink()
                self._held -= size

    def _abort(self, seq: int) -> None:
        pending = self._pending.pop(seq, None)
        self.received.aborted += 1
        self._drop_staged(pending["files"] if pending else {})

    def _commit(self, seq: int) -> None:
        pending = self._pending.pop(seq, None)
        if pending is None:
            return
        manifest = pending["manifest"]
        if not isinstance(manifest, dict) or not isinstance(manifest.get("values"), dict):
            self.received.aborted += 1
            self._drop_staged(pending["files"])
            return
        files = pending["files"]
        for name, descriptor in manifest["values"].items():
            if name not in self.names:
                continue
            clean, used = values_check.check_descriptor(descriptor, set(files), self.staging)
            for old in self.files_of.pop(name, set()):
                self._held -= (self.folder / old).stat().st_size if (self.folder / old).exists() else 0
                (self.folder / old).unlink(missing_ok=True)
            for side in used:
                os.replace(self.staging / side, self.folder / side)
            self.manifest[name] = clean
            self.files_of[name] = used
        self._drop_staged(files)  # sent but referenced by no descriptor (the used ones were moved)
        self.received.committed += 1
