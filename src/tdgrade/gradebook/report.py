"""Stage 6: the class report, `OUTDIR/report.html` (self-contained: plots embedded as base64 PNG).

Plots: histogram of automatic scores, pass rate per question, submissions per status. Tables: per
student (status, score, links to feedback and executed notebook), per question, duplicates, and a
loud banner when submissions ran without the bwrap sandbox. The report is for the teacher; its
prose is French like the rest of what tdgrade shows about grades.
"""
from __future__ import annotations

import base64
import html
import io
import time
from collections import Counter
from pathlib import Path

from ..common.files import atomic_write
from ..common.french import fr
from .feedback import STATUS_LABELS
from .report_sections import collisions_section, embed_saved, intake_section, late_section
from .report_stats import attention, class_means, discrimination_text, manual_discrimination, question_stats
from .result import Result, Status


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _histogram_data(results: list[Result], questions: dict[str, float], finals) -> tuple[list[float], float, str]:
    """(values, maximum, axis label): final totals once every one is known, else the automatic part,
    labelled as such."""
    auto_max = sum(questions.values()) or 1.0
    if finals and finals[0].manual:
        if all(f.complete for f in finals):
            return [f.total for f in finals], finals[0].max_total, f"note finale (sur {finals[0].max_total:g})"
        pending = sum(1 for f in finals if not f.complete)
        return ([r.total for r in results], auto_max,
                f"partie automatique seulement (sur {auto_max:g}) ; {pending} note(s) finale(s) en attente")
    return [r.total for r in results], auto_max, f"note automatique (sur {auto_max:g})"


def plots(results: list[Result], questions: dict[str, float], finals=None) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure

    out = {}
    totals, max_total, label = _histogram_data(results, questions, finals)
    fig = Figure(figsize=(6, 3.2))
    ax = fig.add_subplot()
    bins = min(20, max(5, int(max_total) + 1))
    ax.hist(totals, bins=bins, range=(0, max_total), color="#3b6ea8", edgecolor="white")
    ax.set_xlabel(label)
    ax.set_ylabel("nombre d'étudiant·es")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Distribution des notes")
    out["histogram"] = _png(fig)

    ran = [r for r in results if r.ran]
    names = list(questions)
    rates = []
    for q in names:
        passed = sum(1 for r in ran for x in r.questions if x.name == q and x.passed)
        rates.append(100.0 * passed / len(ran) if ran else 0.0)
    fig = Figure(figsize=(6, max(2.0, 0.35 * len(names) + 1)))
    ax = fig.add_subplot()
    ax.barh(names[::-1], rates[::-1], color="#4c9a5b")
    ax.set_xlim(0, 100)
    ax.set_xlabel("% des notebooks exécutés qui réussissent la question")
    ax.set_title("Réussite par question")
    out["pass_rate"] = _png(fig)

    counts = Counter(r.status for r in results)
    fig = Figure(figsize=(6, 2.8))
    ax = fig.add_subplot()
    labels = [STATUS_LABELS[s] for s in counts]
    colors = ["#4c9a5b" if s is Status.GRADED else "#c0392b" for s in counts]
    ax.bar(labels, list(counts.values()), color=colors)
    ax.set_ylabel("dépôts")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("États des dépôts")
    for lbl in ax.get_xticklabels():
        lbl.set_rotation(30)
        lbl.set_ha("right")
    out["status"] = _png(fig)
    return out


def _means(results: list[Result], finals, max_total: float, auto_max: float, late=None) -> str:
    """Class mean over the students whose grade is known (the others counted apart), per status apart."""
    has_manual = bool(finals and finals[0].manual)
    means = class_means(results, finals)
    by_id = {f.student_id: f for f in finals or []}
    by_status = {}
    for r in results:
        value = by_id[r.student_id].total if has_manual and r.student_id in by_id else r.total
        if value is not None:
            by_status.setdefault(r.status, []).append(value)
    penalties = " (avant pénalités de retard)" if late and any(x.penalty for x in late.values()) else ""
    parts = [means.text(max_total, auto_max, has_manual) + penalties]
    parts += [f"{STATUS_LABELS[st]} : {fr(sum(v) / len(v))} ({len(v)})" for st, v in by_status.items()]
    return " · ".join(parts)


def render(results: list[Result], duplicates: list[Result], questions: dict[str, float], *, lab: str, profile: str,
           mode: str, mode_reason: str = "", settings: dict | None = None,
           collisions: tuple[str, list[dict]] = ("fail", []), finals=None, unmatched=None,
           to_resubmit=None, moodle_conflicts=None, late=None, intake=None) -> str:
    e = html.escape
    finals = list(finals or [])
    imgs = plots(results, questions, finals)
    has_manual = bool(finals and finals[0].manual)
    max_total = sum(questions.values()) + (finals[0].manual_max if has_manual else 0)
    counts = Counter(r.status for r in results)
    ran = [r for r in results if r.ran]
    sandboxes = Counter(r.sandbox for r in ran)
    unsandboxed = sandboxes.get("rlimits", 0)
    out = ["<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>",
           f"<title>Rapport de correction — {e(lab)}</title><style>",
           "body{font-family:system-ui,sans-serif;max-width:70rem;margin:1.5rem auto;padding:0 1rem;color:#222}",
           "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #ccc;padding:.2rem .5rem}",
           "th{background:#f0f0f0}.bad{color:#a11}.warn{background:#fde2e2;border:3px solid #c00;padding:1rem;"
           "font-weight:bold}.plots img{margin:0 1rem 1rem 0;border:1px solid #ddd}code{background:#eee}",
           "</style></head><body>",
           f"<h1>Rapport de correction — TD <code>{e(lab)}</code></h1>",
           f"<p>Profil <code>{e(profile)}</code> · {len(results)} étudiant·es · {len(ran)} notebooks exécutés · "
           f"note sur {fr(max_total)} · généré le {time.strftime('%d/%m/%Y %H:%M')}</p>",
           f"<p>{e(_means(results, finals, max_total, sum(questions.values()), late))}</p>"]
    if unsandboxed or mode != "bwrap":
        out.append("<div class='warn'>⚠ ATTENTION : "
                   f"{unsandboxed or 'des'} notebook(s) ont été exécutés SANS le bac à sable bwrap "
                   f"({e(mode_reason or 'bwrap indisponible')}). Le code des étudiant·es pouvait lire les tests "
                   "cachés, les autres dépôts et accéder au réseau : ces notes ne sont pas sûres. Installez "
                   "bubblewrap (<code>apt-get install bubblewrap</code>) et relancez avec <code>--force</code>.</div>")
    if settings:
        out.append("<p>Réglages : " + " · ".join(f"{e(k)} = <code>{e(str(v))}</code>" for k, v in settings.items())
                   + "</p>")
    out += intake_section(intake)
    out += collisions_section(*collisions)
    out.append("<div class='plots'>")
    for key, alt in (("histogram", "Distribution des notes"), ("pass_rate", "Réussite par question"),
                     ("status", "États des dépôts")):
        out.append(f"<img alt='{alt}' src='data:image/png;base64,{imgs[key]}'>")
    out.append("</div><h2>États</h2><table><tr><th>état</th><th>dépôts</th></tr>")
    for st, n in counts.most_common():
        out.append(f"<tr><td>{e(STATUS_LABELS[st])} (<code>{e(st.value)}</code>)</td><td>{n}</td></tr>")
    out.append("</table>")
    out += _questions_section(results, questions)
    if has_manual:
        out += _manual_section(finals)
    out += _overrides_section(finals)
    out += _attention_section(results, finals)
    if unmatched:
        out.append(f"<h2>Absents du fichier Moodle</h2><p class='bad'>Sans correspondance Moodle (identifiant "
                   f"« Participant N » ou nom) : {e(', '.join(unmatched))}. Saisissez leur note à la main ou "
                   "corrigez le nom du dossier de dépôt.</p>")
    out += late_section(late)
    if to_resubmit:
        out.append(f"<h2>À redéposer</h2><p class='bad'>Notebook illisible, laissé hors du fichier Moodle (ni note ni "
                   f"commentaire ; <code>--unreadable-as-zero</code> leur donne 0) : {e(', '.join(to_resubmit))}.</p>")
    if moodle_conflicts:
        out.append("<h2>Conflits Moodle</h2><ul>" + "".join(f"<li>{e(c)}</li>" for c in moodle_conflicts) + "</ul>")
    totals = {f.student_id: f for f in finals}
    out.append("</table><h2>Étudiant·es</h2><table><tr><th>id</th><th>nom</th><th>état</th><th>note</th>"
               "<th>détail</th><th>liens</th></tr>")
    for r in results:
        sid = e(r.student_id)
        cls = "" if r.status is Status.GRADED else " class='bad'"
        detail = e(_detail(r))
        links = f"<a href='feedback/{sid}.html'>retour</a>"
        if r.ran:
            links += f" · <a href='notebooks/{sid}.ipynb'>notebook</a>"
        out.append(f"<tr><td><code>{sid}</code></td><td>{e(r.full_name or '')}</td>"
                   f"<td{cls}>{e(STATUS_LABELS[r.status])}</td>"
                   f"<td>{e(_grade_cell(r, totals.get(r.student_id)))}</td><td>{detail}</td><td>{links}</td></tr>")
    out.append("</table>")
    if duplicates:
        out.append("<h2>Dépôts en double (non notés)</h2><table><tr><th>id</th><th>fichier ignoré</th>"
                   "<th>fichier noté</th></tr>")
        for r in duplicates:
            out.append(f"<tr><td><code>{e(r.student_id)}</code></td><td>{e(r.submission)}</td>"
                       f"<td>{e(r.duplicate_of or '')}</td></tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out)


def _grade_cell(r: Result, final) -> str:
    if final is None or not final.manual:
        return f"{fr(r.total if final is None else final.auto)} / {fr(r.max_total)}"
    auto = f"auto {fr(final.auto)} / {fr(final.auto_max)}"
    if not final.complete:
        return f"{auto} · manuel {final.manual_done}/{len(final.manual)} notées · total non noté"
    return f"{auto} · manuel {fr(final.manual_score)} / {fr(final.manual_max)} · total {fr(final.total)} / {fr(final.max_total)}"


def _questions_section(results, questions) -> list[str]:
    e = html.escape
    out = ["<h2>Questions automatiques</h2><p>Difficulté : note moyenne / points (1 = tout le monde réussit). "
           "Discrimination : corrélation entre la note de la question et le reste de la partie automatique "
           "(proche de 0 ou négative : la question ne sépare pas les bons des moins bons), à partir de 10 "
           "étudiant·es. Échec le plus fréquent : le message, et le nombre d'étudiant·es qui l'ont eu.</p>",
           "<table><tr><th>question</th><th>points</th><th>réussite</th><th>moyenne</th><th>difficulté</th>"
           "<th>discrimination</th><th>échec le plus fréquent</th></tr>"]
    for q in question_stats(results, questions):
        rate = f"{fr(100 * q.success, 0)} %" if q.success is not None else "—"
        who = f"{q.top_failure_count} étudiant·e{'s' if q.top_failure_count > 1 else ''}"
        failure = f"{e(q.top_failure)} ({who})" if q.top_failure_count else ""
        out.append(f"<tr><td><code>{e(q.name)}</code></td><td>{fr(q.points)}</td><td>{rate}</td><td>{fr(q.mean)}</td>"
                   f"<td>{fr(q.difficulty)}</td><td>{e(discrimination_text(q.discrimination, q.n))}</td>"
                   f"<td>{failure}</td></tr>")
    return [*out, "</table>"]


def _manual_section(finals) -> list[str]:
    e = html.escape
    out = ["<h2>Correction manuelle</h2><p>Discrimination : corrélation entre la note de la question et le "
           "reste de la note finale, sur les étudiant·es entièrement noté·es (à partir de 10).</p>"
           "<table><tr><th>question</th><th>points</th><th>notées</th><th>vides</th><th>moyenne</th>"
           "<th>discrimination</th></tr>"]
    discrimination = manual_discrimination(finals)
    for i, line0 in enumerate(finals[0].manual):
        lines = [f.manual[i] for f in finals]
        done = [x for x in lines if x.done]
        empty = sum(1 for x in lines if x.answer.empty)
        mean = sum(x.score for x in done) / len(done) if done else None
        out.append(f"<tr><td><code>{e(line0.question.name)}</code></td><td>{fr(line0.question.points)}</td>"
                   f"<td>{len(done)}/{len(lines)}</td><td>{empty}</td><td>{fr(mean)}</td>"
                   f"<td>{e(discrimination_text(*discrimination[i]))}</td></tr>")
    complete = sum(1 for f in finals if f.complete)
    out.append(f"</table><p>{complete}/{len(finals)} étudiant·es entièrement noté·es. Notez les réponses avec "
               "<code>tdgrade review OUTDIR</code>.</p>")
    return out


def _overrides_section(finals) -> list[str]:
    """Automatic scores a grader replaced (`tdgrade review`, page of a student), with the reason."""
    e = html.escape
    rows = [(f, o) for f in finals for o in getattr(f, "overrides", None) or []]
    if not rows:
        return []
    out = [f"<h2>Notes automatiques modifiées ({len(rows)})</h2><table id='overrides'><tr><th>id</th><th>question</th>"
           "<th>avant</th><th>après</th><th>motif</th><th>par</th></tr>"]
    for f, o in rows:
        before = next((q.score for q in f.result.questions if q.name == o.question), o.previous_score)
        out.append(f"<tr><td><code>{e(f.student_id)}</code></td><td><code>{e(o.question)}</code></td>"
                   f"<td>{fr(before)}</td><td>{fr(o.score)}</td><td>{e(o.reason)}</td><td>{e(o.grader)}</td></tr>")
    return [*out, "</table>"]


def _attention_section(results, finals=None) -> list[str]:
    e = html.escape
    flagged = attention(results, finals)
    if not flagged:
        return []
    out = ["<h2>À surveiller</h2><ul>"]
    out += [f"<li><code>{e(r.student_id)}</code> — {e(why)}</li>" for r, why in flagged]
    return [*out, "</ul>"]


def _detail(r: Result) -> str:
    if r.status is Status.GRADED:
        n = len(r.cell_errors)
        return f"{n} cellule(s) en erreur" if n else ""
    if r.status is Status.GRADER_ERROR:
        return "erreur interne : voir results/" + r.student_id + ".json"
    return r.status_detail[:160]


def write_report(outdir: Path, results, duplicates, questions, **kw) -> Path:
    path = Path(outdir) / "report.html"
    atomic_write(path, embed_saved(outdir, render(results, duplicates, questions, **kw)))
    return path
