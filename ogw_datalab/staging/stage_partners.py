"""Stage partner files: key columns normalised, value columns typed. Rows stay row-level here."""

from __future__ import annotations

import duckdb

from ..config import Partner
from ..storage import publish_temp_table, query_row, table_name
from .columns import pick_columns, quoted, raw_columns

KEY_COLUMNS = {
    "buurtcode": ("buurtcode",),
    "adres": ("postcode", "huisnummer", "huisletter", "toevoeging"),
    "coordinaten": (),
}


def partner_table(partner: Partner) -> str:
    return f"partner_{partner.name}"


def stage_partner(con: duckdb.DuckDBPyConnection, partner: Partner) -> dict[str, int]:
    """Write ``staging.partner_<name>`` with our column names.

    Key columns are normalised (codes trimmed and upper-cased; postcodes without spaces;
    house numbers as integers). A value column becomes DOUBLE when every non-empty cell is
    a number in the file's decimal convention, and stays text otherwise.
    """
    table = partner_table(partner)
    present = raw_columns(con, table)
    picked = pick_columns(
        f"partners.{partner.name}", present, {k: [v] for k, v in partner.columns.items()}, tuple(partner.columns)
    )
    select = [_key_or_value(con, table, ours, column, partner) for ours, column in picked.items()]
    geometry = ", geometry" if "geometry" in present else ""
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT rowid + 1 AS bronrij, {", ".join(select)}{geometry}
        FROM {table_name("raw", table)} ORDER BY bronrij"""
    )
    return {"rows": publish_temp_table(con, "staged", "staging", table)}


def _text(column: str) -> str:
    return f"NULLIF(trim(CAST({quoted(column)} AS VARCHAR)), '')"


def _key_or_value(con: duckdb.DuckDBPyConnection, table: str, ours: str, column: str, partner: Partner) -> str:
    if ours == "buurtcode":
        return f"upper({_text(column)}) AS buurtcode"
    if ours == "postcode":
        return f"upper(replace({_text(column)}, ' ', '')) AS postcode"
    if ours == "huisnummer":
        return f"TRY_CAST({_text(column)} AS INTEGER) AS huisnummer"
    if ours in ("huisletter", "toevoeging"):
        return f"upper({_text(column)}) AS {ours}"
    number = _as_number(column, partner.decimal)
    not_numbers = query_row(
        con, f"SELECT count(*) FROM {table_name('raw', table)} WHERE {_text(column)} IS NOT NULL AND {number} IS NULL"
    )[0]
    return f"{number if not_numbers == 0 else _text(column)} AS {quoted(ours)}"


def _as_number(column: str, decimal: str) -> str:
    text = _text(column)
    if decimal == ",":
        text = f"replace(replace({text}, '.', ''), ',', '.')"
    return f"TRY_CAST({text} AS DOUBLE)"
