"""Deterministic synthetic workloads in EPSG:28992 for the spatial benchmarks.

Buurten are a true coverage (no gaps, no overlaps): Voronoi edges of clustered seeds are
densified and bent by a smooth noise field once per shared edge, then polygonised, which
gives realistic polygons of 100-300 vertices. Points cluster around towns like addresses do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPoint, box

NL_BOX = (13_000.0, 306_000.0, 278_000.0, 619_000.0)  # roughly the Netherlands in RD New


@dataclass
class Workload:
    name: str
    buurten: np.ndarray  # shapely polygons, index = buurt id
    x: np.ndarray
    y: np.ndarray


def _towns(
    rng: np.random.Generator, extent: tuple[float, float, float, float], n: int
) -> tuple[np.ndarray, np.ndarray]:
    minx, miny, maxx, maxy = extent
    centres = np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])
    sizes = rng.uniform(0.01, 0.035, n) * min(maxx - minx, maxy - miny)
    return centres, sizes


def _clustered(rng: np.random.Generator, extent, centres, sizes, n: int, share_clustered: float) -> np.ndarray:
    minx, miny, maxx, maxy = extent
    n_clustered = int(n * share_clustered)
    which = rng.integers(0, len(centres), n_clustered)
    clustered = centres[which] + rng.standard_normal((n_clustered, 2)) * sizes[which, None]
    uniform = np.column_stack([rng.uniform(minx, maxx, n - n_clustered), rng.uniform(miny, maxy, n - n_clustered)])
    return np.vstack([clustered, uniform])  # town edges may spill over the extent: outside all buurten


def coverage(n_polygons: int, extent: tuple[float, float, float, float], seed: int, vertices: int = 220) -> np.ndarray:
    """About ``n_polygons`` polygons tiling ``extent``, each with roughly ``vertices`` vertices."""
    rng = np.random.default_rng(seed)
    centres, sizes = _towns(rng, extent, max(4, n_polygons // 300))
    seeds = _clustered(rng, extent, centres, sizes * 2, n_polygons, 0.6)
    frame = box(*extent)
    edges = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=frame, only_edges=True)
    lines = shapely.union_all([shapely.intersection(edges, frame), frame.boundary])
    total = shapely.length(lines)
    step = 2 * total / n_polygons / vertices
    bent = [_bend(line, step) for line in shapely.get_parts(shapely.line_merge(lines))]
    polygons = shapely.get_parts(shapely.polygonize(bent))
    polygons = polygons[np.argsort(shapely.get_coordinates(shapely.centroid(polygons))[:, 0], kind="stable")]
    return shapely.make_valid(polygons)


def _bend(line, step: float):
    dense = shapely.segmentize(line, step)
    xy = shapely.get_coordinates(dense)
    if len(xy) > 2:
        inner = xy[1:-1]
        shift = (
            0.22
            * step
            * np.column_stack(
                [
                    np.sin(inner[:, 1] / (7.1 * step)) + np.sin(inner[:, 0] / (3.3 * step)),
                    np.cos(inner[:, 0] / (6.7 * step)) + np.sin(inner[:, 1] / (2.9 * step)),
                ]
            )
        )
        xy[1:-1] = inner + shift
    return shapely.linestrings(xy)


def points(n: int, extent: tuple[float, float, float, float], seed: int, outside_share: float = 0.001):
    """``n`` points clustered around towns, a few of them just outside ``extent``."""
    rng = np.random.default_rng(seed + 1)
    centres, sizes = _towns(np.random.default_rng(seed), extent, 60)
    xy = _clustered(rng, extent, centres, sizes, n, 0.75)
    outside = rng.random(n) < outside_share
    xy[outside, 0] = extent[0] - rng.uniform(1, 500, outside.sum())
    return xy[:, 0].copy(), xy[:, 1].copy()


def national(n_points: int = 10_000_000, n_buurten: int = 14_500, seed: int = 484) -> Workload:
    polygons = coverage(n_buurten, NL_BOX, seed)
    x, y = points(n_points, NL_BOX, seed)
    return Workload("national", polygons, x, y)


def municipality(n_points: int = 100_000, n_buurten: int = 100, seed: int = 485) -> Workload:
    extent = (98_000.0, 452_000.0, 112_000.0, 468_000.0)
    polygons = coverage(n_buurten, extent, seed)
    x, y = points(n_points, extent, seed)
    return Workload("municipality", polygons, x, y)


def blobs(n: int, extent: tuple[float, float, float, float], seed: int, radius: tuple[float, float]) -> np.ndarray:
    """``n`` irregular polygons of 24-48 vertices, not overlapping each other much (like BGT green)."""
    rng = np.random.default_rng(seed)
    centres, sizes = _towns(rng, extent, 60)
    xy = _clustered(rng, extent, centres, sizes, n, 0.6)
    vertices = rng.integers(24, 49, n)
    radii = rng.uniform(*radius, n)
    polygons = np.empty(n, dtype=object)
    for i in range(n):
        theta = np.sort(rng.uniform(0, 2 * np.pi, vertices[i]))
        r = radii[i] * rng.uniform(0.7, 1.0, vertices[i])
        polygons[i] = shapely.Polygon(np.column_stack([xy[i, 0] + r * np.cos(theta), xy[i, 1] + r * np.sin(theta)]))
    return shapely.make_valid(polygons)


def green_polygons(n: int, extent: tuple[float, float, float, float], seed: int) -> np.ndarray:
    """``n`` green polygons of 10-150 m radius that do not overlap each other (as in BGT)."""
    return _without_overlaps(blobs(int(n * 1.4), extent, seed, (10.0, 150.0)), n)


def _without_overlaps(polygons: np.ndarray, n: int) -> np.ndarray:
    left, right = shapely.STRtree(polygons).query(polygons, predicate="intersects")
    clash = left < right
    dropped = np.zeros(len(polygons), dtype=bool)
    for a, b in zip(left[clash], right[clash], strict=True):
        if not dropped[a]:
            dropped[b] = True
    return polygons[~dropped][:n]


def addresses_and_parks(n_addresses: int, n_parks: int, seed: int):
    """Addresses and non-overlapping parks (0.5-6 ha) in a region of 40 × 40 km."""
    extent = (90_000.0, 440_000.0, 130_000.0, 480_000.0)
    x, y = points(n_addresses, extent, seed, outside_share=0.0)
    parks = _without_overlaps(blobs(int(n_parks * 1.5), extent, seed + 7, (40.0, 140.0)), n_parks)
    return x, y, parks
