"""Place partner rows in buurten (or wijken) by their key; what cannot be placed goes to quarantine.

Row-level partner data stays in the database: ``joined.partner_<name>`` holds the placed
rows, ``joined.quarantaine_partners`` the others with their row number and reason. Only
aggregates move on to the indicators.
"""

from __future__ import annotations

import duckdb

from ..config import Partner, ProjectConfig
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
NEEDS_ADDRESSES = ("postcode", "bag_id", "adres")


def join_partner(con: duckdb.DuckDBPyConnection, partner: Partner, config: ProjectConfig) -> dict[str, float]:
    """Write ``joined.partner_<name>`` (placed rows) and refresh this partner's quarantine rows.

    Rows keyed by a code of another level (a GM row in a buurt file) or of another gemeente
    are not considered: they are counted as ``other_levels_or_gemeenten``, not quarantined.

    Returns
    -------
    dict
        ``rows`` considered, ``matched``, ``quarantined``, ``match_rate`` (matched / rows) and
        ``other_levels_or_gemeenten``.
    """
    table = partner_table(partner.name)
    target = table_name("joined", table)
    identifiers = {"partner": table_name("staging", table), "target": target}
    if partner.key in NEEDS_ADDRESSES and config.sources.adressen is None:
        reason = "geen adressenbron geconfigureerd (sources.adressen) om op te koppelen"
        run_sql_file(con, "partners/refuse_all.sql", {"reden": reason}, identifiers=identifiers)
    elif partner.key == "coordinaten":
        join_points_to_buurten(con, table, table)
        run_sql_file(con, "partners/join_by_coordinates.sql", identifiers={"target": target})
    else:
        parameters = {}
        if partner.key in ("buurtcode", "wijkcode"):
            parameters = {"weigeren": _refusal(partner, config), "gemeente_digits": config.gemeente.digits}
        run_sql_file(con, JOIN_SQL[partner.key], parameters, identifiers=identifiers)
    _quarantine(con, partner, target)
    rows, matched = query_row(con, f"SELECT count(*), count(*) FILTER (WHERE reden IS NULL) FROM {target}")
    staged = query_row(con, f"SELECT count(*) FROM {table_name('staging', table)}")[0]
    con.execute(f"DELETE FROM {target} WHERE reden IS NOT NULL")
    con.execute(f"ALTER TABLE {target} DROP COLUMN reden")
    return {
        "rows": rows,
        "matched": matched,
        "quarantined": rows - matched,
        "match_rate": round(matched / rows, 4) if rows else 0.0,
        "other_levels_or_gemeenten": staged - rows,
    }


def _refusal(partner: Partner, config: ProjectConfig) -> str | None:
    """Codes of another gebiedsindeling are never joined on code alone: the same code can mean another area."""
    areas = config.indeling("buurten" if partner.key == "buurtcode" else "wijken")
    if partner.gebiedsindeling is None or partner.gebiedsindeling == areas:
        return None
    return (
        f"gebiedsindeling {partner.gebiedsindeling} van het bestand wijkt af van die van de "
        f"{'buurten' if partner.key == 'buurtcode' else 'wijken'} ({areas}); codes van verschillende jaren "
        "zijn niet op code te koppelen"
    )


def _quarantine(con: duckdb.DuckDBPyConnection, partner: Partner, target: str) -> None:
    ensure_schemas(con)
    con.execute(f"CREATE TABLE IF NOT EXISTS {QUARANTINE} (partner VARCHAR, bronrij BIGINT, reden VARCHAR)")
    con.execute(f"DELETE FROM {QUARANTINE} WHERE partner = ?", [partner.name])
    con.execute(
        f"INSERT INTO {QUARANTINE} SELECT ?, bronrij, reden FROM {target} WHERE reden IS NOT NULL ORDER BY bronrij",
        [partner.name],
    )
