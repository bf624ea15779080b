"""Spatial benchmarks: our engine against plain DuckDB, geopandas and the best plain-shapely path.

Run: ``make benchmark`` (or ``.venv/bin/python -m benchmarks.run_benchmarks [--quick]``).

Every method runs in its own child process on the same saved workload, so that its peak
memory (the child's maximum resident set, workload included) and its wall time are its
own. The table prints wall seconds, peak GB and the ratio to our engine; the last line is
machine-readable:

    national ratio=<our time / fastest other time> peak_gb=<our peak GB> equal=<yes|no>
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from benchmarks import workloads

POINT_METHODS = ["ours", "duckdb_contains", "geopandas_sjoin", "shapely_sorted_prepared"]
OVERLAY_METHODS = ["ours_overlay", "geopandas_overlay", "shapely_overlay"]
DISTANCE_METHODS = ["ours_distance", "geopandas_sjoin_nearest", "shapely_query_nearest"]


def save(folder: Path, name: str, polygons: np.ndarray, **arrays: np.ndarray) -> Path:
    path = folder / name
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / "polygons.npy", np.array(shapely.to_wkb(polygons), dtype=object), allow_pickle=True)
    for key, value in arrays.items():
        np.save(path / f"{key}.npy", value, allow_pickle=value.dtype == object)
    return path


def run_child(method: str, workload: Path) -> dict:
    """Run one method in a fresh Python process; return its timing, memory and result file."""
    command = [sys.executable, "-m", "benchmarks.methods", method, str(workload)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        return {"method": method, "error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(results: list[dict], workload: Path, tolerance: float) -> bool:
    ours = np.load(workload / f"result_{results[0]['method']}.npy")
    equal = True
    for result in results[1:]:
        if "error" in result:
            continue
        other = np.load(workload / f"result_{result['method']}.npy")
        same = np.allclose(ours, other, rtol=tolerance, atol=tolerance) if tolerance else np.array_equal(ours, other)
        result["equal"] = "yes" if same else "NO"
        equal &= bool(same)
    results[0]["equal"] = "-"
    return equal


def print_table(title: str, results: list[dict]) -> None:
    ours = results[0]["seconds"]
    print(f"\n{title}")
    print(f"{'method':<26}{'wall s':>9}{'peak GB':>9}{'× ours':>9}  equal to ours")
    for r in results:
        if "error" in r:
            print(f"{r['method']:<26}  failed: {r['error']}")
            continue
        print(f"{r['method']:<26}{r['seconds']:>9.2f}{r['peak_gb']:>9.2f}{r['seconds'] / ours:>9.2f}  {r['equal']}")


def run_suite(title: str, workload: Path, names: list[str], tolerance: float = 0.0) -> tuple[list[dict], bool]:
    results = [run_child(name, workload) for name in names]
    equal = compare(results, workload, tolerance) if "error" not in results[0] else False
    print_table(title, results)
    return results, equal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a national workload of 1 M points instead of 10 M")
    args = parser.parse_args(argv)
    n_national = 1_000_000 if args.quick else 10_000_000
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}"
    )
    with tempfile.TemporaryDirectory(prefix="ogw-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        small = workloads.municipality()
        municipality = save(folder, "municipality", small.buurten, x=small.x, y=small.y)
        big = workloads.national(n_points=n_national)
        national = save(folder, "national", big.buurten, x=big.x, y=big.y)
        green = workloads.green_polygons(50_000, workloads.NL_BOX, seed=486)
        overlay = save(folder, "overlay", big.buurten, green=np.array(shapely.to_wkb(green), dtype=object))
        ax, ay, parks = workloads.addresses_and_parks(100_000, 2_000, seed=487)
        distance = save(
            folder, "distance", big.buurten[:1], x=ax, y=ay, parks=np.array(shapely.to_wkb(parks), dtype=object)
        )
        print(
            f"workloads generated in {time.perf_counter() - started:.1f} s: "
            f"{len(big.buurten):,} buurten (mean {shapely.get_num_coordinates(big.buurten).mean():.0f} vertices), "
            f"{len(big.x):,} points; {len(green):,} green polygons; {len(ax):,} addresses, {len(parks):,} parks"
        )
        run_suite(
            f"points in buurten, municipality: {len(small.buurten)} buurten × {len(small.x):,} points",
            municipality,
            POINT_METHODS,
        )
        results, equal = run_suite(
            f"points in buurten, national: {len(big.buurten):,} buurten × {len(big.x):,} points",
            national,
            POINT_METHODS,
        )
        run_suite(
            f"area overlay: {len(big.buurten):,} buurten × {len(green):,} green polygons",
            overlay,
            OVERLAY_METHODS,
            tolerance=1e-6,
        )
        run_suite(
            f"distance access: {len(ax):,} addresses × {len(parks):,} parks within 300 m",
            distance,
            DISTANCE_METHODS,
            tolerance=1e-6,
        )
    ours = results[0]
    others = [r["seconds"] for r in results[1:] if "error" not in r]
    if "error" in ours or not others:
        print("national ratio=nan peak_gb=nan equal=no")
        return 1
    print(
        f"\nnational ratio={ours['seconds'] / min(others):.2f} peak_gb={ours['peak_gb']:.2f} "
        f"equal={'yes' if equal else 'no'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
