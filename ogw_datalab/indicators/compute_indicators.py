"""Compute every catalogue indicator per buurt, then roll up to wijk and gemeente."""

from __future__ import annotations

import duckdb
import pandas as pd

from ..config import ProjectConfig
from ..storage import (
    ensure_schemas,
    layer_table,
    partner_table,
    publish_temp_table,
    read_sql_file,
    run_sql_file,
    table_name,
)
from .catalogue import CATALOGUE, Indicator


def available_indicators(config: ProjectConfig) -> list[Indicator]:
    """Catalogue entries whose inputs this configuration provides: their layers, partner, addresses, parks."""
    partners = {p.name for p in config.partners if p.key != "wijkcode"}
    point_layers = {name for name, layer in config.layers.items() if layer.geometry == "points"}
    return [
        i
        for i in CATALOGUE
        if (i.partner is None or i.partner in partners)
        and set(i.layers) <= point_layers
        and (not i.needs_adressen or config.sources.adressen is not None)
        and (not i.needs_parks or config.parameters.park_layer is not None)
    ]


def compute_indicators(con: duckdb.DuckDBPyConnection, config: ProjectConfig) -> dict[str, int]:
    """Write ``indicators.buurt`` (long: one row per buurt and indicator), ``indicators.wijk``
    and ``indicators.gemeente``.

    Notes
    -----
    Per buurt, ``waarde = schaal * teller / noemer``; it is NULL when the denominator is
    below the configured minimum (``min_inwoners_for_rate`` inhabitants for rates per
    inhabitant, ``min_noemer_for_share`` for shares). Wijk and gemeente values are
    recomputed from the sums of teller and noemer.
    """
    indicators = available_indicators(config)
    parameters = {
        "min_inwoners": config.parameters.min_inwoners_for_rate,
        "min_noemer": config.parameters.min_noemer_for_share,
    }
    parts = []
    for indicator in indicators:
        sql = read_sql_file(indicator.sql).format(**_inputs(indicator))
        used = {k: v for k, v in parameters.items() if f"${k}" in sql}
        frame = con.execute(sql, used).df()
        parts.append(frame.assign(indicator=indicator.id))
    values = pd.concat(parts, ignore_index=True)
    values["waarde"] = [_round(v, i) for v, i in zip(values["waarde"], values["indicator"], strict=True)]
    ensure_schemas(con)
    con.register("__values", values)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE staged AS
        SELECT v.indicator, b.buurtcode, b.buurtnaam, b.wijkcode,
               CAST(v.waarde AS DOUBLE) AS waarde, CAST(v.teller AS DOUBLE) AS teller,
               CAST(v.noemer AS DOUBLE) AS noemer
        FROM __values AS v JOIN staging.buurten AS b USING (buurtcode)
        ORDER BY v.indicator, b.buurtcode"""
    )
    con.unregister("__values")
    rows = publish_temp_table(con, "staged", "indicators", "buurt")
    _register_catalogue(con, indicators)
    run_sql_file(con, "roll_up_indicators.sql", {"gemeentecode": config.gemeente.code})
    return {"rows": rows, "indicators": len(indicators), "buurten": rows // max(len(indicators), 1)}


def _inputs(indicator: Indicator) -> dict[str, str]:
    """Table names an indicator's SQL refers to as ``{partner}`` or ``{<layer name>}``."""
    tables = {layer: table_name("joined", layer_table(layer)) for layer in indicator.layers}
    if indicator.partner:
        tables["partner"] = table_name("joined", partner_table(indicator.partner))
    return tables


def _round(value: float | None, indicator_id: str) -> float | None:
    if value is None or pd.isna(value):
        return None
    digits = next(i.decimalen for i in CATALOGUE if i.id == indicator_id)
    return round(float(value), digits)


def _register_catalogue(con: duckdb.DuckDBPyConnection, indicators: list[Indicator]) -> None:
    frame = pd.DataFrame([{"indicator": i.id, "aggregatie": i.aggregatie, "schaal": i.schaal} for i in indicators])
    con.register("__catalogue", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE indicator_catalogue AS SELECT * FROM __catalogue")
    con.unregister("__catalogue")


def indicator_values(con: duckdb.DuckDBPyConnection, indicator_id: str, *, wijknamen: bool = True) -> pd.DataFrame:
    """Buurt values of one indicator with the buurt geometry (EPSG:28992) as WKB.

    ``wijknamen=False`` leaves wijk names out: when the wijken are of another gebiedsindeling
    than the buurten, a wijkcode may name another area.
    """
    return con.execute(
        """SELECT i.buurtcode, i.buurtnaam, i.wijkcode,
                  CASE WHEN $wijknamen THEN w.wijknaam END AS wijknaam,
                  i.waarde, i.teller, i.noemer, ST_AsWKB(b.geometry) AS geometry_wkb
        FROM indicators.buurt AS i
        JOIN staging.buurten AS b USING (buurtcode)
        LEFT JOIN staging.wijken AS w ON w.wijkcode = i.wijkcode
        WHERE i.indicator = $indicator
        ORDER BY i.buurtcode""",
        {"indicator": indicator_id, "wijknamen": wijknamen},
    ).df()
