"""Place every published buurt and wijk value against the gemeente and the Netherlands, with rank and percentile."""

from __future__ import annotations

import duckdb
import pandas as pd

from ..storage import frame_to_temp_table, publish_temp_table
from .catalogue import Catalogue, Indicator


def need_percentile(values: pd.Series, richting: str) -> pd.Series:
    """0-100, where 100 is the value that asks most attention (the worst, for a direction of 'good').

    Ties share their mean rank; for a neutral indicator the highest value scores 100.
    """
    ascending = richting != "hoger_is_beter"  # lager_is_beter and neutraal: high values rank high
    ranks = values.rank(method="average", ascending=ascending)
    n = values.notna().sum()
    return ((ranks - 1) / (n - 1) * 100).round(1) if n > 1 else ranks.where(ranks.isna(), 100.0)


def compare_level(
    frame: pd.DataFrame, key: str, catalogue: Catalogue, gemeente: dict[str, float | None]
) -> pd.DataFrame:
    """Add gemeente and Dutch values, the difference from the gemeente, rank (1 = most attention) and percentile."""
    parts = []
    for indicator_id, rows in frame.groupby("indicator", sort=True):
        indicator: Indicator = catalogue.by_id(str(indicator_id))
        rows = rows.copy()
        rows["gemeente_waarde"] = gemeente.get(str(indicator_id))
        rows["nederland_waarde"] = indicator.nederland
        rows["verschil_gemeente"] = rows["waarde"] - rows["gemeente_waarde"].astype(float)
        rows["percentiel"] = need_percentile(rows["waarde"], indicator.richting)
        rows["rang"] = rows["percentiel"].rank(method="min", ascending=False).astype("Int64")
        parts.append(rows)
    columns = [
        "indicator",
        key,
        "waarde",
        "gemeente_waarde",
        "nederland_waarde",
        "verschil_gemeente",
        "rang",
        "percentiel",
        "status",
        "reden",
    ]
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
