"""Stage CBS wijk- en buurtkaart layers: one schema for old (BU_CODE) and new (buurtcode) columns."""

from __future__ import annotations

from typing import Any

import duckdb

from ..config import Source
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
# Counts and areas cannot be negative: a negative value is a code for "secret" or "unknown"
# (CBS sentinels, which the readers empty already, or a withheld count such as -5), never a number.
NUMBER_MACRO = (
    "CREATE OR REPLACE TEMP MACRO cbs_number(v) AS "
    "CASE WHEN TRY_CAST(v AS DOUBLE) < 0 THEN NULL ELSE TRY_CAST(v AS DOUBLE) END"
)


def stage_cbs_areas(
    con: duckdb.DuckDBPyConnection, level: str, gemeentecode: str, *, source: Source | None = None
) -> dict[str, Any]:
    """Write ``staging.<level>`` (``buurten`` or ``wijken``) for one gemeente.

    Codes are trimmed and upper-cased; a negative count or area (inhabitants, households,
    land, water) becomes NULL, i.e. unknown, so that it is never summed; geometries are
    repaired with ``ST_MakeValid`` and reduced to their polygon parts; features without any
    polygon area are rejected and counted. Duplicate codes are an error naming the rows.

    Parameters
    ----------
    con
        The database, holding ``raw.<level>``.
    level
        ``"buurten"`` or ``"wijken"``.
    gemeentecode
        Only areas of this gemeente are kept.
    source
        The configured source, so that errors name its file.

    Returns
    -------
    dict
        ``rows`` kept, ``other_gemeenten`` dropped, ``rejected_geometries``, and
        ``negative_emptied``: per column, the areas of the gemeente whose negative value was
        made unknown (columns without any are left out).
    """
    if level not in REQUIRED:
        raise ValueError(f"level must be one of {list(REQUIRED)}")
    where = f"bronnen.{level}" + (f" ({source.pad.name})" if source is not None else "")
    present = raw_columns(con, level)
    picked = pick_columns(where, present, CBS_AREA_COLUMNS, REQUIRED[level])
    select = [_select(ours, column) for ours, column in picked.items()]
    numbers = [ours for ours in picked if ours in NUMBERS]
    negatives = [f"TRY_CAST({quoted(picked[ours])} AS DOUBLE) < 0 AS {ours}_negatief" for ours in numbers]
    # read_source numbers every row; a raw table written another way is numbered in table order.
    bronrij = "bronrij" if "bronrij" in present else "row_number() OVER () AS bronrij"
    key = "buurtcode" if level == "buurten" else "wijkcode"
    ensure_schemas(con)
    con.execute(NUMBER_MACRO)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE candidates AS
        SELECT {bronrij}, {", ".join(select + negatives)},
               ST_CollectionExtract(ST_MakeValid(geometry), 3) AS geometry
        FROM {table_name("raw", level)}"""
    )
    total = query_row(con, "SELECT count(*) FROM candidates")[0]
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT * EXCLUDE (bronrij{"".join(f", {ours}_negatief" for ours in numbers)}) FROM candidates
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
    _check_codes(con, where, level, key, gemeentecode)
    negative = _negative_counts(con, numbers, gemeentecode)
    publish_temp_table(con, "staged", "staging", level)
    return {
        "rows": in_gemeente - rejected,
        "other_gemeenten": total - in_gemeente,
        "rejected_geometries": rejected,
        "negative_emptied": negative,
    }


def _select(ours: str, column: str) -> str:
    if ours in CODES:
        return f"upper(trim(CAST({quoted(column)} AS VARCHAR))) AS {ours}"
    if ours in NUMBERS:
        return f"cbs_number({quoted(column)}) AS {ours}"
    return f"trim(CAST({quoted(column)} AS VARCHAR)) AS {ours}"


def _negative_counts(con: duckdb.DuckDBPyConnection, numbers: list[str], gemeentecode: str) -> dict[str, int]:
    if not numbers:
        return {}
    counts = query_row(
        con,
        f"SELECT {', '.join(f'count(*) FILTER (WHERE {ours}_negatief)' for ours in numbers)} "
        "FROM candidates WHERE gemeentecode = $g",
        {"g": gemeentecode},
    )
    return {ours: int(n) for ours, n in zip(numbers, counts, strict=True) if n}


def _check_codes(con: duckdb.DuckDBPyConnection, where: str, level: str, key: str, gemeentecode: str) -> None:
    count = query_row(con, "SELECT count(*) FROM staged")[0]
    if count == 0:
        raise StagingError(f"{where}: no {level} of gemeente {gemeentecode} in the file")
    doubles = con.execute(
        f"""SELECT {key}, list(bronrij ORDER BY bronrij) FROM candidates
        WHERE gemeentecode = $g AND NOT ST_IsEmpty(geometry) AND ST_Area(geometry) > 0
        GROUP BY {key} HAVING count(*) > 1 ORDER BY {key} LIMIT 3""",
        {"g": gemeentecode},
    ).fetchall()
    if doubles:
        examples = "; ".join(f"{code} in rows {', '.join(str(r) for r in rows)}" for code, rows in doubles)
        raise StagingError(f"{where}: {key}s occur more than once (each must occur once), e.g. {examples}")
