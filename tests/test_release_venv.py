"""Follow the release README as a student would, in a fresh virtual environment (slow tier).

Two proofs: (1) pip resolves each release's requirements.txt from the package index on its own
(`--ignore-installed --dry-run`: nothing of this machine counts) and the resolution contains what
the README commands run, and neither TensorFlow nor otter (tests/test_platform_wheels.py resolves
it for every platform and Python of the README); (2) for each lab, in a venv (`--system-site-packages`, so the big wheels need not be
downloaded again), every README command runs: pip install, `jupyter lab NOTEBOOK` serves the
notebook, `python3 selfcheck.py NOTEBOOK` prints its French lines, `--rendu` says not ready.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tdgrade.labs import LAB_NAMES, get_lab
from test_release_readme import readme_commands

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", LAB_NAMES)
def test_requirements_resolve_alone_from_the_index(name, tmp_path):
    lab = get_lab(name)
    report = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
                           "--report", str(report), "-r", str(lab.release_dir / "requirements.txt")],
                          capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    resolved = {item["metadata"]["name"].lower().replace("_", "-") for item in json.loads(report.read_text())["install"]}
    for needed in ("jupyterlab", "jupyter-core", "ipykernel", "nbclient", "nbformat", "keras", "jax"):
        assert needed in resolved, f"{needed} not installed by release/{name}/requirements.txt"
    for unused in ("tensorflow", "otter-grader"):  # neither the notebook nor selfcheck.py imports them
        assert unused not in resolved, f"{unused} installed by release/{name}/requirements.txt"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


FIRST_CHECK = {"keras_cv": "✘ cv01_enveloppe_sklearn : `clf` n'est pas encore défini.",
               "fashion_mnist": "✘ fm01_chargement : `x_train` n'est pas encore défini."}


@pytest.mark.parametrize("name", LAB_NAMES)
def test_student_follows_the_readme(name, tmp_path):
    """The README's pip way on Linux (its macOS/Linux commands), in a fresh venv."""
    lab = get_lab(name)
    work = tmp_path / "td"
    shutil.copytree(lab.release_dir, work)
    commands = readme_commands((work / "README.md").read_text(encoding="utf-8"))
    pip_way = commands.index("python3 -m venv .venv")
    assert commands[pip_way:pip_way + 3] == ["python3 -m venv .venv", ". .venv/bin/activate",
                                              "python3 -m pip install -r requirements.txt"]
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", ".venv"], cwd=work, check=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TDGRADE_PROFILE")}
    env.update(VIRTUAL_ENV=str(work / ".venv"), PATH=f"{work / '.venv/bin'}:{env['PATH']}")

    def run(command, **kw):
        return subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True, text=True, **kw)

    install = run(commands[pip_way + 2], timeout=1800)
    assert install.returncode == 0, install.stderr[-3000:]
    assert run("command -v python3").stdout.strip() == str(work / ".venv/bin/python3")

    jupyter = [c for c in commands if c.startswith("jupyter lab ")][0]
    port = _free_port()
    # test-only options: no browser, a known port and token; --allow-root because CI runs as root
    options = f"--no-browser --ServerApp.port={port} --ServerApp.token=tok --ServerApp.ip=127.0.0.1"
    options += " --allow-root" if os.geteuid() == 0 else ""
    log = open(tmp_path / "jupyter.log", "w")
    server = subprocess.Popen(["bash", "-c", f"exec {jupyter} {options}"], cwd=work, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    try:
        deadline, served = time.time() + 300, None
        while time.time() < deadline and served is None and server.poll() is None:
            try:
                url = f"http://127.0.0.1:{port}/api/contents/{lab.notebook_name}?token=tok"
                served = json.loads(direct.open(url, timeout=10).read())
            except OSError:
                time.sleep(2)
        assert served and served["type"] == "notebook", (tmp_path / "jupyter.log").read_text()[-3000:]
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    selfcheck = f"python3 selfcheck.py {lab.notebook_name}"
    assert selfcheck in commands
    checked = run(selfcheck, timeout=1800)
    assert checked.returncode == 1, checked.stdout + checked.stderr  # the untouched notebook fails its checks
    assert FIRST_CHECK[name] in checked.stdout
    n_auto = len(list((work / "tests").glob("*.py")))
    assert f"0/{n_auto} questions passent leurs vérifications publiques." in checked.stdout
    assert checked.stderr == "", checked.stderr  # French lines only: no kernel warning after them
    rendu = run(f"python3 selfcheck.py --rendu {lab.notebook_name}", timeout=1800)
    assert rendu.returncode == 1 and rendu.stdout.strip().splitlines()[-1].startswith("✘ PAS ENCORE PRÊT À RENDRE")
