"""Stage partner files: key columns normalised, value columns typed. Rows stay row-level here."""

from __future__ import annotations

from typing import Any

import duckdb

from ..config import Partner
from ..storage import partner_table, publish_temp_table, query_row, table_name
from .columns import StagingError, pick_columns, quoted, raw_columns
from .stage_layers import bag_id, text

CODE_KEYS = ("buurtcode", "wijkcode")
KEY_COLUMNS = (*CODE_KEYS, "postcode", "huisnummer", "huisletter", "toevoeging", "bag_id")


def stage_partner(con: duckdb.DuckDBPyConnection, partner: Partner) -> dict[str, Any]:
    """Write ``staging.partner_<name>`` with our column names.

    Key columns are normalised: codes trimmed and upper-cased, postcodes without spaces,
    house numbers as integers, BAG ids repaired to 16-digit strings. A value column becomes
    DOUBLE when every non-empty cell is a number in the file's decimal convention, and stays
    text otherwise. A numeric column whose name (ours) starts with ``aantal`` is a count: a
    negative value in it is a code for "withheld", so it becomes unknown (NULL) and is counted.

    Returns
    -------
    dict
        ``rows`` staged, and ``negative_emptied``: per count column, the values made unknown.
    """
    table = partner_table(partner.name)
    present = raw_columns(con, table)
    where = f"partners.{partner.name} ({partner.path.name})"
    picked = pick_columns(where, present, {k: [v] for k, v in partner.columns.items()}, tuple(partner.columns))
    select = ["bronrij"] + [_key_or_value(con, table, ours, column, partner) for ours, column in picked.items()]
    if "geometry" in present:
        select.append("geometry")
    elif partner.key == "coordinaten":
        raise StagingError(f"{where}: key 'coordinaten' but the file gave no geometry")
    negative = _negative_counts(con, table, picked, partner)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT {", ".join(select)} FROM {table_name("raw", table)} ORDER BY bronrij"""
    )
    return {"rows": publish_temp_table(con, "staged", "staging", table), "negative_emptied": negative}


def _is_count(ours: str) -> bool:
    return ours.lower().startswith("aantal")


def _negative_counts(
    con: duckdb.DuckDBPyConnection, table: str, picked: dict[str, str], partner: Partner
) -> dict[str, int]:
    counts = {}
    for ours, column in picked.items():
        if ours in KEY_COLUMNS or not _is_count(ours) or not _all_numbers(con, table, column, partner):
            continue
        number = _as_number(column, partner.decimal_mark)
        negative = query_row(con, f"SELECT count(*) FROM {table_name('raw', table)} WHERE {number} < 0")[0]
        if negative:
            counts[ours] = int(negative)
    return counts


def _key_or_value(con: duckdb.DuckDBPyConnection, table: str, ours: str, column: str, partner: Partner) -> str:
    if ours in CODE_KEYS:
        return f"upper({text(column)}) AS {ours}"
    if ours == "postcode":
        return f"upper(replace({text(column)}, ' ', '')) AS postcode"
    if ours == "huisnummer":
        return f"TRY_CAST({text(column)} AS INTEGER) AS huisnummer"
    if ours in ("huisletter", "toevoeging"):
        return f"upper({text(column)}) AS {ours}"
    if ours == "bag_id":
        return f"{bag_id(text(column))} AS bag_id"
    number = _as_number(column, partner.decimal_mark)
    if not _all_numbers(con, table, column, partner):
        return f"{text(column)} AS {quoted(ours)}"
    if _is_count(ours):
        return f"CASE WHEN {number} < 0 THEN NULL ELSE {number} END AS {quoted(ours)}"
    return f"{number} AS {quoted(ours)}"


def _all_numbers(con: duckdb.DuckDBPyConnection, table: str, column: str, partner: Partner) -> bool:
    number = _as_number(column, partner.decimal_mark)
    not_numbers = query_row(
        con, f"SELECT count(*) FROM {table_name('raw', table)} WHERE {text(column)} IS NOT NULL AND {number} IS NULL"
    )[0]
    return not_numbers == 0


def _as_number(column: str, decimal: str) -> str:
    value = text(column)
    if decimal == ",":
        value = f"replace(replace({value}, '.', ''), ',', '.')"
    return f"TRY_CAST({value} AS DOUBLE)"
