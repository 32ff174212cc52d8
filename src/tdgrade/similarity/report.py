"""similarity.csv (every pair) and the report.html section (flagged pairs, passages side by side)."""
from __future__ import annotations

import csv
import html
import io
from pathlib import Path

from ..common.files import atomic_write
from ..gradebook.report_sections import BEGIN, END, SECTION_FILE, embed
from .thresholds import CODE_MIN_OVERLAP, CODE_SHARE, TEXT_SCORE

MAX_PASSAGES = 6


def csv_text(analysis) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["student_a", "student_b", "flagged", "code_score", "code_share_a", "code_share_b",
                  "code_overlap_tokens", "text_score", "text_questions_flagged"])
    for p in sorted(analysis.pairs, key=lambda p: (-p.flagged, -max(p.code.score, p.text_score), p.a, p.b)):
        out.writerow([p.a, p.b, "yes" if p.flagged else "no", f"{p.code.score:.3f}", f"{p.code.share_a:.3f}",
                      f"{p.code.share_b:.3f}", p.code.overlap, f"{p.text_score:.3f}",
                      " ".join(t.question for t in p.flagged_texts)])
    return buf.getvalue()


def _column(passages: list[str], code: bool) -> str:
    shown = sorted(passages, key=len, reverse=True)[:MAX_PASSAGES]
    if not shown:
        return "<td>—</td>"
    tag = "pre" if code else "p"
    return "<td>" + "".join(f"<{tag} class='match'>{html.escape(p)}</{tag}>" for p in shown) + "</td>"


def section(analysis) -> str:
    e = html.escape
    flagged = analysis.flagged
    out = [BEGIN, "<h2>Dépôts similaires</h2>",
           "<style>.match{background:#fff3c4;margin:.2rem 0;padding:.2rem;white-space:pre-wrap}"
           ".pair td{vertical-align:top;width:50%}</style>",
           f"<p>{len(analysis.students)} notebooks, {len(analysis.pairs)} paires comparées après retrait de ce que "
           "tout le monde a reçu (cellules et énoncés du notebook distribué, amorces des réponses) et du code de la "
           "solution de référence (dicté par l'énoncé). Code : empreintes winnowing de copydetect, noms de variables "
           f"ignorés ; signalé quand au moins {CODE_SHARE:.0%} du code propre d'un·e étudiant·e se retrouve chez "
           f"l'autre ({CODE_MIN_OVERLAP} jetons au moins). Réponses rédigées : TF-IDF sur n-grammes de caractères, "
           f"signalé à partir de {TEXT_SCORE:.2f}. Une paire signalée est une piste à lire, pas une preuve. "
           "Toutes les paires : <a href='similarity.csv'>similarity.csv</a>.</p>"]
    if not flagged:
        out += ["<p>Aucune paire signalée.</p>", END]
        return "\n".join(out)
    out.append("<table><tr><th>étudiant·e A</th><th>étudiant·e B</th><th>code</th><th>réponses rédigées</th></tr>")
    for p in flagged:
        texts = ", ".join(f"{t.question} ({t.score:.2f})" for t in p.flagged_texts) or "—"
        out.append(f"<tr><td><code>{e(p.a)}</code></td><td><code>{e(p.b)}</code></td>"
                   f"<td>{p.code.score:.0%} ({p.code.share_a:.0%} / {p.code.share_b:.0%})</td><td>{e(texts)}</td></tr>")
    out.append("</table>")
    for p in flagged:
        out.append(f"<h3><code>{e(p.a)}</code> ↔ <code>{e(p.b)}</code></h3>")
        if p.code_flagged:
            out.append(f"<p>Code en commun ({p.code.overlap} jetons) :</p><table class='pair'><tr>"
                       f"<th>{e(p.a)}</th><th>{e(p.b)}</th></tr><tr>{_column(p.code.passages_a, True)}"
                       f"{_column(p.code.passages_b, True)}</tr></table>")
        for t in p.flagged_texts:
            out.append(f"<p>Réponse rédigée <code>{e(t.question)}</code> (similarité {t.score:.2f}) :</p>"
                       f"<table class='pair'><tr><th>{e(p.a)}</th><th>{e(p.b)}</th></tr><tr>"
                       f"{_column(t.passages_a, False)}{_column(t.passages_b, False)}</tr></table>")
    out.append(END)
    return "\n".join(out)


def write(outdir: Path, analysis) -> None:
    outdir = Path(outdir)
    atomic_write(outdir / "similarity.csv", csv_text(analysis))
    fragment = section(analysis)
    atomic_write(outdir / SECTION_FILE, fragment)
    report = outdir / "report.html"
    if report.is_file():
        atomic_write(report, embed(report.read_text(encoding="utf-8"), fragment))
