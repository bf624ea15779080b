"""Place every published buurt and wijk value against the gemeente and the Netherlands, with rank and percentile.

An indicator whose published values cannot tell the areas apart (fewer than
``MIN_DISTINCT_VALUES`` distinct values, as published) gets no rank and no percentile, and the
reason instead (``rang_reden``): a rank among equal values would suggest a difference that is
not there. Equal values share a rank, the lowest of their places ("gedeeld 3e").
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..storage import frame_to_temp_table, publish_temp_table
from .catalogue import Catalogue, Indicator

MIN_DISTINCT_VALUES = 3
COLUMNS = [
    "waarde",
    "gemeente_waarde",
    "nederland_waarde",
    "verschil_gemeente",
    "rang",
    "rang_gedeeld",
    "rang_reden",
    "percentiel",
    "status",
    "reden",
]


def dutch_number(value: float, decimalen: int) -> str:
    """Format a number as Dutch readers write it: ``1.234,5`` (point between thousands, decimal comma)."""
    text = f"{value:,.{decimalen}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def indistinct_reason(values: pd.Series, decimalen: int, *, gebieden: str = "buurten") -> str | None:
    """Why these published values cannot tell the areas apart, or None when they can.

    Parameters
    ----------
    values
        The published values of one indicator, one per area (empty where withheld or missing).
    decimalen
        The indicator's decimals: values are compared as they are published.
    gebieden
        What the areas are called in the reason (``buurten``, ``wijken``).

    Returns
    -------
    str or None
        A plain Dutch clause (``alle buurten hebben dezelfde waarde: 0``), or None
        when there are at least ``MIN_DISTINCT_VALUES`` distinct values, or none at all.
    """
    known = values.dropna().astype(float).round(decimalen)
    distinct = sorted(set(known))
    if not distinct or len(distinct) >= MIN_DISTINCT_VALUES:
        return None
    shown = " en ".join(dutch_number(v, decimalen) for v in distinct)
    if len(known) < min(MIN_DISTINCT_VALUES, len(values)):  # too few values, not equal ones: say so
        verb = "heeft" if len(known) == 1 else "hebben"
        return f"maar {len(known)} van de {len(values)} {gebieden} {verb} een waarde: {shown}"
    if len(distinct) == 1:
        return f"alle {gebieden} hebben dezelfde waarde: {shown}"
    return f"de {gebieden} hebben maar {len(distinct)} verschillende waarden: {shown}"


def need_percentile(values: pd.Series, richting: str) -> pd.Series:
    """0-100, where 100 is the value that asks most attention (the worst, for a direction of 'good').

    Ties share their mean rank; for a neutral indicator the highest value scores 100.
    """
    ascending = richting != "hoger_is_beter"  # lager_is_beter and neutraal: high values rank high
    ranks = values.rank(method="average", ascending=ascending)
    n = values.notna().sum()
    return ((ranks - 1) / (n - 1) * 100).round(1) if n > 1 else ranks.where(ranks.isna(), 100.0)


def need_rank(values: pd.Series, richting: str) -> pd.Series:
    """Rank 1 = the value that asks most attention; equal values share the lowest of their places (1, 2, 2, 4)."""
    return values.rank(method="min", ascending=richting == "hoger_is_beter").astype("Int64")


def _rank_rows(rows: pd.DataFrame, indicator: Indicator, gebieden: str) -> pd.DataFrame:
    values = rows["waarde"].astype(float).round(indicator.decimalen)
    reason = indistinct_reason(values, indicator.decimalen, gebieden=gebieden)
    if reason is not None:
        rows["rang"] = pd.Series(pd.NA, index=rows.index, dtype="Int64")
        rows["rang_gedeeld"] = pd.Series(pd.NA, index=rows.index, dtype="boolean")
        rows["rang_reden"] = pd.Series(reason, index=rows.index, dtype="string").where(values.notna())
        rows["percentiel"] = float("nan")
        return rows
    rows["rang"] = need_rank(values, indicator.richting)
    shared = rows["rang"].duplicated(keep=False).astype("boolean")
    rows["rang_gedeeld"] = shared.where(rows["rang"].notna())
    rows["rang_reden"] = pd.Series(pd.NA, index=rows.index, dtype="string")
    rows["percentiel"] = need_percentile(values, indicator.richting)
    return rows


def compare_level(
    frame: pd.DataFrame, key: str, catalogue: Catalogue, gemeente: dict[str, float | None]
) -> pd.DataFrame:
    """Add gemeente and Dutch values, the difference from the gemeente, rank (1 = most attention) and percentile.

    Parameters
    ----------
    frame
        Published values of one level (``indicator``, ``key``, ``waarde``, ``status``, ``reden``).
    key
        ``buurtcode`` or ``wijkcode``.
    catalogue
        The indicator catalogue (direction and decimals of each indicator).
    gemeente
        The published gemeente value per indicator.

    Returns
    -------
    pandas.DataFrame
        Per indicator and area the comparison; ``rang`` and ``percentiel`` are empty, with
        ``rang_reden`` saying why, where the indicator cannot tell the areas apart
        (:func:`indistinct_reason`); ``rang_gedeeld`` marks ranks shared by equal values.
    """
    gebieden = "buurten" if key == "buurtcode" else "wijken"
    parts = []
    for indicator_id, rows in frame.groupby("indicator", sort=True):
        indicator: Indicator = catalogue.by_id(str(indicator_id))
        rows = rows.copy()
        rows["gemeente_waarde"] = gemeente.get(str(indicator_id))
        rows["nederland_waarde"] = indicator.nederland
        rows["verschil_gemeente"] = rows["waarde"] - rows["gemeente_waarde"].astype(float)
        parts.append(_rank_rows(rows, indicator, gebieden))
    columns = ["indicator", key, *COLUMNS]
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)


def compare_indicators(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> dict[str, int]:
    """Write ``indicators.vergelijking_buurt`` and ``indicators.vergelijking_wijk`` from the published values."""
    gemeente = dict(con.execute("SELECT indicator, waarde FROM indicators.publicatie_gemeente").fetchall())
    counts = {}
    for level, key in (("buurt", "buurtcode"), ("wijk", "wijkcode")):
        published = con.execute(f"SELECT * FROM indicators.publicatie_{level}").df()
        compared = compare_level(published, key, catalogue, gemeente)
        frame_to_temp_table(con, "staged", compared)
        counts[level] = publish_temp_table(con, "staged", "indicators", f"vergelijking_{level}")
    return counts
