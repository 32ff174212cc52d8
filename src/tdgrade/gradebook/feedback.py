"""Stage 5: per-student feedback in French, Markdown and HTML, from a `Result`.

Only the tests' own French messages are shown, never test source or tracebacks of the tests.
Errors of the student's own cells are shown (name and message only), they are the student's code.
"""
from __future__ import annotations

import html

from .feedback_manual import (_fmt, _override_of, manual_html, manual_markdown, override_text, passed,
                              question_score)
from .late import french_time, human
from .result import Result, Status

STATUS_LABELS = {
    Status.GRADED: "corrigé",
    Status.TIMEOUT: "temps dépassé",
    Status.KERNEL_DIED: "arrêt du noyau Python",
    Status.MEMORY_LIMIT: "mémoire dépassée",
    Status.PROCESS_LIMIT: "trop de processus",
    Status.DISK_LIMIT: "trop de données écrites",
    Status.UNREADABLE: "notebook illisible",
    Status.EMPTY: "notebook vide",
    Status.WRONG_LAB: "mauvais TD",
    Status.DUPLICATE: "dépôt en double",
    Status.GRADER_ERROR: "erreur du correcteur",
}
_PARTLY = "Les questions ont été corrigées sur ce qui a pu être calculé."


def _cell_ref(index) -> str:
    try:
        return f"la cellule n° {int(index) + 1} du notebook"
    except (TypeError, ValueError):
        return "une cellule"


def _timeout(result: Result, timeout, memory) -> str:
    where = _cell_ref(result.timeout_cell) if result.timeout_cell is not None else "une cellule"
    limit = f" ({timeout:.0f} s)" if timeout else ""
    return (f"Le temps d'exécution maximal{limit} a été atteint pendant {where} (boucle sans fin ? "
            "entraînement trop long ?). Les cellules suivantes n'ont pas été exécutées ; les questions "
            "ont été corrigées avec les variables qui existaient à ce moment-là.")


def _kernel_died(result: Result, timeout, memory) -> str:
    if result.deaths:
        cells = ", ".join(_cell_ref(d) for d in result.deaths)
        return (f"Le noyau Python s'est arrêté pendant {cells} (`os._exit`, `exit()`, plantage d'une "
                "bibliothèque…). Le notebook a été relancé sans cette cellule et corrigé sur ce qui a pu "
                "être calculé.")
    return ("Le noyau Python n'a pas pu exécuter le notebook jusqu'au bout ; les questions ont été "
            "corrigées sur ce qui a pu être calculé.")


def _during(result: Result) -> str:
    """Where a limit stopped the notebook, when the runner said which cell was running."""
    return f" pendant {_cell_ref(result.last_cell)}" if result.last_cell is not None else ""


def _memory(result: Result, timeout, memory) -> str:
    limit = f" ({memory / 2**30:.1f} Gio)" if memory else ""
    return (f"Le notebook a dépassé la mémoire autorisée{limit}{_during(result)} (`MemoryError` ou arrêt "
            f"forcé). Réduisez la taille des tableaux créés. {_PARTLY}")


def _not_run(result: Result, timeout, memory) -> str:
    return result.status_detail + " Aucune question n'a pu être corrigée : déposez à nouveau un notebook valide."


# One French explanation per status, for the student (a test checks every Status has one).
EXPLANATIONS = {
    Status.GRADED: lambda r, t, m: "Votre notebook a été exécuté en entier puis corrigé.",
    Status.TIMEOUT: _timeout,
    Status.KERNEL_DIED: _kernel_died,
    Status.MEMORY_LIMIT: _memory,
    Status.PROCESS_LIMIT: lambda r, t, m: ("Le notebook a créé trop de processus ou de fils d'exécution ; il a "
                                           f"été arrêté{_during(r)}. {_PARTLY}"),
    Status.DISK_LIMIT: lambda r, t, m: ("Le notebook a écrit trop de données sur le disque ; il a été arrêté"
                                        f"{_during(r)}. {_PARTLY}"),
    Status.UNREADABLE: _not_run,
    Status.EMPTY: _not_run,
    Status.WRONG_LAB: _not_run,
    Status.DUPLICATE: lambda r, t, m: f"Un dépôt plus récent ({r.status_detail}) a été corrigé à la place de celui-ci.",
    Status.GRADER_ERROR: lambda r, t, m: ("La correction automatique a échoué à cause d'une erreur du correcteur, "
                                          "pas de votre travail. Votre enseignant·e a été prévenu·e ; cette note "
                                          "n'est pas définitive."),
}


def status_explanation(result: Result, timeout: float | None = None, memory: int | None = None) -> str:
    return EXPLANATIONS[result.status](result, timeout, memory)


def grade_lines(result: Result, final=None, late=None) -> list[tuple[str, str]]:
    """(label, value) of the grade: automatic part, and with manual questions the manual part and total;
    with a due date (`late`: a `late.Lateness`), the submission time and the penalty."""
    auto = f"{_fmt(result.total if final is None else final.auto)} / {_fmt(result.max_total)}"
    if final is None or not final.manual:
        lines = [("Note automatique", auto)]
        total, max_total = result.total, result.max_total
    else:
        done, count = final.manual_done, len(final.manual)
        manual = (f"{_fmt(final.manual_score)} / {_fmt(final.manual_max)}" if final.complete
                  else f"correction en cours ({done}/{count} questions notées)")
        lines = [("Note automatique", auto), ("Note des questions rédigées", manual)]
        total, max_total = final.total, final.max_total
    if late is not None:
        lines += late_lines(late)
        total = late.apply(total)
    if late is not None or (final is not None and final.manual):
        lines.append(("Note finale", f"{_fmt(total)} / {_fmt(max_total)}" if total is not None
                      else f"pas encore notée (sur {_fmt(max_total)})"))
    return lines


def late_lines(late) -> list[tuple[str, str]]:

    if late.submitted is None:
        return [("Dépôt", "date de dépôt inconnue : aucune pénalité")]
    when = f"{french_time(late.submitted)} (date limite{' prolongée' if late.extended else ''} " \
           f"{french_time(late.due)})"
    if not late.late:
        return [("Dépôt", f"{when}, dans les délais")]
    penalty = "note ramenée à 0" if late.zero else (f"−{_fmt(late.penalty)} point(s)" if late.penalty
                                                    else "aucune (délai de grâce)")
    return [("Dépôt", f"{when}, en retard de {human(late.late_by)}"), ("Pénalité de retard", penalty)]


def render_markdown(result: Result, *, lab: str = "", timeout: float | None = None, memory: int | None = None,
                    final=None, late=None) -> str:
    grades = [f"**{label} :** {value}" for label, value in grade_lines(result, final, late)]
    lines = [f"# Retour de correction — TD `{lab or result.lab}`", "",
             f"**Étudiant·e :** {result.full_name or result.student_id}  ",
             f"**Fichier corrigé :** `{_basename(result.submission)}`  ",
             f"**État :** {STATUS_LABELS[result.status]}  ",
             *[g + "  " for g in grades[:-1]], grades[-1], "",
             status_explanation(result, timeout, memory), ""]
    if result.duplicates:
        others = ", ".join(f"`{_basename(d)}`" for d in result.duplicates)
        lines += [f"Vous avez déposé plusieurs fichiers ; seul le plus récent a été corrigé (ignoré(s) : {others}).", ""]
    for w in result.warnings:
        lines.append(f"> Attention : {w}")
    if result.warnings:
        lines.append("")
    lines += ["## Questions", ""]
    for q in result.questions:
        score = question_score(final, q)
        mark = "✅" if passed(final, q) else ("🟡" if score > 0 else "❌")
        lines.append(f"### {mark} `{q.name}` — {_fmt(score)} / {_fmt(q.max_score)}")
        lines.append("")
        if override_text(final, q):
            lines += [override_text(final, q), ""]
        if not result.ran:
            lines += ["Non évaluée.", ""]
            continue
        for c in q.cases:
            kind = "test caché" if c.hidden else "test public"
            if c.passed:
                lines.append(f"- {kind} : réussi")
            else:
                lines.append(f"- {kind} : **échec** — {_message(c)}")
        lines.append("")
    errs = result.cell_errors
    if errs:
        lines += ["## Erreurs dans vos cellules", ""]
        for e in errs[:15]:
            lines.append(f"- cellule n° {e.cell + 1} : `{e.ename}` — {_short(e.evalue)}")
        if len(errs) > 15:
            lines.append(f"- … et {len(errs) - 15} autre(s)")
        lines.append("")
    lines += manual_markdown(final)
    return "\n".join(lines)


def _message(case) -> str:
    return " ".join((case.message or "échec").split())


def _basename(path: str) -> str:
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def _short(text: str, n: int = 200) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


CSS = """body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h3{font-size:1.05rem;margin-bottom:.3rem}.ok{color:#176b2c}.ko{color:#a11}.part{color:#a66b00}
.box{border-left:4px solid #888;background:#f6f6f6;padding:.5rem 1rem}.warn{border-color:#c80}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:left}code{background:#eee;padding:0 .2rem}"""


def render_html(result: Result, *, lab: str = "", timeout: float | None = None, memory: int | None = None,
                final=None, late=None) -> str:
    e = html.escape
    out = ["<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>",
           f"<title>Retour — {e(result.student_id)}</title><style>{CSS}</style></head><body>",
           f"<h1>Retour de correction — TD <code>{e(lab or result.lab)}</code></h1>",
           "<table>",
           f"<tr><th>Étudiant·e</th><td>{e(result.full_name or result.student_id)}</td></tr>",
           f"<tr><th>Fichier corrigé</th><td><code>{e(_basename(result.submission))}</code></td></tr>",
           f"<tr><th>État</th><td>{e(STATUS_LABELS[result.status])}</td></tr>",
           *[f"<tr><th>{e(label)}</th><td><b>{e(value)}</b></td></tr>" for label, value in grade_lines(result, final, late)],
           "</table>",
           f"<p class='box'>{e(status_explanation(result, timeout, memory))}</p>"]
    if result.duplicates:
        others = ", ".join(_basename(d) for d in result.duplicates)
        out.append(f"<p class='box warn'>Plusieurs dépôts : seul le plus récent a été corrigé (ignoré(s) : {e(others)}).</p>")
    for w in result.warnings:
        out.append(f"<p class='box warn'>Attention : {e(w)}</p>")
    out.append("<h2>Questions</h2>")
    for q in result.questions:
        score = question_score(final, q)
        cls = "ok" if passed(final, q) else ("part" if score > 0 else "ko")
        head = f"<h3 class='{cls}'><code>{e(q.name)}</code> — {_fmt(score)} / {_fmt(q.max_score)}</h3>"
        if override_text(final, q):
            head += f"<p class='box override'>{e(override_text(final, q))}</p>"
        out.append(head + "<ul>")
        if not result.ran:
            out.append("<li>Non évaluée.</li>")
        for c in q.cases if result.ran else []:
            kind = "test caché" if c.hidden else "test public"
            if c.passed:
                out.append(f"<li class='ok'>{kind} : réussi</li>")
            else:
                out.append(f"<li class='ko'>{kind} : échec — {e(_message(c))}</li>")
        out.append("</ul>")
    errs = result.cell_errors
    if errs:
        out.append("<h2>Erreurs dans vos cellules</h2><ul>")
        for err in errs[:15]:
            out.append(f"<li>cellule n° {err.cell + 1} : <code>{e(err.ename)}</code> — {e(_short(err.evalue))}</li>")
        out.append("</ul>")
    out += manual_html(final)
    out.append("</body></html>")
    return "\n".join(out)


def moodle_comment(result: Result, final=None, late=None) -> str:
    """One-paragraph plain-text summary for the Moodle feedback column."""
    parts = [f"État : {STATUS_LABELS[result.status]}."]
    parts += [f"{label} : {value}." for label, value in grade_lines(result, final, late)]
    if result.ran:
        parts.append(" ; ".join(f"{q.name} {_fmt(question_score(final, q))}/{_fmt(q.max_score)}"
                                + (" (modifiée par l'enseignant·e)" if _override_of(final, q.name) else "")
                                for q in result.questions) + ".")
    else:
        parts.append(_short(status_explanation(result), 300))
    if final is not None and final.manual:
        marks = []
        for line in final.manual:
            score = "à noter" if line.score is None else f"{_fmt(line.score)}/{_fmt(line.question.points)}"
            comment = f" ({_short(line.mark.comment, 200)})" if line.mark is not None and line.mark.comment.strip() \
                and line.score is not None else ""
            marks.append(f"{line.question.name} {score}{comment}")
        parts.append("Questions rédigées : " + " ; ".join(marks) + ".")
    return " ".join(parts)
