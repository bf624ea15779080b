"""Place partner rows in buurten by their key; rows that cannot be placed go to quarantine."""

from __future__ import annotations

import duckdb

from ..config import Partner
from ..staging.stage_partners import partner_table
from ..storage import ensure_schemas, query_row, run_sql_file, table_name
from .join_points_to_buurten import join_points_to_buurten

QUARANTINE = "joined.partner_quarantaine"
REASONS = {
    "buurtcode": "buurtcode komt niet voor in staging.buurten (andere gemeente of ander jaar)",
    "adres": "adres (postcode + huisnummer + huisletter + toevoeging) niet gevonden in de BAG-adressen",
    "coordinaten": "geen geldige coördinaten, of buiten alle buurten van de gemeente",
}


def join_partner(con: duckdb.DuckDBPyConnection, partner: Partner) -> dict[str, float]:
    """Write ``joined.partner_<name>`` (rows with a buurtcode) and quarantine the rest.

    For a ``buurtcode`` partner only rows whose code starts with ``BU`` are buurt rows;
    wijk and gemeente rows in the same file are another level, not errors.

    Returns
    -------
    dict
        ``rows``, ``matched``, ``quarantined`` and ``match_rate`` (matched / rows).
    """
    table = partner_table(partner)
    target = table_name("joined", table)
    if partner.key == "coordinaten":
        join_points_to_buurten(con, table, table)
    elif partner.key == "adres":
        run_sql_file(
            con, "join_partner_by_address.sql", identifiers={"partner": table_name("staging", table), "target": target}
        )
    else:
        con.execute(
            f"""CREATE OR REPLACE TABLE {target} AS
            SELECT p.* EXCLUDE (buurtcode), b.buurtcode, p.buurtcode AS bron_buurtcode
            FROM {table_name("staging", table)} AS p
            LEFT JOIN staging.buurten AS b USING (buurtcode)
            WHERE p.buurtcode LIKE 'BU%'
            ORDER BY p.bronrij"""
        )
    _quarantine(con, partner, target)
    rows, matched = query_row(con, f"SELECT count(*), count(buurtcode) FROM {target}")
    con.execute(f"DELETE FROM {target} WHERE buurtcode IS NULL")
    return {
        "rows": rows,
        "matched": matched,
        "quarantined": rows - matched,
        "match_rate": round(matched / rows, 4) if rows else 0.0,
    }


def _quarantine(con: duckdb.DuckDBPyConnection, partner: Partner, target: str) -> None:
    ensure_schemas(con)
    con.execute(f"CREATE TABLE IF NOT EXISTS {QUARANTINE} (partner VARCHAR, bronrij BIGINT, reden VARCHAR)")
    con.execute(f"DELETE FROM {QUARANTINE} WHERE partner = ?", [partner.name])
    con.execute(
        f"INSERT INTO {QUARANTINE} SELECT ?, bronrij, ? FROM {target} WHERE buurtcode IS NULL ORDER BY bronrij",
        [partner.name, REASONS[partner.key]],
    )
