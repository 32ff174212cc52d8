"""Runs INSIDE the sandbox: execute one student notebook cell by cell, then the export cell.

Started as `python -I sandbox_runner.py JOB.json` (a copy of this file is bound read-only into the
sandbox, so it imports nothing from tdgrade). Before anything else it lowers its resource limits and,
when the sandbox was started by root, drops to the job's unprivileged uid; the kernel inherits both.

Time budget: the notebook's cells share `timeout` seconds; when it runs out the kernel is interrupted,
the remaining cells are skipped, and the export still gets `export_timeout` seconds, so work done
before an endless loop is still graded. A kernel that dies (os._exit, segfault, abort) is restarted
without the cell that killed it, at most `max_restarts` times, and the notebook is run again.

Everything it writes (executed notebook, status.json, export folder) is in the sandbox's out folder
and is untrusted by the grader: student code runs with the same uid and could rewrite it.
"""
import json
import os
import resource
import sys
import time


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


def _size(content):
    try:
        return len(json.dumps(content, default=str))
    except Exception:  # noqa: BLE001
        return 0


def main(argv):
    with open(argv[1], encoding="utf-8") as f:
        job = json.load(f)
    apply_limits(job)  # before any student code: the kernel inherits these

    sys.modules.setdefault("rfc3987_syntax", None)  # jsonschema's optional IRI checker: 1 s of import, unused
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError
    from nbclient.util import run_sync

    notice = job.get("truncate_notice", "[output truncated]")

    class CappedClient(NotebookClient):
        """Drops output beyond a per-cell and a per-notebook budget (a print loop must not blow memory)."""

        cell_budget = int(job.get("max_cell_output", 200_000))
        total_budget = int(job.get("max_total_output", 5_000_000))
        used_total = 0
        used_cell: dict = {}
        truncated_cells: set = set()

        def output(self, outs, msg, display_id, cell_index):
            if msg.get("msg_type") in ("stream", "display_data", "execute_result", "error"):
                size = _size(msg.get("content"))
                used = self.used_cell.get(cell_index, 0)
                if msg["msg_type"] != "error" and (used + size > self.cell_budget
                                                   or self.used_total + size > self.total_budget):
                    if cell_index not in self.truncated_cells:
                        self.truncated_cells.add(cell_index)
                        outs.append(nbformat.v4.new_output("stream", name="stderr", text=f"\n{notice}\n"))
                    return None
                self.used_cell[cell_index] = used + size
                CappedClient.used_total += size
            return super().output(outs, msg, display_id, cell_index)

    nb = nbformat.read(job["notebook"], as_version=4)
    cwd = job["cwd"]
    env = dict(job["env"])
    timeout = float(job["timeout"])
    export_timeout = float(job["export_timeout"])
    max_restarts = int(job.get("max_restarts", 2))
    start = time.monotonic()
    deadline = start + timeout
    status = {"cells": {}, "timed_out": False, "timeout_cell": None, "deaths": [], "export": "not_run",
              "truncated": [], "startup_error": None}
    fatal: set = set()
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]

    def write_status():
        status["elapsed"] = round(time.monotonic() - start, 3)
        status["maxrss_self"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        status["maxrss_kernel"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        tmp = job["status"] + ".part"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(status, f)
        os.replace(tmp, job["status"])

    exported = False
    for attempt in range(max_restarts + 1):
        for i in code_cells:
            nb.cells[i].outputs = []
            nb.cells[i].execution_count = None
        client = CappedClient(nb, timeout=None, kernel_name="python3", allow_errors=True,
                              interrupt_on_timeout=True, startup_timeout=max(10, int(min(120, timeout))),
                              error_on_timeout={"ename": "TimeoutError", "evalue": "time budget exhausted",
                                                "traceback": []},
                              resources={"metadata": {"path": cwd}}, iopub_timeout=5, record_timing=False)
        died = False
        try:
            with client.setup_kernel(env=env, cwd=cwd):
                for i in code_cells:
                    if i in fatal:
                        status["cells"][str(i)] = "skipped_fatal"
                        continue
                    remaining = deadline - time.monotonic()
                    if remaining <= 0 or status["timed_out"]:
                        # The budget ran out (possibly while the previous cell was ending): the
                        # submission timed out even if no cell was interrupted.
                        if not status["timed_out"]:
                            status["timed_out"], status["timeout_cell"] = True, i
                        status["cells"][str(i)] = "skipped_timeout"
                        continue
                    if not run_sync(client.km.is_alive)():  # the previous cell ended the kernel (exit(), quit())
                        prev = [j for j in code_cells if j < i and j not in fatal]
                        culprit = prev[-1] if prev else i
                        fatal.add(culprit)
                        status["deaths"].append(culprit)
                        died = True
                        break
                    client.timeout = max(1, int(remaining + 0.999))
                    try:
                        client.execute_cell(nb.cells[i], i)
                    except DeadKernelError:
                        fatal.add(i)
                        status["deaths"].append(i)
                        status["cells"][str(i)] = "died"
                        died = True
                        break
                    errors = [o for o in nb.cells[i].outputs if o.get("output_type") == "error"]
                    if time.monotonic() >= deadline - 0.5 and errors and errors[-1].get("ename") in (
                            "TimeoutError", "KeyboardInterrupt"):
                        status["timed_out"] = True
                        status["timeout_cell"] = i
                        status["cells"][str(i)] = "timeout"
                    else:
                        status["cells"][str(i)] = "error" if errors else "ok"
                if not died:
                    write_status()
                    export_cell = nbformat.v4.new_code_cell(job["export_code"])
                    nb.cells.append(export_cell)
                    client.timeout = max(1, int(export_timeout))
                    try:
                        client.execute_cell(export_cell, len(nb.cells) - 1, store_history=False)
                        errors = [o for o in export_cell.outputs if o.get("output_type") == "error"]
                        status["export"] = "error" if errors else "ok"
                        if errors:
                            status["export_error"] = f"{errors[-1].get('ename')}: {errors[-1].get('evalue')}"[:300]
                    except DeadKernelError:
                        status["export"] = "died"
                    finally:
                        nb.cells.pop()
                    exported = True
        except DeadKernelError:
            died = True
            status["deaths"].append(None)
        except Exception as exc:  # noqa: BLE001 - kernel failed to start, zmq trouble...
            status["startup_error"] = f"{type(exc).__name__}: {exc}"[:500]
            break
        status["truncated"] = sorted(CappedClient.truncated_cells)
        write_status()
        if exported or not died:
            break
        if time.monotonic() >= deadline:
            status["timed_out"] = True
            break
    nbformat.write(nb, job["executed"])
    write_status()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
