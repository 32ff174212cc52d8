"""Stage 3b, at build time: turn Otter Assign's autograder zip into tdgrade's Gradescope zip (the runner it
ships is the `tdgrade.gradescope` package).

What changes in the zip (the rest is otter's):
- `tdgrade_gradescope.json`: the grader's configuration (lab, profile, where the data goes, the
  datasets with their sha256 from `tdgrade.data`);
- every `tests/*.py`: the hidden tests' `TDGRADE_PROFILE` parameter (otter fills parameters from
  the notebook's globals, so a notebook could pick its own profile) becomes a constant written
  here, the grader's profile;
- `tdgrade_gradescope.py` (runner) and `tdgrade_install_data.py` (data installer), from
  `tdgrade.gradescope`; `run_otter.py` calls the runner; `setup.sh` runs the installer.

The committed zip is built for `GRADER_PROFILE`; `with_profile` re-targets a built zip to another
profile (the harness test builds a smoke one).
"""
from __future__ import annotations

import ast
import json
import re
import zipfile
from pathlib import Path

import tdgrade.gradescope

from ..data import fashion_mnist
from .zipfiles import write_zip

GRADER_PROFILE = "full"
PROFILES = ("full", "smoke")
PROFILE_PARAM = "TDGRADE_PROFILE"
CONFIG_FILE = "tdgrade_gradescope.json"
KERAS_HOME = "tdgrade-data/keras"
SHIPPED = {"tdgrade_gradescope.py": "runner.py", "tdgrade_install_data.py": "install_data.py"}
RUN_OTTER = '''\
"""Runs the tdgrade autograder: otter's runner with the grader's profile, French results.json.

Usage: python run_otter.py [AUTOGRADER_DIR]   (Gradescope: /autograder, the default)
"""
import sys

from tdgrade_gradescope import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/autograder"))
'''
SETUP_TAIL = '''
# tdgrade: install the lab's data, every file checked against its sha256 (a wrong or missing file
# fails the image build); set TDGRADE_DATA_MIRROR to a folder or URL prefix to use a mirror
mamba run -n otter-env python /autograder/source/tdgrade_install_data.py
'''
_PROFILE_LINE = re.compile(rf"^{PROFILE_PARAM} = '(\w+)'  # .*$", re.M)


def _profile_line(profile: str) -> str:
    return f"{PROFILE_PARAM} = {profile!r}  # the grader's profile, fixed by `tdgrade build`, never the notebook's"


def _datasets(notebook_text: str) -> list[dict]:
    """The external datasets the lab's notebook loads (Fashion-MNIST through keras's cache)."""
    if "fashion_mnist.load_data" not in notebook_text:
        return []
    return [{"name": "fashion-mnist", "subdir": str(fashion_mnist.SUBDIR), "origin": fashion_mnist.ORIGIN,
             "debian_dir": str(fashion_mnist.DEBIAN_DIR), "sha256": dict(sorted(fashion_mnist.SHA256.items())),
             "smoke": {"per_class": dict(fashion_mnist.SMOKE_PER_CLASS),
                       "sha256": dict(sorted(fashion_mnist.SMOKE_SHA256.items()))}}]


def grader_config(lab_name: str, profile: str, notebook_text: str) -> dict:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
    return {"lab": lab_name, "profile": profile, "keras_home": KERAS_HOME, "datasets": _datasets(notebook_text)}


def bake_profile(test_source: str, profile: str) -> str:
    """A test file whose functions read the constant `TDGRADE_PROFILE` instead of a parameter."""
    tree = ast.parse(test_source)
    lines = test_source.split("\n")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and PROFILE_PARAM in [a.arg for a in node.args.args]:
            i = node.lineno - 1
            edited = re.sub(rf",\s*{PROFILE_PARAM}\b|\b{PROFILE_PARAM}\s*,\s*|\b{PROFILE_PARAM}\b", "", lines[i], count=1)
            if edited == lines[i] or not lines[i].lstrip().startswith("def "):
                raise ValueError(f"cannot remove {PROFILE_PARAM} from the signature at line {node.lineno}")
            lines[i] = edited
    anchor = next(i for i, line in enumerate(lines) if line.startswith("OK_FORMAT"))
    lines.insert(anchor + 1, _profile_line(profile))
    baked = "\n".join(lines)
    for node in ast.walk(ast.parse(baked)):  # the result must parse and read no profile parameter
        if isinstance(node, ast.FunctionDef):
            assert PROFILE_PARAM not in [a.arg for a in node.args.args], node.name
    return baked


def retarget(test_source: str, profile: str) -> str:
    """A baked test file for another profile."""
    new, count = _PROFILE_LINE.subn(_profile_line(profile), test_source)
    if count != 1:
        raise ValueError("not a baked test file (no profile constant)")
    return new


def finish(members: dict[str, bytes], lab_name: str, notebook_text: str, profile: str = GRADER_PROFILE) -> dict:
    """Otter's zip members -> tdgrade's Gradescope zip members."""
    out = dict(members)
    for name, data in members.items():
        if name.startswith("tests/") and name.endswith(".py"):
            out[name] = bake_profile(data.decode("utf-8"), profile).encode("utf-8")
    config = grader_config(lab_name, profile, notebook_text)
    out[CONFIG_FILE] = (json.dumps(config, indent=2, sort_keys=True) + "\n").encode("utf-8")
    here = Path(tdgrade.gradescope.__file__).parent
    out.update({shipped: (here / module).read_bytes() for shipped, module in SHIPPED.items()})
    out["run_otter.py"] = RUN_OTTER.encode("utf-8")
    out["setup.sh"] = members["setup.sh"].rstrip(b"\n") + b"\n" + SETUP_TAIL.encode("utf-8")
    return out


def with_profile(zip_path: Path, dst: Path, profile: str) -> Path:
    """A copy of a built Gradescope zip for another profile (tests and configuration re-targeted)."""
    with zipfile.ZipFile(zip_path) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if not n.endswith("/")}
    config = json.loads(members[CONFIG_FILE])
    config["profile"] = grader_config(config["lab"], profile, "")["profile"]
    members[CONFIG_FILE] = (json.dumps(config, indent=2, sort_keys=True) + "\n").encode("utf-8")
    for name, data in members.items():
        if name.startswith("tests/") and name.endswith(".py"):
            members[name] = retarget(data.decode("utf-8"), profile).encode("utf-8")
    write_zip(members, dst)
    return dst
