"""CBS sentinel values made empty in every reader, and a record of what a reader cleaned.

CBS marks a secret or unavailable figure with a large negative code instead of an empty cell:
``-99999999`` in the wijk- en buurtkaart (and ``-99999998`` ... ``-99999995`` in some tables),
``-99999`` ... ``-99995`` in newer deliveries. Such a code is a missing value, never a number:
summed or averaged it publishes nonsense (a legend from "-99.999.999"). Every reader empties
these codes in every column, whatever the file's kind, and counts them per column.
"""

from __future__ import annotations

import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

# Exact codes only: a range rule ("anything below -99995") would also empty real large negative
# amounts in a partner's file.
CBS_SENTINELS = frozenset(float(v) for v in (*range(-99_999_999, -99_999_994), *range(-99_999, -99_994)))
SENTINEL_TEXT = re.compile(r"^-\s*99[\d.,\s]*$")  # a cheap filter; the number itself decides


def empty_sentinels(frame: pd.DataFrame, *, decimal: str) -> dict[str, int]:
    """Replace CBS sentinel codes by missing values, in place; return how many per column.

    Numeric columns are compared by value. Text cells (tables are read as text) count when
    they read as a sentinel number in the file's decimal convention (``-99999999``,
    ``-99.999.999`` with a decimal comma); numbers inside text columns (JSON) count too.
    Integer columns holding a sentinel become nullable integers, so no value turns into a float.

    Parameters
    ----------
    frame
        A table as read; its active geometry column (if any) is left alone.
    decimal
        The decimal mark of numbers written as text in the file (``","`` or ``"."``).

    Returns
    -------
    dict
        Column name -> number of cells emptied, only for columns where any was.
    """
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    counts: dict[str, int] = {}
    for column in list(frame.columns):
        if column == geometry:
            continue
        values = frame[column]
        mask = _sentinel_mask(values, decimal)
        emptied = int(mask.sum())
        if emptied == 0:
            continue
        if pd.api.types.is_integer_dtype(values):
            frame[column] = values.astype("Int64").mask(mask)
        elif pd.api.types.is_float_dtype(values):
            frame[column] = values.mask(mask)
        else:
            frame[column] = pd.Series(
                [None if m else v for v, m in zip(values, mask, strict=True)], index=frame.index, dtype=object
            )
        counts[str(column)] = emptied
    return counts


def _sentinel_mask(values: pd.Series, decimal: str) -> np.ndarray:
    if pd.api.types.is_bool_dtype(values):
        return np.zeros(len(values), dtype=bool)
    if pd.api.types.is_numeric_dtype(values):
        return values.isin(CBS_SENTINELS).to_numpy(dtype=bool)
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return np.zeros(len(values), dtype=bool)
    if isinstance(values.dtype, pd.StringDtype):  # text tables: only a cell with a '-' can be a sentinel
        candidates = values.str.contains("-", regex=False).fillna(False).to_numpy(dtype=bool)
        mask = np.zeros(len(values), dtype=bool)
        mask[candidates] = [_is_sentinel(v, decimal) for v in values[candidates]]
        return mask
    # A plain loop over mixed cells (JSON): a cell without '-' is decided at once.
    return np.fromiter((_is_sentinel(v, decimal) for v in values), dtype=bool, count=len(values))


def _is_sentinel(value: Any, decimal: str) -> bool:
    if isinstance(value, str):
        if "-" not in value:
            return False
        text = value.strip()
        return SENTINEL_TEXT.match(text) is not None and _as_number(text, decimal) in CBS_SENTINELS
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return float(value) in CBS_SENTINELS


def _as_number(text: str, decimal: str) -> float | None:
    cleaned = text.replace(" ", "")
    if decimal == ",":
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def describe_cleaning(cleaning: dict[str, Any]) -> str:
    """One plain sentence for what a reader or staging cleaned (empty when nothing was).

    Takes a reader's ``frame.attrs["cleaning"]`` (``sentinels_emptied``, ``rows_dropped``) and/or
    the ``negative_emptied`` counts that staging returns, merged in one mapping.

    Examples
    --------
    >>> describe_cleaning({"sentinels_emptied": {"AUTO_HH": 22}, "rows_dropped": {"empty": 2, "notes": 1}})
    'emptied 22 CBS secret codes in AUTO_HH; dropped 2 empty rows, 1 note line under the table'
    >>> describe_cleaning({"negative_emptied": {"aantal_inwoners": 1}})
    'made 1 negative count unknown in aantal_inwoners'
    """
    parts = []
    emptied = cleaning.get("sentinels_emptied") or {}
    if emptied:
        parts.append("emptied " + _per_column(emptied, "CBS secret code"))
    negative = cleaning.get("negative_emptied") or {}
    if negative:
        parts.append("made " + _per_column(negative, "negative count", " unknown"))
    dropped = cleaning.get("rows_dropped") or {}
    rows = []
    if dropped.get("empty"):
        rows.append(f"{dropped['empty']} empty row{_s(dropped['empty'])}")
    if dropped.get("notes"):
        rows.append(f"{dropped['notes']} note line{_s(dropped['notes'])} under the table")
    if rows:
        parts.append("dropped " + ", ".join(rows))
    return "; ".join(parts)


def _per_column(counts: dict[str, int], what: str, after: str = "") -> str:
    """'22 CBS secret codes in AUTO_HH, 1 in AUTO_LAND' (the noun agrees with the first number)."""
    (first, n), *rest = counts.items()
    return ", ".join([f"{n} {what}{_s(n)}{after} in {first}", *(f"{m} in {column}" for column, m in rest)])


def _s(n: int) -> str:
    return "" if n == 1 else "s"
