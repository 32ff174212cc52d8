"""Runs INSIDE the sandbox, in the runner: takes values from the kernel and relays them to the grader.

Kernel -> runner: two FIFOs made before the kernel starts and unlinked once its startup hook opened
them (`export.install`). Runner -> grader: a pipe the grader passed in (`job["channel_fd"]`); the
runner is made non-dumpable and the kernel does not inherit that pipe, so student code can reach
neither. Only records that answer the runner's own open request (right sequence number, then a
manifest carrying the request's random nonce) are relayed; anything else the kernel writes is
tampering: counted, dropped, and reported to the grader, which then discards the values.

Records on both pipes: kind (4 bytes), seq (u32), payload length (u64), payload.
"""
import json
import os
import select
import struct
import threading
import time

HEADER = struct.Struct(">4sIQ")
MAX_FILE = (1 << 30) + 256
MAX_MANIFEST = 64 << 20


def read_exact(fd, size):
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class GraderPipe:
    """The trusted way out: records to the grader, one writer at a time."""

    def __init__(self, fd):
        self.fd = fd
        self.lock = threading.Lock()
        os.set_inheritable(fd, False)

    def _write(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def send(self, kind, seq=0, payload=b""):
        with self.lock:
            self._write(HEADER.pack(kind, seq, len(payload)) + payload)

    def send_json(self, kind, value, seq=0):
        self.send(kind, seq, json.dumps(value).encode("utf-8"))

    def stream(self, kind, seq, size, source_fd, abandoned):
        """Relay `size` bytes from the kernel; zero-padded once `abandoned()` (the kernel died
        mid-record: the grader discards that snapshot anyway, but the record boundary must hold)."""
        with self.lock:
            self._write(HEADER.pack(kind, seq, size))
            left = size
            while left:
                ready = select.select([source_fd], [], [], 0.5)[0]
                chunk = os.read(source_fd, min(left, 1 << 20)) if ready else b""
                if not chunk:
                    if abandoned():
                        self._write(bytes(min(left, 1 << 20)))
                        left -= min(left, 1 << 20)
                    continue
                self._write(chunk)
                left -= len(chunk)


class KernelLink:
    """FIFOs to one kernel, and the thread that reads what the kernel sends."""

    def __init__(self, folder, grader):
        self.folder, self.grader = folder, grader
        self.ctl_path, self.data_path = os.path.join(folder, "ctl"), os.path.join(folder, "data")
        os.mkfifo(self.ctl_path, 0o600)
        os.mkfifo(self.data_path, 0o600)
        # O_RDWR never blocks on a FIFO and keeps both ends alive whatever the kernel does.
        self.ctl = os.open(self.ctl_path, os.O_RDWR)
        self.data = os.open(self.data_path, os.O_RDWR)
        self.hello = threading.Event()
        self.done = threading.Event()
        self.window = None  # (seq, nonce) of the open request
        self.late = None  # seq of a request given up on: its late records are dropped silently
        self.abandoned = threading.Event()
        self.tamper = []
        threading.Thread(target=self._read, name="tdgrade-relay", daemon=True).start()

    def startup_code(self, sources, trusted_dirs):
        """The kernel's IPython startup file, run before any student cell: `sources` (encode.py,
        export.py) executed in one private globals dict with a copy of the builtins."""
        return (
            "def _tdgrade_start():\n"
            "    import builtins\n"
            "    g = {'__builtins__': dict(builtins.__dict__), '__name__': 'tdgrade_export'}\n"
            f"    for path in {list(sources)!r}:\n"
            "        with open(path, encoding='utf-8') as f:\n"
            "            exec(compile(f.read(), path, 'exec'), g)\n"
            f"    g['install']({self.ctl_path!r}, {self.data_path!r}, get_ipython().user_ns, {list(trusted_dirs)!r})\n"
            "_tdgrade_start()\n"
            "del _tdgrade_start\n")

    def _flag(self, reason):
        self.tamper.append(reason)
        if len(self.tamper) == 1:
            self.grader.send_json(b"TAMP", {"reason": reason})

    def _discard(self, size):
        while size:
            chunk = os.read(self.data, min(size, 1 << 20))
            size -= len(chunk)

    def _read(self):
        while True:
            head = read_exact(self.data, HEADER.size)
            if head is None:
                return
            kind, seq, size = HEADER.unpack(head)
            if kind == b"HELO" and not self.hello.is_set() and size < 4096:
                untrusted = read_exact(self.data, size) if size else b""
                if untrusted:  # modules the export relies on were not the installed ones
                    self._flag("export modules loaded from outside the installation: "
                               + untrusted.decode("utf-8", "replace")[:200])
                self.hello.set()
                for path in (self.ctl_path, self.data_path):
                    os.unlink(path)
                continue
            window = self.window
            if window is None or seq != window[0] or self.done.is_set():
                if seq != self.late:
                    self._flag(f"record {kind!r} outside an export request")
                self._discard(size)
            elif kind == b"FILE" and size <= MAX_FILE:
                self.grader.stream(b"FILE", seq, size, self.data, self.abandoned.is_set)
            elif kind == b"MANI" and size <= MAX_MANIFEST:
                payload = read_exact(self.data, size) or b""
                try:
                    manifest = json.loads(payload)
                    ok = manifest.get("seq") == seq and manifest.get("nonce") == window[1]
                except (ValueError, AttributeError, RecursionError):
                    ok = False
                if ok:
                    self.grader.send(b"MANI", seq, payload)
                    self.done.set()
                else:
                    self._flag("manifest without the request's nonce")
            else:
                self._flag(f"unexpected record {kind!r} of {size} bytes")
                self._discard(size)

    def wait_ready(self, timeout):
        return self.hello.wait(timeout)

    def export(self, seq, names, scope, timeout, alive):
        """Ask the kernel for `names`; True when the grader got a complete snapshot."""
        nonce = os.urandom(16).hex()
        self.done.clear()
        self.window = (seq, nonce)
        self.grader.send(b"BEGN", seq)
        os.write(self.ctl, f"EXPORT {seq} {nonce} {scope} {' '.join(names)}\n".encode("ascii"))
        deadline = time.monotonic() + timeout
        while not self.done.wait(0.05):
            if time.monotonic() > deadline or not alive():
                break
        ok = self.done.is_set()
        if not ok:
            self.late = seq
            if not alive():
                self.abandoned.set()
        self.window = None
        self.grader.send(b"COMT" if ok else b"ABRT", seq)
        return ok
