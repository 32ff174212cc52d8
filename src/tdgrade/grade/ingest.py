"""Stage 1: read and normalise a submitted notebook before anything runs, and tell its lab.

Finding submissions and naming students is stage 0, `students` (re-exported here).
"""
from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import nbformat

from ..gradebook.result import Status
from .students import SKIP_DIRS as _SKIP_DIRS, Submission, discover, student_id_from_name  # noqa: F401

MAX_NOTEBOOK_BYTES = 200 * 1024 * 1024  # a submitted notebook (outputs included) larger than this is refused
MAX_ZIP_MEMBERS = 2000


class IngestError(Exception):
    """A submission that cannot run: `status` is its final status, `message` is French, for the student."""

    def __init__(self, status: Status, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# --------------------------------------------------------------------------------------------
# Reading and normalising one notebook


def read_submission_bytes(sub: Submission, notebook_name: str) -> bytes:
    """The notebook's raw bytes (from the file or from inside the zip)."""
    try:
        size = sub.path.stat().st_size
        if sub.path.suffix.lower() != ".zip":
            if size > MAX_NOTEBOOK_BYTES:
                raise IngestError(Status.UNREADABLE, f"Le fichier fait {size // 2**20} Mo : trop gros pour un notebook.")
            return sub.path.read_bytes()
        return _notebook_from_zip(sub.path, notebook_name)
    except OSError as exc:
        raise IngestError(Status.UNREADABLE, f"Le fichier n'a pas pu être lu ({type(exc).__name__}).") from exc


def _notebook_from_zip(path: Path, notebook_name: str) -> bytes:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise IngestError(Status.UNREADABLE, "L'archive contient trop de fichiers.")
            notebooks = [i for i in infos if i.filename.lower().endswith(".ipynb") and not i.is_dir()
                         and not any(p in _SKIP_DIRS or p.startswith(".") for p in Path(i.filename).parts)]
            if not notebooks:
                raise IngestError(Status.UNREADABLE, "L'archive .zip ne contient aucun notebook (.ipynb).")
            if len(notebooks) > 1:
                named = [i for i in notebooks if Path(i.filename).name == notebook_name]
                top = [i for i in notebooks if "/" not in i.filename.strip("/")]
                pick = named or top
                if len(pick) != 1:
                    listed = ", ".join(i.filename for i in notebooks[:5])
                    raise IngestError(Status.UNREADABLE, "L'archive contient plusieurs notebooks et aucun ne porte le nom "
                                                    f"attendu `{notebook_name}` : {listed}.")
                notebooks = pick
            info = notebooks[0]
            if info.file_size > MAX_NOTEBOOK_BYTES:
                raise IngestError(Status.UNREADABLE, "Le notebook de l'archive est trop gros.")
            with zf.open(info) as f:
                data = f.read(MAX_NOTEBOOK_BYTES + 1)
            if len(data) > MAX_NOTEBOOK_BYTES:
                raise IngestError(Status.UNREADABLE, "Le notebook de l'archive est trop gros.")
            return data
    except zipfile.BadZipFile as exc:
        raise IngestError(Status.UNREADABLE, "Le fichier .zip est endommagé ou n'est pas une archive zip.") from exc
    except (RuntimeError, NotImplementedError, EOFError, ValueError) as exc:  # encrypted, unsupported method
        raise IngestError(Status.UNREADABLE, f"L'archive .zip n'a pas pu être lue ({type(exc).__name__}).") from exc


def decode(data: bytes) -> tuple[str, list[str]]:
    warnings = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        warnings.append("Le fichier contenait des octets qui ne sont pas de l'UTF-8 ; ils ont été remplacés par "
                        "« \ufffd ». Enregistrez vos notebooks depuis Jupyter pour éviter cela.")
    return text, warnings


def _source(cell) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(str(s) for s in src)
    return src if isinstance(src, str) else ""


def _parse(text: str) -> nbformat.NotebookNode:
    """The submitted JSON as a v4 notebook object (cells not checked yet), or IngestError."""
    try:
        raw = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise IngestError(Status.UNREADABLE, "Le fichier n'est pas un JSON valide : ce n'est pas un notebook Jupyter "
                                        "lisible (a-t-il été modifié hors de Jupyter ?).") from exc
    if not isinstance(raw, dict) or not ("cells" in raw or "worksheets" in raw):
        raise IngestError(Status.UNREADABLE, "Le fichier n'est pas un notebook Jupyter (aucune liste de cellules).")
    try:
        nb = nbformat.reads(text, as_version=4) if "worksheets" in raw else nbformat.from_dict(raw)
    except Exception as exc:  # noqa: BLE001 - any parse failure of a foreign file
        raise IngestError(Status.UNREADABLE, f"Le notebook n'a pas pu être lu par nbformat ({type(exc).__name__}).") from exc
    if not isinstance(nb.get("cells"), list):
        raise IngestError(Status.UNREADABLE, "Le fichier n'est pas un notebook Jupyter (aucune liste de cellules).")
    return nb


_NEW_CELL = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
             "raw": nbformat.v4.new_raw_cell}
_KEPT_CELL_METADATA = ("tags", "editable", "deletable", "name")


def copy_cells(nb, clean, warnings: list[str]) -> None:
    """Source and a few metadata keys of each known cell; outputs, attachments and the rest are dropped."""
    dropped = 0
    for cell in nb["cells"]:
        new_cell = _NEW_CELL.get(cell.get("cell_type")) if isinstance(cell, dict) else None
        if new_cell is None:
            dropped += 1
            continue
        new = new_cell(_source(cell))
        meta = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        try:  # a JSON round trip keeps only plain values
            new.metadata.update(json.loads(json.dumps({k: meta[k] for k in _KEPT_CELL_METADATA if k in meta})))
        except (TypeError, ValueError):
            pass
        clean.cells.append(new)
    if dropped:
        warnings.append(f"{dropped} cellule(s) de type inconnu ont été ignorées.")


def reset_kernel(nb, clean, warnings: list[str]) -> None:
    """Always python3: the grader runs no other kernel, and says so when the notebook named one."""
    meta = nb.get("metadata") if isinstance(nb.get("metadata"), dict) else {}
    spec = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    if spec.get("name") not in (None, "python3"):
        warnings.append(f"Le noyau `{str(spec.get('name'))[:40]}` du notebook a été remplacé par `python3`.")
    clean.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    clean.metadata["language_info"] = {"name": "python"}


def validate(nb, clean, warnings: list[str]) -> None:
    try:
        nbformat.validate(clean)
    except nbformat.ValidationError as exc:  # should not happen after the rebuild; refuse rather than guess
        raise IngestError(Status.UNREADABLE, "Le notebook n'a pas une structure valide.") from exc


def require_code(nb, clean, warnings: list[str]) -> None:
    if not any(c.cell_type == "code" and c.source.strip() for c in clean.cells):
        raise IngestError(Status.EMPTY, "Le notebook ne contient aucune cellule de code : rien à exécuter.")


# Ordered like nbgrader's preprocessors: each step reads the parsed submission, writes the clean
# notebook, may add a French warning, and raises IngestError to refuse the submission.
NORMALISE_STEPS = (copy_cells, reset_kernel, validate, require_code)


def normalise(text: str) -> tuple[nbformat.NotebookNode, list[str]]:
    """A clean v4 notebook (kernel python3, no outputs) from the submitted JSON text, or IngestError."""
    nb, clean, warnings = _parse(text), nbformat.v4.new_notebook(), []
    for step in NORMALISE_STEPS:
        step(nb, clean, warnings)
    return clean, warnings


# --------------------------------------------------------------------------------------------
# Which lab is this?


def _fingerprint_text(text: str) -> str | None:
    norm = " ".join(text.split())
    if len(norm) < 25:
        return None
    return hashlib.sha1(norm.encode()).hexdigest()


def fingerprints(nb) -> set[str]:
    """Hashes of the release's prose and locked cells: what a student normally keeps."""
    out = set()
    for cell in nb.cells:
        if cell.cell_type == "markdown" or (cell.cell_type == "code" and cell.metadata.get("editable") is False):
            fp = _fingerprint_text(cell.source)
            if fp:
                out.add(fp)
    return out


def load_fingerprints(release_notebook: Path) -> set[str]:
    try:
        return fingerprints(nbformat.read(str(release_notebook), as_version=4))
    except Exception:  # noqa: BLE001 - no release built: no check
        return set()


def check_lab(nb, own: set[str], others: dict[str, set[str]]) -> None:
    """Raise `wrong_lab` when the notebook clearly is another lab's."""
    mine = {fp for c in nb.cells if (fp := _fingerprint_text(c.source))}
    own_score = len(mine & own) / len(own) if own else 0.0
    for name, fps in others.items():
        if not fps:
            continue
        score = len(mine & fps) / len(fps)
        if score >= 0.3 and score > 2 * own_score:
            raise IngestError(Status.WRONG_LAB, f"Ce notebook est celui du TD `{name}`, pas celui de ce TD : "
                                           "avez-vous déposé le bon fichier ?")


def load(sub: Submission, notebook_name: str, own_fps: set[str] | None = None,
         other_fps: dict[str, set[str]] | None = None) -> tuple[nbformat.NotebookNode, list[str], str]:
    """(normalised notebook, French warnings, sha256 of the notebook bytes) or IngestError."""
    data = read_submission_bytes(sub, notebook_name)
    sha = hashlib.sha256(data).hexdigest()
    text, warnings = decode(data)
    nb, more = normalise(text)
    if other_fps:
        check_lab(nb, own_fps or set(), other_fps)
    return nb, warnings + more, sha


def dumps(nb) -> str:
    buf = io.StringIO()
    nbformat.write(nb, buf)
    return buf.getvalue()
