"""Compute every catalogue indicator per buurt, then roll up to wijk and gemeente."""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from ..config import ProjectConfig
from ..spatial.area_per_buurt import compute_area_per_buurt
from ..spatial.join_points_to_buurten import compute_distances
from ..spatial.reallocate import reallocate_rates, weights_onto_buurten
from ..storage import (
    bound_parameters,
    ensure_schemas,
    frame_to_temp_table,
    layer_table,
    partner_table,
    publish_temp_table,
    quote_identifier,
    read_sql_file,
    run_sql_file,
    table_name,
)
from .catalogue import CANOPY_TYPES, Catalogue, Indicator


def compute_indicators(con: duckdb.DuckDBPyConnection, config: ProjectConfig, catalogue: Catalogue) -> dict[str, int]:
    """Write ``indicators.buurt`` (long: one row per buurt and indicator), ``indicators.wijk``
    and ``indicators.gemeente``.

    Notes
    -----
    Per buurt, ``waarde = schaal * teller / noemer`` for rates and shares, wherever the
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
    identifiers = _prepare_inputs(con, config, indicator)
    sql = read_sql_file(indicator.sql).format(**identifiers)
    parameters = _parameters(config, indicator)
    frame = con.execute(sql, bound_parameters(sql, parameters)).df()
    frame["waarde"] = [None if pd.isna(v) else round(float(v), indicator.decimalen) for v in frame["waarde"]]
    return frame.assign(indicator=indicator.id)


def _parameters(config: ProjectConfig, indicator: Indicator) -> dict[str, Any]:
    formule = indicator.formule
    return {
        "per": formule.per,
        "afstand_m": formule.afstand_m,
        "park_m": config.parameters.park_distance_m,
        "minimum": formule.minimum,
        "kroon_m2": formule.kroon_m2,
        "waarden": [v.upper() for v in formule.waarden or []],
        "van": [v.upper() for v in formule.van or []],
    }


def _prepare_inputs(con: duckdb.DuckDBPyConnection, config: ProjectConfig, indicator: Indicator) -> dict[str, str]:
    """Table and column names the indicator's SQL refers to, computing intermediate tables first."""
    formule, key = indicator.formule, f"indicator_{indicator.id}"
    names: dict[str, str] = {}
    if formule.kolom:
        names["kolom"] = quote_identifier(formule.kolom)
    if formule.partner:
        names["partner"] = table_name("joined", partner_table(formule.partner))
    layer = formule.laag
    if layer and layer != "parken" and config.layers[layer].geometry == "points":
        names["layer"] = table_name("joined", layer_table(layer))
    if formule.type == "aandeel_oppervlak" and layer:
        compute_area_per_buurt(con, layer_table(layer), f"{key}_oppervlak", formule.typen or ())
        names["oppervlak"] = table_name("joined", f"{key}_oppervlak")
    if formule.type in ("kronendak", "drie_dertig_driehonderd"):
        park_layer = config.parameters.park_layer
        assert park_layer is not None  # checked when the catalogue was loaded
        compute_area_per_buurt(con, layer_table(park_layer), f"{key}_bos", CANOPY_TYPES)
        names["bos"] = table_name("joined", f"{key}_bos")
    if formule.type == "partner_wijkwaarde":
        assert formule.partner is not None and formule.kolom is not None
        names["herverdeeld"] = _wijk_values_to_buurten(con, config, formule.partner, formule.kolom, key)
    if formule.type in ("binnen_afstand", "gemiddelde_afstand", "drie_dertig_driehonderd"):
        features = _features(config, "parken" if formule.type == "drie_dertig_driehonderd" else layer)
        radius = {"binnen_afstand": formule.afstand_m, "gemiddelde_afstand": formule.max_afstand_m}.get(
            formule.type, config.parameters.park_distance_m
        )
        compute_distances(con, features, radius, f"{key}_afstanden")
        names["afstanden"] = table_name("joined", f"{key}_afstanden")
    return names


def _wijk_values_to_buurten(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, partner: str, kolom: str, key: str
) -> str:
    """A wijk figure spread over the buurten it overlaps (by addresses when known, else by area).

    The wijken may be of another gebiedsindeling than the buurten: nothing is matched on code.
    """
    weights, weight = weights_onto_buurten(
        con,
        "(SELECT wijkcode AS code, geometry FROM staging.wijken)",
        use_addresses=config.sources.adressen is not None,
    )
    column = quote_identifier(kolom)
    values = con.execute(
        f"SELECT wijkcode, CAST({column} AS DOUBLE) FROM {table_name('joined', partner_table(partner))}"
    ).fetchall()
    rates = reallocate_rates(pd.Series({code: value for code, value in values}, dtype=float), weights, weight)
    frame = pd.DataFrame({"buurtcode": rates.index.astype(str), "waarde": rates.to_numpy()})
    target = f"{key}_herverdeeld"
    con.register("__rates", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table_name('joined', target)} AS SELECT * FROM __rates")
    finally:
        con.unregister("__rates")
    return table_name("joined", target)


def _features(config: ProjectConfig, layer: str | None) -> str:
    if layer == "parken":
        return "staging.parken"
    assert layer is not None
    schema = "joined" if config.layers[layer].geometry == "points" else "staging"
    return table_name(schema, layer_table(layer))


def _register_catalogue(con: duckdb.DuckDBPyConnection, catalogue: Catalogue) -> None:
    frame = pd.DataFrame(
        [{"indicator": i.id, "aggregatie": i.aggregatie, "schaal": i.schaal} for i in catalogue.indicatoren]
    )
    frame_to_temp_table(con, "indicator_catalogue", frame)


def indicator_values(con: duckdb.DuckDBPyConnection, indicator_id: str, *, wijknamen: bool = True) -> pd.DataFrame:
    """Published buurt values of one indicator (suppressed ones empty, with status and reason),
    their rank and percentile, and the buurt geometry (EPSG:28992) as WKB.

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
