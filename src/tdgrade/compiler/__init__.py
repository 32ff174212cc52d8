"""`tdgrade build`: source/LAB -> release/LAB, autograder/LAB, solutions/LAB.

Stages: policy (points, checker library) -> assign (Otter Assign) -> preprocessors -> layout ->
leak scan -> solutions. The whole
output is a function of source/LAB: two builds give byte-identical trees, and `--check` compares a
fresh build against the committed one without touching it.
"""
import filecmp
import shutil
import tempfile
from pathlib import Path

import nbformat

from ..sandbox import warm_plan
from ..sandbox.compile_cache import declares_jax
from ..sandbox.warm_plan import WARMUP_FILE
from ..common.budgets import DEFAULT_TIMEOUT
from ..hidden import Suite
from ..labs import Lab
from . import layout, leaks, manual, nbgrader_export, policy
from .assign import run_otter_assign
from .preprocessors import write_notebook
from .solutions import execute_solution, recorded_digest, source_digest


class BuildError(RuntimeError):
    pass


def _tree_diff(fresh: Path, committed: Path) -> list[str]:
    """Files that differ, are missing or are extra in `committed`, relative paths."""
    def files(root):
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()

    new, old = files(fresh), files(committed)
    diffs = [f"missing: {p}" for p in sorted(new - old)] + [f"extra: {p}" for p in sorted(old - new)]
    diffs += [f"differs: {p}" for p in sorted(new & old) if not filecmp.cmp(fresh / p, committed / p, shallow=False)]
    return diffs


def _replace_tree(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    staging = dst.with_name(f".{dst.name}.new")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(src, staging)
    shutil.rmtree(dst, ignore_errors=True)
    staging.rename(dst)


def compile_lab(lab: Lab, scratch: Path):
    """Compile into `scratch`; return (release dir, autograder dir, assign output). Leak-scanned."""
    if not lab.source_notebook.is_file():
        raise BuildError(f"{lab.source_notebook}: source notebook not found")
    src = scratch / "source"
    shutil.copytree(lab.source_dir, src, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    try:
        policy.apply(src / lab.notebook_name)
    except policy.PolicyError as exc:
        raise BuildError(f"{lab.source_notebook}: {exc}") from exc
    assigned = run_otter_assign(src / lab.notebook_name, scratch / "dist")
    try:
        manual_questions = manual.manual_questions(src / lab.notebook_name)
    except manual.RubricError as exc:
        raise BuildError(f"rubric: {exc}") from exc
    release, autograder = scratch / "release", scratch / "autograder"
    layout.write_autograder(assigned, lab.name, autograder)
    _write_warm_plan(src / WARMUP_FILE, layout.solution_notebook(assigned), autograder / WARMUP_FILE)
    suite = Suite.from_dir(autograder / "tests")
    setup_code = "\n".join(c.source for c in nbformat.read(src / lab.notebook_name, as_version=4).cells
                           if c.cell_type == "code")
    layout.write_release(assigned, lab.name, src, release, written=manual_questions,
                         auto_points=sum(suite.questions.values()),
                         backend="jax" if declares_jax(setup_code) else "tensorflow",
                         time_budget_s=DEFAULT_TIMEOUT["full"])
    nbgrader_export.write_course(lab.source_notebook, lab.name, suite.case_points(), autograder / "nbgrader")
    manual.write_manual(manual_questions, autograder / manual.MANUAL_FILE)
    found = leaks.scan(release, leaks.solution_lines(assigned.autograder_dir / lab.notebook_name),
                       leaks.hidden_test_lines(autograder / "tests"), manual.rubric_lines(manual_questions))
    if found:
        raise BuildError(f"leak scan: {len(found)} leak(s) into release/{lab.name}:\n  "
                         + "\n  ".join(map(str, found[:30])))
    return release, autograder, assigned


def _write_warm_plan(plan_file: Path, solution, out: Path) -> None:
    """Copy source/LAB/warmup.toml beside the hidden tests once every run of it applies to the solution."""
    if not plan_file.is_file():
        return
    try:
        problems = warm_plan.check(warm_plan.load(plan_file), solution)
    except warm_plan.WarmPlanError as exc:
        problems = [str(exc)]
    if problems:
        raise BuildError(f"{WARMUP_FILE}: " + "; ".join(problems))
    shutil.copyfile(plan_file, out)


def build_lab(lab: Lab, check: bool = False, execute: bool = True, log=print) -> list[str]:
    """Build (or with `check`, verify) one lab. Returns the stale items found (check mode)."""
    digest = source_digest(lab.source_dir)
    solution_path = lab.solutions_dir / lab.notebook_name
    with tempfile.TemporaryDirectory(prefix=f"tdgrade-build-{lab.name}-") as tmp:
        release, autograder, assigned = compile_lab(lab, Path(tmp))
        log(f"{lab.name}: compiled, leak scan clean")
        if check:
            stale = [f"release/{lab.name}: {d}" for d in _tree_diff(release, lab.release_dir)]
            stale += [f"autograder/{lab.name}: {d}" for d in _tree_diff(autograder, lab.autograder_dir)]
            if recorded_digest(solution_path) != digest:
                stale.append(f"solutions/{lab.name}/{lab.notebook_name}: not executed from the current source")
            return stale
        _replace_tree(release, lab.release_dir)
        _replace_tree(autograder, lab.autograder_dir)
        log(f"{lab.name}: wrote release/{lab.name} and autograder/{lab.name}")
        if recorded_digest(solution_path) == digest:
            log(f"{lab.name}: solutions up to date (source unchanged)")
        elif not execute:
            log(f"{lab.name}: solutions STALE (run `tdgrade build {lab.name}` without --no-execute)")
        else:
            log(f"{lab.name}: executing the solution notebook (full profile, several minutes)...")
            nb = execute_solution(layout.solution_notebook(assigned), release, digest, log=log)
            lab.solutions_dir.mkdir(parents=True, exist_ok=True)
            write_notebook(nb, solution_path)
            log(f"{lab.name}: wrote {solution_path.relative_to(lab.root)}")
    return []
