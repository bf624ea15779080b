"""Stage BAG addresses and the configured point and polygon layers."""

from __future__ import annotations

import duckdb

from ..config import Layer, Parameters, Source
from ..storage import layer_table, publish_temp_table, query_row, run_sql_file, table_name
from .columns import StagingError, pick_columns, quoted, raw_columns

BAG_COLUMNS: dict[str, list[str]] = {
    "identificatie": ["identificatie"],
    "postcode": ["postcode"],
    "huisnummer": ["huisnummer"],
    "huisletter": ["huisletter"],
    "toevoeging": ["toevoeging", "huisnummertoevoeging"],
    "gebruiksdoel": ["gebruiksdoel"],
    "openbare_ruimte": ["openbare_ruimte_naam", "straatnaam"],
    "woonplaats": ["woonplaats_naam", "woonplaats"],
}
BAG_REQUIRED = ("identificatie", "postcode", "huisnummer")


def text(column: str | None) -> str:
    """Return SQL for a trimmed text value of ``column``, with empty text as NULL."""
    return f"NULLIF(trim(CAST({quoted(column)} AS VARCHAR)), '')" if column else "NULL"


def bag_id(expression: str) -> str:
    """Return SQL repairing a BAG id that a spreadsheet turned into a number (484010000000002.0, 4.84E+14).

    BAG ids are 16-digit strings starting with the four digits of a gemeentecode, so a float
    keeps 13 to 16 of them; such numbers are formatted back as a 16-digit string. Anything
    else keeps its text (and fails the 16-digit check later, with a reason).
    """
    number = f"TRY_CAST({expression} AS DECIMAL(38, 4))"
    return (
        f"CASE WHEN regexp_full_match({expression}, '[0-9]{{16}}') THEN {expression} "
        f"WHEN regexp_full_match({expression}, '[0-9]+(\\.[0-9]*)?([eE][+]?[0-9]+)?') "
        f"AND {number} BETWEEN 1e12 AND 1e16 - 1 "
        f"THEN lpad(CAST(CAST({number} AS HUGEINT) AS VARCHAR), 16, '0') "
        f"ELSE {expression} END"
    )


def stage_addresses(con: duckdb.DuckDBPyConnection, source: Source) -> dict[str, int]:
    """Write ``staging.adressen``: one row per BAG verblijfsobject, keys normalised.

    Postcodes lose spaces and are upper-cased, house numbers become integers, empty
    letters and additions become NULL, ids are 16-digit strings, and ``is_woning`` marks a
    residential use (an address without a gebruiksdoel counts as a home).
    """
    present = raw_columns(con, "adressen")
    wanted = {k: ([source.kolommen[k]] if k in source.kolommen else v) for k, v in BAG_COLUMNS.items()}
    where = f"bronnen.adressen ({source.pad.name})"
    picked = pick_columns(where, present, wanted, BAG_REQUIRED)

    def column(ours: str) -> str:
        return text(picked.get(ours))

    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT bronrij,
               {bag_id(column("identificatie"))} AS identificatie,
               upper(replace({column("postcode")}, ' ', '')) AS postcode,
               TRY_CAST({column("huisnummer")} AS INTEGER) AS huisnummer,
               upper({column("huisletter")}) AS huisletter,
               upper({column("toevoeging")}) AS toevoeging,
               {column("openbare_ruimte")} AS openbare_ruimte,
               {column("woonplaats")} AS woonplaats,
               {column("gebruiksdoel")} AS gebruiksdoel,
               coalesce(contains(lower({column("gebruiksdoel")}), 'woonfunctie'), true) AS is_woning,
               ST_Centroid(geometry) AS geometry
        FROM {table_name("raw", "adressen")}
        WHERE geometry IS NOT NULL
        ORDER BY bronrij"""
    )
    doubles = con.execute(
        "SELECT identificatie, min(bronrij) FROM staged GROUP BY 1 HAVING count(*) > 1 LIMIT 3"
    ).fetchall()
    if doubles:
        examples = ", ".join(f"{ident} (row {row})" for ident, row in doubles)
        raise StagingError(f"{where}: an identificatie occurs more than once, e.g. {examples}")
    dropped = query_row(con, f"SELECT count(*) FROM {table_name('raw', 'adressen')} WHERE geometry IS NULL")[0]
    return {"rows": publish_temp_table(con, "staged", "staging", "adressen"), "without_geometry": dropped}


def stage_layer(con: duckdb.DuckDBPyConnection, name: str, layer: Layer) -> dict[str, int]:
    """Write ``staging.layer_<name>`` with the configured columns, ``alleen`` filter and geometry.

    Point layers take a polygon's point on surface; polygon layers keep polygon parts only
    and gain ``area_m2``. Rows without geometry are dropped and counted.
    """
    table = layer_table(name)
    present = raw_columns(con, table)
    named = f"lagen.{name} ({layer.pad.name})"
    if "geometry" not in present:
        raise StagingError(f"{named}: the file has no geometry; configure 'x'/'y' or 'wkt'")
    picked = pick_columns(named, present, {k: [v] for k, v in layer.kolommen.items()}, tuple(layer.kolommen))
    columns = [f"{text(col)} AS {quoted(ours)}" for ours, col in picked.items()]
    points = layer.geometrie == "punten"
    geometry = "ST_PointOnSurface(geometry)" if points else "ST_CollectionExtract(ST_MakeValid(geometry), 3)"
    where, params = ["geometry IS NOT NULL"], {}
    for i, (ours, values) in enumerate(layer.alleen.items()):
        where.append(f"{text(picked[ours])} IN (SELECT unnest($keep{i}))")
        params[f"keep{i}"] = values
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT bronrij, {"".join(c + ", " for c in columns)}{geometry} AS geometry
        FROM {table_name("raw", table)} WHERE {" AND ".join(where)} ORDER BY bronrij""",
        params,
    )
    if not points:
        con.execute("DELETE FROM staged WHERE ST_IsEmpty(geometry)")
        con.execute("ALTER TABLE staged ADD COLUMN area_m2 DOUBLE")
        con.execute("UPDATE staged SET area_m2 = ST_Area(geometry)")
    total = query_row(con, f"SELECT count(*) FROM {table_name('raw', table)}")[0]
    rows = publish_temp_table(con, "staged", "staging", table)
    return {"rows": rows, "dropped": total - rows}


def stage_parks(con: duckdb.DuckDBPyConnection, parameters: Parameters) -> dict[str, int]:
    """Write ``staging.parken``: touching green polygons of a park type merged, of at least the minimum size.

    A park in BGT is drawn as many adjacent polygons; they are dissolved first, then each
    connected part counts as a park when it is at least ``park_min_area_ha`` hectares.
    """
    if parameters.park_laag is None:
        raise StagingError("parameters.park_laag is not set; no parks can be selected")
    table = layer_table(parameters.park_laag)
    if "type" not in staged_columns(con, table):
        raise StagingError(f"lagen.{parameters.park_laag}: map a 'type' column (e.g. bgt_fysiek_voorkomen) for parks")
    run_sql_file(
        con,
        "stage_parks.sql",
        {"park_types": parameters.park_typen, "min_area_m2": parameters.park_min_oppervlakte_ha * 10_000},
        identifiers={"groen": table_name("staging", table)},
    )
    return {"rows": query_row(con, "SELECT count(*) FROM staging.parken")[0]}


def staged_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Return the column names of ``staging.<table>`` (none when the table does not exist)."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'staging' AND table_name = ?",
        [table],
    ).fetchall()
    return [r[0] for r in rows]
