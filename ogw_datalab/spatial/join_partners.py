"""Place partner rows in buurten (or wijken) by their key; rows of other gemeenten are left out, the rest quarantined.

Row-level partner data stays in the database: ``joined.partner_<name>`` holds the placed
rows, ``joined.quarantaine_partners`` the others with their row number and reason. Only
aggregates move on to the indicators.
"""

from __future__ import annotations

from typing import Any

import duckdb

from ..config import ADDRESS_KEYS, ConfigError, Partner, ProjectConfig, missing_addresses
from ..storage import ensure_schemas, partner_table, query_row, run_sql_file, table_name
from .join_points_to_buurten import join_points_to_buurten

QUARANTINE = "joined.quarantaine_partners"
JOIN_SQL = {
    "buurtcode": "partners/join_by_buurtcode.sql",
    "wijkcode": "partners/join_by_wijkcode.sql",
    "postcode": "partners/join_by_postcode.sql",
    "bag_id": "partners/join_by_bag_id.sql",
    "adres": "partners/join_by_address.sql",
}
# What join_partner returns per partner, in the order a summary table shows it.
COUNTS = (
    "rows_read",
    "filtered_by_keep",
    "other_levels_or_gemeenten",
    "rows",
    "matched",
    "quarantined",
    "match_rate",
)


def join_partner(con: duckdb.DuckDBPyConnection, partner: Partner, config: ProjectConfig) -> dict[str, Any]:
    """Write ``joined.partner_<name>`` (placed rows) and refresh this partner's quarantine rows.

    Rows that belong to another gemeente or level are left out and counted, never
    quarantined: a code of another level or gemeente (a GM row, another gemeente's
    buurtcode), a point outside the union of the gemeente's buurten, a postcode whose PC4
    has no BAG address in the gemeente, a BAG address (or id) found outside its buurten.
    Every other row that cannot be placed is quarantined with its reason.

    Returns
    -------
    dict
        ``rows_read`` (rows in the file), ``filtered_by_keep`` (dropped by ``alleen``),
        ``other_levels_or_gemeenten`` (left out), ``rows`` (those that belong to the
        gemeente), ``matched`` (placed), ``quarantined`` and ``match_rate``.

    Notes
    -----
    ``rows_read = filtered_by_keep + other_levels_or_gemeenten + rows``,
    ``rows = matched + quarantined`` and ``match_rate = matched / rows`` (0 when no row belongs
    to the gemeente, so that a file of another gemeente never passes as complete).
    """
    if partner.sleutel in ADDRESS_KEYS and config.bronnen.adressen is None:
        raise ConfigError(missing_addresses(partner))
    table = partner_table(partner.naam)
    target = table_name("joined", table)
    identifiers = {"partner": table_name("staging", table), "target": target}
    if partner.sleutel == "coordinaten":
        join_points_to_buurten(con, table, table)
        run_sql_file(con, "partners/join_by_coordinates.sql", identifiers={"target": target})
    else:
        parameters = {}
        if partner.sleutel in ("buurtcode", "wijkcode"):
            parameters = {"weigeren": _refusal(partner, config), "gemeente_digits": config.gemeente.digits}
        run_sql_file(con, JOIN_SQL[partner.sleutel], parameters, identifiers=identifiers)
    left_out = query_row(con, f"SELECT count(*) FILTER (WHERE buiten_gemeente) FROM {target}")[0]
    con.execute(f"DELETE FROM {target} WHERE buiten_gemeente")
    con.execute(f"ALTER TABLE {target} DROP COLUMN buiten_gemeente")
    _quarantine(con, partner, target)
    rows, matched = query_row(con, f"SELECT count(*), count(*) FILTER (WHERE reden IS NULL) FROM {target}")
    con.execute(f"DELETE FROM {target} WHERE reden IS NOT NULL")
    con.execute(f"ALTER TABLE {target} DROP COLUMN reden")
    read = query_row(con, f"SELECT count(*) FROM {table_name('raw', table)}")[0]
    staged = query_row(con, f"SELECT count(*) FROM {table_name('staging', table)}")[0]
    return {
        "rows_read": read,
        "filtered_by_keep": read - staged,
        "other_levels_or_gemeenten": left_out,
        "rows": rows,
        "matched": matched,
        "quarantined": rows - matched,
        "match_rate": round(matched / rows, 4) if rows else 0.0,
    }


def _refusal(partner: Partner, config: ProjectConfig) -> str | None:
    """Codes of another gebiedsindeling are never joined on code alone: the same code can mean another area."""
    areas = config.indeling("buurten" if partner.sleutel == "buurtcode" else "wijken")
    if partner.gebiedsindeling is None or partner.gebiedsindeling == areas:
        return None
    return (
        f"gebiedsindeling {partner.gebiedsindeling} van het bestand wijkt af van die van de "
        f"{'buurten' if partner.sleutel == 'buurtcode' else 'wijken'} ({areas}); codes van verschillende jaren "
        "zijn niet op code te koppelen"
    )


def _quarantine(con: duckdb.DuckDBPyConnection, partner: Partner, target: str) -> None:
    ensure_schemas(con)
    con.execute(f"CREATE TABLE IF NOT EXISTS {QUARANTINE} (partner VARCHAR, bronrij BIGINT, reden VARCHAR)")
    con.execute(f"DELETE FROM {QUARANTINE} WHERE partner = ?", [partner.naam])
    con.execute(
        f"INSERT INTO {QUARANTINE} SELECT ?, bronrij, reden FROM {target} WHERE reden IS NOT NULL ORDER BY bronrij",
        [partner.naam],
    )


def main_quarantine_reason(con: duckdb.DuckDBPyConnection, partner: str) -> str | None:
    """Return the most common reason a partner's rows were quarantined, with how many rows it concerns."""
    row = con.execute(
        f"SELECT reden, count(*) FROM {QUARANTINE} WHERE partner = ? GROUP BY reden ORDER BY count(*) DESC, reden "
        "LIMIT 1",
        [partner],
    ).fetchone()
    return f"{row[0]} ({row[1]:,} rows)" if row else None
