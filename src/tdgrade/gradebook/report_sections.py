"""Sections of report.html that list what needs the instructor's decision: id collisions and late
submissions (the rest of the page is in `report`)."""
from __future__ import annotations

import html
from pathlib import Path

from ..common.french import fr
from .late import SOURCE_FR, french_time, human

# The similarity section: written by `tdgrade.similarity`, embedded in report.html by every publish.
SECTION_FILE = "similarity.section.html"
BEGIN, END = "<!-- tdgrade:similarity -->", "<!-- /tdgrade:similarity -->"

_RESOLUTION = {"fail": "dépôts NON notés : renommez les dossiers ou relancez avec <code>--on-collision newest</code> "
                       "(même personne) ou <code>separate</code> (personnes différentes)",
               "newest": "traités comme un seul étudiant (<code>--on-collision newest</code>) : le plus récent est noté",
               "separate": "traités comme des étudiant·es différent·es (<code>--on-collision separate</code>) : "
                           "identifiants suffixés <code>_2</code>, <code>_3</code>…"}


def collisions_section(how: str, collisions: list[dict]) -> list[str]:
    """The same id reached from different folders: never merged silently."""
    if not collisions:
        return []
    e = html.escape
    out = [f"<div class='warn'>⚠ {len(collisions)} identifiant(s) obtenu(s) depuis des dossiers différents — "
           f"{_RESOLUTION.get(how, e(how))}.</div><table><tr><th>id</th><th>fichiers</th></tr>"]
    for c in collisions:
        paths = "<br>".join(f"<code>{e(str(p))}</code>" for p in c.get("paths", []))
        out.append(f"<tr><td><code>{e(str(c.get('student_id')))}</code></td><td>{paths}</td></tr>")
    out.append("</table>")
    return out


def late_section(late) -> list[str]:
    """Submission times against the due date (only with `tdgrade grade --due`)."""
    if late is None:
        return []

    e = html.escape
    some = next(iter(late.values()), None)
    rows = [(sid, x) for sid, x in sorted(late.items()) if x.late or x.submitted is None]
    out = [f"<h2>Retards</h2><p>Date limite {e(french_time(some.due)) if some else ''} ; "
           f"{sum(1 for _, x in rows if x.late)} dépôt(s) en retard, "
           f"{sum(1 for _, x in rows if x.submitted is None)} sans date connue.</p>"]
    if rows:
        out.append("<table><tr><th>id</th><th>déposé le</th><th>source</th><th>retard</th><th>pénalité</th></tr>")
        for sid, x in rows:
            when = french_time(x.submitted) if x.submitted else "inconnu"
            penalty = "note ramenée à 0" if x.zero else fr(x.penalty)
            out.append(f"<tr><td><code>{e(sid)}</code></td><td>{e(when)}</td><td>{e(SOURCE_FR[x.source] if x.source else '')}"
                       f"</td><td>{e(human(x.late_by)) if x.late else ''}</td><td>{e(penalty)}</td></tr>")
        out.append("</table>")
    return out


def intake_section(intake: dict | None) -> list[str]:
    """What became of every file found (`tdgrade grade`'s accounting), files refused with why."""
    if not intake:
        return []
    e = html.escape
    out = [f"<p>Dépôts : <code>{e(str(intake.get('summary', '')))}</code></p>"]
    refused = intake.get("refused") or []
    if refused:
        out.append(f"<h2>Fichiers écartés</h2><p class='bad'>{len(refused)} fichier(s) non noté(s) :</p><ul>")
        out += [f"<li><code>{e(str(r.get('path')))}</code> — {e(str(r.get('reason')))}</li>" for r in refused]
        out.append("</ul>")
    return out


def embed(page: str, fragment: str) -> str:
    """report.html with the similarity section replaced, or added before </body>."""
    if BEGIN in page and END in page:
        head, rest = page.split(BEGIN, 1)
        return head + fragment + rest.split(END, 1)[1]
    return page.replace("</body>", fragment + "\n</body>", 1)


def embed_saved(outdir: Path, page: str) -> str:
    """`page` with the section saved by the last similarity run of `outdir`, if any (report.py's hook)."""
    saved = Path(outdir) / SECTION_FILE
    return embed(page, saved.read_text(encoding="utf-8")) if saved.is_file() else page
