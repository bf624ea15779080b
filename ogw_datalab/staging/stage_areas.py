"""Stage CBS wijk- en buurtkaart layers: one schema for old (BU_CODE) and new (buurtcode) columns."""

from __future__ import annotations

import duckdb

from ..storage import ensure_schemas, publish_temp_table, query_row, table_name
from .columns import StagingError, pick_columns, quoted, raw_columns

# Our column -> its name in the newer (2019+) and older kaart. Every identifier used in the
# generated SQL comes from this allow-list or from the raw table's own column list.
CBS_AREA_COLUMNS: dict[str, list[str]] = {
    "buurtcode": ["buurtcode", "BU_CODE"],
    "buurtnaam": ["buurtnaam", "BU_NAAM"],
    "wijkcode": ["wijkcode", "WK_CODE"],
    "wijknaam": ["wijknaam", "WK_NAAM"],
    "gemeentecode": ["gemeentecode", "GM_CODE"],
    "gemeentenaam": ["gemeentenaam", "GM_NAAM"],
    "aantal_inwoners": ["aantal_inwoners", "AANT_INW"],
    "aantal_huishoudens": ["aantal_huishoudens", "AANTAL_HH"],
    "oppervlakte_land_ha": ["oppervlakte_land_in_ha", "OPP_LAND"],
    "oppervlakte_water_ha": ["oppervlakte_water_in_ha", "OPP_WATER"],
}
CODES = ("buurtcode", "wijkcode", "gemeentecode")
NUMBERS = ("aantal_inwoners", "aantal_huishoudens", "oppervlakte_land_ha", "oppervlakte_water_ha")
REQUIRED = {
    "buurten": ("buurtcode", "buurtnaam", "wijkcode", "gemeentecode"),
    "wijken": ("wijkcode", "wijknaam", "gemeentecode"),
}
# CBS marks secret or unavailable figures with large negative codes (-99999999 in the kaart,
# -99997/-99995 in some deliveries); they are missing values, never numbers.
SENTINEL_MACRO = (
    "CREATE OR REPLACE TEMP MACRO cbs_number(v) AS "
    "CASE WHEN TRY_CAST(v AS DOUBLE) <= -99995 THEN NULL ELSE TRY_CAST(v AS DOUBLE) END"
)


def stage_cbs_areas(con: duckdb.DuckDBPyConnection, level: str, gemeentecode: str) -> dict[str, int]:
    """Write ``staging.<level>`` (``buurten`` or ``wijken``) for one gemeente.

    Codes are trimmed and upper-cased, CBS sentinels become NULL, geometries are repaired
    with ``ST_MakeValid`` and reduced to their polygon parts; features without any polygon
    area are rejected and counted. Duplicate codes are an error.

    Returns
    -------
    dict
        ``rows`` kept, ``other_gemeenten`` dropped, ``rejected_geometries``.
    """
    if level not in REQUIRED:
        raise ValueError(f"level must be one of {list(REQUIRED)}")
    present = raw_columns(con, level)
    picked = pick_columns(f"sources.{level}", present, CBS_AREA_COLUMNS, REQUIRED[level])
    select = [_select(ours, column) for ours, column in picked.items()]
    key = "buurtcode" if level == "buurten" else "wijkcode"
    ensure_schemas(con)
    con.execute(SENTINEL_MACRO)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE candidates AS
        SELECT {", ".join(select)},
               ST_CollectionExtract(ST_MakeValid(geometry), 3) AS geometry
        FROM {table_name("raw", level)}"""
    )
    total = query_row(con, "SELECT count(*) FROM candidates")[0]
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT * FROM candidates
        WHERE gemeentecode = $gemeentecode AND NOT ST_IsEmpty(geometry) AND ST_Area(geometry) > 0
        ORDER BY {key}""",
        {"gemeentecode": gemeentecode},
    )
    in_gemeente, rejected = query_row(
        con,
        "SELECT count(*), count(*) FILTER (WHERE ST_IsEmpty(geometry) OR ST_Area(geometry) = 0) "
        "FROM candidates WHERE gemeentecode = $g",
        {"g": gemeentecode},
    )
    _check_codes(con, level, key, gemeentecode)
    publish_temp_table(con, "staged", "staging", level)
    return {"rows": in_gemeente - rejected, "other_gemeenten": total - in_gemeente, "rejected_geometries": rejected}


def _select(ours: str, column: str) -> str:
    if ours in CODES:
        return f"upper(trim(CAST({quoted(column)} AS VARCHAR))) AS {ours}"
    if ours in NUMBERS:
        return f"cbs_number({quoted(column)}) AS {ours}"
    return f"trim(CAST({quoted(column)} AS VARCHAR)) AS {ours}"


def _check_codes(con: duckdb.DuckDBPyConnection, level: str, key: str, gemeentecode: str) -> None:
    staged = "staged"
    count = query_row(con, f"SELECT count(*) FROM {staged}")[0]
    if count == 0:
        raise StagingError(f"sources.{level}: no {level} of gemeente {gemeentecode} in the file")
    doubles = con.execute(
        f"SELECT {key}, count(*) FROM {staged} GROUP BY {key} HAVING count(*) > 1 ORDER BY {key} LIMIT 5"
    ).fetchall()
    if doubles:
        raise StagingError(f"sources.{level}: duplicate {key}s, e.g. {doubles}")
