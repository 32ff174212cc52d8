"""Stage 3: lay out release/ and autograder/ from Otter Assign's output, byte-for-byte reproducible."""
import json
import shutil
import zipfile
from pathlib import Path

import nbformat
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from . import gradescope_zip as gradescope
from . import preprocessors as pp
from . import release_readme
from .manual import ManualQuestion
from .zipfiles import write_zip


# What the release's own README commands need beyond the lab's requirements (source/LAB/requirements.txt):
# `jupyter lab` (jupyterlab), a Python kernel (ipykernel), and `python3 selfcheck.py` (nbclient).
# Pinned to the versions tested here; tests/test_release_venv.py resolves the whole file from PyPI.
STUDENT_TOOLS = ("jupyterlab==4.6.6", "ipykernel==7.4.0", "nbclient==0.11.0")
# In source/LAB/requirements.txt for the Gradescope zip only: no student notebook imports them, and
# TensorFlow has no wheel for the newest Python (tests/test_platform_wheels.py).
GRADER_ONLY = {"otter-grader", "tensorflow"}
# What `selfcheck.py` reads next to the test files: the written answers and the grader's time budget.
SELFCHECK_FACTS = "selfcheck.json"
SELFCHECK = Path(__file__).resolve().parents[1] / "student" / "selfcheck.py"

def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return "TD"


def _copy_tree_files(src: Path, dst: Path, skip: set[str]) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if path.is_dir() or rel.parts[0] in skip or "__pycache__" in rel.parts:
            continue
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dst / rel)


def release_requirements(source_requirements: str) -> str:
    """The lab's requirements without the grader-only packages, plus what the README's commands run."""
    lines = [line for line in source_requirements.splitlines() if line.strip()]
    kept = [line for line in lines if canonicalize_name(Requirement(line).name) not in GRADER_ONLY]
    return "\n".join(kept + [tool for tool in STUDENT_TOOLS if tool not in kept]) + "\n"


def _answer_scaffolds(nb, question: ManualQuestion) -> list[str]:
    """The release's own text in a manual question's answer cells (an answer equal to it is empty)."""
    first_line = question.prompt.strip().splitlines()[0]
    cells = list(nb.cells)
    for index, cell in enumerate(cells):
        if cell.cell_type == "markdown" and first_line in cell.source:
            answers = []
            for after in cells[index + 1:]:
                if after.metadata.get("editable") is False:
                    break
                answers.append(after.source)
            return answers
    raise RuntimeError(f"{question.name}: its prompt is not in the release notebook")


def selfcheck_facts(nb, written: list[ManualQuestion], time_budget_s: float) -> dict:
    return {"time_budget_s": time_budget_s,
            "written": [{"name": q.name, "points": q.points, "prompt": q.prompt.strip().splitlines()[0],
                         "scaffolds": _answer_scaffolds(nb, q)} for q in written]}


def write_release(assigned, lab_name: str, source_dir: Path, out: Path, *, written: list[ManualQuestion],
                  auto_points: float, backend: str, time_budget_s: float) -> None:
    """Student notebook, public tests, support files, requirements and a French README."""
    nb_name = assigned.notebook_name
    nb = pp.apply(nbformat.read(assigned.student_dir / nb_name, as_version=4), pp.STUDENT)
    out.mkdir(parents=True)
    pp.write_notebook(nb, out / nb_name)
    _copy_tree_files(assigned.student_dir, out, skip={nb_name})
    if not any(pp.SELFCHECK_IMPORT in cell.source for cell in nb.cells if cell.cell_type == "code"):
        raise RuntimeError(f"{nb_name}: otter's init cell (import otter / grader = otter.Notebook(...)) not found; "
                           "the release would show otter's English check output")
    shutil.copyfile(SELFCHECK, out / SELFCHECK.name)
    facts = selfcheck_facts(nb, written, time_budget_s)
    (out / "tests" / SELFCHECK_FACTS).write_text(json.dumps(facts, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    requirements = (source_dir / "requirements.txt").read_text(encoding="utf-8")
    (out / "requirements.txt").write_text(release_requirements(requirements), encoding="utf-8")
    readme = release_readme.render(release_readme.ReadmeFacts(
        title=_title(nb), lab=lab_name, notebook=nb_name, backend=backend, auto_points=auto_points,
        written_points=sum(q.points for q in written), time_budget_s=time_budget_s))
    (out / "README.md").write_text(readme, encoding="utf-8")


def write_autograder(assigned, lab_name: str, out: Path) -> None:
    """All tests (public + hidden) and the Gradescope/otter autograder zip (`gradescope.finish`)."""
    out.mkdir(parents=True)
    shutil.copytree(assigned.autograder_dir / "tests", out / "tests")
    with zipfile.ZipFile(assigned.autograder_zip) as src:
        members = {name: src.read(name) for name in src.namelist() if not name.endswith("/")}
    # otter copies the zip's files/ into the submission folder: the release's init cell imports selfcheck.
    members[f"files/{SELFCHECK.name}"] = SELFCHECK.read_bytes()
    notebook_text = (assigned.autograder_dir / assigned.notebook_name).read_text(encoding="utf-8")
    write_zip(gradescope.finish(members, lab_name, notebook_text), out / f"{lab_name}-autograder.zip")
    shutil.copyfile(assigned.autograder_dir / "otter_config.json", out / "otter_config.json")


def solution_notebook(assigned):
    """The instructor notebook without markers or outputs, ready to execute."""
    nb = nbformat.read(assigned.autograder_dir / assigned.notebook_name, as_version=4)
    return pp.apply(nb, pp.SOLUTION)
