"""Assign points (addresses, trees, reports) to buurten in DuckDB."""

from __future__ import annotations

import duckdb

from ..storage import query_row, run_sql_file, table_name


def join_points_to_buurten(con: duckdb.DuckDBPyConnection, points: str, target: str) -> dict[str, int]:
    """Write ``joined.<target>``: every row of ``staging.<points>`` with its ``buurtcode``.

    Notes
    -----
    Rule for the edges: a point on the boundary between buurten goes to the lowest
    buurtcode; points outside all buurten (or without geometry) keep ``buurtcode`` NULL.

    Returns
    -------
    dict
        ``rows``, ``in_buurt`` and ``outside`` counts.
    """
    run_sql_file(
        con,
        "join_points_to_buurten.sql",
        identifiers={"points": table_name("staging", points), "target": table_name("joined", target)},
    )
    rows, outside = query_row(
        con, f"SELECT count(*), count(*) FILTER (WHERE buurtcode IS NULL) FROM {table_name('joined', target)}"
    )
    return {"rows": rows, "in_buurt": rows - outside, "outside": outside}


def compute_distance_to_parks(con: duckdb.DuckDBPyConnection, distance_m: float) -> dict[str, int]:
    """Write ``joined.adressen_park_afstand``: per address the distance to the nearest park within reach."""
    run_sql_file(con, "distance_to_parks.sql", {"distance_m": distance_m})
    rows, within = query_row(
        con, "SELECT count(*), count(*) FILTER (WHERE binnen_afstand) FROM joined.adressen_park_afstand"
    )
    return {"rows": rows, "within": within}
