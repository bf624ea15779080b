"""Assets whose source is not configured drop their stale table and say so, instead of failing."""

from __future__ import annotations

import dagster as dg
import duckdb

from ogw_datalab.storage import drop_relation


def skipped(con: duckdb.DuckDBPyConnection, schema: str, table: str, reason: str) -> dg.MaterializeResult:
    drop_relation(con, schema, table)
    return dg.MaterializeResult(metadata={"table": f"{schema}.{table}", "skipped": reason, "dagster/row_count": 0})


def drop_unconfigured(
    con: duckdb.DuckDBPyConnection, schema: str, prefix: str, configured: set[str], *, with_parts: bool = False
) -> list[str]:
    """Drop ``schema.<prefix><name>`` tables left from an earlier configuration; return what was dropped.

    With ``with_parts``, ``<prefix><name>_<part>`` tables (``tijdreeks_lucht_maand``) belong to ``name`` too.
    """
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = ? AND starts_with(table_name, ?)",
        [schema, prefix],
    ).fetchall()

    def belongs(name: str) -> bool:
        rest = name.removeprefix(prefix)
        return rest in configured or (with_parts and any(rest.startswith(f"{n}_") for n in configured))

    stale = [name for (name,) in rows if not belongs(name)]
    for name in stale:
        drop_relation(con, schema, name)
    return stale
