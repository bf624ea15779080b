"""CBS sentinel values made empty in every reader, and a record of what a reader cleaned.

CBS marks a secret or unavailable figure with a large negative code instead of an empty cell:
``-99999999`` in the wijk- en buurtkaart (and ``-99999998`` ... ``-99999995`` in some tables),
``-99999`` ... ``-99995`` in newer deliveries. Such a code is a missing value, never a number:
summed or averaged it publishes nonsense (a legend from "-99.999.999"). Every reader empties
these codes in every column, whatever the file's kind, and counts them per column.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

# Exact codes only: a range rule ("anything below -99995") would also empty real large negative
# amounts in a partner's file.
CBS_SENTINELS = frozenset(float(v) for v in (*range(-99_999_999, -99_999_994), *range(-99_999, -99_994)))
SENTINEL_TEXT = r"^-\s*99[\d.,\s]*$"  # cheap pre-filter; the number itself decides


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
    mask = np.zeros(len(values), dtype=bool)
    numbers = np.array([isinstance(v, int | float) and not isinstance(v, bool) for v in values], dtype=bool)
    if numbers.any():
        mask[numbers] = [float(v) in CBS_SENTINELS for v in values[numbers]]
    text = values.where(~numbers, None).astype("string").str.strip()
    candidates = text.str.match(SENTINEL_TEXT).fillna(False).to_numpy(dtype=bool)
    if candidates.any():
        mask[candidates] = [_as_number(v, decimal) in CBS_SENTINELS for v in text[candidates]]
    return mask


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
    """One plain sentence for a reader's ``frame.attrs["cleaning"]`` (empty when nothing was cleaned).

    Examples
    --------
    >>> describe_cleaning({"sentinels_emptied": {"AUTO_HH": 22}, "rows_dropped": {"empty": 2, "notes": 1}})
    'emptied 22 CBS secret codes in AUTO_HH; dropped 2 empty rows, 1 note line under the table'
    """
    parts = []
    emptied = cleaning.get("sentinels_emptied") or {}
    if emptied:
        per_column = ", ".join(f"{n} in {column}" for column, n in emptied.items())
        parts.append(f"emptied {per_column.replace(' in ', ' CBS secret codes in ', 1)}")
    dropped = cleaning.get("rows_dropped") or {}
    rows = []
    if dropped.get("empty"):
        rows.append(f"{dropped['empty']} empty row{'s' if dropped['empty'] != 1 else ''}")
    if dropped.get("notes"):
        rows.append(f"{dropped['notes']} note line{'s' if dropped['notes'] != 1 else ''} under the table")
    if rows:
        parts.append("dropped " + ", ".join(rows))
    return "; ".join(parts)
