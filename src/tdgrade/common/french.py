"""Numbers as French readers expect them: decimal comma, "point" up to 1,5 and "points" from 2."""
from __future__ import annotations


def fr(x: float | None, digits: int = 2) -> str:
    """French decimal comma, trailing zeros dropped: 26,5 ; 12 ; — for nothing."""
    if x is None:
        return "—"
    text = f"{float(x):.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text if text != "-0" else "0").replace(".", ",")


def points(x: float) -> str:
    """'0,5 point', '1 point', '1,5 point', '2 points': French takes the plural from 2 on."""
    return f"{fr(x)} {'points' if abs(x) >= 2 else 'point'}"
