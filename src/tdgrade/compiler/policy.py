"""Stage 0: the points policy and the checker library, applied to the scratch copy of the source.

Each question's prompt then states its points and whether a hidden test or a teacher grades it.

Points: a public test case (is it there, right type) carries no points; a question's points come
from its hidden case. When a question has several hidden cases, the instructor writes each one's
points in an Otter test-config block (partial credit only where written); they must add up to
the question's points. The rewritten test cells carry Otter's own test-config blocks, so the
otter test files, tdgrade's runner and the nbgrader export read the same points.

Checker library: `tdgrade_checks` (a guest-safe package, see its docstring) is copied next to the
notebook and listed in `autograder_files`, so Otter puts it in the Gradescope zip.
"""
import re
import shutil
from pathlib import Path

import nbformat
import yaml

CHECKS_PACKAGE = "tdgrade_checks"
_BEGIN = re.compile(r'^(?:.\s*=\s*)?""?"?\s*#\s*BEGIN\s*TEST\s*CONFIG', re.I)
_END = re.compile(r'^""?"?\s*#\s*END\s*TEST\s*CONFIG', re.I)
_DELIMITER = re.compile(r"^#\s*(BEGIN|END)\s+(QUESTION|TESTS)\b", re.I)


class PolicyError(ValueError):
    pass


def checks_source() -> Path:
    """The checker library's folder (the installed `tdgrade_checks` package)."""
    import tdgrade_checks

    return Path(tdgrade_checks.__file__).resolve().parent


def split_test_cell(source: str) -> tuple[dict, bool, str]:
    """(test config, hidden, function source) of a test cell: an Otter test-config block if
    present, else a first line `# HIDDEN` for hidden cases."""
    lines = source.strip("\n").split("\n")
    if lines and _BEGIN.match(lines[0]):
        end = next((i for i, line in enumerate(lines) if _END.match(line)), None)
        if end is None:
            raise PolicyError(f"test config without its END line:\n{source[:300]}")
        config = yaml.safe_load("\n".join(lines[1:end])) or {}
        return dict(config), bool(config.get("hidden", False)), "\n".join(lines[end + 1:])
    if lines and lines[0].lstrip().startswith("#") and re.search(r"\bhidden\b", lines[0], re.I):
        return {}, True, "\n".join(lines[1:])
    return {}, False, "\n".join(lines)


def _config_block(hidden: bool, points: float) -> str:
    body = yaml.safe_dump({"hidden": hidden, "points": points}, sort_keys=True).strip()
    return f'""" # BEGIN TEST CONFIG\n{body}\n""" # END TEST CONFIG'


def _resolve(question: dict, cells: list) -> None:
    """Rewrite one question's test cells with their points (see the module docstring)."""
    name, total = question.get("name"), question.get("points", 1)
    if not isinstance(total, (int, float)):
        raise PolicyError(f"question {name}: `points` must be a number under the tdgrade points policy")
    parsed = [split_test_cell(cell.source) for cell in cells]
    hidden = [i for i, (_, is_hidden, _) in enumerate(parsed) if is_hidden]
    if not hidden:
        raise PolicyError(f"question {name}: no hidden test case, so it would carry no points")
    explicit = [parsed[i][0].get("points") for i in hidden]
    unweighted = [i for i, p in zip(hidden, explicit) if p is None]
    written = sum(p for p in explicit if p is not None)
    if len(unweighted) > 1:
        raise PolicyError(f"question {name}: {len(unweighted)} hidden cases without `points`; merge them into "
                          "one (all or nothing) or write each case's points in a test-config block")
    points = {i: parsed[i][0].get("points") for i in hidden}
    if unweighted:
        points[unweighted[0]] = total - written
    if abs(sum(points.values()) - total) > 1e-9 or min(points.values()) < 0:
        raise PolicyError(f"question {name}: hidden case points {sorted(points.values())} do not add up to {total}")
    for i, cell in enumerate(cells):
        config, is_hidden, body = parsed[i]
        for key in ("points", "public_points"):
            if not is_hidden and config.get(key):
                raise PolicyError(f"question {name}: public test cases carry no points")
        cell.source = f"{_config_block(is_hidden, points[i] if is_hidden else 0)}\n{body.strip()}"


def apply_points(nb) -> None:
    """Give every test cell of `nb` its points (in place)."""
    question, in_tests, tests = None, False, []
    for cell in nb.cells:
        head = cell.source.strip()
        match = _DELIMITER.match(head) if cell.cell_type == "raw" else None
        if match:
            verb, what = match.group(1).upper(), match.group(2).upper()
            if what == "QUESTION" and verb == "BEGIN":
                question, tests = yaml.safe_load(head.split("\n", 1)[1]) or {}, []
            elif what == "QUESTION":
                if tests and not question.get("manual"):
                    _resolve(question, tests)
                question = None
            in_tests = what == "TESTS" and verb == "BEGIN"
            continue
        if in_tests and cell.cell_type == "code":
            tests.append(cell)


def points_fr(points: float) -> str:
    """"1 point", "0,5 point", "2 points": French number and agreement (plural from 2)."""
    number = f"{points:g}".replace(".", ",")
    return f"{number} point" + ("s" if points >= 2 else "")


def points_line(question: dict) -> str:
    """What the prompt says about the question's grading, shown to students."""
    points = points_fr(float(question.get("points", 1)))
    if question.get("manual"):
        return f"*{points} — réponse rédigée, corrigée par l'enseignant·e.*"
    return f"*{points} — corrigé automatiquement (tests cachés).*"


def show_points(nb) -> None:
    """Append to each question's prompt (its first markdown cell) its points and how it is graded:
    the question's config is the one source of both the points and what students read."""
    question = None
    for cell in nb.cells:
        match = _DELIMITER.match(cell.source.strip()) if cell.cell_type == "raw" else None
        if match and match.group(1).upper() == "BEGIN" and match.group(2).upper() == "QUESTION":
            question = yaml.safe_load(cell.source.strip().split("\n", 1)[1]) or {}
        elif question is not None and cell.cell_type == "markdown":
            cell.source = f"{cell.source.rstrip()}\n\n{points_line(question)}"
            question = None


def ship_checks(nb, notebook_dir: Path) -> None:
    """Copy the checker library next to the notebook and list it in `autograder_files`."""
    shutil.copytree(checks_source(), notebook_dir / CHECKS_PACKAGE,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    config_cell = nb.cells[0]
    header, _, body = config_cell.source.partition("\n")
    config = yaml.safe_load(body) or {}
    files = list(config.get("autograder_files") or [])
    if CHECKS_PACKAGE not in files:
        files.append(CHECKS_PACKAGE)
    config["autograder_files"] = files
    config_cell.source = f"{header}\n{yaml.safe_dump(config, sort_keys=False, allow_unicode=True).strip()}"


def apply(notebook: Path) -> None:
    """Apply the points policy and ship the checker library, rewriting `notebook` in place."""
    nb = nbformat.read(notebook, as_version=4)
    apply_points(nb)
    show_points(nb)
    ship_checks(nb, notebook.parent)
    nbformat.write(nb, notebook)
