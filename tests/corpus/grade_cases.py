"""Bad-input and tamper corpora for `tdgrade grade`, on the fake lab `fakelab` (see make_fake_lab.py).

Each case is written into a class folder by `write_bad_corpus` / `write_tamper_corpus`; the tests
grade the whole folder in one batch and check every student's status and score. Notebooks are built
here rather than stored because several cases need paths of the run (output folder, repository) or
bytes that are not valid JSON/UTF-8.

fakelab answers: `total` = 5050 (2 pts), `squares` = [0, 1, ..., 81] (2 pts), `words` sorted (1 pt).
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
LABS = HERE / "labs"
REPO = HERE.parent.parent
SETUP = "import numpy as np\nfrom helpers import NUMBERS, WORDS"
Q1, Q2, Q3 = "total = sum(NUMBERS)", "squares = np.arange(10) ** 2", "words = sorted(WORDS)"
PROSE = [
    "# TD factice\n\nCe TD sert à tester le correcteur `tdgrade` sans TensorFlow : trois petites questions.",
    "## Question 1\n\nCalculez dans `total` (un `int`) la somme des entiers de la liste `NUMBERS`.",
    "## Question 2\n\nConstruisez `squares`, le tableau numpy des carrés des entiers de 0 à 9.",
    "## Question 3\n\nRangez dans `words` (une `list` de `str`) les mots de `WORDS` par ordre alphabétique.",
]


def nb_of(*codes: str, kernel: str = "python3", prose: bool = True) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    if prose:
        nb.cells += [new_markdown_cell(p) for p in PROSE]
    nb.cells += [new_code_cell(c) for c in codes]
    return nb


def dump(nb) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def solution(*extra_after_setup: str) -> nbformat.NotebookNode:
    return nb_of(SETUP, *extra_after_setup, Q1, Q2, Q3)


@dataclass
class Case:
    student: str  # id the grader derives from the file name
    filename: str
    data: bytes
    status: str  # expected status
    score: float | None = None  # expected exact total (None: not checked)
    max_score: float | None = None  # expected upper bound


# --------------------------------------------------------------------------------------------
# Bad inputs: each ends in its own status, the batch goes on.


def bad_cases() -> list[Case]:
    segv = "import ctypes\nctypes.string_at(0)"
    cases = [
        Case("malformed_json", "malformed_json.ipynb", b'{"cells": [ {"cell_type": "code", ', "unreadable", 0),
        Case("not_a_notebook", "not_a_notebook.ipynb", json.dumps([1, 2, 3]).encode(), "unreadable", 0),
        Case("pdf_renamed", "pdf_renamed.ipynb", b"%PDF-1.4\n\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "unreadable", 0),
        Case("empty_notebook", "empty_notebook.ipynb", dump(nb_of(prose=False)), "empty", 0),
        Case("only_markdown", "only_markdown.ipynb", dump(nb_of()), "empty", 0),
        Case("deleted_cells", "deleted_cells.ipynb", dump(nb_of(SETUP, Q1, Q3)), "graded", 3),
        Case("reordered_cells", "reordered_cells.ipynb", dump(nb_of(Q3, SETUP, Q1, Q2)), "graded", 4),
        Case("duplicated_cells", "duplicated_cells.ipynb", dump(nb_of(SETUP, Q1, Q1, Q2, Q2, Q3, SETUP)),
             "graded", 5),
        Case("renamed_variables", "renamed_variables.ipynb",
             dump(nb_of(SETUP, "somme_totale = sum(NUMBERS)", Q2, "mots = sorted(WORDS)")), "graded", 2),
        Case("exception_in_cell", "exception_in_cell.ipynb",
             dump(nb_of(SETUP, Q1, "squares = np.arange(10) ** 2\nraise ValueError('oups')", "1 / 0", Q3)),
             "graded", 5),
        Case("while_true", "while_true.ipynb", dump(nb_of(SETUP, Q1, "while True:\n    pass", Q2, Q3)), "timeout", 2),
        Case("sys_exit", "sys_exit.ipynb", dump(nb_of(SETUP, Q1, "import sys\nsys.exit(1)", Q2, Q3)), "graded", 5),
        Case("os_exit", "os_exit.ipynb", dump(nb_of(SETUP, Q1, "import os\nos._exit(0)", Q2, Q3)), "kernel_died", 5),
        Case("segfault", "segfault.ipynb", dump(nb_of(SETUP, Q1, Q2, segv, Q3)), "kernel_died", 5),
        Case("memory_bomb", "memory_bomb.ipynb",
             dump(nb_of(SETUP, Q1, "hog = bytearray(64 * 2**30)", "big = np.ones((2**37,), dtype=np.uint8)", Q2, Q3)),
             "memory_limit", 5),
        Case("memory_tree", "memory_tree.ipynb",  # each process under RLIMIT_DATA, the tree over the limit
             dump(nb_of(SETUP, Q1, Q2, Q3, "import os, time\nfor _ in range(4):\n    if os.fork() == 0:\n"
                                          "        block = bytearray(350 * 2**20)\n"
                                          "        for i in range(0, len(block), 4096):\n            block[i] = 1\n"
                                          "        time.sleep(60)\n        os._exit(0)\ntime.sleep(60)")),
             "memory_limit", 5),  # killed by the watchdog after every answer was computed
        Case("fork_bomb", "fork_bomb.ipynb",
             dump(nb_of(SETUP, Q1, "import os, time\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n"
                                  "        time.sleep(0.01)", Q2, Q3)), "process_limit", 2),  # Q1 came before
        # 20 MB printed, ten times the kept notebook's bound; 50 MB took over the batch's 25 s timeout under load
        Case("huge_output", "huge_output.ipynb",
             dump(nb_of(SETUP, Q1, "for _ in range(20):\n    print('x' * 1_000_000)", Q2, Q3)), "graded", 5),
        Case("disk_filler", "disk_filler.ipynb",
             dump(nb_of(SETUP, Q1, Q2, Q3, "import os\nblock = b'x' * 2**20\nfor i in range(400):\n"
                                          "    with open(f'fill{i}.bin', 'wb') as f:\n        f.write(block * 8)\n"
                                          "import time\ntime.sleep(60)")),
             "disk_limit", 5),  # every answer was computed before the disk filled up
        Case("unknown_kernelspec", "unknown_kernelspec.ipynb", dump(nb_of(SETUP, Q1, Q2, Q3, kernel="julia-1.9")),
             "graded", 5),
        Case("non_utf8", "non_utf8.ipynb",
             dump(nb_of(SETUP, Q1, Q2, Q3)).replace("TD factice".encode(), b"TD \xe9\xe8 factice", 1), "graded", 5),
        Case("nbformat_v3", "nbformat_v3.ipynb", _v3_notebook(), "graded", 5),
        Case("zip_without_notebook", "zip_without_notebook.zip", _zip({"notes.txt": b"rien"}), "unreadable", 0),
        Case("otter_zip", "otter_zip_2024_10_03T14_05_59_123456.zip",
             _zip({"fakelab.ipynb": dump(solution()), "fakelab.pdf": b"%PDF"}), "graded", 5),
        Case("other_lab", "other_lab.ipynb", (LABS / "release/otherlab/otherlab.ipynb").read_bytes(), "wrong_lab", 0),
    ]
    return cases


def _zip(members: dict[str, bytes]) -> bytes:
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _v3_notebook() -> bytes:
    cells = [{"cell_type": "code", "language": "python", "input": src, "outputs": [], "metadata": {}}
             for src in (SETUP, Q1, Q2, Q3)]
    return json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
                       "worksheets": [{"cells": cells, "metadata": {}}]}).encode()


def write_bad_corpus(folder: Path) -> dict[str, Case]:
    """Write the bad-input class folder; returns student id -> case (plus the duplicate pair)."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = {c.student: c for c in bad_cases()}
    for c in cases.values():
        (folder / c.filename).write_bytes(c.data)
    # Two submissions for one student: the newer otter export wins, the older file is a duplicate.
    import os

    older = folder / "bernard.ipynb"
    older.write_bytes(dump(nb_of(SETUP, Q1)))
    os.utime(older, (1_600_000_000, 1_600_000_000))
    (folder / "bernard_2024_10_03T14_05_59_123456.zip").write_bytes(_zip({"fakelab.ipynb": dump(solution())}))
    cases["bernard"] = Case("bernard", "bernard_2024_10_03T14_05_59_123456.zip", b"", "graded", 5)
    return cases


# --------------------------------------------------------------------------------------------
# Tampering: honest answers are worth 2 points (total wrong, squares right, words unsorted);
# each notebook also tries to cheat. None may score more than 2.

HONEST = ["total = 5000", Q2, "words = list(WORDS)"]
HONEST_SCORE = 2.0


def tamper_cases(outdir: Path, marker_dir: Path, labs: Path = LABS) -> list[Case]:
    """`labs`: a COPY of the fake labs (a broken sandbox would let these notebooks write into it)."""
    secrets = [str(labs / "autograder"), str(labs), str(REPO / "tests"), str(REPO), "/work", "/root", "/home"]
    walk = """
import os, time
def bounded_walk(roots, suffixes, seconds=4.0):
    stop, hits = time.monotonic() + seconds, []
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in ('/proc', '/sys', '/dev', '/usr')]
            hits += [os.path.join(dirpath, f) for f in filenames if f.endswith(suffixes)]
            if time.monotonic() > stop:
                return hits
    return hits
"""
    read_tests = walk + f"""
found = [p for p in bounded_walk({secrets!r} + ['/'], ('.py',)) if 'q1_somme' in p or 'autograder' in p]
for path in found:
    try:
        src = open(path).read()
    except Exception:
        continue
    if 'sum(range(1, 101))' in src:
        total = sum(range(1, 101))
    if 'chat' in src and 'souris' in src:
        words = ['chat', 'chien', 'souris']
print('found', len(found))
"""
    other_subs = walk + f"""
import json
cands = bounded_walk([{str(outdir)!r}, {str(labs)!r}, {str(REPO)!r}, '/'], ('.ipynb',))
for path in cands:
    try:
        nb = json.load(open(path))
    except Exception:
        continue
    for cell in nb.get('cells', []):
        src = ''.join(cell.get('source', ''))
        if src.startswith('total =') and 'sum' in src:
            exec(src)
        if src.startswith('words =') and 'sorted' in src:
            exec(src)
print('candidates', len(cands))
"""
    rewrite = f"""
import json, os, subprocess, sys, time
targets = [{str(outdir / 'results' / 'tamper_rewrite.json')!r}, {str(outdir / 'grades.csv')!r},
           {str(outdir / 'results' / 'honest.json')!r}]
def forge():
    for t in targets:
        try:
            os.makedirs(os.path.dirname(t), exist_ok=True)
            with open(t, 'w') as f:
                f.write('{{"student_id": "tamper_rewrite", "total": 999}}')
        except Exception:
            pass
forge()
# A detached daemon that outlives the kernel and tries again later.
code = 'import time, os\\n' + 'time.sleep(4)\\n' + '''
targets = %r
for t in targets:
    try:
        open(t, "w").write("forged")
    except Exception:
        pass
try:
    open(%r, "w").write("alive")
except Exception:
    pass
time.sleep(600)
''' % (targets, {str(marker_dir / 'daemon_alive')!r})
subprocess.Popen([sys.executable, '-c', code, 'TDGRADE_TAMPER_DAEMON'], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(4)
        forge()
        os._exit(0)
    os._exit(0)
"""
    monkey_numpy = """
import numpy, builtins, operator
numpy.array_equal = lambda *a, **k: True
numpy.asarray = lambda a, *x, **k: numpy.arange(10.0) ** 2
numpy.ndarray.__eq__ = lambda self, other: True
_int = builtins.int
builtins.int = lambda *a, **k: 5050
operator.eq = lambda a, b: True
try:
    import keras
    keras.Model.count_params = lambda self: 269322
except Exception:
    pass
"""
    eq_true = """
class Liar:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __int__(self): return 5050
    def __float__(self): return 5050.0
    def __index__(self): return 5050
    def __bool__(self): return True
class LiarList(list):
    def __eq__(self, other): return True
class LiarInt(int):
    def __eq__(self, other): return True
total = LiarInt(0)
words = LiarList(['z'])
liar = Liar()
"""
    eq_true_obj = "total = liar"
    transformer = """
ip = get_ipython()
def cheat(lines):
    return [l.replace('assert ', 'pass  # ') for l in lines] + ['\\ntotal = 5050 if "_tdgrade_export" in "".join(lines) and False else globals().get("total")\\n']
ip.input_transformers_cleanup.append(cheat)
import sys, types
fake = types.ModuleType('tdgrade.hidden')
class Suite:
    @classmethod
    def from_dir(cls, *a, **k): return cls()
    def run(self, *a, **k): return []
fake.Suite = Suite
sys.modules['tdgrade'] = types.ModuleType('tdgrade')
sys.modules['tdgrade.hidden'] = fake
sys.modules['otter'] = types.ModuleType('otter')
"""
    network = f"""
import socket, urllib.request
ok = False
for target in (('pypi.org', 443), ('127.0.0.1', 22), ('8.8.8.8', 53)):
    try:
        socket.create_connection(target, timeout=3).close()
        ok = True
    except Exception:
        pass
try:
    urllib.request.urlopen('https://pypi.org/simple/', timeout=3)
    ok = True
except Exception:
    pass
if ok:
    total = 5050
    open({str(marker_dir / 'network_ok')!r}, 'w').write('yes')
"""
    write_out = f"""
import os
wrote = []
for path in ['/usr/tdgrade_pwned', '/etc/tdgrade_pwned', {str(labs / 'tdgrade_pwned')!r},
             {str(outdir / 'tdgrade_pwned')!r}, {str(marker_dir / 'wrote_outside')!r},
             {str(labs / 'autograder/fakelab/tests/q1_somme.py')!r}, '/sandbox/ctl/job.json']:
    try:
        with open(path, 'a') as f:
            f.write('# pwned')
        wrote.append(path)
    except Exception:
        pass
if wrote:
    total = 5050
print(wrote)
"""
    pickle_export = f"""
# After the export cell, replace the exported files by a pickle payload and a symlink to the tests.
import os, pickle, numpy as np, json
class Payload:
    def __reduce__(self):
        return (exec, ("open('/grader/out/result.json','w').write('[]'); open({str(marker_dir / 'unpickled')!r},'w').write('x')",))
def forge(result=None):
    out = '/sandbox/out/export'
    if not os.path.isdir(out):
        return
    np.save(os.path.join(out, 'evil.npy'), np.array([Payload()], dtype=object), allow_pickle=True)
    try:
        os.symlink({str(labs / 'autograder/fakelab/tests/q1_somme.py')!r}, os.path.join(out, 'link.npy'))
    except Exception:
        pass
    manifest = {{'total': {{'t': 'ndarray', 'file': 'evil.npy'}}, 'words': {{'t': 'ndarray', 'file': 'link.npy'}},
                'squares': {{'t': 'ndarray', 'file': '../../work/x.npy'}}}}
    json.dump(manifest, open(os.path.join(out, 'manifest.json'), 'w'))
get_ipython().events.register('post_run_cell', forge)
"""
    cases = [
        ("honest", []),
        ("tamper_read_tests", [read_tests]),
        ("tamper_other_submissions", [other_subs]),
        ("tamper_rewrite", [rewrite]),
        ("tamper_monkeypatch", [monkey_numpy]),
        ("tamper_eq_true", [eq_true]),
        ("tamper_eq_true_object", [eq_true, eq_true_obj]),
        ("tamper_transformer", [transformer]),
        ("tamper_network", [network]),
        ("tamper_write_outside", [write_out]),
        ("tamper_pickle_export", [pickle_export]),
    ]
    out = []
    for student, extra in cases:
        nb = nb_of(SETUP, *HONEST, *extra)
        out.append(Case(student, f"{student}.ipynb", dump(nb), "graded", max_score=HONEST_SCORE))
    return out


def write_tamper_corpus(folder: Path, outdir: Path, marker_dir: Path, labs: Path = LABS) -> dict[str, Case]:
    folder.mkdir(parents=True, exist_ok=True)
    cases = {c.student: c for c in tamper_cases(outdir, marker_dir, labs)}
    for c in cases.values():
        (folder / c.filename).write_bytes(c.data)
    return cases
