"""Public self-checks in French, shipped next to each student notebook as `release/LAB/selfcheck.py`.

In the notebook, `grader = Notebook("LAB.ipynb")` keeps otter's API (`grader.check("q")`,
`grader.check_all()`, grading mode, otter's log) but shows one short French line per question:
✔, or ✘ with the French message of the first failing public check and a hint when a name is not
defined yet; never the test's source, otter's English frame or a traceback.

In a shell, `python3 selfcheck.py LAB.ipynb` executes the notebook (nbclient) and prints the same
lines for every question; exit code 0 when every public check passes, 1 otherwise, 2 when the
notebook or its tests/ folder cannot be read.

This file must stay self-contained (standard library, otter, nbformat, nbclient): students get it
without tdgrade.
"""
from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import asdict, dataclass, field
from inspect import currentframe, signature
from pathlib import Path

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
class CheckReport:
    """What `grader.check`/`grader.check_all` return: rendered in French as HTML or plain text."""

    questions: list[QuestionReport] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(q.passed for q in self.questions)

    def summary(self) -> str:
        n = sum(q.passed for q in self.questions)
        return f"{n}/{len(self.questions)} questions passent leurs vérifications publiques."

    def text(self) -> str:
        lines = [q.text() for q in self.questions]
        return "\n".join(lines + ([self.summary()] if len(self.questions) > 1 else []))

    def __repr__(self) -> str:
        return self.text()

    __str__ = __repr__

    def _repr_html_(self) -> str:
        body = "".join(q.html() for q in self.questions)
        if len(self.questions) > 1:
            n = sum(q.passed for q in self.questions)
            body += f"<p><strong>{n}/{len(self.questions)}</strong> questions passent leurs vérifications publiques.</p>"
        return f"<div class='selfcheck'>{body}</div>"

    def to_json(self) -> str:
        return json.dumps([asdict(q) for q in self.questions], ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "CheckReport":
        return cls([QuestionReport(**q) for q in json.loads(text)])


def _inline(text: str) -> str:
    """Escape, then show `name` as code, as in the prompts."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _params(case) -> list[str]:
    func = getattr(getattr(case, "body", None), "test_func", None)
    try:
        return [p for p in signature(func).parameters if p not in ("env", PROFILE_PARAM)]
    except (TypeError, ValueError):
        return []


def _crash_message(exc: BaseException, params: list[str]) -> str:
    names = ", ".join(f"`{p}`" for p in params) or "celles de la question"
    return (f"La vérification n'a pas pu s'exécuter sur votre réponse ({type(exc).__name__}). "
            f"Vérifiez le type et la forme des variables de cette question : {names}.")


def _otter_message(text: str | None) -> str:
    """The assertion message inside otter's English failure text (fallback only)."""
    found = re.search(r"^AssertionError: (.*)\Z", text or "", re.S | re.M)
    return found.group(1).strip() if found and found.group(1).strip() else DEFAULT_FAILURE


def _case_message(case_result, env: dict) -> str:
    """Re-run the failing case to get its exception (otter keeps only formatted text with source)."""
    body = case_result.test_case.body
    try:
        body.call_func(env)
    except AssertionError as exc:
        return str(exc).strip() or DEFAULT_FAILURE
    except Exception as exc:  # noqa: BLE001 - any crash becomes a French message, no traceback
        return _crash_message(exc, _params(case_result.test_case))
    return _otter_message(case_result.message)


def _hint(params: list[str], env: dict, message: str) -> str:
    """What to do when a name the failing check reads (and its message names) is missing or still `...`."""
    named = [p for p in params if f"`{p}`" in message]
    missing = [p for p in named if p not in env]
    todo = [p for p in named if p in env and env[p] is Ellipsis]
    if missing:
        names = ", ".join(f"`{p}`" for p in missing)
        verb = "n'existe" if len(missing) == 1 else "n'existent"
        return (f"{names} {verb} pas encore dans le noyau : exécutez dans l'ordre les cellules au-dessus "
                "(dont celle de votre réponse), puis relancez cette vérification.")
    if todo:
        names = ", ".join(f"`{p}`" for p in todo)
        verb = "vaut" if len(todo) == 1 else "valent"
        return f"{names} {verb} encore `...` : remplacez les `...` par votre code et exécutez la cellule."
    return ""


def translate(test_file, env: dict) -> QuestionReport:
    """An otter TestFile, already run on `env`, as a French QuestionReport (public cases only)."""
    public = [r for r in test_file.test_case_results if not r.test_case.hidden]
    failed = next((r for r in public if not r.passed), None)
    if failed is None:
        return QuestionReport(test_file.name, True)
    message = _case_message(failed, env)
    return QuestionReport(test_file.name, False, message, _hint(_params(failed.test_case), env, message))


def unknown_question(question: str, tests_dir: Path) -> QuestionReport:
    known = sorted(p.stem for p in Path(tests_dir).glob("*.py") if p.name != "__init__.py")
    example = f" (par exemple « {known[0]} »)" if known else ""
    return QuestionReport(str(question), False,
                          f"Aucune vérification ne porte ce nom : recopiez le nom exact de la question{example}.")


def check_question(tests_dir: Path, question: str, env: dict) -> QuestionReport:
    """Run one question's public checks on `env` without otter's notebook machinery."""
    from otter.test_files import ExceptionTestFile

    path = Path(tests_dir) / f"{question}.py"
    if not path.is_file():
        return unknown_question(question, tests_dir)
    test_file = ExceptionTestFile.from_file(str(path))
    test_file.run(env)
    return translate(test_file, env)


def questions_in(tests_dir: Path) -> list[str]:
    return sorted(p.stem for p in Path(tests_dir).glob("*.py") if p.name != "__init__.py")


def check_all_in(tests_dir: Path, env: dict) -> CheckReport:
    return CheckReport([check_question(tests_dir, q, env) for q in questions_in(tests_dir)])


try:  # the notebook API; without otter (e.g. a bare shell), only the shell runner is usable
    import otter as _otter

    class Notebook(_otter.Notebook):
        """otter's `Notebook` whose `check`/`check_all` print French lines instead of otter's frame."""

        def check(self, question, global_env=None):
            env = global_env if global_env is not None else currentframe().f_back.f_globals
            try:
                test_file = super().check(question, env)
            except FileNotFoundError:
                return CheckReport([unknown_question(question, self._tests_dir)])
            except Exception as exc:  # noqa: BLE001 - a broken test file: French line, no traceback
                return CheckReport([QuestionReport(str(question), False, _crash_message(exc, []))])
            return CheckReport([translate(test_file, env)])

        def check_all(self, global_env=None):
            env = global_env if global_env is not None else currentframe().f_back.f_globals
            report = CheckReport()
            for question in questions_in(self._tests_dir):
                report.questions += self.check(question, env).questions
            return report
except ImportError:  # pragma: no cover - otter is in requirements.txt
    Notebook = None


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


def run_notebook(path, *, timeout: int | None = None, env: dict | None = None, log=print) -> int:
    """Execute the notebook at `path` in a fresh kernel, then print every question's public checks."""
    import os

    import nbformat
    from nbclient import NotebookClient

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
    log(f"Exécution de {path.name} du début à la fin (cela peut prendre plusieurs minutes)...")
    report_cell = nbformat.v4.new_code_cell(_report_cell(tests_dir))
    nb.cells.append(report_cell)
    kernel_env = dict(os.environ)
    kernel_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parent),
                                                             kernel_env.get("PYTHONPATH")]))
    kernel_env.update(env or {})
    # a cell over the time limit is interrupted (its error is reported) and the run goes on
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=True,
                            timeout_func=lambda cell: None if cell is report_cell else timeout,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=kernel_env, cwd=str(path.parent))
    except Exception as exc:  # noqa: BLE001 - timeout or dead kernel: French line, no traceback
        log(f"L'exécution s'est arrêtée ({type(exc).__name__}) : une cellule a dépassé le temps permis ou "
            "le noyau Python s'est arrêté (mémoire ?). Corrigez la cellule en cause puis relancez.")
    extra = nb.cells.pop()
    printed = "".join(o.get("text", "") for o in extra.get("outputs", []) if o.get("output_type") == "stream")
    for line in _cell_errors(nb):
        log("  " + line)
    if REPORT_MARK not in printed:
        log("Les vérifications n'ont pas pu s'exécuter après le notebook (le noyau s'est-il arrêté ?).")
        return 1
    report = CheckReport.from_json(printed.split(REPORT_MARK, 1)[1].strip().splitlines()[0])
    for question in report.questions:
        log("\n".join("  " + line for line in question.text().splitlines()))
    log(report.summary())
    return 0 if report.passed else 1


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python3 selfcheck.py",
                                     description="Exécute le notebook puis ses vérifications publiques.")
    parser.add_argument("notebook", help="le notebook du TD, par exemple keras_cv.ipynb")
    parser.add_argument("--timeout", type=int, default=None, help="secondes au plus par cellule")
    args = parser.parse_args(argv)
    return run_notebook(args.notebook, timeout=args.timeout)


if __name__ == "__main__":
    sys.exit(main())
