"""Stage 0: find the submissions and give each its student id, before anything is read or run.

Student id rule (also in docs/grading.md):

1. Each SUBMISSION argument is a `.ipynb` file, an otter export `.zip`, or a folder. A folder is
   searched recursively for `.ipynb` and `.zip` files (hidden folders, `.ipynb_checkpoints` and
   `__MACOSX` are skipped).
2. A name is cleaned the same way wherever it comes from: it loses its extension, Moodle's
   `_<digits>_assignsubmission_...` suffix, otter's export timestamp (`_2024_10_03T14_05_59_123456`)
   and the lab's name when something else remains (`fashion_mnist-alice` -> `alice`); it is then
   transliterated to ASCII (anyascii: `Élodie` -> `elodie`, `张伟` -> `zhangwei`, `Γιώργος` ->
   `giorgos`), lower-cased, and every run of other characters than `a-z0-9` becomes `_`.
3. Which name: a Moodle bulk-download folder (`Jeanne Dupont_123456_assignsubmission_file_`) on the
   way to the file names it. Otherwise, for a file in a sub-folder of a given folder, the top-level
   sub-folder (nbgrader's `submitted/STUDENT/LAB/`, GitHub Classroom's `LAB-STUDENT/`); for a file
   given directly or lying directly in a given folder, the file itself. When that name does not
   identify anybody (the release's own file name, the lab's name, empty, or a generic folder name
   such as `submitted`), the nearest folder that does, going up from the file, including a folder
   given as an argument (`tdgrade grade LAB alice/ bob/` -> `alice`, `bob`). A Moodle folder always
   names its student: by the transliterated name, else `participant_<number>` -- never by the
   download folder above it, which holds everyone. Likewise a top-level sub-folder of a given folder
   whose name has no letter in any script is named `etudiant_<hash of its name>`, not after the
   given folder.
4. Two Moodle folders with the same name and different participant numbers are two students:
   both ids get the number (`jeanne_dupont_123456`, `jeanne_dupont_654321`).
5. Symbolic links met inside a given folder are refused (listed, never followed): a link could name
   another student's notebook (which would then be graded twice or hidden as a duplicate) or a host
   file. A folder given as an argument is followed even when it is a link (the instructor named it).
6. The folder or file a name was taken from is its *evidence*. Submissions with the same id and the
   same evidence are attempts of one student (two otter exports, a notebook and a zip side by
   side): the newest (otter timestamp, then file time) is graded, the others end as `duplicate`.
   The same id from different evidence (two folders called `alice` in different places) is a
   *collision*: never merged silently (see `resolve_collisions`).
"""
from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..common.ids import slugify

SKIP_DIRS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__"}
# Folder names that hold submissions without naming anyone.
GENERIC_NAMES = {"submitted", "submissions", "submission", "autograded", "feedback", "release", "source",
                 "notebooks", "notebook", "rendus", "rendu", "depots", "depot", "copies", "downloads", "tmp",
                 "sub", "src", "work", "travail"}
_MOODLE_RE = re.compile(r"^(?P<name>.*?)_(?P<pid>\d+)_assignsubmission_[a-z]+_?$", re.IGNORECASE)
_OTTER_TS_RE = re.compile(r"_\d{4}_\d{2}_\d{2}T\d{2}_\d{2}_\d{2}(?:_\d+)?$")


@dataclass
class Submission:
    student_id: str
    path: Path  # the file (.ipynb or .zip)
    display: str  # how reports name the input
    moodle_id: str | None = None
    full_name: str | None = None
    timestamp: str = ""  # otter export timestamp in the name, if any
    mtime: float = 0.0
    duplicate_of: str | None = None  # display name of the submission that is graded instead
    duplicates: list[str] = field(default_factory=list)  # display names of the older ones
    evidence: Path | None = None  # the file or folder the id was taken from
    id_source: "IdSource | None" = None  # what kind of evidence

    def raw_sha256(self) -> str:
        h = hashlib.sha256()
        with open(self.path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()


@dataclass(frozen=True)
class Collision:
    """One id reached from different evidence: the submissions, by display path."""
    student_id: str
    paths: tuple[str, ...]


class OnCollision(str, enum.Enum):
    """What to do with a collision (`--on-collision`)."""
    FAIL = "fail"  # grade nobody of the colliding ids, list them, exit non-zero
    NEWEST = "newest"  # one student after all: grade the newest, the others end as duplicates
    SEPARATE = "separate"  # different students: `alice`, `alice_2`, ... in path order


def _clean(name: str, lab_name: str) -> tuple[str, str | None, str | None, str]:
    """(slug, moodle participant id, full name, otter timestamp); the slug may be "" or the lab's."""
    stem = name
    for ext in (".ipynb", ".zip"):
        if stem.lower().endswith(ext):
            stem = stem[: -len(ext)]
    moodle_id = full_name = None
    m = _MOODLE_RE.match(stem)
    if m:
        stem, moodle_id = m.group("name"), m.group("pid")
        full_name = stem.strip()
    timestamp = ""
    m = _OTTER_TS_RE.search(stem)
    if m:
        timestamp = m.group(0)
        stem = stem[: m.start()]
    sid = slugify(stem)
    lab = slugify(lab_name)
    if lab and sid != lab:
        for candidate in (sid.removeprefix(lab + "_"), sid.removesuffix("_" + lab)):
            if candidate != sid and candidate:
                sid = candidate
                break
    if moodle_id and not _identifies(sid, lab_name):
        sid = f"participant_{moodle_id}"  # a name in no script anyascii knows, or a generic one
    return sid, moodle_id, full_name, timestamp


def _identifies(slug: str, lab_name: str) -> bool:
    return bool(slug) and slug != slugify(lab_name) and slug not in GENERIC_NAMES


def student_id_from_name(name: str, lab_name: str = "") -> tuple[str, str | None, str | None, str]:
    """(id, moodle participant id, full name, otter timestamp) from one file or folder name."""
    sid, moodle_id, full_name, timestamp = _clean(name, lab_name)
    if not sid:
        sid = "etudiant_" + hashlib.sha256(name.encode()).hexdigest()[:8]
    return sid, moodle_id, full_name, timestamp


def _candidates(path: Path, root: Path | None) -> list[Path]:
    """Where the id may come from, best first: see rule 3 of the module docstring."""
    if root is None:
        ups = [path, *path.parents]
        return [*(p for p in ups[1:] if _MOODLE_RE.match(p.name)), *ups]
    rel = path.relative_to(root)
    inside = [root.joinpath(*rel.parts[:k]) for k in range(len(rel.parts) - 1, 0, -1)]  # nearest first
    above = [*inside, root, *root.parents]
    moodle = [p for p in above if _MOODLE_RE.match(p.name)]
    return [*moodle, *inside[-1:], path, *above]


class IdSource(str, enum.Enum):
    """What a student id was taken from (`--list` shows it)."""
    MOODLE_NAME = "Moodle folder, name"
    MOODLE_NUMBER = "Moodle folder, participant number"
    FOLDER = "folder"
    FILE = "file name"
    NONE = "nothing identifies: hash of the file name"


def identify(path: Path, root: Path | None, lab_name: str) -> Submission:
    """The submission of file `path`, found in the given folder `root` (None: the file was given)."""
    given = path
    path, root = path.absolute(), (root.absolute() if root is not None else None)
    _, moodle_id, full_name, timestamp = _clean(path.name, lab_name)  # the attempt's own timestamp
    for source in _candidates(path, root):
        sid, source_moodle, source_name, _ = _clean(source.name, lab_name)
        if _identifies(sid, lab_name):
            moodle_id, full_name = source_moodle or moodle_id, source_name or full_name
            kind = (IdSource.FILE if source == path else IdSource.FOLDER) if not source_moodle else (
                IdSource.MOODLE_NUMBER if sid == f"participant_{source_moodle}" else IdSource.MOODLE_NAME)
            break
    else:
        source, sid, kind = path, student_id_from_name(path.name, lab_name)[0], IdSource.NONE
    if root is not None and source in (root, *root.parents) and path.parent != root:
        top = root / path.relative_to(root).parts[0]
        if not _clean(top.name, lab_name)[0]:  # a sub-folder whose name no script gives letters to
            source, sid, kind = top, student_id_from_name(top.name, lab_name)[0], IdSource.NONE
    return Submission(sid, path.resolve(), str(given), moodle_id, full_name, timestamp, path.stat().st_mtime,
                      evidence=path.parent if source == path else source, id_source=kind)


@dataclass(frozen=True)
class Refused:
    """A file found but not taken as a submission, and why (English, for the instructor)."""
    path: str
    reason: str


@dataclass
class Intake:
    """Every file found under the arguments and what became of it (before collisions are resolved)."""
    submissions: list[Submission] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    given_twice: list[str] = field(default_factory=list)  # the same file reached from two arguments

    @property
    def files_found(self) -> int:
        return len(self.submissions) + len(self.refused) + len(self.given_twice)


_LINK_REASON = ("symbolic link, not followed: it could name another student's notebook or a file outside the "
                "submissions; copy the file itself if it is a real submission")


def _walk(folder: Path, exclude: tuple[Path, ...] = ()):
    """(path, None) for each candidate file under `folder`, (path, reason) for each refused one."""
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in SKIP_DIRS:
            continue
        if path.is_symlink():
            if path.is_dir() or path.suffix.lower() in (".ipynb", ".zip"):
                yield path, _LINK_REASON
        elif path.is_dir():
            if path.resolve() not in exclude:
                yield from _walk(path, exclude)
        elif path.is_file() and path.suffix.lower() in (".ipynb", ".zip"):
            yield path, None


def intake(paths: list[str | Path], lab_name: str, exclude: list[Path] = ()) -> Intake:
    """All submissions under `paths` (not under `exclude`, e.g. the output folder), ids assigned,
    attempts of one student marked as duplicates; every other file found is in `refused`."""
    exclude = tuple(Path(p).resolve() for p in exclude)
    out = Intake()
    found: list[Submission] = []
    for raw in paths:
        root = Path(raw)
        if root.is_symlink() and root.is_file():
            out.refused.append(Refused(str(root), _LINK_REASON))
        elif root.is_file():
            found.append(identify(root, None, lab_name))
        elif root.is_dir():
            for path, reason in _walk(root, exclude):
                if reason:
                    out.refused.append(Refused(str(path), reason))
                else:
                    found.append(identify(path, root, lab_name))
        else:
            out.warnings.append(f"{raw}: no such file or folder (skipped)")
    # Same file given twice (a folder and a file inside it): keep it once. Keyed by the path as
    # reached, not resolved: no link is followed inside folders, so two keys are two files.
    unique: dict[str, Submission] = {}
    for sub in found:
        key = str(Path(sub.display).absolute())
        if key in unique:
            out.given_twice.append(sub.display)
        unique.setdefault(key, sub)
    _number_homonyms(list(unique.values()))
    by_id: dict[str, list[Submission]] = {}
    for sub in unique.values():
        by_id.setdefault(sub.student_id, []).append(sub)
    for sid, subs in sorted(by_id.items()):
        if len({str(Path(s.evidence).resolve()) for s in subs}) > 1:
            out.collisions.append(Collision(sid, tuple(sorted(s.display for s in subs))))
        mark_attempts(subs)
        out.submissions.extend(subs)
    return out


def _number_homonyms(subs: list[Submission]) -> None:
    """Moodle folders with one name and different participant numbers are different students:
    each id gets its number (rule 4)."""
    numbers: dict[str, set[str]] = {}
    for s in subs:
        if s.moodle_id and s.id_source is IdSource.MOODLE_NAME:
            numbers.setdefault(s.student_id, set()).add(s.moodle_id)
    for s in subs:
        if len(numbers.get(s.student_id, ())) > 1 and s.id_source is IdSource.MOODLE_NAME:
            s.student_id = f"{s.student_id}_{s.moodle_id}"


def discover(paths: list[str | Path], lab_name: str, exclude: list[Path] = ()
             ) -> tuple[list[Submission], list[str], list[Collision]]:
    """`intake` as (submissions, warnings, collisions); refused files become warnings."""
    found = intake(paths, lab_name, exclude)
    return (found.submissions, found.warnings + [f"{r.path}: {r.reason}" for r in found.refused],
            found.collisions)


def mark_attempts(subs: list[Submission]) -> None:
    """Attempts of one student: the newest is graded, the others point to it (sorts `subs`)."""
    subs.sort(key=lambda s: (s.timestamp, s.mtime, s.display), reverse=True)
    keep = subs[0]
    for other in subs[1:]:
        other.duplicate_of = keep.display
        keep.duplicates.append(other.display)


def resolve_collisions(subs: list[Submission], collisions: list[Collision], how: OnCollision
                       ) -> tuple[list[Submission], list[Submission]]:
    """(submissions to go on with, submissions held back). `discover` already treated each colliding
    id as one student's attempts, which is what NEWEST keeps."""
    colliding = {c.student_id for c in collisions}
    if how is OnCollision.NEWEST or not colliding:
        return subs, []
    if how is OnCollision.FAIL:
        return ([s for s in subs if s.student_id not in colliding],
                [s for s in subs if s.student_id in colliding])
    kept = [s for s in subs if s.student_id not in colliding]
    for sid in sorted(colliding):
        group = sorted((s for s in subs if s.student_id == sid), key=lambda s: s.display)
        by_evidence: dict[str, list[Submission]] = {}
        for s in group:
            by_evidence.setdefault(str(Path(s.evidence).resolve()), []).append(s)
        for n, attempts in enumerate(by_evidence.values(), start=1):
            for s in attempts:
                s.student_id = sid if n == 1 else f"{sid}_{n}"
                s.duplicate_of, s.duplicates = None, []
            mark_attempts(attempts)
            kept += attempts
    return kept, []
