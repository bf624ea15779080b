"""Assign points (addresses, trees, reports) to buurten, and measure distances to parks, in DuckDB."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import shapely

from ..storage import query_row, run_sql_file, table_name
from .assign_points import OUTSIDE, assign_points


def read_buurten(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray]:
    """Buurtcodes (ascending) and their polygons from ``staging.buurten``."""
    rows = con.execute("SELECT buurtcode, ST_AsWKB(geometry) FROM staging.buurten ORDER BY buurtcode").fetchall()
    codes = np.array([code for code, _ in rows], dtype=object)
    polygons = shapely.from_wkb([bytes(wkb) for _, wkb in rows])
    return codes, polygons


def join_points_to_buurten(con: duckdb.DuckDBPyConnection, points: str, target: str) -> dict[str, int]:
    """Write ``joined.<target>``: every row of ``staging.<points>`` with its ``buurtcode``.

    Notes
    -----
    Rule for the edges: a point inside or on the boundary of a buurt belongs to it; on a
    boundary shared by several buurten it goes to the lowest buurtcode; points outside all
    buurten (or without geometry) keep ``buurtcode`` NULL and are counted. The assignment
    itself is :func:`ogw_datalab.spatial.assign_points.assign_points`.

    Returns
    -------
    dict
        ``rows``, ``in_buurt`` and ``outside`` counts.
    """
    codes, polygons = read_buurten(con)
    located = con.execute(
        f"SELECT bronrij, ST_X(ST_Centroid(geometry)) AS x, ST_Y(ST_Centroid(geometry)) AS y "
        f"FROM {table_name('staging', points)}"
    ).fetchnumpy()
    # Rows without geometry come back masked; NaN coordinates fall off the grid (outside).
    x: np.ndarray = np.ma.filled(np.ma.asarray(located["x"], dtype=float), np.nan)
    y: np.ndarray = np.ma.filled(np.ma.asarray(located["y"], dtype=float), np.nan)
    owner = assign_points(polygons, x, y) if len(x) else np.empty(0, dtype=np.int32)
    inside = owner != OUTSIDE
    # Typed as text also when no point lies in a buurt: an empty object column would become INTEGER in DuckDB.
    assigned = pd.DataFrame(
        {"bronrij": np.asarray(located["bronrij"])[inside], "buurtcode": pd.array(codes[owner[inside]], dtype="string")}
    )
    con.register("__assigned", assigned)
    try:
        run_sql_file(
            con,
            "join_points_to_buurten.sql",
            identifiers={"points": table_name("staging", points), "target": table_name("joined", target)},
        )
    finally:
        con.unregister("__assigned")
    rows, outside = query_row(
        con, f"SELECT count(*), count(*) FILTER (WHERE buurtcode IS NULL) FROM {table_name('joined', target)}"
    )
    return {"rows": rows, "in_buurt": rows - outside, "outside": outside}


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
