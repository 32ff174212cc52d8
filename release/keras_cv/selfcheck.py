"""Public self-checks in French, shipped next to each student notebook as `release/LAB/selfcheck.py`.

In the notebook, `grader = Notebook("LAB.ipynb")` keeps otter's `Notebook(nb_path=None,
tests_dir="./tests")` constructor, `grader.check("q")` and `grader.check_all()`, but shows one short
French line per question: ✔, or ✘ with the French message of the first failing public check and a
hint when a name is not defined yet; never the test's source, otter's English frame or a traceback.

In a shell, `python3 selfcheck.py LAB.ipynb` executes the notebook (nbclient) and prints the same
lines for every question; exit code 0 when every public check passes, 1 otherwise, 2 when the
notebook or its tests/ folder cannot be read. `python3 selfcheck.py --rendu LAB.ipynb` (before
handing in) runs the saved notebook the same way in a fresh kernel, as the grader does, then shows
its duration against the grader's time budget, the answer cells still holding `...`, the written
answers still empty and the failing checks, and ends with one line: ready to hand in (exit 0) or
not (exit 1). The written questions and the budget come from `tests/selfcheck.json` (the build).
One file on purpose: it is shipped to students next to the notebook, alone.

This file must stay self-contained: students get it without tdgrade. The notebook API uses the
standard library only and never imports otter (`import otter` costs ~3 s of CPU, nbconvert and
jsonschema included, in every student kernel and every graded one). The test files
(`from otter.test_files import test_case`) are executed with their own `__import__`, which answers
`otter` and `otter.test_files` with a stand-in holding only `test_case` and leaves sys.modules
alone: a student who imports otter gets the real package. Test cases are called as otter calls them
(each parameter bound by name from the notebook's globals, None when missing; `env` is the globals)
and fail on any exception, as in `tdgrade.hidden`; only public cases (`hidden=False`) run here.
The shell runner alone needs nbformat and nbclient.

Dropped from otter.Notebook (no release notebook calls them, and grading does not use them):
`.OTTER_LOG` (the client log of checks and exports), the `.otter` config file, tests stored in
the notebook's metadata, tests downloaded from `tests_url_prefix` (JupyterLite), `export`,
`to_pdf`, `run_plugin`, `add_plugin_files`, and otter's grading mode: otter's own grader (Gradescope
zip) sets its grading mode on `otter.Notebook`, not on this class, and runs every test file itself
after executing the notebook (its final cell, `Checker.check_if_not_already_checked`); a
`grader.check` cell then only prints its French line, and tdgrade's Gradescope runner discarded the
results of mid-way checks anyway (`GradeFinalValues`).
"""
from __future__ import annotations

import builtins
import html
import json
import re
import sys
import types
from dataclasses import asdict, dataclass, field
from inspect import currentframe, signature
from pathlib import Path
from typing import Callable

DEFAULT_FAILURE = "Cette vérification échoue : relisez l'énoncé de la question."
PROFILE_PARAM = "TDGRADE_PROFILE"  # given by the grader, never a student's answer
REPORT_MARK = "@@selfcheck-report@@"


@dataclass
class QuestionReport:
    """The outcome of one question's public checks, as shown to the student."""

    name: str
    passed: bool
    message: str = ""
    hint: str = ""

    def text(self) -> str:
        if self.passed:
            return f"✔ {self.name} : vérifications publiques réussies."
        line = f"✘ {self.name} : {self.message}"
        return line + (f"\n    Indice : {self.hint}" if self.hint else "")

    def html(self) -> str:
        name = f"<code>{html.escape(self.name)}</code>"
        if self.passed:
            return f"<p style='margin:.2em 0'><span style='color:#1a7f37'>✔</span> {name} : " \
                   "vérifications publiques réussies.</p>"
        out = f"<p style='margin:.2em 0'><span style='color:#c62828'>✘</span> {name} : {_inline(self.message)}"
        if self.hint:
            out += f"<br><em>Indice :</em> {_inline(self.hint)}"
        return out + "</p>"


@dataclass
class WrittenAnswer:
    """A written answer (graded by a teacher) and whether the saved notebook holds one."""

    name: str
    label: str  # "Question fm02 (suite)", as the prompt says
    points: float
    answered: bool


def _points_fr(points: float) -> str:
    return f"{points:g}".replace(".", ",") + (" points" if points >= 2 else " point")


def written_summary(written: list[WrittenAnswer]) -> list[str]:
    """French lines on the written answers still empty (nothing when the lab has none)."""
    if not written:
        return []
    total = _points_fr(sum(w.points for w in written))
    empty = [w for w in written if not w.answered]
    if not empty:
        return [f"Réponses rédigées ({total}, corrigées par l'enseignant·e) : toutes remplies."]
    lines = [f"Réponses rédigées ({total}, corrigées par l'enseignant·e) : {len(empty)} encore vide(s), "
             f"{_points_fr(sum(w.points for w in empty))} en jeu (d'après la dernière sauvegarde du notebook) :"]
    return lines + [f"  – {w.label} ({_points_fr(w.points)})" for w in empty]


@dataclass
class CheckReport:
    """What `grader.check`/`grader.check_all` return: rendered in French as HTML or plain text."""

    questions: list[QuestionReport] = field(default_factory=list)
    written: list[WrittenAnswer] = field(default_factory=list)  # check_all only

    @property
    def passed(self) -> bool:
        return all(q.passed for q in self.questions)

    def summary(self) -> str:
        n = sum(q.passed for q in self.questions)
        return f"{n}/{len(self.questions)} questions passent leurs vérifications publiques."

    def text(self) -> str:
        lines = [q.text() for q in self.questions]
        return "\n".join(lines + ([self.summary()] if len(self.questions) > 1 else []) + written_summary(self.written))

    def __repr__(self) -> str:
        return self.text()

    __str__ = __repr__

    def _repr_html_(self) -> str:
        body = "".join(q.html() for q in self.questions)
        if len(self.questions) > 1:
            n = sum(q.passed for q in self.questions)
            body += f"<p><strong>{n}/{len(self.questions)}</strong> questions passent leurs vérifications publiques.</p>"
        written = written_summary(self.written)
        if written:
            items = "".join(f"<li>{_inline(line.strip(' –'))}</li>" for line in written[1:])
            body += f"<p>{_inline(written[0])}</p>" + (f"<ul>{items}</ul>" if items else "")
        return f"<div class='selfcheck'>{body}</div>"

    def to_json(self) -> str:
        return json.dumps([asdict(q) for q in self.questions], ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "CheckReport":
        return cls([QuestionReport(**q) for q in json.loads(text)])


# --- written answers, read from the saved notebook ------------------------------------------------

FACTS_FILE = "selfcheck.json"  # written by `tdgrade build` next to the test files


def lab_facts(tests_dir: Path) -> dict:
    """The written questions and the grader's time budget (empty when the file is absent)."""
    try:
        return json.loads((Path(tests_dir) / FACTS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def written_answers(notebook: dict, facts: dict) -> list[WrittenAnswer]:
    """Each written question of `facts` and whether `notebook` (its JSON) answers it: an answer cell (the
    cells after the prompt, up to the next locked cell) holding more than the release's own text."""
    cells = notebook.get("cells", [])
    out = []
    for question in facts.get("written", []):
        label = re.search(r"\*\*(Question [^*]+)\*\*", question["prompt"])
        scaffolds = {text.strip() for text in question.get("scaffolds", [])}
        start = next((i for i, c in enumerate(cells) if c.get("cell_type") == "markdown"
                      and question["prompt"] in _cell_text(c)), None)
        answered = False
        for cell in cells[start + 1:] if start is not None else []:
            if cell.get("metadata", {}).get("editable") is False:
                break
            text = _cell_text(cell).strip()
            answered = answered or (bool(text) and text not in scaffolds)
        out.append(WrittenAnswer(question["name"], label.group(1) if label else question["name"],
                                 float(question.get("points", 0)), answered))
    return out


def written_in_file(notebook_path, tests_dir: Path) -> list[WrittenAnswer]:
    """`written_answers` of the notebook as last saved (nothing when it cannot be read)."""
    try:
        notebook = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError):
        return []
    return written_answers(notebook, lab_facts(tests_dir))


def _inline(text: str) -> str:
    """Escape, then show `name` as code, as in the prompts."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


# --- test files, without otter ---------------------------------------------------------------------

@dataclass(eq=False)
class TestCase:
    """One `@test_case(...)` of a test file: the stand-in for `otter.test_files.test_case`.

    Same constructor as otter's decorator; calling the instance on the test function records it.
    """

    name: str | None = None
    points: float | None = None
    hidden: bool = False
    success_message: str | None = None
    failure_message: str | None = None
    func: Callable[..., None] | None = field(default=None, repr=False)

    __test__ = False  # not a pytest test class

    def __call__(self, func: Callable[..., None]) -> "TestCase":
        self.func = func
        return self

    @property
    def params(self) -> list[str]:
        return list(signature(self.func).parameters) if self.func is not None else []

    def call(self, env: dict) -> None:
        """As otter's `test_case.call_func`: each parameter is the value of that name in `env`
        (None when missing), `env` itself for a parameter named `env`. An undecorated case passes,
        as otter's default `test_func` does."""
        if self.func is not None:
            self.func(**{p: (env if p == "env" else env.get(p)) for p in self.params})


def _stand_in_otter() -> types.ModuleType:
    """`otter` and `otter.test_files` as test files see them: only `test_case`. Never put in
    sys.modules, so a student's own `import otter` still gets the real package."""
    test_files = types.ModuleType("otter.test_files")
    test_files.test_case = TestCase
    package = types.ModuleType("otter")
    package.test_files = test_files
    return package


_OTTER = _stand_in_otter()


def _test_file_import(name, globals=None, locals=None, fromlist=(), level=0):
    """`__import__` of the test files: otter's two names answered by the stand-in, any other import
    (numpy, tdgrade_checks, ...) by the real `__import__`, also inside the test functions."""
    if level == 0 and name in ("otter", "otter.test_files"):
        return _OTTER.test_files if fromlist and name == "otter.test_files" else _OTTER
    return builtins.__import__(name, globals, locals, fromlist, level)


@dataclass
class TestFile:
    """A function-style otter test file (`OK_FORMAT = False`): its `name` and its test cases."""

    name: str
    path: str
    cases: list[TestCase]

    __test__ = False  # not a pytest test class

    @classmethod
    def from_source(cls, source: str, path: str = "<string>") -> "TestFile":
        """Execute the file as otter's `ExceptionTestFile` does: every `TestCase` among its globals,
        in definition order, unnamed cases named `NAME - i`."""
        env = {"__builtins__": dict(vars(builtins), __import__=_test_file_import)}
        exec(compile(source, path, "exec"), env)
        if "name" not in env:
            raise ValueError(f"Test file {path} does not define 'name'")
        if env.get("OK_FORMAT"):
            raise ValueError(f"Test file {path} is an OK-format test; selfcheck runs function-style tests only")
        cases = []
        for value in list(env.values()):
            if isinstance(value, TestCase):
                if value.name is None:
                    value.name = f"{env['name']} - {len(cases) + 1}"
                cases.append(value)
        return cls(env["name"], path, cases)

    @classmethod
    def from_file(cls, path) -> "TestFile":
        return cls.from_source(Path(path).read_text(encoding="utf-8"), str(path))


# --- French reports ---------------------------------------------------------------------------------

def _checked_names(case: TestCase) -> list[str]:
    return [p for p in case.params if p not in ("env", PROFILE_PARAM)]


def _crash_message(exc: BaseException, params: list[str]) -> str:
    names = ", ".join(f"`{p}`" for p in params) or "celles de la question"
    return (f"La vérification n'a pas pu s'exécuter sur votre réponse ({type(exc).__name__}). "
            f"Vérifiez le type et la forme des variables de cette question : {names}.")


def _hint(params: list[str], env: dict, message: str) -> str:
    """What to do when a name the failing check reads (and its message names) is missing or still `...`."""
    named = [p for p in params if f"`{p}`" in message]
    missing = [p for p in named if p not in env]
    todo = [p for p in named if p in env and env[p] is Ellipsis]
    # a name still `...` is the prompt's own: when a message names alternatives (`cv_scores` or
    # `optimizer_cv`), the one the prompt cell defines is the one to write, not the optional other
    if missing and not todo:
        names = ", ".join(f"`{p}`" for p in missing)
        verb = "n'existe" if len(missing) == 1 else "n'existent"
        return (f"{names} {verb} pas encore dans le noyau : exécutez dans l'ordre les cellules au-dessus "
                "(dont celle de votre réponse), puis relancez cette vérification.")
    if todo:
        names = ", ".join(f"`{p}`" for p in todo)
        verb = "vaut" if len(todo) == 1 else "valent"
        return f"{names} {verb} encore `...` : remplacez les `...` par votre code et exécutez la cellule."
    return ""


def run_public(test_file: TestFile, env: dict) -> QuestionReport:
    """Run the public cases in order on `env`; the first failing one gives the French message (the
    cases after it are not run: the student sees one line per question, as before)."""
    for case in test_file.cases:
        if case.hidden:
            continue
        try:
            case.call(env)
            continue
        except AssertionError as exc:
            message = str(exc).strip() or DEFAULT_FAILURE
        except Exception as exc:  # noqa: BLE001 - as otter: any crash fails the case; French line, no traceback
            message = _crash_message(exc, _checked_names(case))
        return QuestionReport(test_file.name, False, message, _hint(_checked_names(case), env, message))
    return QuestionReport(test_file.name, True)


def unknown_question(question: str, tests_dir: Path) -> QuestionReport:
    known = questions_in(tests_dir)
    example = f" (par exemple « {known[0]} »)" if known else ""
    return QuestionReport(str(question), False,
                          f"Aucune vérification ne porte ce nom : recopiez le nom exact de la question{example}.")


def check_question(tests_dir: Path, question: str, env: dict) -> QuestionReport:
    """One question's public checks on `env` (a missing or broken test file: a French line)."""
    path = Path(tests_dir) / f"{question}.py"
    if not path.is_file():
        return unknown_question(question, tests_dir)
    try:
        test_file = TestFile.from_file(path)
    except Exception as exc:  # noqa: BLE001 - a broken test file: French line, no traceback
        return QuestionReport(str(question), False, _crash_message(exc, []))
    return run_public(test_file, env)


def questions_in(tests_dir: Path) -> list[str]:
    return sorted(p.stem for p in Path(tests_dir).glob("*.py") if p.name != "__init__.py")


def check_all_in(tests_dir: Path, env: dict) -> CheckReport:
    return CheckReport([check_question(tests_dir, q, env) for q in questions_in(tests_dir)])


class Notebook:
    """`grader` in the student's notebook: otter.Notebook's constructor and checks, in French."""

    def __init__(self, nb_path: str | None = None, tests_dir: str = "./tests", tests_url_prefix: str | None = None):
        if tests_url_prefix is not None:  # otter downloads tests only on JupyterLite
            raise ValueError("selfcheck.Notebook reads the tests from tests_dir; tests_url_prefix is not supported")
        self._notebook = nb_path
        self._tests_dir = tests_dir

    def check(self, question: str, global_env: dict | None = None) -> CheckReport:
        """The question's public checks on `global_env` (default: the caller's globals)."""
        env = global_env if global_env is not None else currentframe().f_back.f_globals
        return CheckReport([check_question(Path(self._tests_dir), question, env)])

    def check_all(self, global_env: dict | None = None) -> CheckReport:
        """Every question's public checks, then the written answers still empty in the saved notebook."""
        env = global_env if global_env is not None else currentframe().f_back.f_globals
        report = check_all_in(Path(self._tests_dir), env)
        if self._notebook:
            report.written = written_in_file(self._notebook, Path(self._tests_dir))
        return report


# --- shell runner ------------------------------------------------------------------------------

def _cell_errors(nb) -> list[str]:
    lines, number = [], 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                lines.append(f"! erreur dans la cellule de code n°{number} : "
                             f"{str(out.get('ename'))[:80]}: {str(out.get('evalue'))[:200]}")
    return lines


def _report_cell(tests_dir: Path) -> str:
    return ("import selfcheck as _selfcheck\n"
            f"print({REPORT_MARK!r} + _selfcheck.check_all_in({str(tests_dir)!r}, globals()).to_json())")


def _duration_fr(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest:02d} s" if rest else f"{minutes} min"


_QUESTION_HEADING = re.compile(r"\*\*Question (\w+)")


def _ellipsis_lines(source: str) -> list[int]:
    """Lines of `source` where `...` is code (not in a comment or a string): an answer still to write."""
    import io
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return [i + 1 for i, line in enumerate(source.splitlines()) if "..." in line.split("#")[0]]
    return sorted({t.start[0] for t in tokens if t.type == tokenize.OP and t.string == "..."})


def unfinished_cells(nb) -> list[str]:
    """One French line per answer cell still holding `...`, named by the question above it."""
    out, question, number = [], None, 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = _QUESTION_HEADING.search(cell.source)
            question = found.group(1) if found else question
            continue
        if cell.cell_type != "code":
            continue
        number += 1
        if cell.metadata.get("editable") is False:
            continue
        lines = _ellipsis_lines(cell.source)
        if lines:
            where = f"question {question}, " if question else ""
            out.append(f"{where}cellule de code n°{number} (ligne {', '.join(map(str, lines))})")
    return out


@dataclass
class Execution:
    """What one run of the notebook in a fresh kernel gave."""

    report: CheckReport | None  # None when the checks could not run after the notebook
    errors: list[str]
    seconds: float
    stopped: bool  # a timeout or a dead kernel stopped the run


def execute(path: Path, nb, tests_dir: Path, timeout: int | None, env: dict | None) -> Execution:
    """Run `nb` (read from `path`) top to bottom in a fresh kernel, then its public checks."""
    import os
    import tempfile
    import time

    import nbformat
    from nbclient import NotebookClient

    report_cell = nbformat.v4.new_code_cell(_report_cell(tests_dir))
    nb.cells.append(report_cell)
    kernel_env = dict(os.environ)
    kernel_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent),
                                                             kernel_env.get("PYTHONPATH")]))
    kernel_env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's English warning on stderr
    kernel_env.update(env or {})
    # a cell over the time limit is interrupted (its error is reported) and the run goes on
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
                            timeout_func=lambda cell: None if cell is report_cell else timeout,
                            # the kernel's English log ("running over TCP without encryption": a local
                            # kernel) would end the student's French output on stderr
                            extra_arguments=["--IPKernelApp.log_level=ERROR"],
                            resources={"metadata": {"path": str(path.parent)}})
    start, stopped = time.monotonic(), False
    # The kernel process writes its own English log to its stderr, sometimes after the last cell (a
    # shutdown race in ipykernel: "Socket operation on non-socket"). It is not about the student's
    # work, so it goes to a scratch file; everything the notebook printed is in the cells' outputs.
    with tempfile.TemporaryFile() as kernel_log:
        try:
            client.execute(env=kernel_env, cwd=str(path.parent), stdout=kernel_log, stderr=kernel_log)
        except Exception:  # noqa: BLE001 - timeout or dead kernel: reported in French by the caller
            stopped = True
    seconds = time.monotonic() - start
    extra = nb.cells.pop()
    printed = "".join(o.get("text", "") for o in extra.get("outputs", []) if o.get("output_type") == "stream")
    report = None
    if REPORT_MARK in printed:
        report = CheckReport.from_json(printed.split(REPORT_MARK, 1)[1].strip().splitlines()[0])
    return Execution(report, _cell_errors(nb), seconds, stopped)


def run_notebook(path, *, timeout: int | None = None, env: dict | None = None, log=print, rendu: bool = False) -> int:
    """Execute the notebook at `path` in a fresh kernel, then print every question's public checks.
    With `rendu`, also what is left before handing it in, and one last line: ready or not."""
    import nbformat

    path = Path(path).resolve()
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets the same answer
        log(f"Impossible de lire {path.name} comme un notebook Jupyter : {exc}")
        return 2
    tests_dir = path.parent / "tests"
    if not tests_dir.is_dir():
        log(f"Dossier tests/ introuvable à côté de {path.name} : gardez le notebook dans son dossier de TD.")
        return 2
    if rendu:
        log(f"Vérification avant de rendre {path.name} : le notebook tel qu'il est enregistré sur le disque "
            "(enregistrez-le d'abord : Ctrl+S).")
    log(f"Exécution de {path.name} du début à la fin, dans un noyau Python neuf (cela peut prendre plusieurs minutes)...")
    run = execute(path, nb, tests_dir, timeout, env)
    if run.stopped:
        log("L'exécution s'est arrêtée : une cellule a dépassé le temps permis ou le noyau Python s'est arrêté "
            "(mémoire ?). Corrigez la cellule en cause puis relancez.")
    for line in run.errors:
        log("  " + line)
    if run.report is None:
        log("Les vérifications n'ont pas pu s'exécuter après le notebook (le noyau s'est-il arrêté ?).")
    else:
        for question in run.report.questions:
            log("\n".join("  " + line for line in question.text().splitlines()))
        log(run.report.summary())
    if not rendu:
        return 0 if run.report is not None and run.report.passed else 1
    return _rendu_verdict(path, nb, tests_dir, run, log)


def _rendu_verdict(path: Path, nb, tests_dir: Path, run: Execution, log) -> int:
    """What is left before handing in, then one line: ready (0) or not (1)."""
    facts = lab_facts(tests_dir)
    budget = float(facts.get("time_budget_s", 0) or 0)
    over = bool(budget) and run.seconds > budget
    within = f" ; la correction accorde {_duration_fr(budget)} au notebook entier" if budget else ""
    log(f"Durée de l'exécution : {_duration_fr(run.seconds)}{within}"
        + (" : DÉPASSÉ, allégez les calculs." if over else "."))
    unfinished = unfinished_cells(nb)
    if unfinished:
        log(f"Encore des `...` à remplacer par votre code ({len(unfinished)} cellule(s)) :")
        for line in unfinished:
            log(f"  – {line}")
    written = written_in_file(path, tests_dir)
    for line in written_summary(written):
        log(line)
    failing = [] if run.report is None else [q.name for q in run.report.questions if not q.passed]
    problems = (["l'exécution s'est arrêtée"] if run.stopped else []) \
        + ([f"{len(run.errors)} cellule(s) en erreur"] if run.errors else []) \
        + (["vérifications publiques non exécutées"] if run.report is None else []) \
        + ([f"{len(failing)} vérification(s) publique(s) en échec"] if failing else []) \
        + ([f"{len(unfinished)} cellule(s) avec `...`"] if unfinished else []) \
        + ([f"{sum(not w.answered for w in written)} réponse(s) rédigée(s) vide(s)"]
           if any(not w.answered for w in written) else []) \
        + (["durée dépassée"] if over else [])
    if problems:
        log(f"✘ PAS ENCORE PRÊT À RENDRE : {' ; '.join(problems)}. Vous pouvez rendre quand même, "
            f"mais ces points seront perdus.")
        return 1
    log(f"✔ PRÊT À RENDRE : déposez {path.name} tel quel, sans le renommer.")
    return 0


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python3 selfcheck.py",
                                     description="Exécute le notebook puis ses vérifications publiques.")
    parser.add_argument("notebook", help="le notebook du TD, par exemple keras_cv.ipynb")
    parser.add_argument("--timeout", type=int, default=None, help="secondes au plus par cellule")
    parser.add_argument("--rendu", action="store_true",
                        help="avant de rendre : ce qui reste à faire, puis « prêt à rendre » ou non")
    args = parser.parse_args(argv)
    return run_notebook(args.notebook, timeout=args.timeout, rendu=args.rendu)


if __name__ == "__main__":
    sys.exit(main())
