"""Small, stable text tables for the numbers a chapter reports.

nbval compares a notebook's printed text exactly, so every key number is printed
rounded, in a fixed layout, by :func:`table`.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Sequence

import numpy as np

__all__ = ["table", "fmt"]


def fmt(value: Any, digits: int = 3) -> str:
    """Format one cell: integers as is, reals rounded to ``digits`` decimals (``-0`` shown as ``0``).

    Parameters
    ----------
    value : object
        A bool (shown as yes or no), an integer, a real, or anything else (shown with ``str``).
    digits : int, default 3
        Decimals for real numbers.

    Returns
    -------
    str
    """
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (Integral, np.integer)):
        return str(int(value))
    if isinstance(value, (Real, np.floating)):
        value = float(value)
        if not np.isfinite(value):
            return str(value)
        text = f"{value:.{digits}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text
    return str(value)


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], *, digits: int = 3) -> str:
    """Render ``rows`` under ``headers`` as an aligned plain-text table.

    Parameters
    ----------
    rows : sequence of sequences
        One inner sequence per row, one cell per header.
    headers : sequence of str
        Column titles.
    digits : int
        Decimals for real numbers.

    Returns
    -------
    str
        Print it: ``print(table(rows, headers))``.
    """
    cells = [[fmt(v, digits) for v in row] for row in rows]
    for i, row in enumerate(cells):
        if len(row) != len(headers):
            raise ValueError(f"rows: row {i} has {len(row)} cells, expected {len(headers)}")
    widths = [max(len(h), *(len(r[j]) for r in cells)) if cells else len(h) for j, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in cells]
    return "\n".join(out)
