"""One benchmark method per function; ``python -m benchmarks.methods NAME FOLDER`` runs one in this process.

Each method gets the saved workload as numpy arrays and WKB, does everything it needs from
there (building points, tables or trees counts as its work), writes its result array, and
the runner prints ``{"method", "seconds", "peak_gb"}`` as the last line.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ogw_datalab.duckdb_connection import connect
from ogw_datalab.spatial.area_per_buurt import compute_area_per_buurt
from ogw_datalab.spatial.assign_points import assign_points
from ogw_datalab.spatial.join_points_to_buurten import compute_distances

DISTANCE_M = 300.0


def load(folder: Path) -> dict:
    data = {p.stem: np.load(p, allow_pickle=True) for p in folder.glob("*.npy") if not p.stem.startswith("result_")}
    data["polygons"] = shapely.from_wkb(data["polygons"])
    for key in ("green", "parks"):
        if key in data:
            data[key] = shapely.from_wkb(data[key])
    return data


def counts(owner: np.ndarray, n_polygons: int) -> np.ndarray:
    """Points per polygon; the last entry counts points outside all polygons."""
    owner = np.where(owner < 0, n_polygons, owner)
    return np.bincount(owner, minlength=n_polygons + 1)


# --- points in buurten -------------------------------------------------------------------


def ours(data: dict) -> np.ndarray:
    return counts(assign_points(data["polygons"], data["x"], data["y"]), len(data["polygons"]))


def _duckdb_with_points_and_polygons(data: dict):
    con = connect(":memory:")
    con.execute("SET threads = 2")
    frame = pd.DataFrame({"x": data["x"], "y": data["y"]})
    con.register("xy", frame)
    con.execute("CREATE TABLE points AS SELECT ST_Point(x, y) AS geom FROM xy")
    wkb = pd.DataFrame({"id": np.arange(len(data["polygons"])), "wkb": shapely.to_wkb(data["polygons"])})
    con.register("wkb", wkb)
    con.execute("CREATE TABLE polygons AS SELECT id, ST_GeomFromWKB(wkb) AS geom FROM wkb")
    return con


def duckdb_contains(data: dict) -> np.ndarray:
    con = _duckdb_with_points_and_polygons(data)
    rows = con.execute(
        "SELECT b.id, count(*) FROM points AS p JOIN polygons AS b ON ST_Contains(b.geom, p.geom) GROUP BY b.id"
    ).fetchall()
    n = len(data["polygons"])
    result = np.zeros(n + 1, dtype=np.int64)
    for polygon, count in rows:
        result[polygon] = count
    result[n] = len(data["x"]) - result[:n].sum()
    return result


def geopandas_sjoin(data: dict) -> np.ndarray:
    import geopandas as gpd

    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(data["x"], data["y"]), crs="EPSG:28992")
    areas = gpd.GeoDataFrame({"id": np.arange(len(data["polygons"]))}, geometry=data["polygons"], crs="EPSG:28992")
    hits = gpd.sjoin(points, areas, predicate="intersects", how="left")
    owner = hits.groupby(level=0)["id"].min().fillna(-1).to_numpy().astype(np.int64)
    return counts(owner, len(data["polygons"]))


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


def shapely_sorted_prepared(data: dict) -> np.ndarray:
    """Points in Morton order, STRtree bounding-box candidates, prepared polygons, contains_xy."""
    polygons, x, y = data["polygons"], data["x"], data["y"]
    order = np.argsort(_morton(x, y), kind="stable")
    xs, ys = x[order], y[order]
    tree = shapely.STRtree(polygons)
    point_idx, poly_idx = tree.query(shapely.points(xs, ys))
    by_polygon = np.argsort(poly_idx, kind="stable")
    point_idx, poly_idx = point_idx[by_polygon], poly_idx[by_polygon]
    splits = np.flatnonzero(np.diff(poly_idx)) + 1
    shapely.prepare(polygons)

    def test(span: tuple[int, int]) -> list[tuple[int, np.ndarray]]:
        out = []
        for start, end in zip(*span, strict=True):
            members = point_idx[start:end]
            polygon = poly_idx[start]
            out.append((polygon, members[shapely.intersects_xy(polygons[polygon], xs[members], ys[members])]))
        return out

    starts, ends = np.r_[0, splits], np.r_[splits, len(poly_idx)]
    halves = [(starts[i::2], ends[i::2]) for i in range(2)]
    owner_sorted = np.full(len(x), np.iinfo(np.int64).max, dtype=np.int64)
    with ThreadPoolExecutor(max_workers=2) as pool:
        for found in pool.map(test, halves):
            for polygon, members in found:
                np.minimum.at(owner_sorted, members, polygon)
    owner = np.empty(len(x), dtype=np.int64)
    owner[order] = np.where(owner_sorted == np.iinfo(np.int64).max, -1, owner_sorted)
    return counts(owner, len(polygons))


# --- area overlay ---------------------------------------------------------------------------


def ours_overlay(data: dict) -> np.ndarray:
    con = connect(":memory:")
    con.execute("SET threads = 2")
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA joined")
    buurten = pd.DataFrame(
        {"buurtcode": [f"{i:06d}" for i in range(len(data["polygons"]))], "wkb": shapely.to_wkb(data["polygons"])}
    )
    green = pd.DataFrame({"wkb": shapely.to_wkb(data["green"])})
    con.register("b", buurten)
    con.register("g", green)
    con.execute("CREATE TABLE staging.buurten AS SELECT buurtcode, ST_GeomFromWKB(wkb) AS geometry FROM b")
    con.execute("CREATE TABLE staging.layer_groen AS SELECT ST_GeomFromWKB(wkb) AS geometry FROM g")
    compute_area_per_buurt(con, "layer_groen", "groen_oppervlak")
    rows = con.execute("SELECT CAST(buurtcode AS INTEGER), oppervlak_m2 FROM joined.groen_oppervlak").fetchall()
    result = np.zeros(len(data["polygons"]))
    for i, area in rows:
        result[i] = area
    return result


def geopandas_overlay(data: dict) -> np.ndarray:
    import geopandas as gpd

    areas = gpd.GeoDataFrame({"id": np.arange(len(data["polygons"]))}, geometry=data["polygons"], crs="EPSG:28992")
    green = gpd.GeoDataFrame(geometry=data["green"], crs="EPSG:28992")
    pieces = gpd.overlay(green, areas, how="intersection", keep_geom_type=True)
    per = pieces.assign(area=pieces.area).groupby("id")["area"].sum()
    result = np.zeros(len(data["polygons"]))
    result[per.index.to_numpy()] = per.to_numpy()
    return result


def shapely_overlay(data: dict) -> np.ndarray:
    """STRtree candidates; a polygon wholly within a buurt counts whole, others are intersected."""
    polygons, green = data["polygons"], data["green"]
    green_idx, poly_idx = shapely.STRtree(polygons).query(green, predicate="intersects")
    shapely.prepare(polygons)
    inside = shapely.contains_properly(polygons[poly_idx], green[green_idx])
    area = np.where(inside, shapely.area(green[green_idx]), 0.0)
    cut = ~inside
    area[cut] = shapely.area(shapely.intersection(green[green_idx[cut]], polygons[poly_idx[cut]]))
    return np.bincount(poly_idx, weights=area, minlength=len(polygons))


# --- distance access -------------------------------------------------------------------------


def _distance_result(within: np.ndarray, distance: np.ndarray) -> np.ndarray:
    return np.array([within.sum(), np.nanmean(np.where(within, distance, np.nan))])


def ours_distance(data: dict) -> np.ndarray:
    con = connect(":memory:")
    con.execute("SET threads = 2")
    con.execute("CREATE SCHEMA staging; CREATE SCHEMA joined")
    con.register("xy", pd.DataFrame({"x": data["x"], "y": data["y"]}))
    con.register("p", pd.DataFrame({"wkb": shapely.to_wkb(data["parks"])}))
    con.execute(
        "CREATE TABLE joined.adressen_buurt AS SELECT row_number() OVER () AS bronrij, "
        "CAST(row_number() OVER () AS VARCHAR) AS identificatie, 'BU' AS buurtcode, true AS is_woning, "
        "ST_Point(x, y) AS geometry FROM xy"
    )
    con.execute("CREATE TABLE staging.parken AS SELECT ST_GeomFromWKB(wkb) AS geometry FROM p")
    compute_distances(con, "staging.parken", DISTANCE_M, "afstanden")
    within, mean = con.execute("SELECT count(afstand_m), avg(afstand_m) FROM joined.afstanden").fetchone()
    return np.array([within, mean])


def geopandas_sjoin_nearest(data: dict) -> np.ndarray:
    import geopandas as gpd

    homes = gpd.GeoDataFrame(geometry=gpd.points_from_xy(data["x"], data["y"]), crs="EPSG:28992")
    parks = gpd.GeoDataFrame(geometry=data["parks"], crs="EPSG:28992")
    nearest = gpd.sjoin_nearest(homes, parks, max_distance=DISTANCE_M, distance_col="d", how="left")
    distance = nearest.groupby(level=0)["d"].min().reindex(range(len(homes))).to_numpy()
    return _distance_result(~np.isnan(distance), distance)


def shapely_query_nearest(data: dict) -> np.ndarray:
    points = shapely.points(data["x"], data["y"])
    tree = shapely.STRtree(data["parks"])
    (point_idx, _park_idx), distance = tree.query_nearest(points, max_distance=DISTANCE_M, return_distance=True)
    best = np.full(len(points), np.nan)
    best[point_idx] = distance
    return _distance_result(~np.isnan(best), best)


METHODS = {
    f.__name__: f
    for f in (
        ours,
        duckdb_contains,
        geopandas_sjoin,
        shapely_sorted_prepared,
        ours_overlay,
        geopandas_overlay,
        shapely_overlay,
        ours_distance,
        geopandas_sjoin_nearest,
        shapely_query_nearest,
    )
}


def peak_memory_gb() -> float:
    """This process's peak resident memory. VmHWM starts afresh at exec, unlike ru_maxrss, which
    Linux carries over from the parent that forked this process."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024**2
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main(argv: list[str]) -> int:
    method, folder = METHODS[argv[0]], Path(argv[1])
    data = load(folder)
    started = time.perf_counter()
    result = method(data)
    seconds = time.perf_counter() - started
    np.save(folder / f"result_{argv[0]}.npy", result)
    print(json.dumps({"method": argv[0], "seconds": round(seconds, 3), "peak_gb": round(peak_memory_gb(), 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
