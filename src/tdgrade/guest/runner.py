"""Runs INSIDE the sandbox: execute one student notebook cell by cell, exporting values as it goes.

Started as `python -I runner.py JOB.json` (the guest/ folder is bound read-only into the sandbox, so
it imports nothing from tdgrade). Before anything else it lowers its resource limits and, when the
sandbox was started by root, drops to the job's unprivileged uid; the kernel inherits both. Then it
makes itself non-dumpable, so the kernel (same uid) cannot open its file descriptors or trace it.

Values (see relay.py): after each cell that mentions a graded name, those names are exported; after
the last cell, all of them. Each snapshot goes straight to the grader, so a limit that kills the
sandbox later (memory, processes, disk, wall time) still leaves what was computed before. After the
last export the kernel and every other process of the sandbox are killed before anything else
happens: nothing the student's code leaves running (threads, exit hooks) can change what is graded.

Time budget: the notebook's cells share `timeout` seconds; when it runs out the kernel is interrupted,
the remaining cells are skipped, and the export still gets `export_timeout` seconds, so work done
before an endless loop is still graded. A kernel that dies (os._exit, segfault, abort) is restarted
without the cell that killed it, at most `max_restarts` times, and the notebook is run again.

The executed notebook and the run's status go to the grader through the same trusted pipe.
"""
import json
import os
import re
import resource
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves the script's folder out
import relay  # noqa: E402  (guest/relay.py, beside this file)
from capped import make_client_class  # noqa: E402

MAX_NOTEBOOK = 64 << 20


def _limit(kind, value):
    if value is None:
        return
    value = int(value)
    try:
        resource.setrlimit(kind, (value, value))
    except (ValueError, OSError):
        soft, hard = resource.getrlimit(kind)
        if hard != resource.RLIM_INFINITY and value > hard:
            value = hard
        resource.setrlimit(kind, (value, hard if hard != resource.RLIM_INFINITY else value))


def apply_limits(job):
    if job.get("pdeathsig"):  # no bwrap: die with the grader (bwrap's --die-with-parent does it otherwise)
        try:
            import ctypes
            import signal

            ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, job.get("fsize"))
    _limit(resource.RLIMIT_NOFILE, job.get("nofile", 4096))
    _limit(resource.RLIMIT_DATA, job.get("memory"))
    _limit(resource.RLIMIT_NPROC, job.get("nproc"))
    uid = job.get("uid")
    if uid is not None and os.geteuid() == 0:
        os.setgroups([])
        os.setgid(int(uid))
        os.setuid(int(uid))
        if os.geteuid() == 0:
            raise SystemExit("could not drop privileges")
    try:  # the kernel, same uid, must not read our memory or file descriptors (/proc/PID/fd, ptrace)
        import ctypes

        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0
    except (OSError, AttributeError):
        pass


def installation_dirs():
    """Where the interpreter's own modules live (never the notebook's folder or /tmp)."""
    import site
    import sysconfig

    dirs = {p for k, p in sysconfig.get_paths().items() if k in ("stdlib", "platstdlib", "purelib", "platlib")}
    dirs.update(site.getsitepackages())
    return sorted(d.rstrip("/") + "/" for d in dirs if d)


def mentioned(source, names):
    """Graded names a cell's source mentions: after that cell they may have new values."""
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
    return sorted(words & set(names))


def kill_kernel(client, whole_sandbox):
    """SIGKILL the kernel (no exit hook runs) and, inside the sandbox's PID namespace, every other
    process but this one (threads or children the student's code left behind)."""
    try:
        pid = client.km.provisioner.pid
        os.killpg(os.getpgid(pid), signal.SIGKILL)
    except (AttributeError, OSError, TypeError):
        pass
    if whole_sandbox:
        try:
            os.kill(-1, signal.SIGKILL)  # spares the caller and the namespace's init (bwrap)
        except OSError:
            pass


class Run:
    """One notebook: cells in order within the time budget, restarts after kernel deaths, exports."""

    def __init__(self, job, grader):
        import nbformat

        self.job, self.grader = job, grader
        self.nb = nbformat.read(job["notebook"], as_version=4)
        self.names = list(job.get("names", []))
        self.start = time.monotonic()
        self.deadline = self.start + float(job["timeout"])
        self.status = {"cells": {}, "timed_out": False, "timeout_cell": None, "deaths": [], "export": "not_run",
                       "exports": {"ok": 0, "failed": 0}, "truncated": [], "startup_error": None}
        self.fatal = set()
        self.seq = 0
        self.code_cells = [i for i, c in enumerate(self.nb.cells) if c.cell_type == "code" and c.source.strip()]
        self.client_class = make_client_class(job)

    def new_client(self):
        cwd = self.job["cwd"]
        timeout = float(self.job["timeout"])
        for i in self.code_cells:
            self.nb.cells[i].outputs = []
            self.nb.cells[i].execution_count = None
        return self.client_class(
            self.nb, timeout=None, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
            startup_timeout=max(10, int(min(120, timeout))),
            error_on_timeout={"ename": "TimeoutError", "evalue": "time budget exhausted", "traceback": []},
            resources={"metadata": {"path": cwd}}, iopub_timeout=5, record_timing=False)

    def new_link(self):
        """Fresh FIFOs and startup file for one kernel start. The IPython and Jupyter folders are
        emptied first: after a kernel death, files the notebook left there (startup scripts, kernel
        specs, configuration) would otherwise run before the export is installed."""
        import shutil

        env = self.job["env"]
        for key in ("IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR"):
            if env.get(key):
                shutil.rmtree(env[key], ignore_errors=True)
        folder = tempfile.mkdtemp(prefix="tdgrade-link-", dir=self.job.get("private_tmp"))
        link = relay.KernelLink(folder, self.grader)
        startup = os.path.join(self.job["env"]["IPYTHONDIR"], "profile_default", "startup")
        os.makedirs(startup, exist_ok=True)
        with open(os.path.join(startup, "00-tdgrade-export.py"), "w", encoding="utf-8") as f:
            guest = self.job["guest_dir"]
            f.write(link.startup_code([f"{guest}/encode.py", f"{guest}/export.py"], installation_dirs()))
        return link

    def export(self, link, client, names, scope, timeout):
        from nbclient.util import run_sync

        if not names or not link.hello.is_set():
            return False
        self.seq += 1

        def alive():
            try:
                return bool(run_sync(client.km.is_alive)())
            except Exception:  # noqa: BLE001
                return False

        ok = link.export(self.seq, names, scope, timeout, alive)
        self.status["exports"]["ok" if ok else "failed"] += 1
        return ok

    def run_cells(self, client, link):
        """Returns True if the kernel died (the notebook is then run again without the fatal cell)."""
        from nbclient.exceptions import DeadKernelError
        from nbclient.util import run_sync

        st = self.status
        for i in self.code_cells:
            if i in self.fatal:
                st["cells"][str(i)] = "skipped_fatal"
                continue
            remaining = self.deadline - time.monotonic()
            if remaining <= 0 or st["timed_out"]:
                # The budget ran out (possibly while the previous cell was ending): the
                # submission timed out even if no cell was interrupted.
                if not st["timed_out"]:
                    st["timed_out"], st["timeout_cell"] = True, i
                st["cells"][str(i)] = "skipped_timeout"
                continue
            if not run_sync(client.km.is_alive)():  # the previous cell ended the kernel (exit(), quit())
                prev = [j for j in self.code_cells if j < i and j not in self.fatal]
                culprit = prev[-1] if prev else i
                self.fatal.add(culprit)
                st["deaths"].append(culprit)
                return True
            client.timeout = max(1, int(remaining + 0.999))
            self.grader.send_json(b"CELL", {"cell": i, "at": round(time.monotonic() - self.start, 3)})
            try:
                client.execute_cell(self.nb.cells[i], i)
            except DeadKernelError:
                self.fatal.add(i)
                st["deaths"].append(i)
                st["cells"][str(i)] = "died"
                return True
            errors = [o for o in self.nb.cells[i].outputs if o.get("output_type") == "error"]
            if time.monotonic() >= self.deadline - 0.5 and errors and errors[-1].get("ename") in (
                    "TimeoutError", "KeyboardInterrupt"):
                st["timed_out"], st["timeout_cell"] = True, i
                st["cells"][str(i)] = "timeout"
            else:
                st["cells"][str(i)] = "error" if errors else "ok"
            self.export(link, client, mentioned(self.nb.cells[i].source, self.names), "some",
                        float(self.job["export_timeout"]))
        return False

    def attempt(self):
        """One kernel start. Returns "done", "died" or "failed"."""
        from nbclient.exceptions import DeadKernelError

        client, link = self.new_client(), self.new_link()
        try:
            with client.setup_kernel(env=dict(self.job["env"]), cwd=self.job["cwd"]):
                if not link.wait_ready(30):
                    self.status["export_channel"] = "no_hello"
                if self.run_cells(client, link):
                    return "died"
                ok = self.export(link, client, self.names, "all", float(self.job["export_timeout"]))
                self.status["export"] = "ok" if ok else "failed"
                if link.tamper:
                    self.status["tamper"] = link.tamper[:5]
                kill_kernel(client, bool(self.job.get("kill_all")))
                return "done"
        except DeadKernelError:
            self.status["deaths"].append(None)
            return "died"
        except Exception as exc:  # noqa: BLE001 - kernel failed to start, zmq trouble...
            self.status["startup_error"] = f"{type(exc).__name__}: {exc}"[:500]
            return "failed"

    def finish(self):
        import nbformat

        st = self.status
        st["elapsed"] = round(time.monotonic() - self.start, 3)
        st["maxrss_self"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        st["maxrss_kernel"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        st["truncated"] = sorted(self.client_class.truncated_cells)
        data = nbformat.writes(self.nb).encode("utf-8")
        if len(data) <= MAX_NOTEBOOK:
            self.grader.send(b"NBK_", 0, data)
        self.grader.send_json(b"STAT", st)


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        job = json.load(f)
    apply_limits(job)  # before any student code: the kernel inherits these
    grader = relay.GraderPipe(int(job["channel_fd"]))
    sys.modules.setdefault("rfc3987_syntax", None)  # jsonschema's optional IRI checker: 1 s of import, unused
    run = Run(job, grader)
    for _attempt in range(int(job.get("max_restarts", 2)) + 1):
        outcome = run.attempt()
        if outcome != "died" or time.monotonic() >= run.deadline:
            if outcome == "died":
                run.status["timed_out"] = True
            break
    run.finish()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
