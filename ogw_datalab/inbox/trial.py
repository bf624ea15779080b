"""A trial placement: a delivered partner file staged and joined against the current database, in memory.

A file is installed only when its rows, placed exactly as the build places them, reach the
partner's ``min_koppelpercentage``; nothing is written to the database.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..config import ADDRESS_KEYS, Partner, ProjectConfig
from ..duckdb_connection import attach, connect
from ..spatial.join_partners import QUARANTINE, join_partner
from ..staging.stage_partners import stage_partner
from ..storage import ensure_schemas, partner_table, write_frame


def trial_placement(
    config: ProjectConfig,
    partner: Partner,
    frame: pd.DataFrame,
    *,
    encryption_key: str | None = None,
    wait_s: float = 5.0,
) -> dict[str, Any] | None:
    """Place ``frame`` as ``partner``'s rows against the current database's areas and addresses, in memory.

    The current database is attached read-only; only its staging areas (and addresses, for keys
    that need them) are copied into an in-memory database, where the partner rows are staged and
    joined exactly as the build does. Nothing is written to the database.

    Returns
    -------
    dict or None
        The counts of :func:`ogw_datalab.spatial.join_partners.join_partner` plus ``redenen``
        (the three most common reasons rows were not placed, with counts); None when there is no
        database with staged areas yet (nothing to compare with).

    Raises
    ------
    duckdb.IOException
        When another process keeps the database locked for longer than ``wait_s``.
    """
    database = config.uitvoer.database
    if not database.is_file():
        return None
    needed = ["staging.buurten", "staging.wijken"]
    if partner.sleutel in ADDRESS_KEYS and config.bronnen.adressen is not None:
        needed.append("joined.adressen_buurt")
    con = connect(":memory:")
    try:
        attach(con, database, "huidig", wait_s=wait_s, encryption_key=encryption_key)
        present = {
            f"{schema}.{table}"
            for schema, table in con.execute(  # views too: joined.adressen_buurt is one
                "SELECT table_schema, table_name FROM information_schema.tables WHERE table_catalog = 'huidig'"
            ).fetchall()
        }
        if any(table not in present for table in needed):
            return None
        ensure_schemas(con)
        for table in needed:  # names from the list above, never from data
            con.execute(f"CREATE TABLE memory.{table} AS SELECT * FROM huidig.{table}")
        con.execute("DETACH huidig")
        write_frame(con, "raw", partner_table(partner.naam), frame)
        stage_partner(con, partner)
        counts: dict[str, Any] = dict(join_partner(con, partner, config))
        counts["redenen"] = con.execute(
            f"SELECT reden, count(*) FROM {QUARANTINE} WHERE partner = ? GROUP BY reden ORDER BY count(*) DESC, reden "
            "LIMIT 3",
            [partner.naam],
        ).fetchall()
        return counts
    finally:
        con.close()


def placement_problem(
    config: ProjectConfig, partner: Partner, delivered: Path, placement: dict[str, Any] | None
) -> str | None:
    """Why a trial ``placement`` refuses the delivered file (no row of this gemeente, too few placed), or None."""
    if placement is None:
        return None
    where = f"partners.{partner.naam} ({delivered.name})"
    if placement["rows"] == 0:
        return (
            f"{where}: geen enkele rij hoort bij {config.gemeente.naam} ({config.gemeente.code}); "
            f"{placement['other_levels_or_gemeenten']} rijen zijn van een ander niveau of een andere gemeente"
        )
    if placement["match_rate"] < partner.min_koppelpercentage:
        reasons = "; ".join(f"{reason} ({count}x)" for reason, count in placement["redenen"])
        return (
            f"{where}: {placement['matched']} van {placement['rows']} rijen gekoppeld "
            f"({placement['match_rate']:.0%}), minder dan min_koppelpercentage {partner.min_koppelpercentage:.0%}"
            + (f"; meest voorkomende redenen: {reasons}" if reasons else "")
        )
    return None
