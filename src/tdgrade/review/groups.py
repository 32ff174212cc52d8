"""Answer groups, so that a grader grades one text once: identical answers first, then near-identical.

Per question, non-empty answers are grouped when their normalised text is the same (case, accents,
spacing and punctuation folded), then exact groups whose normalised texts are near-identical are
joined: an edit similarity (rapidfuzz's Indel ratio, computed in C for all pairs at once) of at least
NEAR, which a typo or an added word passes and a different sentence does not. Groups are computed
from the answers as they are now, so an answer changed by a re-submission leaves its group by itself;
an answer a grader split out (OUTDIR/manual/splits.json) stands alone.

Each ungraded answer is shown its closest already-graded answers (`suggestions`): cosine over TF-IDF
of character n-grams, the representation the similarity report uses for written answers.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..common.files import atomic_write
from ..gradebook.answers import Answer
from ..gradebook.marks import journal, locked, manual_dir

NEAR = 90.0  # Indel ratio (0-100) of near-identical answers: a typo or a word added in a sentence
SUGGEST_MIN = 0.3  # below this, a graded answer says nothing useful about this one
SPLITS_FILE = "splits.json"


def normalise(text: str) -> str:
    """Case, accents, spacing and punctuation folded: 'Les  Classes, équilibrées !' -> 'les classes equilibrees'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


@dataclass
class Group:
    key: str  # stable name of the group: its first member
    members: list[str]  # student ids, in the page's order
    exact: bool  # every member's normalised text is the same

    @property
    def size(self) -> int:
        return len(self.members)


def _vectors(texts: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    return vectorizer.fit_transform(texts)


def group_answers(answers: dict[str, Answer], order: list[str], split: set[str] = frozenset()) -> list[Group]:
    """The groups of one question's non-empty answers (students in `order`); split-out answers alone."""
    exact: dict[str, list[str]] = {}
    alone = []
    for sid in order:
        answer = answers[sid]
        if answer.empty:
            continue
        if sid in split:
            alone.append([sid])
        else:
            exact.setdefault(normalise(answer.text), []).append(sid)
    keys = list(exact)
    parent = list(range(len(keys)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    if len(keys) > 1:
        from rapidfuzz import fuzz, process

        ratios = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=NEAR, workers=1)
        for i, j in zip(*ratios.nonzero()):
            if i < j:
                parent[root(int(j))] = root(int(i))
    joined: dict[int, list[str]] = {}
    for i, key in enumerate(keys):
        joined.setdefault(root(i), []).extend(exact[key])
    position = {sid: n for n, sid in enumerate(order)}
    groups = []
    for members in [*joined.values(), *alone]:
        members = sorted(members, key=position.__getitem__)
        texts = {normalise(answers[sid].text) for sid in members}
        groups.append(Group(members[0], members, len(texts) == 1))
    return sorted(groups, key=lambda g: position[g.key])


def group_of(groups: list[Group], student_id: str) -> Group | None:
    return next((g for g in groups if student_id in g.members), None)


@dataclass
class Suggestion:
    student_id: str
    similarity: float


def suggestions(answers: dict[str, Answer], student_id: str, graded: list[str], top: int = 3) -> list[Suggestion]:
    """The graded answers closest to STUDENT_ID's answer (cosine >= SUGGEST_MIN), closest first."""
    others = [sid for sid in graded if sid != student_id and not answers[sid].empty]
    if not others or answers[student_id].empty:
        return []
    from sklearn.metrics.pairwise import cosine_similarity

    vectors = _vectors([answers[student_id].text] + [answers[sid].text for sid in others])
    sims = cosine_similarity(vectors[0], vectors[1:])[0]
    ranked = sorted(zip(others, sims), key=lambda x: -x[1])
    return [Suggestion(sid, round(float(s), 3)) for sid, s in ranked[:top] if s >= SUGGEST_MIN]


def load_splits(outdir: Path) -> dict[str, list[str]]:
    try:
        data = json.loads((manual_dir(outdir) / SPLITS_FILE).read_text(encoding="utf-8"))
        return {str(k): [str(x) for x in v] for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def split_out(outdir: Path, question: str, student_id: str, grader: str, join: bool = False) -> None:
    """Take STUDENT_ID's answer out of its group (or put it back with join=True); journaled."""
    with locked(outdir):
        splits = load_splits(outdir)
        mine = set(splits.get(question, []))
        mine = mine - {student_id} if join else mine | {student_id}
        splits[question] = sorted(mine)
        atomic_write(manual_dir(outdir) / SPLITS_FILE, json.dumps(splits, ensure_ascii=False, indent=1))
        journal(outdir, "split", {"question": question, "student_id": student_id, "grader": grader,
                                  "join": join})
