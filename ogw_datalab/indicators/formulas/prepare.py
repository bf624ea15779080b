"""Preparation steps of the formula types: intermediate tables an indicator's SQL reads.

Each step takes the connection, the configuration, the formula and the indicator's table key
(``indicator_<id>``) and returns the identifiers it adds for the SQL file (``{oppervlak}``,
``{afstanden}``, ...). Intermediate tables stay in ``joined`` so that every number can be traced.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from ...config import ProjectConfig
from ...spatial.area_per_buurt import compute_area_per_buurt
from ...spatial.join_points_to_buurten import compute_distances
from ...spatial.reallocate import reallocate_rates, weights_onto_buurten
from ...storage import layer_table, partner_table, quote_identifier, table_name, tijdreeks_table
from ...timeseries.aggregate import hours_in_period
from .formula_type import Formule

CANOPY_TYPES = ["loofbos", "gemengd bos", "naaldbos"]


def standard_identifiers(config: ProjectConfig, formule: Formule) -> dict[str, str]:
    """Return the identifiers every formula may use: ``{kolom}``, ``{partner}`` and a point layer's ``{layer}``.

    Parameters
    ----------
    config
        The project configuration (which layers are point layers).
    formule
        The indicator's formula.

    Returns
    -------
    dict
        Quoted identifiers from the validated configuration only.
    """
    names: dict[str, str] = {}
    if formule.kolom:
        names["kolom"] = quote_identifier(formule.kolom)
    if formule.partner:
        names["partner"] = table_name("joined", partner_table(formule.partner))
    layer = formule.laag
    if layer and layer != "parken" and config.lagen[layer].geometrie == "punten":
        names["layer"] = table_name("joined", layer_table(layer))
    return names


def area_of_layer(con: duckdb.DuckDBPyConnection, config: ProjectConfig, formule: Formule, key: str) -> dict[str, str]:
    """``{oppervlak}``: per buurt the land area covered by the polygon layer (of the chosen types)."""
    assert formule.laag is not None
    compute_area_per_buurt(con, layer_table(formule.laag), f"{key}_oppervlak", formule.typen or ())
    return {"oppervlak": table_name("joined", f"{key}_oppervlak")}


def area_of_woods(con: duckdb.DuckDBPyConnection, config: ProjectConfig, formule: Formule, key: str) -> dict[str, str]:
    """``{bos}``: per buurt the area of woodland polygons in the park layer (part of the canopy)."""
    park_layer = config.parameters.park_laag
    assert park_layer is not None  # checked when the catalogue was loaded
    compute_area_per_buurt(con, layer_table(park_layer), f"{key}_bos", CANOPY_TYPES)
    return {"bos": table_name("joined", f"{key}_bos")}


def distances_within_afstand(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, formule: Formule, key: str
) -> dict[str, str]:
    """``{afstanden}``: per home the distance to the nearest feature of the layer within ``afstand_m``."""
    return _distances(con, config, formule.laag, formule.afstand_m, key)


def distances_within_max_afstand(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, formule: Formule, key: str
) -> dict[str, str]:
    """``{afstanden}``: per home the distance to the nearest feature of the layer within ``max_afstand_m``."""
    return _distances(con, config, formule.laag, formule.max_afstand_m, key)


def distances_to_parks(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, formule: Formule, key: str
) -> dict[str, str]:
    """``{afstanden}``: per home the distance to the nearest park, within ``parameters.park_afstand_m``."""
    return _distances(con, config, "parken", config.parameters.park_afstand_m, key)


def _distances(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, layer: str | None, radius: float, key: str
) -> dict[str, str]:
    if layer == "parken":
        features = "staging.parken"
    else:
        assert layer is not None
        schema = "joined" if config.lagen[layer].geometrie == "punten" else "staging"
        features = table_name(schema, layer_table(layer))
    compute_distances(con, features, radius, f"{key}_afstanden")
    return {"afstanden": table_name("joined", f"{key}_afstanden")}


def wijk_values_onto_buurten(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, formule: Formule, key: str
) -> dict[str, str]:
    """``{herverdeeld}``: a partner's wijk figure spread over the buurten it overlaps.

    Weighted by addresses when known, else by area; the wijken may be of another
    gebiedsindeling than the buurten, so nothing is matched on code.
    """
    assert formule.partner is not None
    assert formule.kolom is not None
    weights, weight = weights_onto_buurten(
        con,
        "(SELECT wijkcode AS code, geometry FROM staging.wijken)",
        use_addresses=config.bronnen.adressen is not None,
    )
    column = quote_identifier(formule.kolom)
    values = con.execute(
        f"SELECT wijkcode, CAST({column} AS DOUBLE) FROM {table_name('joined', partner_table(formule.partner))}"
    ).fetchall()
    rates = reallocate_rates(pd.Series({code: value for code, value in values}, dtype=float), weights, weight)
    frame = pd.DataFrame({"buurtcode": rates.index.astype(str), "waarde": rates.to_numpy()})
    target = f"{key}_herverdeeld"
    con.register("__rates", frame)
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table_name('joined', target)} AS SELECT * FROM __rates")
    finally:
        con.unregister("__rates")
    return {"herverdeeld": table_name("joined", target)}


def timeseries_tables(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, formule: Formule, key: str
) -> dict[str, str]:
    """``{uur}`` and ``{dag}``: the hourly and daily values per buurt of the formula's tijdreeks.

    They are written by the time-series aggregation (:func:`ogw_datalab.timeseries.aggregate.aggregate_tijdreeks`).
    """
    assert formule.tijdreeks is not None
    return {part: table_name("joined", tijdreeks_table(formule.tijdreeks, part)) for part in ("uur", "dag")}


def timeseries_parameters(config: ProjectConfig, formule: Formule) -> dict[str, object]:
    """Return the values the tijdreeks SQL binds: quantity, sensors, months, coverage rule and percentile."""
    assert formule.tijdreeks is not None
    assert formule.maand_van is not None
    assert formule.maand_tot is not None
    reeks = config.tijdreeksen[formule.tijdreeks]
    return {
        "grootheid": formule.grootheid,
        "soort": formule.soort,
        "van": formule.maand_van,
        "tot": formule.maand_tot,
        "min_dekking": reeks.aggregatie.min_dekking,
        "uren_in_periode": hours_in_period(formule.maand_van, formule.maand_tot, reeks.zone),
        "kwantiel": (formule.percentiel or reeks.aggregatie.percentiel) / 100.0,
    }
