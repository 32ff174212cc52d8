"""What is graded is what the notebook computed: hostile routes around the export, kills, host paths.

Every hostile notebook answers question 1 wrongly (`total = 0`) and questions 2-3 rightly, then
tries to make the grader read a right `total` (5050) by acting around the export: patched
serialisers, trace functions, exit hooks, pre-placed files, a thread acting after the last cell,
forged records on the export pipe, files planted for the kernel's restart. None may gain anything:
question 1 stays failed, and a notebook caught tampering scores no more than the honest one.
"""
import json
import os
from pathlib import Path

import nbformat
import pytest

from grade_helpers import copy_labs, grade_cases, results_by_id, run_grade
from tdgrade import sandbox

needs_bwrap = pytest.mark.skipif(sandbox.probe()[0] != "bwrap", reason="bwrap sandbox not usable here")
SETUP, Q2, Q3 = grade_cases.SETUP, grade_cases.Q2, grade_cases.Q3
WRONG_Q1 = "total = 0"
FIX = """
def _fix(o):
    if isinstance(o, dict):
        if o.get('t') == 'json' and o.get('v') == 0:
            return dict(o, v=5050)
        return {k: _fix(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_fix(v) for v in o]
    return o
"""
ATTACKS = {
    "patched_serialisers": FIX + """
import json, numpy as np, numpy.lib.format as fmt, builtins
_dumps, _encode, _save, _write = json.dumps, json.JSONEncoder.encode, np.save, fmt.write_array
json.dumps = lambda o, *a, **k: _dumps(_fix(o), *a, **k)
json.JSONEncoder.encode = lambda self, o: _encode(self, _fix(o))
json.dump = lambda o, f, *a, **k: f.write(_dumps(_fix(o)))
np.save = lambda f, a, **k: _save(f, a, **k)
fmt.write_array = lambda f, a, *x, **k: _write(f, a, *x, **k)
_isinstance = builtins.isinstance
""",
    "trace_function": """
import sys, threading
def _tracer(frame, event, arg):
    ns = frame.f_locals.get('namespace')
    if isinstance(ns, dict) and 'total' in ns:
        ns['total'] = 5050
    return _tracer
sys.settrace(_tracer)
threading.settrace(_tracer)
""",
    "exit_hooks": FIX + """
import atexit, json, os, signal, weakref
def _forge():
    for folder in ('/sandbox/out/export', '/sandbox/out', '/tmp'):
        try:
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, 'manifest.json'), 'w') as f:
                json.dump({'total': {'t': 'json', 'v': 5050}}, f)
        except OSError:
            pass
    globals()['total'] = 5050
atexit.register(_forge)
class _Ghost:
    def __del__(self):
        _forge()
_ghost = _Ghost()
weakref.finalize(_ghost, _forge)
signal.signal(signal.SIGTERM, lambda *a: _forge())
""",
    "preplaced_files": """
import json, os
for folder in ('/sandbox/out/export', '/sandbox/out'):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, 'manifest.json')
    with open(path, 'w') as f:
        json.dump({'total': {'t': 'json', 'v': 5050}}, f)
    os.chmod(path, 0o444)
with open('/sandbox/out/status.json', 'w') as f:
    json.dump({'export': 'ok', 'timed_out': False}, f)
""",
    "late_thread": """
import threading, time
def _later():
    time.sleep(3)
    globals()['total'] = 5050
threading.Thread(target=_later, daemon=False).start()
""",
    "forged_records": """
import json, os, struct, threading, time
def _forge():
    payload = json.dumps({'seq': 1, 'nonce': '0' * 32, 'values': {'total': {'t': 'json', 'v': 5050}}}).encode()
    for _ in range(40):
        for fd in os.listdir('/proc/self/fd'):
            try:
                target = os.readlink(f'/proc/self/fd/{fd}')
                if 'tdgrade-link' in target or target.startswith('pipe:'):
                    for seq in range(1, 6):
                        os.write(int(fd), struct.pack('>4sIQ', b'MANI', seq, len(payload)) + payload)
            except OSError:
                pass
        time.sleep(0.05)
threading.Thread(target=_forge, daemon=True).start()
time.sleep(0.5)
""",
    "restart_planting": """
import os, site
code = "import json\\njson.dumps = lambda *a, **k: '{}'\\n"
for path in ('sitecustomize.py', 'numpy.py', '/tmp/ipython/profile_default/startup/000-evil.py',
             os.path.join(site.getusersitepackages(), 'evil.pth')):
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, 'w') as f:
            f.write(code if not path.endswith('.pth') else 'import json; json.dumps = None\\n')
    except OSError:
        pass
os._exit(0)
""",
}
PROBE = """
import glob, os, sys, site
print(open('/proc/self/mountinfo').read())
print(dict(os.environ))
print(sys.path, os.getcwd(), sys.executable)
for d in site.getsitepackages():
    for p in glob.glob(d + '/*.pth') + glob.glob(d + '/__editable__*') + glob.glob(d + '/*.dist-info/direct_url.json'):
        try:
            print(p, open(p).read()[:2000])
        except OSError:
            pass
for p in glob.glob('/proc/[0-9]*/cmdline') + glob.glob('/proc/[0-9]*/environ'):
    try:
        print(p, open(p, 'rb').read().replace(b'\\0', b' ').decode('utf-8', 'replace'))
    except OSError:
        pass
"""


def _notebook(*cells: str) -> bytes:
    return grade_cases.dump(grade_cases.nb_of(*cells))


@pytest.fixture(scope="module")
def hostile_batch(tmp_path_factory):
    base = tmp_path_factory.mktemp("channel")
    lab, other = copy_labs(base / "labs")
    folder = base / "class"
    folder.mkdir()
    (folder / "honest.ipynb").write_bytes(_notebook(SETUP, WRONG_Q1, Q2, Q3))
    for name, attack in ATTACKS.items():
        cells = (SETUP, WRONG_Q1, attack, Q2, Q3) if name != "late_thread" else (SETUP, WRONG_Q1, Q2, Q3, attack)
        (folder / f"{name}.ipynb").write_bytes(_notebook(*cells))
    huge = "squares = np.broadcast_to(np.float64(1), (2**28,))"  # 2 GiB as far as nbytes can tell
    (folder / "huge_value.ipynb").write_bytes(_notebook(SETUP, grade_cases.Q1, huge, Q3))
    (folder / "host_probe.ipynb").write_bytes(_notebook(SETUP, grade_cases.Q1, Q2, Q3, PROBE))
    out = base / "out"
    rc, log = run_grade(lab, other, [folder], out, timeout=40)
    results, _ = results_by_id(out)
    return results, out, base, rc, log


def _q(result, name):
    return next(q for q in result["questions"] if q["name"] == name)


@needs_bwrap
def test_the_honest_wrong_answer_fails_only_question_1(hostile_batch):
    results, *_ = hostile_batch
    honest = results["honest"]
    assert honest["status"] == "graded" and honest["total"] == 3.0, honest["questions"]
    assert not _q(honest, "q1_somme")["passed"]


@needs_bwrap
@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_acting_around_the_export_gains_nothing(hostile_batch, attack):
    results, *_ = hostile_batch
    got = results[attack]
    assert not _q(got, "q1_somme")["passed"], (attack, got["status"], got["runner"], got["questions"])
    assert got["total"] <= results["honest"]["total"], got["questions"]


@needs_bwrap
def test_forged_records_are_caught_and_cost_the_values(hostile_batch):
    results, *_ = hostile_batch
    got = results["forged_records"]
    assert got["runner"]["tampered"] is True, got["runner"]
    assert got["total"] == 0 and any("perturbé" in w for w in got["warnings"]), got["warnings"]


@needs_bwrap
def test_a_notebook_that_is_only_odd_is_not_called_tampering(hostile_batch):
    results, *_ = hostile_batch
    for name in ("honest", "late_thread", "preplaced_files", "exit_hooks"):
        assert results[name]["runner"]["tampered"] is False, (name, results[name]["runner"])


@needs_bwrap
def test_a_value_over_the_bound_is_named_and_the_rest_is_graded(hostile_batch):
    results, *_ = hostile_batch
    got = results["huge_value"]
    assert got["status"] == "graded", (got["status"], got["status_detail"])
    assert _q(got, "q1_somme")["passed"] and _q(got, "q3_mots")["passed"], got["questions"]
    assert not _q(got, "q2_carres")["passed"]
    assert any("squares" in w and "volumineuse" in w for w in got["warnings"]), got["warnings"]


@needs_bwrap
def test_no_host_path_in_an_executed_notebook(hostile_batch):
    import tdgrade
    from tdgrade.data import kernel_env

    results, out, base, *_ = hostile_batch
    assert results["host_probe"]["total"] == 5.0
    text = (out / "notebooks" / "host_probe.ipynb").read_text(encoding="utf-8")
    probe_output = "".join(o.get("text", "") for c in nbformat.reads(text, 4).cells if c.cell_type == "code"
                           for o in c.get("outputs", []))
    assert "/sandbox/work" in probe_output, probe_output[:2000]  # the probe did print its mounts
    checkout = str(Path(tdgrade.__file__).resolve().parents[2])
    cache = kernel_env("smoke").get("KERAS_HOME", "")
    for host in {str(out), str(base), checkout, cache} - {""}:
        assert host not in probe_output, f"host path {host} visible in the sandbox"
    # The interpreter's installation is bound where it lies (its own paths are compiled in); it may
    # sit under a home folder (pyenv), but nothing else of the home may show.
    for installed in sorted({str(p) for p in sandbox.python_dirs()}, key=len, reverse=True):
        probe_output = probe_output.replace(installed, "<python>")
    home = os.path.expanduser("~")
    if home not in ("/", ""):
        assert home + "/" not in probe_output, f"home folder {home} visible in the sandbox"


@needs_bwrap
def test_every_notebook_has_a_result(hostile_batch):
    results, _out, _base, rc, log = hostile_batch
    assert rc == 0, log
    assert set(results) == {"honest", "huge_value", "host_probe", *ATTACKS}
    assert all(r["status"] != "grader_error" for r in results.values()), json.dumps(
        {k: (r["status"], r["status_detail"]) for k, r in results.items()})
