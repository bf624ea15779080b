"""Move figures from one gebiedsindeling to another (another year's buurten, or wijken to buurten).

Codes are never matched across years: the same code can name another area. Instead each
figure is spread over the target areas by how much they overlap.

Notes
-----
With overlap area ``|s ∩ t|`` between source area *s* and target area *t*:

- a count (inhabitants, homes) moves in proportion to the part of *s* inside *t*:
  ``count(t) = sum_s count(s) * |s ∩ t| / |s|``; totals are kept exactly;
- a rate or share (a percentage) is the area-weighted mean over the sources covering *t*:
  ``rate(t) = sum_s rate(s) * |s ∩ t| / |t ∩ (union of s with a value)|``.

Where BAG addresses are known, the number of addresses in each overlap is a better weight
than area (people live where the addresses are, not in the polders); pass them as
``weights`` computed by :func:`address_weights`.
"""

from __future__ import annotations

from typing import TypedDict

import duckdb
import numpy as np
import pandas as pd
import shapely

from ..storage import run_sql_file
from .assign_points import assign_points

SLIVER_M2 = 1.0


class Areas(TypedDict):
    """Areas of one gebiedsindeling: codes and polygons (RD New), in the same order."""

    codes: np.ndarray
    polygons: np.ndarray


def area_weights(con: duckdb.DuckDBPyConnection, source: str, target: str) -> pd.DataFrame:
    """Overlaps (bron, doel, overlap_m2, deel_van_bron, deel_van_doel) between two area tables.

    ``source`` and ``target`` are SQL relations with columns ``code`` and ``geometry`` (RD New).
    """
    run_sql_file(
        con, "area_overlap_weights.sql", {"min_m2": SLIVER_M2}, identifiers={"source": source, "target": target}
    )
    return con.execute("SELECT * FROM overlap_weights ORDER BY bron, doel").df()


def address_weights(source: Areas, target: Areas, x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Overlaps weighted by addresses: (bron, doel, adressen) for address points (x, y)."""
    in_source = assign_points(source["polygons"], x, y)
    in_target = assign_points(target["polygons"], x, y)
    both = (in_source >= 0) & (in_target >= 0)
    pairs = pd.DataFrame(
        {"bron": np.asarray(source["codes"])[in_source[both]], "doel": np.asarray(target["codes"])[in_target[both]]}
    )
    return pairs.value_counts().rename("adressen").reset_index()


def reallocate_counts(values: pd.Series, weights: pd.DataFrame, weight: str = "overlap_m2") -> pd.Series:
    """Turn counts per source code into counts per target code, split by each source's share in each target."""
    table = weights.assign(waarde=weights["bron"].map(values)).dropna(subset=["waarde"])
    share = table[weight] / table.groupby("bron")[weight].transform("sum")
    return (table["waarde"] * share).groupby(table["doel"]).sum()


def reallocate_rates(values: pd.Series, weights: pd.DataFrame, weight: str = "overlap_m2") -> pd.Series:
    """Rates per source code -> weighted mean per target code over the sources that have a value."""
    table = weights.assign(waarde=weights["bron"].map(values)).dropna(subset=["waarde"])
    weighted = (table["waarde"] * table[weight]).groupby(table["doel"]).sum()
    return weighted / table.groupby("doel")[weight].sum()


def weights_onto_buurten(con: duckdb.DuckDBPyConnection, source: str, use_addresses: bool) -> tuple[pd.DataFrame, str]:
    """Overlaps of the areas in ``source`` (an SQL relation with ``code`` and ``geometry``) with today's buurten.

    Weighted by today's BAG addresses (``joined.adressen_buurt``) when ``use_addresses``, else by area.
    Returns the weights and the name of the weight column.
    """
    target = "(SELECT buurtcode AS code, geometry FROM staging.buurten)"
    if not use_addresses:
        return area_weights(con, source, target), "overlap_m2"

    def areas(relation: str) -> Areas:
        rows = con.execute(f"SELECT code, ST_AsWKB(geometry) FROM {relation} ORDER BY code").fetchall()
        return Areas(
            codes=np.array([c for c, _ in rows], dtype=object), polygons=shapely.from_wkb([bytes(w) for _, w in rows])
        )

    homes = con.execute("SELECT ST_X(geometry) AS x, ST_Y(geometry) AS y FROM joined.adressen_buurt").fetchnumpy()
    x = np.asarray(homes["x"], dtype=float)
    y = np.asarray(homes["y"], dtype=float)
    return address_weights(areas(source), areas(target), x, y), "adressen"
