"""What a lab's JAX compile cache is warmed with: the solution and the allowed choices that compile
other XLA programs (`source/LAB/warmup.toml`, copied by `tdgrade build` to `autograder/LAB/`).

XLA compiles one program per model, loss, optimizer, input dtype and batch shape. A student who
picks a batch size of 256 rather than the solution's 240 (fm12 allows 240 to 299) trains on other
shapes (48,000 / 256 leaves a partial batch), so every program misses a cache warmed with the
solution alone and the notebook pays ~2-3x the reference's time in compilation (issue 24). Each
run of the plan is the trusted solution with exact textual edits, so what fills the cache is still
instructor code only. `compile_only` edits apply to every run: fewer epochs compile exactly the same
programs (the step functions do not depend on the epoch count; tests/test_jax_backend.py checks that
a 1-epoch warm-up leaves no miss for the 20-epoch fit) at a fraction of the training time.

    [compile_only]
    edits = [["epochs=20", "epochs=1"]]
    [[variant]]
    name = "batch_256"
    why = "fm12 accepts 240 to 299"
    edits = [["batch_size = 240", "batch_size = 256"]]
"""
from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat

WARMUP_FILE = "warmup.toml"


class WarmPlanError(ValueError):
    """A warm-up plan that cannot be read or applied (English, for instructors)."""


@dataclass(frozen=True)
class Edit:
    old: str  # exact text of the solution's code cells; every occurrence is replaced
    new: str


@dataclass(frozen=True)
class WarmRun:
    name: str  # "solution" or the variant's name
    edits: tuple[Edit, ...]
    why: str = ""


@dataclass(frozen=True)
class WarmPlan:
    compile_only: tuple[Edit, ...] = ()
    variants: tuple[WarmRun, ...] = ()
    digest: str = ""  # sha256 of the file: part of the cache's fingerprint

    def runs(self) -> list[WarmRun]:
        """The solution first, then each variant: its own edits, then the compile-only ones (so a
        variant's edit may quote text that a compile-only edit changes)."""
        return [WarmRun("solution", self.compile_only, "the reference"),
                *(WarmRun(v.name, v.edits + self.compile_only, v.why) for v in self.variants)]


def _edits(raw, where: str) -> tuple[Edit, ...]:
    if not isinstance(raw, list) or not all(isinstance(e, list) and len(e) == 2 and all(isinstance(s, str) and s for s in e)
                                            for e in raw):
        raise WarmPlanError(f"{where}: `edits` must be a list of [\"old text\", \"new text\"] pairs")
    return tuple(Edit(old, new) for old, new in raw)


def parse(text: str, origin: str = WARMUP_FILE) -> WarmPlan:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WarmPlanError(f"{origin}: not valid TOML ({exc})") from exc
    unknown = set(data) - {"compile_only", "variant"}
    if unknown:
        raise WarmPlanError(f"{origin}: unknown section(s) {sorted(unknown)}; expected [compile_only] and [[variant]]")
    compile_only = _edits(data.get("compile_only", {}).get("edits", []), f"{origin} [compile_only]")
    variants, names = [], set()
    for i, raw in enumerate(data.get("variant", [])):
        name = raw.get("name")
        if not isinstance(name, str) or not name or name in names or name == "solution":
            raise WarmPlanError(f"{origin}: variant {i + 1} needs a unique `name` (not \"solution\")")
        names.add(name)
        variants.append(WarmRun(name, _edits(raw.get("edits"), f"{origin} variant {name!r}"), str(raw.get("why", ""))))
    return WarmPlan(compile_only, tuple(variants), hashlib.sha256(text.encode()).hexdigest())


def load(path: Path | None) -> WarmPlan:
    """The plan at `path`; an empty plan (the solution alone) when there is no file."""
    if path is None or not Path(path).is_file():
        return WarmPlan()
    return parse(Path(path).read_text(encoding="utf-8"), str(path))


def apply(nb: nbformat.NotebookNode, run: WarmRun) -> nbformat.NotebookNode:
    """A copy of `nb` with the run's edits; WarmPlanError when an edit's text is in no code cell."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    for edit in run.edits:
        holders = [cell for cell in code if edit.old in cell.source]
        if not holders:
            raise WarmPlanError(f"warm-up run {run.name!r}: no code cell of the solution holds {edit.old!r}")
        for cell in holders:
            cell.source = cell.source.replace(edit.old, edit.new)
    return nb


def check(plan: WarmPlan, solution: nbformat.NotebookNode) -> list[str]:
    """Every problem applying the plan to `solution` (for `tdgrade build`)."""
    problems = []
    for run in plan.runs():
        try:
            edited = apply(solution, run)
        except WarmPlanError as exc:
            problems.append(str(exc))
            continue
        if run.name != "solution" and _code(edited) == _code(apply(solution, plan.runs()[0])):
            problems.append(f"warm-up run {run.name!r} changes nothing beyond [compile_only]")
    return problems


def _code(nb) -> list[str]:
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]
