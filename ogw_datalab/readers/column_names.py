"""The columns a source's configuration names, and plain suggestions when the file lacks one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from ..config import Source


def configured_columns(source: Source) -> dict[str, str]:
    """Map each configuration key that names a column to that column in the file.

    Keys read as they are written in the configuration: ``kolommen.naam``, ``x``, ``wkt``.
    """
    named = {f"kolommen.{ours}": column.strip() for ours, column in source.kolommen.items()}
    for key in ("x", "y", "wkt"):
        column = getattr(source, key)
        if column:
            named[key] = column.strip()
    return named


def closest_name(name: str, present: Iterable[str]) -> str | None:
    """Find the column of ``present`` that ``name`` most likely means (same letters in another case first)."""
    names = [str(p) for p in present]
    same = [p for p in names if p.strip().lower() == name.strip().lower()]
    if same:
        return same[0]
    lowered = {p.lower(): p for p in names}
    match = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def suggestion(name: str, present: Iterable[str]) -> str:
    """``"; did you mean 'X'?"`` when a close name exists, else the list of columns."""
    names = [str(p) for p in present]
    close = closest_name(name, names)
    if close is not None:
        return f"; did you mean {close!r}?"
    shown = ", ".join(repr(n) for n in names[:25]) + (", ..." if len(names) > 25 else "")
    return f"; the columns are {shown}"
