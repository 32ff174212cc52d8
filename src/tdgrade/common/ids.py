"""Ids folded from people's names: the same folding for student ids, Moodle names and nbgrader ids."""
from __future__ import annotations

import re

from anyascii import anyascii


def slugify(text: str) -> str:
    """ASCII id of a name: transliterated (any script), lower-case, `_` between words."""
    return re.sub(r"[^a-z0-9]+", "_", anyascii(text).lower()).strip("_")
