"""One benchmark method per entry of METHODS; ``python -m benchmarks.methods NAME FOLDER RESULT --threads N`` runs one.

The rules that make the comparison fair, applied in :func:`measure`:

- **Inputs in memory, in each method's own form, before the clock.** ``prepare`` runs before
  the timer: it decodes the saved workload and builds what that method would hold before a
  join (shapely arrays for the shapely methods, GeoDataFrames for geopandas, DuckDB tables with
  the spatial extension loaded for DuckDB, an open DuckDB file for the pipeline step). Only
  ``run`` is timed; ``collect`` turns its output into the comparable result after the clock.
- **The same thread count for every method**: the runner pins each child to ``threads`` CPUs and
  sets the OpenMP/BLAS variables; DuckDB gets ``SET threads``, our engine ``threads=``, the
  shapely paths split their work over that many threads. geopandas and GEOS calls on their own
  are single-threaded, whatever they are given (the ``threads`` field says so).
- **Our pipeline step as the build runs it**: ``ours_pipeline`` calls
  :func:`ogw_datalab.spatial.join_points_to_buurten.link_points_to_buurten` on a DuckDB file
  (buurten and addresses read from ``staging``; ``joined.adressen_buurt_toewijzing`` written and
  ``joined.adressen_buurt`` made a view of it and ``staging.adressen``; checkpointed, as
  ``open_working`` does when the asset's connection closes), beside ``ours``, the engine alone on
  arrays. ``duckdb_pipeline`` is the same step written as plain DuckDB SQL (a full table).

The child prints ``{"method", "seconds", "cpu_seconds", "peak_gb", "peak_with_collect_gb"}`` as its last line:
``peak_gb`` is the high-water mark when ``run`` ends (inputs and the method), ``peak_with_collect_gb`` the one after
``collect`` too (for a pipeline method, reading its table or view back to count per buurt).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from ogw_datalab.duckdb_connection import connect
from ogw_datalab.spatial.area_per_buurt import compute_area_per_buurt
from ogw_datalab.spatial.assign_points import assign_points
from ogw_datalab.spatial.join_points_to_buurten import compute_distances, link_points_to_buurten
from ogw_datalab.storage import query_row

DISTANCE_M = 300.0
DATABASE = "run.duckdb"  # the runner copies the prepared database here before each run of a pipeline method
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


@dataclass(frozen=True)
class Method:
    """A benchmark method: ``prepare`` (untimed), ``run`` (timed), ``collect`` (untimed)."""

    name: str
    prepare: Callable[[Path, int], Any]
    run: Callable[[Any], Any]
    collect: Callable[[Any, Any], np.ndarray] | None = None
    single_threaded: bool = False  # the library uses one thread whatever it is given


def load(folder: Path, *names: str) -> list[np.ndarray]:
    """The named arrays of a saved workload; WKB object arrays come back as shapely geometries."""
    arrays = []
    for name in names:
        value = np.load(folder / f"{name}.npy", allow_pickle=True)
        arrays.append(shapely.from_wkb(value) if value.dtype == object else value)
    return arrays


def counts(owner: np.ndarray, n_polygons: int) -> np.ndarray:
    """Points per polygon; the last entry counts points outside all polygons."""
    owner = np.where(owner < 0, n_polygons, owner)
    return np.bincount(owner, minlength=n_polygons + 1)


def buurtcode(index: int) -> str:
    """Synthetic buurtcode of polygon ``index``; codes ascend with the index, so lowest code = lowest index."""
    return f"BU{index:08d}"


def _split(n: int, parts: int) -> list[slice]:
    bounds = np.linspace(0, n, parts + 1).astype(int)
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _memory_duckdb(threads: int):
    con = connect(":memory:")
    con.execute(f"SET threads = {int(threads)}")
    return con


# --- the DuckDB file of the pipeline step -----------------------------------------------------


def prepare_database(path: Path, polygons: np.ndarray, x: np.ndarray, y: np.ndarray) -> None:
    """Write ``staging.buurten`` and ``staging.adressen`` as the build has them before the join.

    The addresses carry the columns ``stage_addresses`` writes (synthetic values), so that the
    step reads and writes what it does in the build.
    """
    con = connect(path)
    try:
        con.execute("CREATE SCHEMA staging; CREATE SCHEMA joined")
        wkb = pd.DataFrame({"buurtcode": [buurtcode(i) for i in range(len(polygons))], "wkb": shapely.to_wkb(polygons)})
        con.register("__wkb", wkb)
        con.execute(
            "CREATE TABLE staging.buurten AS SELECT buurtcode, 'Buurt ' || buurtcode AS buurtnaam, "
            "ST_GeomFromWKB(wkb) AS geometry FROM __wkb ORDER BY buurtcode"
        )
        con.register("__xy", pd.DataFrame({"x": x, "y": y}))
        con.execute(
            """CREATE TABLE staging.adressen AS
            SELECT bronrij,
                   lpad(CAST(bronrij AS VARCHAR), 16, '0') AS identificatie,
                   CAST(1000 + bronrij % 9000 AS VARCHAR) || chr(65 + CAST(bronrij % 26 AS INTEGER))
                       || chr(65 + CAST(bronrij // 26 % 26 AS INTEGER)) AS postcode,
                   CAST(1 + bronrij % 250 AS INTEGER) AS huisnummer,
                   CAST(NULL AS VARCHAR) AS huisletter,
                   CAST(NULL AS VARCHAR) AS toevoeging,
                   'Straat ' || CAST(bronrij % 7000 AS VARCHAR) AS openbare_ruimte,
                   'Plaats ' || CAST(bronrij % 60 AS VARCHAR) AS woonplaats,
                   'woonfunctie' AS gebruiksdoel,
                   true AS is_woning,
                   ST_Point(x, y) AS geometry
            FROM (SELECT row_number() OVER () AS bronrij, x, y FROM __xy)
            ORDER BY bronrij"""
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def _open_database(folder: Path, threads: int) -> tuple[Any, int]:
    con = connect(folder / DATABASE)
    con.execute(f"SET threads = {int(threads)}")
    (n_buurten,) = query_row(con, "SELECT count(*) FROM staging.buurten")
    return con, n_buurten


def _counts_from_joined_table(inputs: tuple[Any, int], _output: Any) -> np.ndarray:
    con, n_buurten = inputs
    rows = con.execute("SELECT buurtcode, count(*) FROM joined.adressen_buurt GROUP BY ALL").fetchall()
    con.close()
    result = np.zeros(n_buurten + 1, dtype=np.int64)
    for code, count in rows:
        result[n_buurten if code is None else int(code[2:])] = count
    return result


# --- points in buurten -------------------------------------------------------------------


def _prepare_ours(folder: Path, threads: int):
    polygons, x, y = load(folder, "polygons", "x", "y")
    return polygons, x, y, threads


def _run_ours(inputs) -> np.ndarray:
    polygons, x, y, threads = inputs
    return counts(assign_points(polygons, x, y, threads=threads), len(polygons))


def _run_ours_pipeline(inputs) -> None:
    con, _ = inputs
    link_points_to_buurten(con, "adressen", "adressen_buurt")  # as the asset joined/adressen_buurt does
    con.execute("CHECKPOINT")  # as open_working does when the asset's connection closes


def _run_duckdb_pipeline(inputs) -> None:
    con, _ = inputs
    con.execute(
        """CREATE OR REPLACE TABLE joined.adressen_buurt AS
        WITH hits AS (
            SELECT p.bronrij, min(b.buurtcode) AS buurtcode
            FROM staging.adressen AS p JOIN staging.buurten AS b ON ST_Intersects(b.geometry, p.geometry)
            GROUP BY p.bronrij
        )
        SELECT p.*, h.buurtcode FROM staging.adressen AS p LEFT JOIN hits AS h USING (bronrij) ORDER BY p.bronrij"""
    )
    con.execute("CHECKPOINT")


def _prepare_duckdb_contains(folder: Path, threads: int):
    polygons, x, y = load(folder, "polygons", "x", "y")
    con = _memory_duckdb(threads)
    con.register("__xy", pd.DataFrame({"x": x, "y": y}))
    con.execute("CREATE TABLE points AS SELECT ST_Point(x, y) AS geom FROM __xy")
    con.unregister("__xy")
    con.register("__wkb", pd.DataFrame({"id": np.arange(len(polygons)), "wkb": shapely.to_wkb(polygons)}))
    con.execute("CREATE TABLE polygons AS SELECT id, ST_GeomFromWKB(wkb) AS geom FROM __wkb")
    con.unregister("__wkb")
    return con, len(polygons), len(x)


def _run_duckdb_contains(inputs) -> np.ndarray:
    con, n, n_points = inputs
    rows = con.execute(
        "SELECT b.id, count(*) FROM points AS p JOIN polygons AS b ON ST_Contains(b.geom, p.geom) GROUP BY b.id"
    ).fetchall()
    result = np.zeros(n + 1, dtype=np.int64)
    for polygon, count in rows:
        result[polygon] = count
    result[n] = n_points - result[:n].sum()
    return result


def _prepare_geopandas_sjoin(folder: Path, threads: int):
    import geopandas as gpd

    polygons, x, y = load(folder, "polygons", "x", "y")
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:28992")
    areas = gpd.GeoDataFrame({"id": np.arange(len(polygons))}, geometry=polygons, crs="EPSG:28992")
    return gpd, points, areas


def _run_geopandas_sjoin(inputs) -> np.ndarray:
    gpd, points, areas = inputs
    hits = gpd.sjoin(points, areas, predicate="intersects", how="left")
    owner = hits.groupby(level=0)["id"].min().fillna(-1).to_numpy().astype(np.int64)
    return counts(owner, len(areas))


def _morton(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Z-order key of 16-bit cell coordinates: nearby points get nearby keys."""

    def spread(v: np.ndarray) -> np.ndarray:
        v = v.astype(np.uint64)
        for shift, mask in ((8, 0x00FF00FF), (4, 0x0F0F0F0F), (2, 0x33333333), (1, 0x55555555)):
            v = (v | (v << np.uint64(shift))) & np.uint64(mask)
        return v

    gx = ((x - x.min()) / (np.ptp(x) or 1) * 65535).astype(np.uint64)
    gy = ((y - y.min()) / (np.ptp(y) or 1) * 65535).astype(np.uint64)
    return spread(gx) | (spread(gy) << np.uint64(1))


def _prepare_shapely_points(folder: Path, threads: int):
    polygons, x, y = load(folder, "polygons", "x", "y")
    return polygons, x, y, shapely.points(x, y), threads


def _run_shapely_sorted_prepared(inputs) -> np.ndarray:
    """Points in Morton order, STRtree bounding-box candidates, prepared polygons, contains_xy."""
    polygons, x, y, points, threads = inputs
    order = np.argsort(_morton(x, y), kind="stable")
    xs, ys, sorted_points = x[order], y[order], points[order]
    tree = shapely.STRtree(polygons)
    chunks = _split(len(order), threads)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        parts = list(pool.map(tree.query, [sorted_points[chunk] for chunk in chunks]))
    point_idx = np.concatenate([found[0] + chunk.start for found, chunk in zip(parts, chunks, strict=True)])
    poly_idx = np.concatenate([found[1] for found in parts])
    by_polygon = np.argsort(poly_idx, kind="stable")
    point_idx, poly_idx = point_idx[by_polygon], poly_idx[by_polygon]
    splits = np.flatnonzero(np.diff(poly_idx)) + 1
    shapely.prepare(polygons)

    def test(span: tuple[np.ndarray, np.ndarray]) -> list[tuple[int, np.ndarray]]:
        out = []
        for start, end in zip(*span, strict=True):
            members = point_idx[start:end]
            polygon = poly_idx[start]
            out.append((polygon, members[shapely.intersects_xy(polygons[polygon], xs[members], ys[members])]))
        return out

    starts, ends = np.r_[0, splits], np.r_[splits, len(poly_idx)]
    shares = [(starts[i::threads], ends[i::threads]) for i in range(threads)]
    owner_sorted = np.full(len(x), np.iinfo(np.int64).max, dtype=np.int64)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        for found in pool.map(test, shares):
            for polygon, members in found:
                np.minimum.at(owner_sorted, members, polygon)
    owner = np.empty(len(x), dtype=np.int64)
    owner[order] = np.where(owner_sorted == np.iinfo(np.int64).max, -1, owner_sorted)
    return counts(owner, len(polygons))


# --- area overlay ---------------------------------------------------------------------------


def _prepare_ours_overlay(folder: Path, threads: int):
    polygons, green = load(folder, "polygons", "green")
    con = _memory_duckdb(threads)
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA joined")
    codes = [buurtcode(i) for i in range(len(polygons))]
    con.register("__b", pd.DataFrame({"buurtcode": codes, "wkb": shapely.to_wkb(polygons)}))
    con.register("__g", pd.DataFrame({"wkb": shapely.to_wkb(green)}))
    con.execute("CREATE TABLE staging.buurten AS SELECT buurtcode, ST_GeomFromWKB(wkb) AS geometry FROM __b")
    con.execute("CREATE TABLE staging.layer_groen AS SELECT ST_GeomFromWKB(wkb) AS geometry FROM __g")
    con.unregister("__b")
    con.unregister("__g")
    return con, len(polygons)


def _run_ours_overlay(inputs) -> None:
    con, _ = inputs
    compute_area_per_buurt(con, "layer_groen", "groen_oppervlak")


def _collect_ours_overlay(inputs, _output) -> np.ndarray:
    con, n = inputs
    result = np.zeros(n)
    for code, area in con.execute("SELECT buurtcode, oppervlak_m2 FROM joined.groen_oppervlak").fetchall():
        result[int(code[2:])] = area
    return result


def _prepare_geopandas_overlay(folder: Path, threads: int):
    import geopandas as gpd

    polygons, green = load(folder, "polygons", "green")
    areas = gpd.GeoDataFrame({"id": np.arange(len(polygons))}, geometry=polygons, crs="EPSG:28992")
    return gpd, areas, gpd.GeoDataFrame(geometry=green, crs="EPSG:28992")


def _run_geopandas_overlay(inputs) -> np.ndarray:
    gpd, areas, green = inputs
    pieces = gpd.overlay(green, areas, how="intersection", keep_geom_type=True)
    per = pieces.assign(area=pieces.area).groupby("id")["area"].sum()
    result = np.zeros(len(areas))
    result[per.index.to_numpy()] = per.to_numpy()
    return result


def _prepare_shapely_overlay(folder: Path, threads: int):
    polygons, green = load(folder, "polygons", "green")
    return polygons, green, threads


def _run_shapely_overlay(inputs) -> np.ndarray:
    """STRtree candidates; a polygon wholly within a buurt counts whole, others are intersected."""
    polygons, green, threads = inputs
    tree = shapely.STRtree(polygons)
    chunks = _split(len(green), threads)
    with ThreadPoolExecutor(max_workers=threads) as pool:
        found = list(pool.map(lambda chunk: tree.query(green[chunk], predicate="intersects"), chunks))
    green_idx = np.concatenate([pairs[0] + chunk.start for pairs, chunk in zip(found, chunks, strict=True)])
    poly_idx = np.concatenate([pairs[1] for pairs in found])
    order = np.argsort(poly_idx, kind="stable")
    green_idx, poly_idx = green_idx[order], poly_idx[order]
    shapely.prepare(polygons)
    # A prepared polygon must not be used by two threads at once: each thread gets its own buurten.
    even = [chunk.start for chunk in _split(len(poly_idx), threads)[1:]]
    cuts = np.searchsorted(poly_idx, poly_idx[even]) if len(poly_idx) else np.zeros(len(even), dtype=int)
    shares = [slice(a, b) for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(poly_idx)], strict=True)]

    def areas(share: slice) -> np.ndarray:
        pieces, buurten = green[green_idx[share]], polygons[poly_idx[share]]
        inside = shapely.contains_properly(buurten, pieces)
        area = np.where(inside, shapely.area(pieces), 0.0)
        area[~inside] = shapely.area(shapely.intersection(pieces[~inside], buurten[~inside]))
        return np.bincount(poly_idx[share], weights=area, minlength=len(polygons))

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return np.sum(list(pool.map(areas, shares)), axis=0)


# --- distance access -------------------------------------------------------------------------


def _distance_result(within: np.ndarray, distance: np.ndarray) -> np.ndarray:
    return np.array([within.sum(), np.nanmean(np.where(within, distance, np.nan))])


def _prepare_ours_distance(folder: Path, threads: int):
    x, y, parks = load(folder, "x", "y", "parks")
    con = _memory_duckdb(threads)
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA joined")
    con.register("__xy", pd.DataFrame({"x": x, "y": y}))
    con.register("__p", pd.DataFrame({"wkb": shapely.to_wkb(parks)}))
    con.execute(
        "CREATE TABLE joined.adressen_buurt AS SELECT row_number() OVER () AS bronrij, "
        "CAST(row_number() OVER () AS VARCHAR) AS identificatie, 'BU' AS buurtcode, true AS is_woning, "
        "ST_Point(x, y) AS geometry FROM __xy"
    )
    con.execute("CREATE TABLE staging.parken AS SELECT ST_GeomFromWKB(wkb) AS geometry FROM __p")
    con.unregister("__xy")
    con.unregister("__p")
    return con


def _run_ours_distance(con) -> None:
    compute_distances(con, "staging.parken", DISTANCE_M, "afstanden")


def _collect_ours_distance(con, _output) -> np.ndarray:
    within, mean = con.execute("SELECT count(afstand_m), avg(afstand_m) FROM joined.afstanden").fetchone()
    return np.array([within, mean])


def _prepare_geopandas_sjoin_nearest(folder: Path, threads: int):
    import geopandas as gpd

    x, y, parks = load(folder, "x", "y", "parks")
    homes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:28992")
    return gpd, homes, gpd.GeoDataFrame(geometry=parks, crs="EPSG:28992")


def _run_geopandas_sjoin_nearest(inputs) -> np.ndarray:
    gpd, homes, parks = inputs
    nearest = gpd.sjoin_nearest(homes, parks, max_distance=DISTANCE_M, distance_col="d", how="left")
    distance = nearest.groupby(level=0)["d"].min().reindex(range(len(homes))).to_numpy()
    return _distance_result(~np.isnan(distance), distance)


def _prepare_shapely_query_nearest(folder: Path, threads: int):
    x, y, parks = load(folder, "x", "y", "parks")
    return shapely.points(x, y), parks, threads


def _run_shapely_query_nearest(inputs) -> np.ndarray:
    points, parks, threads = inputs
    tree = shapely.STRtree(parks)
    best = np.full(len(points), np.nan)

    def nearest(part: slice) -> None:
        (point_idx, _park_idx), distance = tree.query_nearest(
            points[part], max_distance=DISTANCE_M, return_distance=True
        )
        best[part.start + point_idx] = distance  # ties give the same distance twice

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(nearest, _split(len(points), threads)))
    return _distance_result(~np.isnan(best), best)


METHODS = {
    m.name: m
    for m in (
        Method("ours", _prepare_ours, _run_ours),
        Method("ours_pipeline", _open_database, _run_ours_pipeline, _counts_from_joined_table),
        Method("duckdb_contains", _prepare_duckdb_contains, _run_duckdb_contains),
        Method("duckdb_pipeline", _open_database, _run_duckdb_pipeline, _counts_from_joined_table),
        Method("geopandas_sjoin", _prepare_geopandas_sjoin, _run_geopandas_sjoin, single_threaded=True),
        Method("shapely_sorted_prepared", _prepare_shapely_points, _run_shapely_sorted_prepared),
        Method("ours_overlay", _prepare_ours_overlay, _run_ours_overlay, _collect_ours_overlay),
        Method("geopandas_overlay", _prepare_geopandas_overlay, _run_geopandas_overlay, single_threaded=True),
        Method("shapely_overlay", _prepare_shapely_overlay, _run_shapely_overlay),
        Method("ours_distance", _prepare_ours_distance, _run_ours_distance, _collect_ours_distance),
        Method(
            "geopandas_sjoin_nearest",
            _prepare_geopandas_sjoin_nearest,
            _run_geopandas_sjoin_nearest,
            single_threaded=True,
        ),
        Method("shapely_query_nearest", _prepare_shapely_query_nearest, _run_shapely_query_nearest),
    )
}


def peak_memory_gb() -> float:
    """This process's peak resident memory. VmHWM starts afresh at exec, unlike ru_maxrss, which
    Linux carries over from the parent that forked this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024**2
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def limit_to_cpus(threads: int) -> None:
    """Let this process run on ``threads`` CPUs only, so no library can use more than the others."""
    if hasattr(os, "sched_setaffinity"):
        allowed = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, allowed[:threads])


def measure(method: Method, folder: Path, threads: int) -> tuple[np.ndarray, dict[str, float]]:
    """Prepare (untimed), run (timed: wall and this process's CPU time; peak memory), collect (untimed)."""
    inputs = method.prepare(folder, threads)
    gc.collect()
    cpu_started, started = time.process_time(), time.perf_counter()
    output = method.run(inputs)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_gb = peak_memory_gb()  # before collect: reading the result back is not the method's work
    result = method.collect(inputs, output) if method.collect else output
    return np.asarray(result), {"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_gb": peak_gb}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Run one benchmark method in this process.")
    parser.add_argument("method", choices=sorted(METHODS))
    parser.add_argument("folder", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    limit_to_cpus(args.threads)
    result, timing = measure(METHODS[args.method], args.folder, args.threads)
    np.save(args.result, result)
    report = {"method": args.method, **{k: round(v, 3) for k, v in timing.items()}}
    print(json.dumps({**report, "peak_with_collect_gb": round(peak_memory_gb(), 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
