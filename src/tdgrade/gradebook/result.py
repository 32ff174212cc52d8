"""The result of grading one submission: `Status` (the whole status vocabulary) and `Result`.

`OUTDIR/results/STUDENT.json` is `Result.to_json()`; `Result.from_json` reads it back, old files
included (a missing key takes its default). Keys this version does not know are kept in `extra` and
written back unchanged, so a file round-trips exactly. A status this version does not know is an
error (`ResultError`): a grade is never read with a guessed meaning.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum

SCHEMA = 1


class ResultError(ValueError):
    """A result file tdgrade cannot read as a grade (English, for the instructor)."""


class Status(StrEnum):
    """How the grading of one submission ended."""

    GRADED = "graded"  # ran to the end, hidden tests ran on the exported values
    TIMEOUT = "timeout"  # wall-time limit hit; graded on what was computed before
    MEMORY_LIMIT = "memory_limit"
    PROCESS_LIMIT = "process_limit"
    DISK_LIMIT = "disk_limit"
    KERNEL_DIED = "kernel_died"  # the kernel died (os._exit, crash) or could not start
    UNREADABLE = "unreadable"  # ingest: not a notebook, damaged zip, too big...
    EMPTY = "empty"  # ingest: no code cell
    WRONG_LAB = "wrong_lab"  # ingest: the notebook of another lab
    DUPLICATE = "duplicate"  # an older submission of a student whose newest one was graded
    GRADER_ERROR = "grader_error"  # a fault of tdgrade, never of the student

    @property
    def ran(self) -> bool:
        """The notebook ran (fully or partly) and its exported values were graded."""
        return self in RAN

    @property
    def retried(self) -> bool:
        """Graded again on the next run even without --force."""
        return self in RETRY


RAN = frozenset({Status.GRADED, Status.TIMEOUT, Status.KERNEL_DIED, Status.MEMORY_LIMIT, Status.PROCESS_LIMIT,
                 Status.DISK_LIMIT})
RETRY = frozenset({Status.GRADER_ERROR})
NOT_RUN = frozenset({Status.UNREADABLE, Status.EMPTY, Status.WRONG_LAB})  # refused by ingest, nothing ran


def parse_status(value, source: str = "result") -> Status:
    try:
        return Status(value)
    except ValueError:
        known = ", ".join(s.value for s in Status)
        raise ResultError(f"{source}: unknown status {value!r} (known: {known}); was it written by a newer "
                          "tdgrade? Grade again with --force, or use that tdgrade version.") from None


@dataclass
class CaseResult:
    """One hidden or public test case of a question; `message` is French, shown to the student."""

    name: str = ""
    hidden: bool = False
    passed: bool = False
    points: float = 0.0
    message: str = ""

    @classmethod
    def from_json(cls, data: dict) -> "CaseResult":
        return cls(str(data.get("name", "")), bool(data.get("hidden")), bool(data.get("passed")),
                   float(data.get("points") or 0.0), str(data.get("message") or ""))

    def to_json(self) -> dict:
        return {"name": self.name, "hidden": self.hidden, "passed": self.passed, "points": self.points,
                "message": self.message}


@dataclass
class QuestionResult:
    name: str
    score: float = 0.0
    max_score: float = 0.0
    passed: bool = False
    cases: list[CaseResult] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: dict) -> "QuestionResult":
        return cls(str(data["name"]), float(data.get("score") or 0.0), float(data.get("max_score") or 0.0),
                   bool(data.get("passed")), [CaseResult.from_json(c) for c in data.get("cases") or []])

    def to_json(self) -> dict:
        return {"name": self.name, "score": self.score, "max_score": self.max_score, "passed": self.passed,
                "cases": [c.to_json() for c in self.cases]}


@dataclass
class CellError:
    """An error output of the student's own cell (their code: shown to them, name and message only)."""

    cell: int  # index in the notebook
    ename: str
    evalue: str
    code_cell: int | None = None  # 1-based number among code cells

    @classmethod
    def from_json(cls, data: dict) -> "CellError":
        code_cell = data.get("code_cell")
        return cls(int(data["cell"]), str(data.get("ename", "")), str(data.get("evalue", "")),
                   int(code_cell) if code_cell is not None else None)

    def to_json(self) -> dict:
        out = {"cell": self.cell, "code_cell": self.code_cell, "ename": self.ename, "evalue": self.evalue}
        return out if self.code_cell is not None else {k: v for k, v in out.items() if k != "code_cell"}


# Keys written only by some statuses: left out of the file when absent.
_OPTIONAL = ("hidden_peak_rss", "runner", "compile_cache")


@dataclass
class Result:
    """One submission's grade; field order is the key order of the result file."""

    student_id: str
    status: Status
    schema: int = SCHEMA
    submission: str = ""
    key: str = ""  # what resume compares: grader version, lab, profile, tests and submission bytes
    lab: str = ""
    profile: str = ""
    status_detail: str = ""
    moodle_id: str | None = None
    full_name: str | None = None
    duplicates: list[str] = field(default_factory=list)  # older files of the same student, not graded
    duplicate_of: str | None = None
    questions: list[QuestionResult] = field(default_factory=list)
    total: float = 0.0
    max_total: float = 0.0
    warnings: list[str] = field(default_factory=list)  # French, for the student
    cell_errors: list[CellError] = field(default_factory=list)
    sandbox: str = ""  # "bwrap" or "rlimits"
    timings: dict = field(default_factory=dict)  # seconds per stage
    peak_rss: int = 0
    graded_at: str = ""
    hidden_peak_rss: int | None = None
    runner: dict | None = None  # the sandbox runner's account: deaths, timeout_cell, export, killed, exit
    compile_cache: bool | None = None  # a JAX lab: the notebook ran with a copy of the warm compile cache
    extra: dict = field(default_factory=dict)  # keys of a newer schema, kept as they are

    @property
    def ran(self) -> bool:
        return self.status.ran

    @property
    def timeout_cell(self) -> int | None:
        value = (self.runner or {}).get("timeout_cell")
        return value if isinstance(value, int) else None

    @property
    def last_cell(self) -> int | None:
        """The cell that was running when the sandbox ended (a limit's kill happened there)."""
        value = (self.runner or {}).get("last_cell")
        return value if isinstance(value, int) else None

    @property
    def deaths(self) -> list:
        """Notebook cells during which the kernel died (the runner restarted it without them)."""
        value = (self.runner or {}).get("deaths")
        return list(value) if isinstance(value, list) else []

    @classmethod
    def from_json(cls, data: dict, source: str = "result") -> "Result":
        """A Result from a result file's JSON object; `source` names the file in errors."""
        if not isinstance(data, dict) or not isinstance(data.get("student_id"), str) or not data["student_id"]:
            raise ResultError(f"{source}: not a tdgrade result (no student_id)")
        try:
            return cls._from_checked(data, parse_status(data.get("status"), source))
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ResultError):
                raise
            raise ResultError(f"{source}: malformed result file ({type(exc).__name__}: {exc})") from exc

    @classmethod
    def _from_checked(cls, data: dict, status: Status) -> "Result":
        known = {f.name for f in fields(cls)} - {"extra"}
        hidden_rss = data.get("hidden_peak_rss")
        return cls(
            student_id=data["student_id"], status=status, schema=int(data.get("schema", SCHEMA)),
            submission=str(data.get("submission") or ""), key=str(data.get("key") or ""),
            lab=str(data.get("lab") or ""), profile=str(data.get("profile") or ""),
            status_detail=str(data.get("status_detail") or ""), moodle_id=data.get("moodle_id"),
            full_name=data.get("full_name"), duplicates=[str(d) for d in data.get("duplicates") or []],
            duplicate_of=data.get("duplicate_of"),
            questions=[QuestionResult.from_json(q) for q in data.get("questions") or []],
            total=float(data.get("total") or 0.0), max_total=float(data.get("max_total") or 0.0),
            warnings=[str(w) for w in data.get("warnings") or []],
            cell_errors=[CellError.from_json(e) for e in data.get("cell_errors") or []],
            sandbox=str(data.get("sandbox") or ""), timings=dict(data.get("timings") or {}),
            peak_rss=int(data.get("peak_rss") or 0), graded_at=str(data.get("graded_at") or ""),
            hidden_peak_rss=int(hidden_rss) if hidden_rss is not None else None,
            runner=dict(data["runner"]) if isinstance(data.get("runner"), dict) else None,
            compile_cache=bool(data["compile_cache"]) if data.get("compile_cache") is not None else None,
            extra={k: v for k, v in data.items() if k not in known})

    def to_json(self) -> dict:
        """The result file's JSON object (what `from_json` reads back to an equal Result)."""
        out = {"schema": self.schema, "student_id": self.student_id, "submission": self.submission,
               "key": self.key, "lab": self.lab, "profile": self.profile, "status": self.status.value,
               "status_detail": self.status_detail, "moodle_id": self.moodle_id, "full_name": self.full_name,
               "duplicates": list(self.duplicates), "duplicate_of": self.duplicate_of,
               "questions": [q.to_json() for q in self.questions], "total": self.total,
               "max_total": self.max_total, "warnings": list(self.warnings),
               "cell_errors": [e.to_json() for e in self.cell_errors], "sandbox": self.sandbox,
               "timings": dict(self.timings), "peak_rss": self.peak_rss, "graded_at": self.graded_at,
               "hidden_peak_rss": self.hidden_peak_rss, "runner": self.runner,
               "compile_cache": self.compile_cache}
        for name in _OPTIONAL:
            if out[name] is None:
                del out[name]
        return {**out, **self.extra}
