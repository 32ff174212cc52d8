"""Stage 3: lay out release/ and autograder/ from Otter Assign's output, byte-for-byte reproducible."""
import shutil
import zipfile
from pathlib import Path

import nbformat

from . import gradescope
from . import preprocessors as pp

ZIP_DATE = (1980, 1, 1, 0, 0, 0)

# What the release's own README commands need beyond the lab's requirements (source/LAB/requirements.txt):
# `jupyter lab` (jupyterlab), a Python kernel (ipykernel), and `python3 selfcheck.py` (nbclient).
# Pinned to the versions tested here; tests/test_release_venv.py resolves the whole file from PyPI.
STUDENT_TOOLS = ("jupyterlab==4.6.6", "ipykernel==7.4.0", "nbclient==0.11.0")
SELFCHECK = Path(__file__).resolve().parents[1] / "student" / "selfcheck.py"

RELEASE_README = """\
# {title}

Dossier de travail de l'étudiant·e pour le TD `{lab}`.

## Installer

Dans ce dossier, de préférence dans un environnement virtuel :

```bash
python3 -m venv .venv && . .venv/bin/activate
python3 -m pip install -r requirements.txt
```

## Travailler

```bash
jupyter lab {notebook}
```

Exécutez les cellules dans l'ordre. Les deux premières cellules de code sont verrouillées : la
première prépare les vérifications (`grader`), la seconde configure l'environnement et fixe la
graine aléatoire.

Après chaque question, la cellule `grader.check("...")` lance les vérifications publiques de la
question et affiche ✔, ou ✘ suivi d'un message en français qui dit quoi corriger. Elles disent si
votre réponse existe et a la bonne forme, pas si elle est juste : la note vient d'autres tests,
passés par l'enseignant·e. `grader.check_all()` vérifie toutes les questions d'un coup.

Sans navigateur, depuis ce dossier :

```bash
python3 selfcheck.py {notebook}
```

exécute tout le notebook puis affiche une ligne par question (code de sortie 1 si une vérification
échoue). Cela prend plusieurs minutes : le notebook entraîne de vrais modèles.

Ne renommez pas les variables demandées par l'énoncé : les vérifications les lisent par leur nom.
Ne modifiez ni `selfcheck.py` ni le dossier `tests/`.
"""


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


def write_release(assigned, lab_name: str, source_dir: Path, out: Path) -> None:
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
    requirements = (source_dir / "requirements.txt").read_text(encoding="utf-8").rstrip("\n").split("\n")
    requirements += [tool for tool in STUDENT_TOOLS if tool not in requirements]
    (out / "requirements.txt").write_text("\n".join(requirements) + "\n", encoding="utf-8")
    readme = RELEASE_README.format(title=_title(nb), lab=lab_name, notebook=nb_name)
    (out / "README.md").write_text(readme, encoding="utf-8")


def write_zip(members: dict[str, bytes], dst_zip: Path) -> None:
    """A zip of `members` (name -> bytes), sorted, with a fixed date and permissions."""
    with zipfile.ZipFile(dst_zip, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            executable = name in ("run_autograder", "setup.sh")
            info.external_attr = (0o755 if executable else 0o644) << 16
            dst.writestr(info, members[name])


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
