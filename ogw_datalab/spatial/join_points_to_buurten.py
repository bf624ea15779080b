"""Assign points (addresses, trees, reports) to buurten, and measure distances to parks, in DuckDB."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import duckdb
import numpy as np
import pandas as pd
import shapely

from ..storage import drop_relation, query_row, quote_identifier, run_sql_file, table_name
from .assign_points import OUTSIDE, BuurtGrid, assign_points, build_grid

ASSIGNMENT_SUFFIX = "_toewijzing"  # joined.<target>_toewijzing: bronrij and buurtcode of a linked point table
# The coordinates of a point table: x and y of each point, of the centroid for other geometries, NaN without geometry
# (those rows fall off the grid: outside). Centroids cost DuckDB more than the coordinates, and addresses are points.
_COORDINATES = """
SELECT bronrij,
       coalesce(CASE WHEN ST_GeometryType(geometry) = 'POINT' THEN ST_X(geometry)
                     ELSE ST_X(ST_Centroid(geometry)) END, 'NaN'::DOUBLE) AS x,
       coalesce(CASE WHEN ST_GeometryType(geometry) = 'POINT' THEN ST_Y(geometry)
                     ELSE ST_Y(ST_Centroid(geometry)) END, 'NaN'::DOUBLE) AS y
FROM {source}"""
READ_VECTORS = 64  # DuckDB vectors (2,048 rows each) read at a time: about 130,000 rows
READ_BUFFER_POOL = 64 * 2**20  # bytes of DuckDB's buffer pool above what it holds when the read starts


def read_buurten(con: duckdb.DuckDBPyConnection) -> tuple[np.ndarray, np.ndarray]:
    """Buurtcodes (ascending) and their polygons from ``staging.buurten``.

    Read in chunks and sorted here (DuckDB compares text by its UTF-8 bytes, Python by code
    points: the same order), so DuckDB neither holds the whole result nor sorts it in its
    buffer pool, which :func:`_small_buffer_pool` may keep small meanwhile.
    """
    result = con.execute("SELECT buurtcode, ST_AsWKB(geometry) AS wkb FROM staging.buurten")
    codes, polygons = [np.empty(0, dtype=object)], [np.empty(0, dtype=object)]
    while len(chunk := result.fetch_df_chunk(READ_VECTORS)):
        codes.append(chunk["buurtcode"].to_numpy(dtype=object))
        polygons.append(shapely.from_wkb([bytes(wkb) for wkb in chunk["wkb"]]))
    code = np.concatenate(codes)
    order = np.argsort(code, kind="stable")
    return code[order], np.concatenate(polygons)[order]


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
    source = table_name("staging", points)
    codes, bronrij, owner = _assign_rows(con, source)
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


def _assign_rows(con: duckdb.DuckDBPyConnection, source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read and assign every row of ``source``: the buurtcodes (ascending), ``bronrij`` and buurt index of each row.

    The index is OUTSIDE for a row in no buurt. Two things happen at once: on a second
    connection and thread the buurten are read and their grid is built, while DuckDB reads the
    coordinates in chunks into arrays made once (DuckDB neither holds the whole result nor keeps
    the blocks it scanned: see :func:`_small_buffer_pool`). The coordinates and the grid are freed
    on return, before anything is written.
    """
    (n_rows,) = query_row(con, f"SELECT count(*) FROM {source}")
    with ThreadPoolExecutor(max_workers=1) as background:
        with _small_buffer_pool(con):
            buurten = background.submit(_read_buurten_and_grid, _second_connection(con), n_rows)
            bronrij, x, y = _read_coordinates(con, source, n_rows)
            codes, polygons, grid = buurten.result()
        if grid is None:
            return codes, bronrij, np.full(len(x), OUTSIDE, dtype=np.int32)
        return codes, bronrij, assign_points(polygons, x, y, grid=grid)


def _second_connection(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Open a connection to ``con``'s database for another thread, on the same catalog; it sees what was committed."""
    (catalog,) = query_row(con, "SELECT current_database()")
    cursor = con.cursor()
    cursor.execute(f"USE {quote_identifier(catalog)}")
    return cursor


def _read_buurten_and_grid(
    cursor: duckdb.DuckDBPyConnection, n_points: int
) -> tuple[np.ndarray, np.ndarray, BuurtGrid | None]:
    """Read the buurten (:func:`read_buurten`) and build their grid for ``n_points`` points.

    No grid (None) without points or buurten.
    """
    try:
        codes, polygons = read_buurten(cursor)
    finally:
        cursor.close()
    grid = build_grid(polygons, n_points=n_points) if n_points and len(polygons) else None
    return codes, polygons, grid


def _read_coordinates(con: duckdb.DuckDBPyConnection, source: str, n_rows: int) -> tuple[np.ndarray, ...]:
    """``bronrij``, x and y of the ``n_rows`` rows of ``source``, read in chunks into arrays of their final size."""
    bronrij, x, y = np.empty(n_rows, dtype=np.int64), np.empty(n_rows), np.empty(n_rows)
    filled = 0
    result = con.execute(_COORDINATES.format(source=source))
    while len(chunk := result.fetch_df_chunk(READ_VECTORS)):
        end = filled + len(chunk)
        if end > n_rows:
            raise RuntimeError(f"{source} gained rows while its points were read ({n_rows} counted)")
        bronrij[filled:end], x[filled:end], y[filled:end] = chunk["bronrij"], chunk["x"], chunk["y"]
        filled = end
    if filled != n_rows:
        raise RuntimeError(f"{source} lost rows while its points were read ({filled} of {n_rows})")
    return bronrij, x, y


@contextmanager
def _small_buffer_pool(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB's buffer pool grow by at most READ_BUFFER_POOL bytes while a large table is scanned once.

    The limit holds for every connection to the database (the buurten are read meanwhile, in chunks).
    DuckDB keeps the blocks it read in memory up to its memory limit (80 % of the machine): after
    reading ten million addresses it held about 0.3 GB of them, which nothing reads again in this
    step. With a limit just above what it holds, it drops each block (they are on disk) once it is
    scanned. The limit is set back afterwards (``RESET memory_limit`` changes the setting, but not
    the limit DuckDB 1.5 enforces). When the limit cannot be read, it is left alone.
    """
    previous = _memory_limit(con)
    if previous is None:
        yield
        return
    (in_use,) = query_row(con, "SELECT coalesce(sum(memory_usage_bytes), 0) FROM duckdb_memory()")
    try:
        con.execute("SET memory_limit = ?", [f"{min(int(in_use) + READ_BUFFER_POOL, previous)}B"])
    except duckdb.Error:  # DuckDB could not get under it: read with the buffer pool as it is
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            con.execute("SET memory_limit = ?", [f"{previous}B"])


_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40, "PiB": 2**50}


def _memory_limit(con: duckdb.DuckDBPyConnection) -> int | None:
    """DuckDB's memory limit in bytes, or None when its text is not understood.

    DuckDB shows the limit rounded down to a tenth of its unit (``18.8 GiB``); the middle of that
    tenth is returned, so that setting it back shows the same text (and never drifts down).
    """
    (text,) = query_row(con, "SELECT current_setting('memory_limit')")
    number, _, unit = str(text).partition(" ")
    try:
        value = float(number)
    except ValueError:
        return None
    if unit not in _UNITS:
        return None
    return int((value + 0.05) * _UNITS[unit])


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
