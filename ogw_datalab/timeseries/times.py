"""Times as files write them -> UTC, with the zone always explicit and summer time handled.

Three ways a file can write its times (``tijd.zone``):

- ``offset``: every time carries its own offset (``2016-06-02 00:00:00+02:00``, ``...Z``);
  a time without one is an error.
- ``UTC``: times are UTC; a time carrying another offset than zero is an error.
- a named zone such as ``Europe/Amsterdam``: local clock times without offset. When summer
  time ends, the hour 02:00-02:59 happens twice (*ambiguous*); when it starts, 02:00-02:59
  does not exist (*nonexistent*). Ambiguous times are resolved by their order in the file
  (``dubbelzinnig: volgorde``: in each series the first 02:30 is summer time, the second
  winter time; a lone 02:30 cannot be placed and is an error), or always read as one of the
  two, or left out. A nonexistent time is an error unless ``niet_bestaand: weglaten``.

A time labels the start of its hour unless ``label: eind``, in which case one hour is
subtracted, so that every hour is stored by its start (and lands in the right day and month).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import Tijd

# An offset after a clock time (so that the day of a date such as 2016-06-02 is not read as -02).
CLOCK = r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*"
OFFSET = re.compile(CLOCK + r"(?:Z|[+-]\d{2}(?::?\d{2})?)$", re.IGNORECASE)
ZERO_OFFSET = re.compile(CLOCK + r"(?:Z|[+-]00(?::?00)?)$", re.IGNORECASE)


class TimeError(ValueError):
    """Times cannot be read as configured."""


@dataclass
class ParsedTimes:
    """UTC times (NaT where a time was left out by rule) and how many were left out, per reason."""

    utc: pd.Series
    left_out: dict[str, int] = field(default_factory=dict)


def parse_times(text: pd.Series, tijd: Tijd, where: str, series_keys: pd.Series | None = None) -> ParsedTimes:
    """Read ``text`` (one time per row, file order) as UTC according to ``tijd``.

    Parameters
    ----------
    text
        The times as written, in file order; the index is the data row number (for messages).
    tijd
        The configured zone, format, label and summer-time rules.
    where
        Source and file, for messages.
    series_keys
        For ``dubbelzinnig: volgorde``: which series each row belongs to (a long table holds
        many sensors, each with its own repeated hour). Default: one series.

    Raises
    ------
    TimeError
        A time that cannot be parsed, lacks the offset its zone requires, or cannot be placed.
    """
    # A long table repeats each time once per sensor: parse every distinct text once.
    codes, distinct = pd.factorize(text, use_na_sentinel=False)
    first_rows = text.index[np.unique(codes, return_index=True)[1]]
    unique = pd.Series(distinct, index=first_rows, dtype="string").str.strip()
    empty = unique.isna() | (unique == "")
    if empty.any():
        raise TimeError(f"{where}: row {unique.index[empty.to_numpy()][0]} has no time")
    has_offset = unique.str.contains(OFFSET, regex=True)
    if tijd.zone in ("offset", "UTC"):
        if tijd.zone == "offset":
            problem = "carries no UTC offset (such as +02:00 or Z), while tijd.zone is 'offset'"
            _require(~has_offset, unique, where, problem)
        else:
            foreign = has_offset & ~unique.str.contains(ZERO_OFFSET, regex=True)
            _require(foreign, unique, where, "carries a non-UTC offset")
        parsed = _to_datetime(unique, tijd, where, utc=True)
        times = pd.Series(parsed.array.take(codes), index=text.index)
        return ParsedTimes(_shift_label(times, tijd))
    _require(has_offset, unique, where, f"carries an offset; with tijd.zone {tijd.zone!r} times are local clock times")
    parsed = _to_datetime(unique, tijd, where, utc=False)
    naive = pd.Series(parsed.array.take(codes), index=text.index)
    return _localise(naive, tijd, where, series_keys)


def _require(bad: pd.Series, text: pd.Series, where: str, problem: str) -> None:
    if bad.any():
        row = text.index[bad.to_numpy()][0]
        raise TimeError(f"{where}: row {row}: time {text.loc[row]!r} {problem}")


def _to_datetime(text: pd.Series, tijd: Tijd, where: str, *, utc: bool) -> pd.Series:
    try:
        if tijd.formaat:
            return pd.to_datetime(text, format=tijd.formaat, utc=utc)
        return pd.to_datetime(text, format="ISO8601", utc=utc)
    except (ValueError, TypeError) as error:
        bad = _first_unparseable(text, tijd.formaat)
        how = f"format {tijd.formaat!r}" if tijd.formaat else "ISO 8601 (set tijd.formaat for other layouts)"
        raise TimeError(f"{where}: row {bad[0]}: time {bad[1]!r} does not match {how} ({error})") from None


def _first_unparseable(text: pd.Series, fmt: str | None) -> tuple[object, str]:
    for row, value in text.items():
        try:
            pd.to_datetime(value, format=fmt or "ISO8601")
        except (ValueError, TypeError):
            return row, str(value)
    return text.index[0], str(text.iloc[0])


def _shift_label(times: pd.Series, tijd: Tijd) -> pd.Series:
    return times - pd.Timedelta(hours=1) if tijd.label == "eind" else times


def _localise(naive: pd.Series, tijd: Tijd, where: str, series_keys: pd.Series | None) -> ParsedTimes:
    zone = tijd.zone
    strict = naive.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    nonexistent = naive.dt.tz_localize(zone, ambiguous=True, nonexistent="NaT").isna().to_numpy()
    ambiguous = strict.isna().to_numpy() & ~nonexistent
    left_out: dict[str, int] = {}
    drop = np.zeros(len(naive), dtype=bool)
    if nonexistent.any():
        if tijd.niet_bestaand == "fout":
            row = naive.index[nonexistent][0]
            raise TimeError(
                f"{where}: row {row}: {naive.loc[row]} does not exist in {zone} (the clock skips that hour when "
                "summer time starts); fix the file or set tijd.niet_bestaand: weglaten"
            )
        drop |= nonexistent
        left_out["niet_bestaande_tijd"] = int(nonexistent.sum())
    summer = np.ones(len(naive), dtype=bool)  # only read where ambiguous
    if ambiguous.any():
        if tijd.dubbelzinnig == "weglaten":
            drop |= ambiguous
            left_out["dubbelzinnige_tijd"] = int(ambiguous.sum())
        elif tijd.dubbelzinnig == "wintertijd":
            summer[:] = False
        elif tijd.dubbelzinnig == "volgorde":
            summer = _summer_by_order(naive, ambiguous, series_keys, where, zone)
    local = naive.dt.tz_localize(zone, ambiguous=summer, nonexistent="NaT")
    utc = local.dt.tz_convert("UTC").where(~drop)
    return ParsedTimes(_shift_label(utc, tijd), left_out)


def _summer_by_order(
    naive: pd.Series, ambiguous: np.ndarray, series_keys: pd.Series | None, where: str, zone: str
) -> np.ndarray:
    """In each series, the first occurrence of a repeated local time is summer time, the next ones winter time."""
    keys = pd.Series("", index=naive.index) if series_keys is None else series_keys.astype(str)
    frame = pd.DataFrame({"key": keys.to_numpy(), "time": naive.to_numpy()})[ambiguous]
    occurrence = frame.groupby(["key", "time"]).cumcount().to_numpy()
    count = frame.groupby(["key", "time"])["time"].transform("size").to_numpy()
    if (count == 1).any():
        row = naive.index[np.flatnonzero(ambiguous)[np.argmax(count == 1)]]
        raise TimeError(
            f"{where}: row {row}: {naive.loc[row]} happens twice in {zone} (summer time ends) but appears once in "
            "its series, so it cannot be placed; set tijd.dubbelzinnig to zomertijd, wintertijd or weglaten"
        )
    summer = np.ones(len(naive), dtype=bool)
    summer[np.flatnonzero(ambiguous)] = occurrence == 0
    return summer
