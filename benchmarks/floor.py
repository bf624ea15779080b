"""The floor of the national point workload, measured on it: what exact point tests alone would cost.

The floor (issue 25, target 3) is the time an ideal candidate search would still spend on exact tests: the
bounding-box candidates per point (from an STRtree of the buurten, as every other method finds them) times the
cost of one prepared point-in-buurt test, for every point, spread over ``--threads`` cores. The cost of a test is
measured the way it was defined: 2,000 points spread over the bounding box of each of 2,000 buurten drawn at random
(fixed seed), each buurt prepared, its points tested in one call (the prepared index is built in that call, as the
engine builds it). Candidates are counted on every tenth point.

``python -m benchmarks.floor FOLDER --threads N`` prints ``{"candidates_per_point", "ns_per_test",
"floor_seconds"}`` as its last line; the runner runs it in a fresh child pinned to N CPUs, like every method.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import shapely

from benchmarks.methods import limit_to_cpus, load

SAMPLE_BUURTEN = 2_000
POINTS_PER_BUURT = 2_000
CANDIDATE_SAMPLE = 10  # every tenth point


def candidates_per_point(polygons: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """Mean number of buurten whose bounding box holds a point (every ``CANDIDATE_SAMPLE``-th point)."""
    points = shapely.points(x[::CANDIDATE_SAMPLE], y[::CANDIDATE_SAMPLE])
    pairs = shapely.STRtree(polygons).query(points)
    return pairs.shape[1] / len(points)


def ns_per_test(polygons: np.ndarray, seed: int = 1) -> float:
    """Nanoseconds per prepared point test: points in the bounding boxes of buurten drawn at random."""
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(polygons), min(SAMPLE_BUURTEN, len(polygons)), replace=False)
    seconds, tests = 0.0, 0
    for index in chosen:
        polygon = polygons[index]
        minx, miny, maxx, maxy = shapely.bounds(polygon)
        px, py = rng.uniform(minx, maxx, POINTS_PER_BUURT), rng.uniform(miny, maxy, POINTS_PER_BUURT)
        shapely.prepare(polygon)
        started = time.perf_counter()
        shapely.intersects_xy(polygon, px, py)
        seconds += time.perf_counter() - started
        shapely.destroy_prepared(polygon)
        tests += POINTS_PER_BUURT
    return seconds / tests * 1e9


def measure_floor(folder: Path, threads: int) -> dict[str, float]:
    polygons, x, y = load(folder, "polygons", "x", "y")
    candidates = candidates_per_point(polygons, x, y)
    nanoseconds = ns_per_test(polygons)
    floor = len(x) * candidates * nanoseconds * 1e-9 / threads
    return {"candidates_per_point": round(candidates, 3), "ns_per_test": round(nanoseconds, 1), "floor_seconds": floor}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Measure the floor of a saved point workload in this process.")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--threads", type=int, required=True)
    args = parser.parse_args(argv)
    limit_to_cpus(args.threads)
    report = measure_floor(args.folder, args.threads)
    print(json.dumps({**report, "floor_seconds": round(report["floor_seconds"], 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
