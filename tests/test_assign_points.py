"""The point assignment engine equals an independent geopandas join, also at the edges."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from ogw_datalab.spatial.assign_points import OUTSIDE, assign_points, build_grid


def geopandas_assignment(polygons: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Reference: sjoin with 'intersects' (boundary included), lowest polygon index per point."""
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs="EPSG:28992")
    areas = gpd.GeoDataFrame({"idx": np.arange(len(polygons))}, geometry=list(polygons), crs="EPSG:28992")
    hits = gpd.sjoin(points, areas, predicate="intersects", how="inner")
    lowest = hits.groupby(level=0)["idx"].min()
    expected = np.full(len(x), OUTSIDE)
    expected[lowest.index.to_numpy()] = lowest.to_numpy()
    return expected


def edge_points(polygons: np.ndarray, rng: np.random.Generator, n_random: int, pad: float) -> tuple:
    """Random points, every ring vertex, and midpoints of ring segments (exactly on boundaries)."""
    xy = shapely.get_coordinates(polygons)
    mid = (xy[:-1] + xy[1:]) / 2
    minx, miny, maxx, maxy = shapely.total_bounds(polygons)
    random = np.column_stack(
        [rng.uniform(minx - pad, maxx + pad, n_random), rng.uniform(miny - pad, maxy + pad, n_random)]
    )
    allxy = np.vstack([random, xy, mid])
    return allxy[:, 0].copy(), allxy[:, 1].copy()


def test_real_buurten_of_alphen_with_points_on_every_vertex(shared_data):
    frame = gpd.read_file(shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "buurt.geojson").to_crs(28992)
    alphen = frame[frame["GM_CODE"] == "GM0484"].sort_values("BU_CODE")
    polygons = alphen.geometry.to_numpy()
    x, y = edge_points(polygons, np.random.default_rng(3), 50_000, 500)
    ours = assign_points(polygons, x, y)
    assert (ours == geopandas_assignment(polygons, x, y)).all()
    assert (ours == OUTSIDE).sum() > 100
    assert len(x) > 52_000


@pytest.mark.parametrize("cell", [None, 7.0, 50.0])
def test_hand_built_edges_holes_islands_and_cell_sizes(cell):
    donut = box(0, 0, 300, 300).difference(box(100, 100, 200, 200))
    island = box(100, 100, 200, 200)
    neighbour = MultiPolygon([box(300, 0, 400, 150), box(500, 500, 550, 550)])  # touches donut, plus a detached part
    triangle = Polygon([(300, 150), (400, 150), (300, 300)])
    polygons = np.array([donut, island, neighbour, triangle])
    x, y = edge_points(polygons, np.random.default_rng(5), 20_000, 60)
    x = np.append(x, [np.nan, 150.0, 300.0, 525.0])
    y = np.append(y, [np.nan, 150.0, 150.0, 525.0])
    ours = assign_points(polygons, x, y, grid=build_grid(polygons, cell=cell))
    expected = geopandas_assignment(polygons[:], np.nan_to_num(x, nan=-1e9), np.nan_to_num(y, nan=-1e9))
    assert (ours == expected).all()
    assert list(ours[-4:]) == [OUTSIDE, 1, 0, 2]  # no geometry; island; corner of donut, neighbour and triangle


def test_overlapping_buurten_take_the_lowest_index():
    # Not a clean coverage: a 30 m strip belongs to both. Cells that only the second's edge
    # crosses lie wholly inside the first; its points must still go to the first.
    first = box(-1000, 0, 30, 1000)
    second = box(0, 0, 1000, 1000)
    polygons = np.array([first, second])
    rng = np.random.default_rng(9)
    x, y = rng.uniform(-100, 100, 20_000), rng.uniform(0, 1000, 20_000)
    ours = assign_points(polygons, x, y, grid=build_grid(polygons, cell=5.0))
    assert (ours == geopandas_assignment(polygons, x, y)).all()
    assert (ours[(x > 0) & (x < 30)] == 0).all()


def test_points_far_outside_and_empty_input():
    polygons = np.array([box(0, 0, 10, 10)])
    assert list(assign_points(polygons, np.array([-1e6, 5.0, 1e7]), np.array([5.0, 5.0, 5.0]))) == [OUTSIDE, 0, OUTSIDE]
    assert len(assign_points(polygons, np.empty(0), np.empty(0))) == 0
