"""Stage 3: lay out release/ and autograder/ from Otter Assign's output, byte-for-byte reproducible."""
import shutil
import zipfile
from pathlib import Path

import nbformat

from . import preprocessors as pp

ZIP_DATE = (1980, 1, 1, 0, 0, 0)

RELEASE_README = """\
# {title}

Dossier de travail de l'étudiant·e pour le TD `{lab}`.

## Installer

```bash
python3 -m pip install -r requirements.txt
```

## Travailler

Ouvrez `{notebook}` dans Jupyter (`jupyter lab {notebook}`) et exécutez les cellules dans l'ordre.
La première cellule de code est verrouillée : elle fixe la graine aléatoire et prépare l'environnement.

Après chaque question, la cellule `grader.check("...")` lance les tests publics de la question : ils
disent si votre réponse existe et a la bonne forme, pas si elle est juste. La note finale vient
d'autres tests, passés par l'enseignant·e.

Sans navigateur, `tdgrade check {notebook}` exécute tout le notebook et résume les tests publics.

Ne renommez pas les variables demandées par l'énoncé : les tests les lisent par leur nom.
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
    shutil.copyfile(source_dir / "requirements.txt", out / "requirements.txt")
    readme = RELEASE_README.format(title=_title(nb), lab=lab_name, notebook=nb_name)
    (out / "README.md").write_text(readme, encoding="utf-8")


def write_deterministic_zip(src_zip: Path, dst_zip: Path) -> None:
    """Same members as Otter's zip, sorted, with a fixed date and permissions."""
    with zipfile.ZipFile(src_zip) as src, zipfile.ZipFile(dst_zip, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(src.namelist()):
            if name.endswith("/"):
                continue
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            executable = name in ("run_autograder", "setup.sh")
            info.external_attr = (0o755 if executable else 0o644) << 16
            dst.writestr(info, src.read(name))


def write_autograder(assigned, lab_name: str, out: Path) -> None:
    """All tests (public + hidden) and the Gradescope/otter autograder zip."""
    out.mkdir(parents=True)
    shutil.copytree(assigned.autograder_dir / "tests", out / "tests")
    write_deterministic_zip(assigned.autograder_zip, out / f"{lab_name}-autograder.zip")
    shutil.copyfile(assigned.autograder_dir / "otter_config.json", out / "otter_config.json")


def solution_notebook(assigned):
    """The instructor notebook without markers or outputs, ready to execute."""
    nb = nbformat.read(assigned.autograder_dir / assigned.notebook_name, as_version=4)
    return pp.apply(nb, pp.SOLUTION)
