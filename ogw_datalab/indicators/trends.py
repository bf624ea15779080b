"""Years side by side: the change per buurt since the most recent earlier year, on today's buurten.

Every build keeps its published buurt values and boundaries in ``historie`` (:mod:`.history`).

Notes
-----
An earlier year's published values are moved onto the current buurten by overlap, never by
code (:mod:`ogw_datalab.spatial.reallocate`): counts in proportion to overlap, rates as the
overlap-weighted mean; weighted by the current BAG addresses when configured, else by area.
A trend exists only where both years have a published value: nothing suppressed is used.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ..config import ProjectConfig
from ..spatial.reallocate import reallocate_counts, reallocate_rates, weights_onto_buurten
from ..storage import frame_to_temp_table, publish_temp_table
from .catalogue import Catalogue


def compute_trends(con: duckdb.DuckDBPyConnection, config: ProjectConfig, catalogue: Catalogue) -> dict[str, int]:
    """Write ``indicators.trends``: per indicator and current buurt the change since an earlier year.

    That year is the most recent one under ``jaren:`` that the history holds.
    """
    # Only a year still listed under jaren: counts; a year dropped from the configuration is ignored.
    previous = con.execute(
        "SELECT max(jaar) FROM historie.buurten WHERE jaar < ? AND list_contains(?, jaar)",
        [config.jaar, sorted(config.jaren)],
    ).fetchone()
    columns = ["indicator", "buurtcode", "vorig_jaar", "vorige_waarde", "waarde", "verschil"]
    rows = pd.DataFrame(columns=columns)
    if previous is not None and previous[0] is not None:
        rows = _trends_since(con, config, catalogue, int(previous[0]), columns)
    frame_to_temp_table(con, "staged", rows.astype({"vorig_jaar": "Int64"}) if len(rows) else rows)
    return {
        "rows": publish_temp_table(con, "staged", "indicators", "trends"),
        "vorig_jaar": int(previous[0]) if previous and previous[0] is not None else 0,
    }


def _trends_since(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, catalogue: Catalogue, year: int, columns: list[str]
) -> pd.DataFrame:
    earlier = f"(SELECT buurtcode AS code, geometry FROM historie.buurten WHERE jaar = {int(year)})"
    weights, weight = weights_onto_buurten(con, earlier, use_addresses=config.bronnen.adressen is not None)
    now = con.execute(
        "SELECT indicator, buurtcode, waarde FROM indicators.publicatie_buurt WHERE status = 'gepubliceerd'"
    ).df()
    then = con.execute(
        "SELECT indicator, buurtcode, waarde FROM historie.waarden WHERE jaar = ? AND status = 'gepubliceerd'", [year]
    ).df()
    parts = []
    for indicator in catalogue.indicatoren:
        old = then[then["indicator"] == indicator.id].set_index("buurtcode")["waarde"]
        if old.empty:
            continue
        move = reallocate_counts if indicator.aggregation == "som" else reallocate_rates
        moved = move(old, weights, weight)
        current = now[now["indicator"] == indicator.id].set_index("buurtcode")["waarde"]
        both = current.index.intersection(moved.index)
        parts.append(
            pd.DataFrame(
                {
                    "indicator": indicator.id,
                    "buurtcode": both,
                    "vorig_jaar": year,
                    "vorige_waarde": moved[both].round(indicator.decimalen).to_numpy(),
                    "waarde": current[both].to_numpy(),
                    "verschil": (current[both] - moved[both]).round(indicator.decimalen).to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
