"""Stage partner files: ``alleen`` applied, key columns normalised, value columns typed. Rows stay row-level here."""

from __future__ import annotations

from dataclasses import astuple
from typing import Any

import duckdb
import pandas as pd

from ..config import Partner
from ..storage import frame_to_temp_table, partner_table, publish_temp_table, query_row, table_name
from .columns import StagingError, pick_columns, quoted, raw_columns
from .house_numbers import split_house_number
from .stage_layers import bag_id, text

CODE_KEYS = ("buurtcode", "wijkcode")
HOUSE_NUMBER_FIELDS = ("huisnummer", "huisletter", "toevoeging")
KEY_COLUMNS = (*CODE_KEYS, "postcode", *HOUSE_NUMBER_FIELDS, "bag_id")


def stage_partner(con: duckdb.DuckDBPyConnection, partner: Partner) -> dict[str, Any]:
    """Write ``staging.partner_<name>`` with our column names, keeping only the rows ``alleen`` selects.

    Key columns are normalised: codes trimmed and upper-cased, postcodes without spaces, BAG
    ids repaired to 16-digit strings. For the ``adres`` key the house number is split as the
    BAG splits it (:func:`~ogw_datalab.staging.house_numbers.split_house_number`) into
    ``huisnummer``, ``huisletter`` and ``toevoeging``, with ``huisnummer_reden`` saying why a
    row's house number could not be read. A value column becomes DOUBLE when every non-empty
    cell is a number in the file's decimal convention, and stays text otherwise. A numeric
    column whose name (ours) starts with ``aantal`` is a count: a negative value in it is a code
    for "withheld", so it becomes unknown (NULL) and is counted.

    ``alleen`` compares the trimmed text of a column with its listed values, as for layers.
    Staging drops no other rows, so raw rows minus staged rows is the number ``alleen`` filtered.

    Returns
    -------
    dict
        ``rows`` staged, ``filtered_by_keep``, and ``negative_emptied``: per count column, the
        values of kept rows made unknown.
    """
    table = partner_table(partner.naam)
    present = raw_columns(con, table)
    named = f"partners.{partner.naam} ({partner.pad.name})"
    picked = pick_columns(named, present, {k: [v] for k, v in partner.kolommen.items()}, tuple(partner.kolommen))
    by_address = partner.sleutel == "adres"
    select = ["bronrij"] + [
        _key_or_value(con, table, ours, column, partner)
        for ours, column in picked.items()
        if not (by_address and ours in HOUSE_NUMBER_FIELDS)
    ]
    if "geometry" in present:
        select.append("geometry")
    elif partner.sleutel == "coordinaten":
        raise StagingError(f"{named}: key 'coordinaten' but the file gave no geometry")
    where, parameters = _keep_filter(partner, picked)
    negative = _negative_counts(con, table, picked, partner, where, parameters)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged AS
        SELECT {", ".join(select)} FROM {table_name("raw", table)} WHERE {where} ORDER BY bronrij""",
        parameters,
    )
    if by_address:
        _add_house_numbers(con, table, picked)
    total = query_row(con, f"SELECT count(*) FROM {table_name('raw', table)}")[0]
    rows = publish_temp_table(con, "staged", "staging", table)
    return {"rows": rows, "filtered_by_keep": total - rows, "negative_emptied": negative}


def _is_count(ours: str) -> bool:
    return ours.lower().startswith("aantal")


def _negative_counts(
    con: duckdb.DuckDBPyConnection,
    table: str,
    picked: dict[str, str],
    partner: Partner,
    where: str,
    parameters: dict[str, list[str]],
) -> dict[str, int]:
    counts = {}
    for ours, column in picked.items():
        if ours in KEY_COLUMNS or not _is_count(ours) or not _all_numbers(con, table, column, partner):
            continue
        number = _as_number(column, partner.decimal_mark)
        negative = query_row(
            con, f"SELECT count(*) FROM {table_name('raw', table)} WHERE {number} < 0 AND {where}", parameters
        )[0]
        if negative:
            counts[ours] = int(negative)
    return counts


def _keep_filter(partner: Partner, picked: dict[str, str]) -> tuple[str, dict[str, list[str]]]:
    conditions, parameters = ["true"], {}
    for i, (ours, values) in enumerate(partner.alleen.items()):
        conditions.append(f"{text(picked[ours])} IN (SELECT unnest($keep{i}))")
        parameters[f"keep{i}"] = values
    return " AND ".join(conditions), parameters


def _add_house_numbers(con: duckdb.DuckDBPyConnection, table: str, picked: dict[str, str]) -> None:
    """Add the BAG split of each staged row's house number fields to the temp table ``staged``."""
    fields = ", ".join(text(picked.get(field)) for field in HOUSE_NUMBER_FIELDS)
    rows = con.execute(
        f"SELECT bronrij, {fields} FROM {table_name('raw', table)} WHERE bronrij IN (SELECT bronrij FROM staged)"
    ).fetchall()
    split = {key: astuple(split_house_number(*key)) for key in {tuple(row[1:]) for row in rows}}
    frame = pd.DataFrame(
        [(row[0], *split[tuple(row[1:])]) for row in rows],
        columns=["bronrij", "huisnummer", "huisletter", "toevoeging", "huisnummer_reden"],
        dtype=object,
    ).astype({"bronrij": "int64", "huisnummer": "Int64"})
    frame_to_temp_table(con, "house_numbers", frame)
    con.execute(
        """CREATE OR REPLACE TEMP TABLE staged AS
        SELECT s.*, h.huisnummer::INTEGER AS huisnummer, h.huisletter::VARCHAR AS huisletter,
               h.toevoeging::VARCHAR AS toevoeging, h.huisnummer_reden::VARCHAR AS huisnummer_reden
        FROM staged AS s LEFT JOIN house_numbers AS h USING (bronrij) ORDER BY s.bronrij"""
    )
    con.execute("DROP TABLE house_numbers")


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
