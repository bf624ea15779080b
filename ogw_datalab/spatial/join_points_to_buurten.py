"""Assign points (addresses, trees, reports) to buurten, and measure distances to parks, in DuckDB."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pandas as pd
import shapely

from ..storage import drop_relation, query_row, run_sql_file, table_name
from .assign_points import OUTSIDE, assign_points, build_grid

ASSIGNMENT_SUFFIX = "_toewijzing"  # joined.<target>_toewijzing: bronrij and buurtcode of a linked point table


def read_buurten(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray]:
    """Buurtcodes (ascending) and their polygons from ``staging.buurten``."""
    rows = con.execute("SELECT buurtcode, ST_AsWKB(geometry) FROM staging.buurten ORDER BY buurtcode").fetchall()
    codes = np.array([code for code, _ in rows], dtype=object)
    polygons = shapely.from_wkb([bytes(wkb) for _, wkb in rows])
    return codes, polygons


def join_points_to_buurten(con: duckdb.DuckDBPyConnection, points: str, target: str) -> dict[str, int]:
    """Write ``joined.<target>``: every row of ``staging.<points>`` with its ``buurtcode``, as a table.

    Notes
    -----
    Rule for the edges: a point inside or on the boundary of a buurt belongs to it; on a
    boundary shared by several buurten it goes to the lowest buurtcode; points outside all
    buurten (or without geometry) keep ``buurtcode`` NULL and are counted. The assignment
    itself is :func:`ogw_datalab.spatial.assign_points.assign_points`. For large point
    tables :func:`link_points_to_buurten` gives the same rows without copying them.

    Returns
    -------
    dict
        ``rows``, ``in_buurt`` and ``outside`` counts.
    """
    return _assign_and_write(con, points, target, "join_points_to_buurten.sql", {})


def link_points_to_buurten(con: duckdb.DuckDBPyConnection, points: str, target: str) -> dict[str, int]:
    """Make ``joined.<target>`` a view: every row of ``staging.<points>`` with its ``buurtcode``.

    The same rows, columns and order as :func:`join_points_to_buurten` writes, but only the
    assignment is written (``joined.<target>_toewijzing``: ``bronrij`` and ``buurtcode`` of
    the points in a buurt); the other columns stay in ``staging.<points>``. Copying every
    column of millions of addresses costs several times the assignment itself (see the
    spatial benchmark); a view costs nothing to write and little to read.

    Returns
    -------
    dict
        ``rows``, ``in_buurt`` and ``outside`` counts.
    """
    assignment = table_name("joined", target + ASSIGNMENT_SUFFIX)
    drop_relation(con, "joined", target)  # a table written by an earlier version; a view is replaced below
    return _assign_and_write(con, points, target, "link_points_to_buurten.sql", {"assignment": assignment})


def _assign_and_write(
    con: duckdb.DuckDBPyConnection, points: str, target: str, sql_file: str, identifiers: dict[str, str]
) -> dict[str, int]:
    codes, polygons = read_buurten(con)
    source = table_name("staging", points)
    bronrij, owner = _assign_rows(con, source, polygons)
    inside = owner != OUTSIDE
    # A categorical column reaches DuckDB as codes and a dictionary (an ENUM), not as millions of strings; it is
    # typed as text also when no point lies in a buurt (an empty object column would become INTEGER).
    assigned = pd.DataFrame(
        {
            "bronrij": bronrij[inside],
            "buurtcode": pd.Categorical.from_codes(owner[inside], categories=pd.Index(codes, dtype="string")),
        }
    )
    del bronrij
    con.register("__assigned", assigned)
    try:
        run_sql_file(
            con, sql_file, identifiers={"points": source, "target": table_name("joined", target), **identifiers}
        )
    finally:
        con.unregister("__assigned")
    in_buurt = int(inside.sum())
    return {"rows": len(owner), "in_buurt": in_buurt, "outside": len(owner) - in_buurt}


def _assign_rows(con: duckdb.DuckDBPyConnection, source: str, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``bronrij`` of every row of ``source`` and the index of its buurt (OUTSIDE when in none).

    The coordinates and the grid are freed on return, before anything is written.
    """
    (n_rows,) = query_row(con, f"SELECT count(*) FROM {source}")
    with ThreadPoolExecutor(max_workers=1) as background:
        # The grid needs only the buurten: it is built on the second core while DuckDB reads the points.
        grid = background.submit(build_grid, polygons, n_points=n_rows) if n_rows and len(polygons) else None
        located = con.execute(
            f"SELECT bronrij, coalesce(ST_X(ST_Centroid(geometry)), 'NaN'::DOUBLE) AS x, "
            f"coalesce(ST_Y(ST_Centroid(geometry)), 'NaN'::DOUBLE) AS y FROM {source}"
        ).fetchnumpy()
        # Rows without geometry get NaN coordinates: they fall off the grid (outside).
        x, y = np.asarray(located.pop("x"), dtype=float), np.asarray(located.pop("y"), dtype=float)
        if grid is None:
            return np.asarray(located["bronrij"]), np.full(len(x), OUTSIDE, dtype=np.int32)
        return np.asarray(located["bronrij"]), assign_points(polygons, x, y, grid=grid.result())


def compute_distances(
    con: duckdb.DuckDBPyConnection, features: str, max_afstand_m: float, target: str
) -> dict[str, int]:
    """Write ``joined.<target>``: per home its buurt and the distance to the nearest of ``features``.

    ``features`` is a qualified table name with a ``geometry`` column (a layer or the parks);
    homes with nothing within ``max_afstand_m`` metres get a NULL distance.
    """
    run_sql_file(
        con,
        "distance_to_features.sql",
        {"max_afstand_m": max_afstand_m},
        identifiers={"features": features, "target": table_name("joined", target)},
    )
    rows, near = query_row(con, f"SELECT count(*), count(afstand_m) FROM {table_name('joined', target)}")
    return {"homes": rows, "within": near}
