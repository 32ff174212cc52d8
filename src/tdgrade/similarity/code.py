"""Code similarity: copydetect's winnowed fingerprints over each student's own code cells.

copydetect tokenises Python with pygments and replaces every name by `V` (function names `F`,
strings `S`) and drops comments and blanks, so renaming variables or editing comments changes
nothing; winnowing fingerprints are a set, so moving cells around changes nothing either.
Fingerprints of the template (release cells, prompt stubs) and of the reference solution (the code
the prompts dictate: independent correct students write it too, so it is no evidence) are removed
as boilerplate before comparing.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from copydetect import CodeFingerprint, compare_files

NOISE = 25      # k: shortest matching filtered-token run that counts (copydetect's default noise_t)
GUARANTEE = 30  # a match this long is always found (copydetect's default guarantee_t)


def _fingerprint(code: str, boilerplate=None, window: int = GUARANTEE - NOISE + 1) -> CodeFingerprint:
    return CodeFingerprint("notebook.py", NOISE, window, boilerplate=boilerplate, language="python",
                           fp=io.StringIO(code))


def boilerplate(given: list[str]) -> np.ndarray:
    """Every k-gram hash of the given cells (window 1, as copydetect does for its boilerplate files)."""
    hashes = [h for code in given if code.strip() for h in _fingerprint(code, window=1).hashes]
    return np.unique(np.array(hashes, dtype=np.int64))


@dataclass
class CodeMatch:
    """Overlap of two students' code: shares of each one's own code, and the matching passages."""

    overlap: int                 # filtered tokens in common
    share_a: float               # share of A's own (non-template) code found in B
    share_b: float
    passages_a: list[str]
    passages_b: list[str]

    @property
    def score(self) -> float:
        return max(self.share_a, self.share_b)


@dataclass
class StudentCode:
    """Per-cell fingerprints merged into one document, k-grams never spanning two cells.

    Fingerprinting the cells joined together would create k-grams across cell boundaries that
    depend on which cells happen to be adjacent once the template is removed; they would match
    between two students who merely both left the same cells untouched. compare_files only reads
    the attributes below; positions are in the merged filtered code (offsets left empty) and
    mapped back to each cell's source for the passages.
    """

    cells: list[CodeFingerprint]
    k: int = NOISE

    def __post_init__(self):
        self.hashes, self.hash_idx, self.starts = set(), {}, []
        start = 0
        for fp in self.cells:
            self.starts.append(start)
            self.hashes |= fp.hashes
            for h, idx in fp.hash_idx.items():
                self.hash_idx.setdefault(h, []).extend(i + start for i in idx)
            start += len(fp.filtered_code)
        self.filtered_code = "x" * start
        self.token_coverage = sum(fp.token_coverage for fp in self.cells)
        self.offsets = np.array([])

    def passage(self, start: int, end: int) -> str:
        """The source text behind filtered positions [start, end), cut at cell boundaries."""
        parts = []
        for fp, base in zip(self.cells, self.starts):
            lo, hi = max(start, base) - base, min(end, base + len(fp.filtered_code)) - base
            if lo >= hi:
                continue
            raw = np.array([lo, hi])
            if len(fp.offsets):
                raw = raw + fp.offsets[:, 1][np.clip(np.searchsorted(fp.offsets[:, 0], raw), 0, len(fp.offsets) - 1)]
            text = fp.raw_code
            first = text.rfind("\n", 0, int(raw[0])) + 1  # whole lines read better than k-gram cuts
            last = text.find("\n", int(raw[1]))
            parts.append(text[first:last if last >= 0 else len(text)].strip("\n"))
        return "\n".join(p for p in parts if p.strip())


def student_code(cells: list[str], given: np.ndarray) -> StudentCode:
    return StudentCode([_fingerprint(cell, boilerplate=given) for cell in cells if cell.strip()])


def compare(a: StudentCode, b: StudentCode) -> CodeMatch:
    if not a.hashes or not b.hashes or not a.token_coverage or not b.token_coverage:
        return CodeMatch(0, 0.0, 0.0, [], [])
    overlap, (share_a, share_b), (slices_a, slices_b) = compare_files(a, b)
    if not overlap:
        return CodeMatch(0, 0.0, 0.0, [], [])
    return CodeMatch(int(overlap), float(min(share_a, 1.0)), float(min(share_b, 1.0)),
                     _passages(a, slices_a), _passages(b, slices_b))


def _passages(code: StudentCode, slices) -> list[str]:
    spans = sorted(zip(slices[0].tolist(), slices[1].tolist()))
    return [text for start, end in spans if (text := code.passage(int(start), int(end)))]
