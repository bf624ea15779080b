"""Compute every catalogue indicator per buurt, then roll up to wijk and gemeente."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from ..config import ProjectConfig
from ..storage import bound_parameters, ensure_schemas, frame_to_temp_table, publish_temp_table, run_sql_file
from .catalogue import Catalogue, Indicator
from .formulas.prepare import standard_identifiers


def compute_indicators(con: duckdb.DuckDBPyConnection, config: ProjectConfig, catalogue: Catalogue) -> dict[str, int]:
    """Write ``indicators.buurt``, ``indicators.wijk`` and ``indicators.gemeente``.

    ``indicators.buurt`` is long: one row per buurt and indicator.

    Notes
    -----
    Per buurt, ``waarde = scale * teller / noemer`` for rates and shares, wherever the
    denominator is positive; which of these may be published is decided afterwards, in one
    place (:mod:`ogw_datalab.indicators.suppress`). Wijk and gemeente values are recomputed
    from the sums of teller and noemer, never averaged.
    Intermediate tables (areas per buurt, distances per home) are kept in ``joined`` under
    ``indicator_<id>_...`` so that every number can be traced.
    """
    parts = [_compute_one(con, config, indicator) for indicator in catalogue.indicatoren]
    values = pd.concat(parts, ignore_index=True)
    ensure_schemas(con)
    con.register("__values", values)
    try:
        con.execute(
            """CREATE OR REPLACE TEMP TABLE staged AS
            SELECT v.indicator, b.buurtcode, b.buurtnaam, b.wijkcode,
                   CAST(v.waarde AS DOUBLE) AS waarde, CAST(v.teller AS DOUBLE) AS teller,
                   CAST(v.noemer AS DOUBLE) AS noemer
            FROM __values AS v JOIN staging.buurten AS b USING (buurtcode)
            ORDER BY v.indicator, b.buurtcode"""
        )
    finally:
        con.unregister("__values")
    rows = publish_temp_table(con, "staged", "indicators", "buurt")
    _register_catalogue(con, catalogue)
    run_sql_file(con, "roll_up_indicators.sql", {"gemeentecode": config.gemeente.code})
    return {"rows": rows, "indicators": len(catalogue.indicatoren)}


def _compute_one(con: duckdb.DuckDBPyConnection, config: ProjectConfig, indicator: Indicator) -> pd.DataFrame:
    formule = indicator.formule
    formula = formule.formula
    identifiers = standard_identifiers(config, formule)
    for step in formula.prepare:  # intermediate tables, kept as joined.indicator_<id>_...
        identifiers.update(step(con, config, formule, f"indicator_{indicator.id}"))
    sql = formula.sql_text().format(**identifiers)
    parameters = _parameters(config, indicator) | (formula.parameters(config, formule) if formula.parameters else {})
    frame = con.execute(sql, bound_parameters(sql, parameters)).df()
    frame["waarde"] = [None if pd.isna(v) else round(float(v), indicator.decimalen) for v in frame["waarde"]]
    return frame.assign(indicator=indicator.id)


def _parameters(config: ProjectConfig, indicator: Indicator) -> dict[str, Any]:
    """Return the parameters an indicator's SQL may bind as ``$name``.

    Every field of its ``formule`` (so that a field added to :class:`Formule` needs no edit here), the codes of
    ``waarden`` and ``van`` in capitals, and ``$park_m`` of the configuration.
    """
    formule = indicator.formule
    return dict(formule) | {
        "park_m": config.parameters.park_afstand_m,
        "waarden": [v.upper() for v in formule.waarden or []],
        "van": [v.upper() for v in formule.van or []],
    }


def _register_catalogue(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    frame = pd.DataFrame(
        [{"indicator": i.id, "aggregation": i.aggregation, "scale": i.scale} for i in catalogue.indicatoren]
    )
    frame_to_temp_table(con, "indicator_catalogue", frame)


def indicator_values(con: duckdb.DuckDBPyConnection, indicator_id: str, *, wijknamen: bool = True) -> pd.DataFrame:
    """Return the published buurt values of one indicator, their rank and percentile, and the buurt geometry.

    Suppressed values are empty, with their status and reason; the geometry is WKB in EPSG:28992.

    ``wijknamen=False`` leaves wijk names out: when the wijken are of another gebiedsindeling
    than the buurten, a wijkcode may name another area.
    """
    return con.execute(
        """SELECT p.buurtcode, p.buurtnaam, p.wijkcode,
                  CASE WHEN $wijknamen THEN w.wijknaam END AS wijknaam,
                  p.waarde, p.status, p.reden, v.rang, v.percentiel, t.verschil, t.vorig_jaar,
                  ST_AsWKB(b.geometry) AS geometry_wkb
        FROM indicators.publicatie_buurt AS p
        JOIN staging.buurten AS b USING (buurtcode)
        LEFT JOIN indicators.vergelijking_buurt AS v USING (indicator, buurtcode)
        LEFT JOIN indicators.trends AS t USING (indicator, buurtcode)
        LEFT JOIN staging.wijken AS w ON w.wijkcode = p.wijkcode
        WHERE p.indicator = $indicator
        ORDER BY p.buurtcode""",
        {"indicator": indicator_id, "wijknamen": wijknamen},
    ).df()
