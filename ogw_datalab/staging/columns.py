"""Map configured column names onto the columns a raw table really has (the allow-list)."""

from __future__ import annotations

import duckdb

from ..storage import quote_identifier, table_name


class StagingError(ValueError):
    """A raw table lacks a column the configuration or the reader kind requires."""


def raw_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Return the column names of ``raw.<table>`` in their order; a missing table is a :class:`StagingError`."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'raw' AND table_name = ? "
        "ORDER BY ordinal_position",
        [table],
    ).fetchall()
    if not rows:
        raise StagingError(f"raw.{table} does not exist; materialise the raw asset first")
    return [r[0] for r in rows]


def pick_columns(
    source_name: str, present: list[str], wanted: dict[str, list[str]], required: tuple[str, ...]
) -> dict[str, str]:
    """For each of our names, the first candidate column that the raw table has.

    Raises
    ------
    StagingError
        Naming the source, our column and the candidates when a required column is absent.
    """
    by_lower = {c.lower(): c for c in present}
    picked = {}
    for ours, candidates in wanted.items():
        found = next((by_lower[c.lower()] for c in candidates if c.lower() in by_lower), None)
        if found is not None:
            picked[ours] = found
        elif ours in required:
            raise StagingError(
                f"{source_name}: no column for '{ours}' (looked for {candidates}); the file has {present}"
            )
    return picked


def quoted(column: str) -> str:
    """Return ``column`` quoted as an SQL identifier."""
    return quote_identifier(column)


__all__ = ["StagingError", "pick_columns", "quoted", "raw_columns", "table_name"]
