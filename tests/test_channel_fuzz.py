"""The grader's side of the export channel never fails on what a sandbox sends.

Streams are built from records a hostile runner (or a broken one) could send: random kinds, sizes
and bytes, truncated records, deep or huge JSON, wrong types, file names that climb out of the
folder or do not match their snapshot, damaged `.npy` / `.keras` files, snapshots never committed.
Each stream is fed through a real pipe; the reader must end with a `Received`, a manifest naming
every graded name, and values that `load_values` rebuilds without raising.
"""
import functools
import io
import json
import os
import random
import struct
import threading
import zipfile

import numpy as np
import pytest

from tdgrade.artifacts import Unexportable, load_values
from tdgrade.sandbox import channel

NAMES = ["total", "squares", "words", "model"]
HEADER = struct.Struct(">4sIQ")


def record(kind: bytes, seq: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(kind, seq, len(payload)) + payload


def npy(array) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def snapshot(seq: int, values: dict, files: dict[str, bytes]) -> bytes:
    out = record(b"BEGN", seq)
    for name, data in files.items():
        out += record(b"FILE", seq, name.encode() + b"\0" + data)
    out += record(b"MANI", seq, json.dumps({"seq": seq, "nonce": "x", "values": values}).encode())
    return out + record(b"COMT", seq)


def feed(tmp_path, stream: bytes):
    link = channel.Channel(tmp_path / "values", NAMES)
    write_fd = os.dup(link.write_fd)
    link.start()

    def writer():
        try:
            view = memoryview(stream)
            while view:
                view = view[os.write(write_fd, view):]
        except OSError:
            pass
        finally:
            os.close(write_fd)

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    received = link.close(timeout=60)
    thread.join(5)
    manifest = json.loads((tmp_path / "values" / "manifest.json").read_text())
    assert set(manifest) == set(NAMES)
    values = load_values(tmp_path / "values")
    return received, values


def test_a_clean_stream_round_trips(tmp_path):
    stream = snapshot(1, {"total": {"t": "json", "v": 5050},
                          "squares": {"t": "ndarray", "file": "s0001_v0001.npy"}},
                      {"s0001_v0001.npy": npy(np.arange(10) ** 2)})
    stream += snapshot(2, {"total": {"t": "json", "v": 7}}, {})
    received, values = feed(tmp_path, stream + record(b"CELL", 0, b'{"cell": 4}'))
    assert received.committed == 2 and received.last_cell == 4 and not received.protocol_error
    assert values["total"] == 7 and values["squares"].tolist() == [i * i for i in range(10)]
    assert "words" not in values


def test_an_uncommitted_snapshot_leaves_the_previous_values(tmp_path):
    first = snapshot(1, {"total": {"t": "json", "v": 1}}, {})
    cut = snapshot(2, {"total": {"t": "json", "v": 2}}, {})[:-HEADER.size]  # the kill came before COMT
    received, values = feed(tmp_path, first + cut)
    assert values["total"] == 1 and received.committed == 1


@functools.lru_cache(maxsize=1)
def _hostile_streams():
    deep = ('{"seq": 1, "nonce": "x", "values": {"total": ' + '{"t": "list", "items": [' * 50_000
            + "]}" * 50_000 + "}}").encode()
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.weights.h5", b"\0" * 1024)
    bomb = bytearray(bomb.getvalue())  # the central directory now claims 4 GiB once unpacked
    central = bomb.index(b"PK\x01\x02")
    bomb[central + 24:central + 28] = struct.pack("<I", 0xFFFFFFF0)
    lying_npy = npy(np.arange(4))[:-8] + b"\0" * 4  # header says 4 items, data is shorter
    return {
        "deep json": record(b"BEGN", 1) + record(b"MANI", 1, deep) + record(b"COMT", 1),
        "deep raw json": record(b"BEGN", 1) + record(b"MANI", 1, b"[" * 200_000 + b"]" * 200_000) + record(b"COMT", 1),
        "wrong types": snapshot(1, {"total": {"t": "json", "v": [1, 2]}, "words": {"t": 5},
                                    "squares": {"t": "ndarray", "file": 3}, "model": "x"}, {}),
        "climbing names": snapshot(1, {"squares": {"t": "ndarray", "file": "../../etc/passwd"}},
                                   {"../../etc/passwd": b"x", "/abs": b"y", "s0001_v0001.npy\0x": b"z"}),
        "other snapshot's file": snapshot(2, {"squares": {"t": "ndarray", "file": "s0001_v0001.npy"}},
                                          {"s0001_v0001.npy": npy(np.arange(3))}),
        "lying npy": snapshot(1, {"squares": {"t": "ndarray", "file": "s0001_v0001.npy"}},
                              {"s0001_v0001.npy": lying_npy}),
        "object npy": snapshot(1, {"squares": {"t": "ndarray", "file": "s0001_v0001.npy"}},
                               {"s0001_v0001.npy": npy(np.array([1, 2])).replace(b"<i8", b"|O ")}),
        "zip bomb for keras": snapshot(1, {"model": {"t": "keras_model", "file": "s0001_v0001.keras"}},
                               {"s0001_v0001.keras": bytes(bomb)}),
        "huge declared size": record(b"BEGN", 1) + HEADER.pack(b"FILE", 1, 1 << 62) + b"x" * 100,
        "huge small record": HEADER.pack(b"STAT", 0, 1 << 40) + b"{}",
        "unknown kind": record(b"EVIL", 0, b"x" * 10) + snapshot(1, {"total": {"t": "json", "v": 1}}, {}),
        "payload on COMT": record(b"BEGN", 1) + record(b"COMT", 1, b"xx"),
        "commit without begin": record(b"COMT", 9) + record(b"ABRT", 3),
        "too many items": snapshot(1, {"words": {"t": "list", "items": [{"t": "none"}] * 1_200_000}}, {}),
        "estimator with a path for a class": snapshot(1, {"model": {
            "t": "estimator", "module": "os", "class": "system; rm -rf /", "params": {"t": "none"}, "attrs": {}}}, {}),
        "non-utf8 status": record(b"STAT", 0, b"\xff\xfe{") + record(b"TAMP", 0, b"[]"),
        "truncated header": b"MAN",
    }


@pytest.mark.parametrize("name", sorted(_hostile_streams()))
def test_hostile_streams_end_cleanly(tmp_path, name):
    received, values = feed(tmp_path, _hostile_streams()[name])
    assert isinstance(received, channel.Received)
    for value in values.values():  # whatever got through is a plain value or marked unexportable
        assert value is None or isinstance(value, (int, float, str, list, tuple, dict, np.ndarray, Unexportable)) \
            or hasattr(value, "get_params"), (name, value)
    if name in ("climbing names", "lying npy", "object npy", "other snapshot's file"):
        assert isinstance(values.get("squares"), Unexportable) or "squares" not in values, values
    if name == "zip bomb for keras":  # refused before Keras opens it
        assert isinstance(values.get("model"), Unexportable), values
    assert not any(p.is_symlink() for p in (tmp_path / "values").iterdir())
    assert {p.name for p in (tmp_path / "values").iterdir()} <= {"manifest.json"} | {
        f"s{n:04d}_v{m:04d}.{e}" for n in range(10) for m in range(10) for e in ("npy", "keras")}


def test_random_streams_never_raise(tmp_path):
    rng = random.Random(20261202)
    kinds = [b"BEGN", b"FILE", b"MANI", b"COMT", b"ABRT", b"CELL", b"STAT", b"NBK_", b"TAMP", b"HELO", b"\0\0\0\0"]
    pieces = list(_hostile_streams().values())
    for trial in range(60):
        stream = b""
        for _ in range(rng.randrange(1, 12)):
            roll = rng.random()
            if roll < 0.3:
                stream += rng.choice(pieces)
            elif roll < 0.6:
                payload = bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 300)))
                stream += record(rng.choice(kinds), rng.randrange(0, 4), payload)
            else:
                stream += bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 64)))
        folder = tmp_path / str(trial)
        folder.mkdir()
        received, _values = feed(folder, stream)
        assert isinstance(received, channel.Received)
