"""Late policy: when each student submitted, how late that is, and the penalty it costs.

Nothing is applied without a due date (`tdgrade grade --due "2026-12-15 23:59 Europe/Paris"`; the
timezone is required: an offset such as `+01:00` or an IANA name). The policy comes from a small
TOML file (`--late-policy FILE`) or the default below, each student may have an extension
(`[extensions]` in that file, or `--extensions FILE`, CSV `student_id,due`):

    grace = "15min"          # not late within this after the due date
    per = "day"              # "day" or "hour": the penalty is per STARTED period after the due date
    penalty = 10             # per period ...
    unit = "percent"         # ... in percent of the lab's maximum grade, or "points"
    cap = 50                 # the penalty never exceeds this (same unit); omit for no cap
    zero_after = "7d"        # later than this: the grade is 0; omit to never reach 0

The penalty is a number of points known as soon as the submission time is (a percentage of the
maximum, not of the student's grade), so feedback can say it before manual grading is done.
Submission time, best source first (`Source`): the Moodle worksheet's "Last modified (submission)"
(English or French; Moodle writes it in the downloader's timezone, read here in the due date's),
an otter export's timestamp in the file name (the student's clock, same timezone), else the file's
modification time (after a bulk download this may be the download's time: the source is shown).
"""
from __future__ import annotations

import csv
import enum
import json
import math
import re
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

POLICY_FILE = "late-policy.json"  # in OUTDIR: the due date, policy and submission times of the last run
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|min|m|h|d|j)\s*$", re.I)
_UNITS = {"s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "d": 86400, "j": 86400}


class LateError(ValueError):
    """A due date, policy or extension file tdgrade cannot use (English, for the instructor)."""


class Source(str, enum.Enum):
    """Where a submission time comes from."""
    MOODLE = "Moodle worksheet (Last modified (submission))"
    OTTER = "otter export timestamp"
    FILE = "file modification time"


SOURCE_FR = {Source.MOODLE: "Moodle (dernière modification du travail remis)",
             Source.OTTER: "horodatage de l'export otter", Source.FILE: "date de modification du fichier"}


def parse_duration(text) -> timedelta:
    if isinstance(text, (int, float)):
        return timedelta(minutes=text)
    m = _DURATION.match(str(text))
    if not m:
        raise LateError(f"duration {text!r}: write e.g. 15min, 2h, 7d")
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2).lower()])


def parse_due(text: str) -> datetime:
    """'2026-12-15 23:59 Europe/Paris' or '2026-12-15 23:59+01:00' (ISO 8601); a timezone is required."""
    text = str(text).strip()
    zone: tzinfo | None = None
    head, _, last = text.rpartition(" ")
    if "/" in last or last.upper() == "UTC":
        try:
            zone, text = ZoneInfo("UTC" if last.upper() == "UTC" else last), head
        except (ZoneInfoNotFoundError, ValueError):
            raise LateError(f"due date {text!r}: unknown timezone {last!r}") from None
    try:
        when = datetime.fromisoformat(text.replace(" +", "+").replace(" -", "-"))
    except ValueError:
        raise LateError(f"due date {text!r}: write e.g. '2026-12-15 23:59 Europe/Paris' or "
                        "'2026-12-15 23:59+01:00'") from None
    if zone is not None:
        if when.tzinfo is not None:
            raise LateError(f"due date {text!r}: both an offset and a timezone name")
        when = when.replace(tzinfo=zone)
    if when.tzinfo is None:
        raise LateError(f"due date {text!r} has no timezone: add one (e.g. Europe/Paris or +01:00), the graders' "
                        "and Moodle's clocks may differ")
    return when


@dataclass(frozen=True)
class Policy:
    grace: timedelta = timedelta(minutes=15)
    per: str = "day"
    penalty: float = 10.0
    unit: str = "percent"
    cap: float | None = 50.0
    zero_after: timedelta | None = None

    def __post_init__(self):
        if self.per not in ("day", "hour") or self.unit not in ("percent", "points") or self.penalty < 0:
            raise LateError(f"late policy: per must be day or hour, unit percent or points, penalty >= 0 ({self})")

    @property
    def period(self) -> timedelta:
        return timedelta(days=1) if self.per == "day" else timedelta(hours=1)

    def describe(self) -> str:
        unit = "% of the maximum" if self.unit == "percent" else " point(s)"
        cap = f", at most {self.cap:g}{unit}" if self.cap is not None else ""
        zero = f", 0 when later than {self.zero_after}" if self.zero_after else ""
        return f"grace {self.grace}, {self.penalty:g}{unit} per started {self.per}{cap}{zero}"

    def points(self, late_by: timedelta, max_total: float) -> tuple[float, bool]:
        """(penalty in points, zero) for a submission `late_by` after its due date."""
        if late_by <= self.grace:
            return 0.0, False
        if self.zero_after is not None and late_by > self.zero_after:
            return max_total, True
        amount = math.ceil(late_by / self.period) * self.penalty
        if self.cap is not None:
            amount = min(amount, self.cap)
        points = amount * max_total / 100 if self.unit == "percent" else amount
        return round(min(points, max_total), 4), False


def load_policy(path: Path | None) -> tuple[Policy, dict[str, str]]:
    """(policy, extensions as id -> due text) from a TOML file; the default policy without one."""
    if path is None:
        return Policy(), {}
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LateError(f"late policy {path}: {exc}") from None
    late = data.get("late", data)
    known = {"grace", "per", "penalty", "unit", "cap", "zero_after", "extensions"}
    unknown = set(late) - known - {"late"}
    if unknown:
        raise LateError(f"late policy {path}: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
    policy = Policy(grace=parse_duration(late.get("grace", "15min")), per=late.get("per", "day"),
                    penalty=float(late.get("penalty", 10)), unit=late.get("unit", "percent"),
                    cap=float(late["cap"]) if "cap" in late else None,
                    zero_after=parse_duration(late["zero_after"]) if "zero_after" in late else None)
    return policy, {str(k): str(v) for k, v in data.get("extensions", {}).items()}


def load_extensions(path: Path) -> dict[str, str]:
    """CSV `student_id,due` (a header line is allowed)."""
    out = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.reader(f):
            if len(row) >= 2 and row[0].strip() and row[0].strip().lower() not in ("student_id", "id"):
                out[row[0].strip()] = row[1].strip()
    return out


# Moodle's strftimedaydatetime: en '%A, %d %B %Y, %I:%M %p' ("Tuesday, 3 October 2023, 2:05 PM"),
# fr '%A %d %B %Y, %H:%M' ("mardi 3 octobre 2023, 14:05"); '-' when nothing was submitted.
_MONTHS = {name: i + 1 for i, names in enumerate(zip(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december"),
    ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
     "décembre"))) for name in names}
_MOODLE_DATE = re.compile(r"(\d{1,2})\s+([^\W\d_]+)\s+(\d{4}),?\s+(\d{1,2})[:h ]+(\d{2})\s*([AP]M)?", re.I)


def parse_moodle_date(text: str, zone: tzinfo) -> datetime | None:
    m = _MOODLE_DATE.search(text or "")
    if not m or m.group(2).lower() not in _MONTHS:
        return None
    hour = int(m.group(4)) % 12 + (12 if (m.group(6) or "").upper() == "PM" else 0) if m.group(6) \
        else int(m.group(4))
    return datetime(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)), hour, int(m.group(5)),
                    tzinfo=zone)


def otter_time(timestamp: str, zone: tzinfo) -> datetime | None:
    """`_2024_10_03T14_05_59_123456` (otter export, the student's local clock) as a time."""
    m = re.search(r"(\d{4})_(\d{2})_(\d{2})T(\d{2})_(\d{2})_(\d{2})", timestamp or "")
    return datetime(*map(int, m.groups()), tzinfo=zone) if m else None


@dataclass
class Submitted:
    """One student's submission time and its source, as recorded at intake."""
    when: datetime
    source: Source


@dataclass
class Lateness:
    """What the gradebook, feedback and report say about one student's submission time."""
    submitted: datetime | None
    source: Source | None
    due: datetime
    extended: bool = False
    late_by: timedelta = timedelta(0)
    penalty: float = 0.0  # points off the total
    zero: bool = False

    @property
    def late(self) -> bool:
        return self.late_by > timedelta(0)

    def apply(self, total: float | None) -> float | None:
        if total is None:
            return None
        return 0.0 if self.zero else round(max(0.0, total - self.penalty), 4)


@dataclass
class LatePlan:
    """The due date, policy, extensions and submission times of a run (OUTDIR/late-policy.json)."""
    due: datetime
    policy: Policy = field(default_factory=Policy)
    extensions: dict[str, datetime] = field(default_factory=dict)
    submitted: dict[str, Submitted] = field(default_factory=dict)

    def lateness(self, student_id: str, max_total: float, moodle_time: datetime | None = None) -> Lateness:
        due = self.extensions.get(student_id, self.due)
        if moodle_time is not None:
            when, source = moodle_time, Source.MOODLE
        elif student_id in self.submitted:
            when, source = self.submitted[student_id].when, self.submitted[student_id].source
        else:
            return Lateness(None, None, due, student_id in self.extensions)
        late_by = max(timedelta(0), when - due)
        points, zero = self.policy.points(late_by, max_total)
        return Lateness(when, source, due, student_id in self.extensions, late_by, points, zero)

    def to_json(self) -> str:
        policy = asdict(self.policy)
        policy["grace"] = self.policy.grace.total_seconds()
        policy["zero_after"] = self.policy.zero_after.total_seconds() if self.policy.zero_after else None
        return json.dumps({"due": self.due.isoformat(), "zone": str(self.due.tzinfo), "policy": policy,
                           "extensions": {k: v.isoformat() for k, v in self.extensions.items()},
                           "submitted": {k: {"when": v.when.isoformat(), "source": v.source.name}
                                         for k, v in self.submitted.items()}}, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "LatePlan":
        data = json.loads(text)
        p = dict(data["policy"])
        p["grace"] = timedelta(seconds=p["grace"])
        p["zero_after"] = timedelta(seconds=p["zero_after"]) if p.get("zero_after") is not None else None
        due = datetime.fromisoformat(data["due"])
        zone = _zone(data.get("zone"), due)
        return cls(due.astimezone(zone), Policy(**p),
                   {k: datetime.fromisoformat(v) for k, v in data.get("extensions", {}).items()},
                   {k: Submitted(datetime.fromisoformat(v["when"]), Source[v["source"]])
                    for k, v in data.get("submitted", {}).items()})


def _zone(name: str | None, when: datetime) -> tzinfo:
    try:
        return ZoneInfo(name) if name else when.tzinfo or timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return when.tzinfo or timezone.utc


def make_plan(due: str, policy_file: Path | None = None, extensions_file: Path | None = None) -> LatePlan:
    """The plan of `tdgrade grade --due ... [--late-policy FILE] [--extensions FILE]` (times added at intake)."""
    when = parse_due(due)
    policy, extensions = load_policy(policy_file)
    if extensions_file is not None:
        extensions.update(load_extensions(extensions_file))
    return LatePlan(when, policy, {sid: parse_due_or_local(text, when.tzinfo) for sid, text in extensions.items()})


def parse_due_or_local(text: str, zone: tzinfo) -> datetime:
    """An extension's date: with its own timezone, else the due date's."""
    try:
        return parse_due(text)
    except LateError:
        try:
            return datetime.fromisoformat(text.strip()).replace(tzinfo=zone)
        except ValueError:
            raise LateError(f"extension date {text!r}: write e.g. '2026-12-18 23:59'") from None


def submission_time(sub, zone: tzinfo) -> Submitted:
    """At intake: the otter export's timestamp, else the file's modification time."""
    when = otter_time(sub.timestamp, zone)
    if when is not None:
        return Submitted(when, Source.OTTER)
    return Submitted(datetime.fromtimestamp(sub.mtime, tz=timezone.utc).astimezone(zone), Source.FILE)


def read_plan(outdir: Path) -> LatePlan | None:
    try:
        return LatePlan.from_json((Path(outdir) / POLICY_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def human(delta: timedelta) -> str:
    """French: '1 j 2 h 5 min'."""
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} j"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{mins} min"] * bool(mins or not minutes)
    return " ".join(parts)


def french_time(when: datetime) -> str:
    return when.strftime("%d/%m/%Y %H:%M")
