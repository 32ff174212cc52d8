"""Similar submissions, for the instructor: pairs of students whose own code or written answers match.

`analyse(notebooks, template, reference)` compares every pair of submissions after removing what
every student was given (`extract`): code through copydetect's winnowing (`code`), written answers
through TF-IDF character n-grams (`text`). `analyse_outdir(OUTDIR, lab)` reads a graded folder's
notebooks and writes `similarity.csv` and the "Dépôts similaires" section of `report.html`
(`report`). A flagged pair is a lead to read, never a verdict.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from . import code as code_sim
from . import text as text_sim
from .extract import StudentWork, Template, student_work
from .report import write
from .thresholds import CODE_MIN_OVERLAP, CODE_SHARE, TEXT_SCORE


@dataclass
class PairResult:
    a: str
    b: str
    code: code_sim.CodeMatch
    texts: list[text_sim.TextMatch] = field(default_factory=list)

    @property
    def code_flagged(self) -> bool:
        return self.code.score >= CODE_SHARE and self.code.overlap >= CODE_MIN_OVERLAP

    @property
    def flagged_texts(self) -> list[text_sim.TextMatch]:
        return [t for t in self.texts if t.score >= TEXT_SCORE]

    @property
    def flagged(self) -> bool:
        return self.code_flagged or bool(self.flagged_texts)

    @property
    def text_score(self) -> float:
        return max((t.score for t in self.texts), default=0.0)


@dataclass
class Analysis:
    students: list[str]
    pairs: list[PairResult]

    @property
    def flagged(self) -> list[PairResult]:
        return sorted((p for p in self.pairs if p.flagged), key=lambda p: -max(p.code.score, p.text_score))


def analyse(notebooks: dict, template_nb, reference_nb=None, model_answers: dict | None = None) -> Analysis:
    """Compare every pair of `notebooks` (student id -> nbformat notebook). `model_answers`: question
    id prefix (`fm05`) -> the model answer of that written question (`load_model_answers`)."""
    template = Template.from_notebook(template_nb)
    works: dict[str, StudentWork] = {sid: student_work(sid, nb, template) for sid, nb in sorted(notebooks.items())}
    given = list(template.code_cells)
    if reference_nb is not None:
        given += [c.source for c in reference_nb.cells if c.cell_type == "code"]
    boilerplate = code_sim.boilerplate(given)
    fps = {sid: code_sim.student_code(w.code_cells, boilerplate) for sid, w in works.items()}
    texts: dict[tuple[str, str], list[text_sim.TextMatch]] = {}
    questions = sorted({q for w in works.values() for q in w.answers})
    for question in questions:
        answers = {sid: w.answers[question] for sid, w in works.items() if question in w.answers}
        model = (model_answers or {}).get(question, "")
        for key, match in text_sim.compare_answers(question, answers, template.prompts.get(question, ""),
                                                   model).items():
            texts.setdefault(key, []).append(match)
    pairs = [PairResult(a, b, code_sim.compare(fps[a], fps[b]), texts.get((a, b), []))
             for a, b in combinations(sorted(works), 2)]
    return Analysis(sorted(works), pairs)


def load_model_answers(autograder_dir) -> dict[str, str]:
    """Question id prefix -> model answer, from the compiled manual questions (`manual.json`)."""
    from ..compiler.manual import MANUAL_FILE, load_manual

    if autograder_dir is None:
        return {}
    out: dict[str, str] = {}
    for q in load_manual(Path(autograder_dir) / MANUAL_FILE):
        prefix = q.name.split("_", 1)[0]
        out[prefix] = (out.get(prefix, "") + " " + (q.model_answer or "")).strip()
    return out


def analyse_outdir(outdir: Path, lab, log=print) -> Analysis:
    """Compare the notebooks of a graded folder; write similarity.csv and the report section."""
    import nbformat

    outdir = Path(outdir)
    notebooks = {}
    for path in sorted((outdir / "notebooks").glob("*.ipynb")):
        try:
            notebooks[path.stem] = nbformat.read(path, as_version=4)
        except Exception as exc:  # noqa: BLE001 - one unreadable file must not hide the others
            log(f"similarity: skipped {path.name}: {exc}")
    template = nbformat.read(Path(lab.release_dir) / lab.notebook_name, as_version=4)
    solutions = getattr(lab, "solutions_dir", None)
    reference_path = Path(solutions) / lab.notebook_name if solutions else None
    reference = nbformat.read(reference_path, as_version=4) if reference_path and reference_path.is_file() else None
    analysis = analyse(notebooks, template, reference, load_model_answers(getattr(lab, "autograder_dir", None)))
    write(outdir, analysis)
    log(f"similarity: {len(analysis.students)} notebooks, {len(analysis.pairs)} pairs compared, "
        f"{len(analysis.flagged)} flagged: {outdir / 'similarity.csv'}")
    return analysis
