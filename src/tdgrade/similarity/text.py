"""Written-answer similarity: TF-IDF over character n-grams (scikit-learn), question by question.

Character n-grams within words (3 to 5) survive small edits, accents and inflections in French;
the IDF is fitted on the class's answers to the same question plus its prompt, so the words every
answer shares (the question's own vocabulary) weigh little. Matching passages are the runs of at
least `MIN_RUN` words both answers share (difflib).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

MIN_WORDS = 12  # shorter answers ("oui", "voir le code") are too short to be evidence
MIN_RUN = 5


@dataclass
class TextMatch:
    question: str
    score: float
    passages_a: list[str]
    passages_b: list[str]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+(?:['’]\w+)?|[^\w\s]", text)


def _shared_runs(a: str, b: str) -> tuple[list[str], list[str]]:
    wa, wb = _words(a), _words(b)
    matcher = difflib.SequenceMatcher(None, [w.lower() for w in wa], [w.lower() for w in wb], autojunk=False)
    blocks = [m for m in matcher.get_matching_blocks() if m.size >= MIN_RUN]
    return ([" ".join(wa[m.a:m.a + m.size]) for m in blocks], [" ".join(wb[m.b:m.b + m.size]) for m in blocks])


def compare_answers(question: str, answers: dict[str, str], prompt: str = "",
                    model_answer: str = "", reference_like: float = 0.8) -> dict[tuple[str, str], TextMatch]:
    """Cosine similarity of every pair of students' answers to one question (long enough answers only).

    Two answers that both reproduce the model answer (cosine >= `reference_like` with it) score 0:
    like reference code, the model answer is no evidence that one student copied the other."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    ids = sorted(sid for sid, text in answers.items() if len(_words(text)) >= MIN_WORDS)
    if len(ids) < 2:
        return {}
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=True)
    vectorizer.fit([answers[sid] for sid in ids] + [t for t in (prompt, model_answer) if t])
    vectors = vectorizer.transform([answers[sid] for sid in ids])
    matrix = cosine_similarity(vectors)
    like_model = (cosine_similarity(vectors, vectorizer.transform([model_answer]))[:, 0] >= reference_like
                  if model_answer else [False] * len(ids))
    out = {}
    for i, a in enumerate(ids):
        for j in range(i + 1, len(ids)):
            b = ids[j]
            if like_model[i] and like_model[j]:
                out[(a, b)] = TextMatch(question, 0.0, [], [])
                continue
            passages_a, passages_b = _shared_runs(answers[a], answers[b])
            out[(a, b)] = TextMatch(question, float(matrix[i, j]), passages_a, passages_b)
    return out
