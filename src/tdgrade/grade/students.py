"""Stage 0: find the submissions and give each its student id, before anything is read or run.

Student id rule (also in the README):

1. Each SUBMISSION argument is a `.ipynb` file, an otter export `.zip`, or a folder. A folder is
   searched recursively for `.ipynb` and `.zip` files (hidden folders, `.ipynb_checkpoints` and
   `__MACOSX` are skipped).
2. A name is cleaned the same way wherever it comes from: it loses its extension, Moodle's
   `_<digits>_assignsubmission_...` suffix, otter's export timestamp (`_2024_10_03T14_05_59_123456`)
   and the lab's name when something else remains (`fashion_mnist-alice` -> `alice`); it is then
   lower-cased, accents removed, and every run of other characters than `a-z0-9` becomes `_`.
3. Which name: a Moodle bulk-download folder (`Jeanne Dupont_123456_assignsubmission_file_`) on the
   way to the file names it. Otherwise, for a file in a sub-folder of a given folder, the top-level
   sub-folder (nbgrader's `submitted/STUDENT/LAB/`, GitHub Classroom's `LAB-STUDENT/`); for a file
   given directly or lying directly in a given folder, the file itself. When that name does not
   identify anybody (the release's own file name, the lab's name, empty, or a generic folder name
   such as `submitted`), the nearest folder that does, going up from the file, including a folder
   given as an argument (`tdgrade grade LAB alice/ bob/` -> `alice`, `bob`).
4. The folder or file a name was taken from is its *evidence*. Submissions with the same id and the
   same evidence are attempts of one student (two otter exports, a notebook and a zip side by
   side): the newest (otter timestamp, then file time) is graded, the others end as `duplicate`.
   The same id from different evidence (two folders called `alice` in different places) is a
   *collision*: never merged silently (see `resolve_collisions`).
"""
from __future__ import annotations

import enum
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

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


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


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


def identify(path: Path, root: Path | None, lab_name: str) -> Submission:
    """The submission of file `path`, found in the given folder `root` (None: the file was given)."""
    given = path
    path, root = path.absolute(), (root.absolute() if root is not None else None)
    _, moodle_id, full_name, timestamp = _clean(path.name, lab_name)  # the attempt's own timestamp
    for source in _candidates(path, root):
        sid, source_moodle, source_name, _ = _clean(source.name, lab_name)
        if _identifies(sid, lab_name):
            moodle_id, full_name = source_moodle or moodle_id, source_name or full_name
            break
    else:
        source, sid = path, student_id_from_name(path.name, lab_name)[0]
    return Submission(sid, path.resolve(), str(given), moodle_id, full_name, timestamp, path.stat().st_mtime,
                      evidence=path.parent if source == path else source)


def _walk(folder: Path, exclude: tuple[Path, ...] = ()):
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name in SKIP_DIRS:
            continue
        if path.is_dir():
            if path.resolve() not in exclude:
                yield from _walk(path, exclude)
        elif path.is_file() and path.suffix.lower() in (".ipynb", ".zip"):
            yield path


def discover(paths: list[str | Path], lab_name: str, exclude: list[Path] = ()
             ) -> tuple[list[Submission], list[str], list[Collision]]:
    """All submissions under `paths` (not under `exclude`, e.g. the output folder), ids assigned,
    attempts of one student marked as duplicates; plus warnings and the collisions found."""
    exclude = tuple(Path(p).resolve() for p in exclude)
    found: list[Submission] = []
    warnings: list[str] = []
    for raw in paths:
        root = Path(raw)
        if root.is_file():
            found.append(identify(root, None, lab_name))
        elif root.is_dir():
            found += [identify(path, root, lab_name) for path in _walk(root, exclude)]
        else:
            warnings.append(f"{raw}: no such file or folder (skipped)")
    # Same file given twice (e.g. a folder and a file inside it): keep it once.
    unique: dict[Path, Submission] = {}
    for sub in found:
        unique.setdefault(sub.path, sub)
    by_id: dict[str, list[Submission]] = {}
    for sub in unique.values():
        by_id.setdefault(sub.student_id, []).append(sub)
    result, collisions = [], []
    for sid, subs in sorted(by_id.items()):
        if len({str(Path(s.evidence).resolve()) for s in subs}) > 1:
            collisions.append(Collision(sid, tuple(sorted(s.display for s in subs))))
        mark_attempts(subs)
        result.extend(subs)
    return result, warnings, collisions


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


def list_ids(lab_name: str, paths: list[str | Path], on_collision: str = "fail", stream=None) -> int:
    """`tdgrade grade --list`: the id each submission would get, nothing graded. Exit 3 when
    collisions would hold submissions back."""
    import sys

    stream = stream or sys.stdout
    subs, warnings, collisions = discover(paths, lab_name)
    kept, held = resolve_collisions(subs, collisions, OnCollision(on_collision))
    held_paths = {s.display for s in held}
    colliding = {c.student_id for c in collisions}
    for w in warnings:
        print(f"warning: {w}", file=stream)
    for sub in sorted(kept + held, key=lambda s: (s.student_id, s.display)):
        note = ("  [NOT graded: id collision]" if sub.display in held_paths
                else f"  [duplicate of {sub.duplicate_of}]" if sub.duplicate_of
                else "  [collision resolved]" if sub.student_id in colliding else "")
        print(f"{sub.student_id:<24} {sub.display}{note}", file=stream)
    students = {s.student_id for s in kept}
    print(f"{len(students)} student(s), {len(kept) + len(held)} submission(s), {len(collisions)} id collision(s)",
          file=stream)
    return 3 if held else 0
