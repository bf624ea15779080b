"""Stage partner files: key columns normalised, value columns typed. Rows stay row-level here."""

from __future__ import annotations

import duckdb

from ..config import Partner
from ..storage import partner_table, publish_temp_table, query_row, table_name
from .columns import StagingError, pick_columns, quoted, raw_columns
from .stage_layers import bag_id, text

CODE_KEYS = ("buurtcode", "wijkcode")


def stage_partner(con: duckdb.DuckDBPyConnection, partner: Partner) -> dict[str, int]:
    """Write ``staging.partner_<name>`` with our column names.

    Key columns are normalised: codes trimmed and upper-cased, postcodes without spaces,
    house numbers as integers, BAG ids repaired to 16-digit strings. A value column becomes
    DOUBLE when every non-empty cell is a number in the file's decimal convention, and stays
    text otherwise.
    """
    table = partner_table(partner.name)
    present = raw_columns(con, table)
    picked = pick_columns(
        f"partners.{partner.name}", present, {k: [v] for k, v in partner.columns.items()}, tuple(partner.columns)
    )
    select = ["bronrij"] + [_key_or_value(con, table, ours, column, partner) for ours, column in picked.items()]
    if "geometry" in present:
        select.append("geometry")
    elif partner.key == "coordinaten":
        raise StagingError(f"partners.{partner.name}: key 'coordinaten' but the file gave no geometry")
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT {", ".join(select)} FROM {table_name("raw", table)} ORDER BY bronrij"""
    )
    return {"rows": publish_temp_table(con, "staged", "staging", table)}


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
    not_numbers = query_row(
        con, f"SELECT count(*) FROM {table_name('raw', table)} WHERE {text(column)} IS NOT NULL AND {number} IS NULL"
    )[0]
    return f"{number if not_numbers == 0 else text(column)} AS {quoted(ours)}"


def _as_number(column: str, decimal: str) -> str:
    value = text(column)
    if decimal == ",":
        value = f"replace(replace({value}, '.', ''), ',', '.')"
    return f"TRY_CAST({value} AS DOUBLE)"
