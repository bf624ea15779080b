"""Stage point and polygon layers: BAG addresses, trees, green, playgrounds, GP practices."""

from __future__ import annotations

import duckdb

from ..config import Parameters, Source
from ..storage import publish_temp_table, query_row, run_sql_file, table_name
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


def stage_addresses(con: duckdb.DuckDBPyConnection, source: Source) -> dict[str, int]:
    """Write ``staging.adressen``: one row per BAG verblijfsobject, keys normalised.

    Postcodes lose spaces and are upper-cased, house numbers become integers, empty
    letters and additions become NULL, and ``is_woning`` marks a residential use.
    """
    present = raw_columns(con, "adressen")
    wanted = {k: ([source.columns[k]] if k in source.columns else v) for k, v in BAG_COLUMNS.items()}
    picked = pick_columns("sources.adressen", present, wanted, BAG_REQUIRED)

    def text(ours: str) -> str:
        return f"NULLIF(trim(CAST({quoted(picked[ours])} AS VARCHAR)), '')" if ours in picked else "NULL"

    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT rowid AS bronrij,
               {text("identificatie")} AS identificatie,
               upper(replace({text("postcode")}, ' ', '')) AS postcode,
               TRY_CAST({text("huisnummer")} AS INTEGER) AS huisnummer,
               upper({text("huisletter")}) AS huisletter,
               upper({text("toevoeging")}) AS toevoeging,
               {text("openbare_ruimte")} AS openbare_ruimte,
               {text("woonplaats")} AS woonplaats,
               {text("gebruiksdoel")} AS gebruiksdoel,
               coalesce(contains(lower({text("gebruiksdoel")}), 'woonfunctie'), true) AS is_woning,
               ST_Centroid(geometry) AS geometry
        FROM {table_name("raw", "adressen")}
        WHERE geometry IS NOT NULL
        ORDER BY bronrij"""
    )
    doubles = con.execute("SELECT identificatie FROM staged GROUP BY ALL HAVING count(*) > 1 LIMIT 3").fetchall()
    if doubles:
        raise StagingError(f"sources.adressen: duplicate identificatie, e.g. {[d[0] for d in doubles]}")
    dropped = query_row(con, f"SELECT count(*) FROM {table_name('raw', 'adressen')} WHERE geometry IS NULL")[0]
    return {"rows": publish_temp_table(con, "staged", "staging", "adressen"), "without_geometry": dropped}


def stage_layer(con: duckdb.DuckDBPyConnection, name: str, source: Source, *, points: bool) -> dict[str, int]:
    """Write ``staging.<name>`` with the configured columns, ``keep`` filter and geometry.

    Point layers take a polygon's point on surface; polygon layers keep polygon parts only
    and gain ``area_m2``. Rows without geometry are dropped and counted.
    """
    present = raw_columns(con, name)
    picked = pick_columns(
        f"sources.{name}", present, {k: [v] for k, v in source.columns.items()}, tuple(source.columns)
    )
    columns = [f"NULLIF(trim(CAST({quoted(col)} AS VARCHAR)), '') AS {quoted(ours)}" for ours, col in picked.items()]
    geometry = "ST_PointOnSurface(geometry)" if points else "ST_CollectionExtract(ST_MakeValid(geometry), 3)"
    where, params = ["geometry IS NOT NULL"], {}
    for i, (ours, values) in enumerate(source.keep.items()):
        where.append(f"trim(CAST({quoted(picked[ours])} AS VARCHAR)) IN (SELECT unnest($keep{i}))")
        params[f"keep{i}"] = values
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT rowid AS bronrij, {"".join(c + ", " for c in columns)}{geometry} AS geometry
        FROM {table_name("raw", name)} WHERE {" AND ".join(where)} ORDER BY bronrij""",
        params,
    )
    if not points:
        con.execute("DELETE FROM staged WHERE ST_IsEmpty(geometry)")
        con.execute("ALTER TABLE staged ADD COLUMN area_m2 DOUBLE")
        con.execute("UPDATE staged SET area_m2 = ST_Area(geometry)")
    total = query_row(con, f"SELECT count(*) FROM {table_name('raw', name)}")[0]
    rows = publish_temp_table(con, "staged", "staging", name)
    return {"rows": rows, "dropped": total - rows}


def stage_parks(con: duckdb.DuckDBPyConnection, parameters: Parameters) -> dict[str, int]:
    """Write ``staging.parken``: touching green polygons of a park type merged, of at least the minimum size.

    A park in BGT is drawn as many adjacent polygons; they are dissolved first, then each
    connected part counts as a park when it is at least ``park_min_area_ha`` hectares.
    """
    if "type" not in staged_columns(con, "groen"):
        raise StagingError("sources.groen: map a 'type' column (e.g. bgt_fysiek_voorkomen) to select parks")
    run_sql_file(
        con,
        "stage_parks.sql",
        {"park_types": parameters.park_types, "min_area_m2": parameters.park_min_area_ha * 10_000},
    )
    return {"rows": query_row(con, "SELECT count(*) FROM staging.parken")[0]}


def staged_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'staging' AND table_name = ?",
        [table],
    ).fetchall()
    return [r[0] for r in rows]
