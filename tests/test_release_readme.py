"""The release README is true: its commands name files that exist, its requirements cover every
import of the notebooks and of selfcheck.py, and what it says about the first cells is what the
notebook holds. (tests/test_release_venv.py follows it in a fresh venv: slow tier.)"""
import ast
import re
import sys
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tdgrade.labs import LAB_NAMES, get_lab

LABS = [get_lab(name) for name in LAB_NAMES]


def readme_commands(readme: str, shell: str = "bash") -> list[str]:
    """Every command line of the README's ```bash (or ```powershell) blocks, comments left out."""
    blocks = re.findall(rf"```{shell}\n(.*?)```", readme, re.S)
    return [line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def _closure(requirements: list[str]) -> set[str]:
    """Distributions installed by `requirements`, with their dependencies (from this machine's metadata)."""
    seen, todo = set(), [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            deps = metadata.requires(req.name) or []
        except metadata.PackageNotFoundError:
            continue
        for dep in map(Requirement, deps):
            extras = req.extras or {""}
            if dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in extras):
                todo.append(dep)
    return seen


def _imports(sources: list[str]) -> set[str]:
    names = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("lab", LABS, ids=LAB_NAMES)
def test_readme_commands_name_real_files(lab):
    readme = (lab.release_dir / "README.md").read_text(encoding="utf-8")
    commands = readme_commands(readme)
    for expected in ("python3 -m venv .venv", ". .venv/bin/activate", "python3 -m pip install -r requirements.txt",
                     "uv pip install -r requirements.txt", f"uv run jupyter lab {lab.notebook_name}",
                     f"jupyter lab {lab.notebook_name}", f"python3 selfcheck.py {lab.notebook_name}",
                     f"python3 selfcheck.py --rendu {lab.notebook_name}"):
        assert expected in commands, expected
    windows = readme_commands(readme, "powershell")
    assert windows[-3:] == ["py -3 -m venv .venv", ".venv\\Scripts\\Activate.ps1", "python -m pip install -r requirements.txt"]
    for command in commands + windows:
        for word in command.split():
            if re.fullmatch(r"[\w.-]+\.(py|ipynb|txt)", word):
                assert (lab.release_dir / word).is_file(), f"README command {command!r}: {word} missing"
    assert "tdgrade" not in readme  # students do not get tdgrade


@pytest.mark.parametrize("lab", LABS, ids=LAB_NAMES)
def test_requirements_install_what_the_readme_and_notebook_use(lab):
    lines = [line.split("#")[0].strip() for line in (lab.release_dir / "requirements.txt").read_text().splitlines()]
    installed = _closure([line for line in lines if line])
    for tool in ("jupyterlab", "ipykernel", "nbclient"):  # jupyter lab, kernel, selfcheck.py
        assert tool in installed, f"{tool} is not installed by release/{lab.name}/requirements.txt"
    sources = [(lab.release_dir / "selfcheck.py").read_text(encoding="utf-8")]
    for path in (lab.release_dir / lab.notebook_name, lab.solutions_dir / lab.notebook_name):
        # the solution keeps otter's init cell (`import otter`): students get selfcheck's instead
        sources += [c.source for c in nbformat.read(path, as_version=4).cells
                    if c.cell_type == "code" and "otter.Notebook(" not in c.source]
    local = {p.stem for p in lab.release_dir.glob("*.py")}
    providers = metadata.packages_distributions()
    used = set()
    for module in sorted(_imports(sources) - set(sys.stdlib_module_names) - local - {"__future__"}):
        dists = {canonicalize_name(d) for d in providers.get(module, [])}
        assert dists & installed, f"`import {module}` ({dists or 'unknown'}) is not installed by requirements.txt"
        used |= dists
    # nothing else: each line is imported, runs a README command, or is the Keras backend the set-up cell names
    allowed = used | {"jupyterlab", "ipykernel", "nbclient", "jax", "jaxlib"}
    extra = {canonicalize_name(Requirement(line).name) for line in lines if line} - allowed
    assert not extra, f"release/{lab.name}/requirements.txt installs what the lab never imports: {sorted(extra)}"
    assert "tensorflow" not in installed and "otter-grader" not in installed


@pytest.mark.parametrize("lab", LABS, ids=LAB_NAMES)
def test_readme_describes_the_first_cells(lab):
    readme = (lab.release_dir / "README.md").read_text(encoding="utf-8")
    assert "Les deux premières cellules de code sont verrouillées" in readme
    code = [c for c in nbformat.read(lab.release_dir / lab.notebook_name, as_version=4).cells if c.cell_type == "code"]
    first, second = code[0], code[1]
    assert "from selfcheck import Notebook" in first.source and "grader = Notebook(" in first.source
    assert "SEED = " in second.source and "seed(SEED)" in second.source
    assert first.metadata.get("editable") is False and second.metadata.get("editable") is False
    assert "grader.check_all()" in readme and 'grader.check("...")' in readme
