"""Spatial benchmarks: our engine and pipeline step against plain DuckDB, geopandas and the best plain-shapely path.

Run: ``make benchmark`` (or ``.venv/bin/python -m benchmarks.run_benchmarks [--quick] [--runs N] [--threads N]``).

Fair and strict (see benchmarks/methods.py for how each method is prepared):

- every run of every method is a fresh child process, pinned to ``--threads`` CPUs with the
  OpenMP/BLAS thread variables set to the same number; its inputs are in memory in its own form
  before its clock starts; its peak memory is the child's high-water mark when the method ends, inputs
  included (the "read GB" column: also after its result was read back, e.g. a pipeline step's view counted
  per buurt, which is not the step's work);
- every figure is the median of ``--runs`` (at least 3) runs; the runs of the methods are
  interleaved (run 1 of each method, then run 2, ...) so that a busy moment on a shared machine
  does not fall on one method only; min and max are printed beside the median;
- every run's result is compared with our engine's: the script exits 1 when any result differs
  or any method fails, 2 when all agree but a target is missed (judged on the full 10 M point
  workload only, not with ``--quick``): our engine at most 0.3 × the fastest other method, at
  most 2 × the floor of the workload and at most 1.5 GB; our pipeline step (the build's join,
  DuckDB file in and out) at most 2 × our engine and at most 1.5 GB; 0 otherwise;
- the floor is measured on the national workload in the same run (benchmarks/floor.py: bounding-box
  candidates per point × the cost of one prepared point test, for every point, over ``--threads``
  cores), also in fresh pinned children, once after each round of the methods, the median of ``--runs``;
- the load average and the CPU time other processes used meanwhile are printed, so figures taken
  on a busy machine say so.

The last line is machine-readable:

    national ratio=<ours / fastest other kernel> peak_gb=<our peak GB> equal=<yes|no>
    pipeline_s=<our pipeline step> pipeline_peak_gb=<its peak> pipeline_ratio=<ours / plain DuckDB step>
    pipeline_engine_ratio=<our pipeline step / our engine> floor_s=<the floor> engine_floor_ratio=<ours / floor>
    threads=<N> runs=<N> load=<1-min load at start>,<at end> others_cpus=<mean CPUs other processes used>

(all on one line).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely

from benchmarks import methods, workloads

POINT_METHODS = [
    "ours",
    "ours_pipeline",
    "duckdb_contains",
    "duckdb_pipeline",
    "geopandas_sjoin",
    "shapely_sorted_prepared",
]
KERNELS = ["duckdb_contains", "geopandas_sjoin", "shapely_sorted_prepared"]  # ours is compared with these
OVERLAY_METHODS = ["ours_overlay", "geopandas_overlay", "shapely_overlay"]
DISTANCE_METHODS = ["ours_distance", "geopandas_sjoin_nearest", "shapely_query_nearest"]
TARGET_RATIO = 0.3  # our engine / the fastest other method
TARGET_PEAK_GB = 1.5  # our engine, and our pipeline step
TARGET_PIPELINE_RATIO = 2.0  # our pipeline step / our engine
TARGET_FLOOR_RATIO = 2.0  # our engine / the floor of the national workload (benchmarks/floor.py)
PROJECT = Path(__file__).resolve().parents[1]


@dataclass
class Suite:
    """One workload and the methods run on it; the first method is the reference ("ours")."""

    title: str
    folder: Path
    names: list[str]
    tolerance: float = 0.0
    database: Path | None = None  # prepared DuckDB file that the pipeline methods start from


@dataclass
class Outcome:
    """All runs of one method on one suite."""

    method: str
    runs: list[dict] = field(default_factory=list)
    error: str | None = None
    differs: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None and not self.differs and bool(self.runs)

    def median(self, key: str = "seconds") -> float:
        return statistics.median(run[key] for run in self.runs)

    def low(self) -> float:
        return min(run["seconds"] for run in self.runs)

    def high(self) -> float:
        return max(run["seconds"] for run in self.runs)

    def peak_gb(self) -> float:
        return max(run["peak_gb"] for run in self.runs)

    def peak_with_collect_gb(self) -> float:
        return max(run.get("peak_with_collect_gb", run["peak_gb"]) for run in self.runs)


def save(folder: Path, name: str, polygons: np.ndarray, **arrays: np.ndarray) -> Path:
    path = folder / name
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / "polygons.npy", np.array(shapely.to_wkb(polygons), dtype=object), allow_pickle=True)
    for key, value in arrays.items():
        np.save(path / f"{key}.npy", value, allow_pickle=value.dtype == object)
    return path


def child_environment(threads: int) -> dict[str, str]:
    """This environment with every thread-pool variable set to ``threads``."""
    return {**os.environ, **{name: str(threads) for name in methods.THREAD_VARIABLES}}


def run_module(module: str, arguments: list[str], threads: int) -> dict:
    """Run ``python -m <module> <arguments> --threads N`` in a fresh process; its last line (JSON), or its error."""
    command = [sys.executable, "-m", module, *arguments, "--threads", str(threads)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT, env=child_environment(threads))
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit code {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child(method: str, workload: Path, result: Path, threads: int) -> dict:
    """Run one method in a fresh Python process; return its timings and peak memory, or its error."""
    report = run_module("benchmarks.methods", [method, str(workload), str(result)], threads)
    return {"method": method, **report} if "error" in report else report


def run_floor(workload: Path, threads: int) -> float | None:
    """The floor of a saved point workload in seconds, measured in a fresh child like a method; None if it failed."""
    report = run_module("benchmarks.floor", [str(workload)], threads)
    if "error" in report:
        print(f"floor: FAILED: {report['error']}")
        return None
    print(
        f"floor: {report['candidates_per_point']:.2f} candidates per point × {report['ns_per_test']:.0f} ns per "
        f"prepared test, on {threads} thread(s): {report['floor_seconds']:.2f} s"
    )
    return float(report["floor_seconds"])


def median_floor(floors: list[float | None]) -> float | None:
    """The median of the floors measured (None when any failed or none was: a floor that is not measured misses)."""
    if not floors or None in floors:
        return None
    return statistics.median(f for f in floors if f is not None)


def same_result(reference: np.ndarray, other: np.ndarray, tolerance: float) -> bool:
    """Equal shape and values: exactly, or within ``tolerance`` (relative and absolute) when it is not 0."""
    if reference.shape != other.shape:
        return False
    if tolerance:
        return bool(np.allclose(reference, other, rtol=tolerance, atol=tolerance))
    return bool(np.array_equal(reference, other))


def run_suite(suite: Suite, runs: int, threads: int, floors: list[float | None] | None = None) -> list[Outcome]:
    """Run every method ``runs`` times, interleaved and in rotating order; compare every result with the first's.

    With ``floors``, the workload's floor is measured after each round of the methods and appended to it, so that
    the floor meets the same moments of a shared machine as the methods it is set against.
    """
    outcomes = {name: Outcome(name) for name in suite.names}
    reference: np.ndarray | None = None
    result_file = suite.folder / "result.npy"
    for run in range(runs):
        shift = run % len(suite.names)
        for name in suite.names[shift:] + suite.names[:shift]:  # run 1 starts with ours: the reference
            outcome = outcomes[name]
            if outcome.error:
                continue
            if suite.database is not None and name.endswith("_pipeline"):
                shutil.copyfile(suite.database, suite.folder / methods.DATABASE)  # every run starts alike
            report = run_child(name, suite.folder, result_file, threads)
            (suite.folder / methods.DATABASE).unlink(missing_ok=True)
            if "error" in report:
                outcome.error = report["error"]
                continue
            result = np.load(result_file)
            result_file.unlink()
            if name == suite.names[0] and reference is None:
                reference = result
            elif reference is None:
                outcome.error = f"no reference: {suite.names[0]} failed"
                continue
            outcome.differs |= not same_result(reference, result, suite.tolerance)
            outcome.runs.append(report)
        if floors is not None:
            floors.append(run_floor(suite.folder, threads))
    return [outcomes[name] for name in suite.names]


def print_table(suite: Suite, outcomes: list[Outcome], threads: int, others_cpus: float) -> None:
    print(f"\n{suite.title}  (other processes used {others_cpus:.2f} CPUs on average meanwhile)")
    header = f"{'threads':>8}{'median s':>10}{'min-max s':>15}{'cpu s':>8}{'peak GB':>9}{'read GB':>9}{'× ours':>8}"
    print(f"{'method':<25}{header}  equal")
    ours = outcomes[0].median() if outcomes[0].runs else float("nan")
    for outcome in outcomes:
        if outcome.error:
            print(f"{outcome.method:<25}  FAILED: {outcome.error}")
            continue
        method_threads = "1 (lib)" if methods.METHODS[outcome.method].single_threaded else str(threads)
        spread = f"{outcome.low():.2f}-{outcome.high():.2f}"
        equal = "NO" if outcome.differs else ("ref" if outcome is outcomes[0] else "yes")
        print(
            f"{outcome.method:<25}{method_threads:>8}{outcome.median():>10.2f}{spread:>15}"
            f"{outcome.median('cpu_seconds'):>8.2f}{outcome.peak_gb():>9.2f}{outcome.peak_with_collect_gb():>9.2f}"
            f"{outcome.median() / ours:>8.2f}  {equal}"
        )


def busy_cpu_seconds() -> float:
    """CPU seconds all processes have used since boot (Linux /proc/stat; 0 where that is missing)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class OthersMeter:
    """Mean number of CPUs that processes other than this benchmark used since the meter started."""

    def __init__(self) -> None:
        self.wall, self.busy, self.own = time.monotonic(), busy_cpu_seconds(), own_cpu_seconds()

    def cpus(self) -> float:
        wall = time.monotonic() - self.wall
        others = (busy_cpu_seconds() - self.busy) - (own_cpu_seconds() - self.own)
        return max(others, 0.0) / wall if wall > 0 else 0.0


def load_average() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg())


def exit_code(outcomes: list[Outcome], targets_met: bool) -> int:
    """1 when any method failed or gave another result than ours, 2 when only a target is missed, else 0."""
    if not all(outcome.ok for outcome in outcomes):
        return 1
    return 0 if targets_met else 2


def _figure(value: float | None) -> str:
    return "nan" if value is None else f"{value:.2f}"


def _median(outcome: Outcome) -> float | None:
    return outcome.median() if outcome.runs else None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def fastest_kernel(national: list[Outcome]) -> float | None:
    """The fastest median of the other methods' kernels (DuckDB, geopandas, shapely) on the national workload."""
    medians = [outcome.median() for outcome in national if outcome.method in KERNELS and outcome.runs]
    return min(medians, default=None)


def summary_line(
    national: list[Outcome], floor_s: float | None, threads: int, runs: int, load: tuple[float, float], others: float
) -> str:
    by_name = {outcome.method: outcome for outcome in national}
    ours, pipeline, duckdb_step = by_name["ours"], by_name["ours_pipeline"], by_name["duckdb_pipeline"]
    equal = "yes" if all(outcome.ok for outcome in national) else "no"
    return (
        f"national ratio={_figure(_ratio(_median(ours), fastest_kernel(national)))} "
        f"peak_gb={_figure(ours.peak_gb() if ours.runs else None)} equal={equal} "
        f"pipeline_s={_figure(_median(pipeline))} "
        f"pipeline_peak_gb={_figure(pipeline.peak_gb() if pipeline.runs else None)} "
        f"pipeline_ratio={_figure(_ratio(_median(pipeline), _median(duckdb_step)))} "
        f"pipeline_engine_ratio={_figure(_ratio(_median(pipeline), _median(ours)))} "
        f"floor_s={_figure(floor_s)} engine_floor_ratio={_figure(_ratio(_median(ours), floor_s))} "
        f"threads={threads} runs={runs} load={load[0]:.2f},{load[1]:.2f} others_cpus={others:.2f}"
    )


def missed_targets(national: list[Outcome], floor_s: float | None) -> list[str]:
    """The targets missed on the national workload (empty when all are met).

    Our engine: at most TARGET_RATIO × the fastest other method's time, at most TARGET_FLOOR_RATIO × the floor
    ``floor_s``, peak at most TARGET_PEAK_GB.
    Our pipeline step: at most TARGET_PIPELINE_RATIO × our engine's time, peak at most TARGET_PEAK_GB.
    A figure that could not be measured misses its target.
    """
    by_name = {outcome.method: outcome for outcome in national}
    ours, pipeline = by_name["ours"], by_name["ours_pipeline"]
    checks = {
        f"engine ratio ≤ {TARGET_RATIO}": _ratio(_median(ours), fastest_kernel(national)),
        f"engine ≤ {TARGET_FLOOR_RATIO} × floor": _ratio(_median(ours), floor_s),
        f"engine peak ≤ {TARGET_PEAK_GB} GB": ours.peak_gb() if ours.runs else None,
        f"pipeline step ≤ {TARGET_PIPELINE_RATIO} × engine": _ratio(_median(pipeline), _median(ours)),
        f"pipeline step peak ≤ {TARGET_PEAK_GB} GB": pipeline.peak_gb() if pipeline.runs else None,
    }
    limits = [TARGET_RATIO, TARGET_FLOOR_RATIO, TARGET_PEAK_GB, TARGET_PIPELINE_RATIO, TARGET_PEAK_GB]
    return [name for (name, value), limit in zip(checks.items(), limits, strict=True) if value is None or value > limit]


def targets_met(national: list[Outcome], floor_s: float | None) -> bool:
    """Whether every target of :func:`missed_targets` is met on the national workload."""
    return not missed_targets(national, floor_s)


def build_suites(folder: Path, n_national: int) -> list[Suite]:
    """Generate the workloads (deterministic) and the pipeline's DuckDB files, all before any clock."""
    started = time.perf_counter()
    small = workloads.municipality()
    municipality = save(folder, "municipality", small.buurten, x=small.x, y=small.y)
    methods.prepare_database(municipality / "pipeline.duckdb", small.buurten, small.x, small.y)
    big = workloads.national(n_points=n_national)
    national = save(folder, "national", big.buurten, x=big.x, y=big.y)
    methods.prepare_database(national / "pipeline.duckdb", big.buurten, big.x, big.y)
    green = workloads.green_polygons(50_000, workloads.NL_BOX, seed=486)
    overlay = save(folder, "overlay", big.buurten, green=np.array(shapely.to_wkb(green), dtype=object))
    ax, ay, parks = workloads.addresses_and_parks(100_000, 2_000, seed=487)
    parks_wkb = np.array(shapely.to_wkb(parks), dtype=object)
    distance = save(folder, "distance", big.buurten[:1], x=ax, y=ay, parks=parks_wkb)
    print(
        f"workloads generated in {time.perf_counter() - started:.1f} s: "
        f"{len(big.buurten):,} buurten (mean {shapely.get_num_coordinates(big.buurten).mean():.0f} vertices), "
        f"{len(big.x):,} points; {len(green):,} green polygons; {len(ax):,} addresses, {len(parks):,} parks"
    )
    return [
        Suite(
            f"points in buurten, municipality: {len(small.buurten)} buurten × {len(small.x):,} points",
            municipality,
            POINT_METHODS,
            database=municipality / "pipeline.duckdb",
        ),
        Suite(
            f"points in buurten, national: {len(big.buurten):,} buurten × {len(big.x):,} points",
            national,
            POINT_METHODS,
            database=national / "pipeline.duckdb",
        ),
        Suite(
            f"area overlay: {len(big.buurten):,} buurten × {len(green):,} green polygons",
            overlay,
            OVERLAY_METHODS,
            tolerance=1e-6,
        ),
        Suite(
            f"distance access: {len(ax):,} addresses × {len(parks):,} parks within 300 m",
            distance,
            DISTANCE_METHODS,
            tolerance=1e-6,
        ),
    ]


def at_least_3(value: str) -> int:
    runs = int(value)
    if runs < 3:
        raise argparse.ArgumentTypeError("each figure is a median of at least 3 runs")
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a national workload of 1 M points instead of 10 M")
    parser.add_argument("--runs", type=at_least_3, default=3, help="runs per method; figures are medians (≥ 3)")
    parser.add_argument(
        "--threads", type=int, default=min(2, os.cpu_count() or 1), help="threads (CPUs) for every method"
    )
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each table as soon as it is done
    n_national = 1_000_000 if args.quick else 10_000_000
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}"
    )
    print(
        f"every method: {args.threads} thread(s), pinned to {args.threads} CPU(s), "
        f"{'/'.join(methods.THREAD_VARIABLES)}={args.threads}; median of {args.runs} runs, interleaved"
    )
    load_at_start = os.getloadavg()[0]
    print(f"load average at start (1, 5, 15 min): {load_average()}")
    meter = OthersMeter()
    everything: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="ogw-bench-") as tmp:
        suites = build_suites(Path(tmp), n_national)
        national: list[Outcome] = []
        floor_s: float | None = None
        for suite in suites:
            suite_meter = OthersMeter()
            floors: list[float | None] | None = [] if suite.title.startswith("points in buurten, national") else None
            outcomes = run_suite(suite, args.runs, args.threads, floors)
            print_table(suite, outcomes, args.threads, suite_meter.cpus())
            everything += outcomes
            if floors is not None:
                national = outcomes
                floor_s = median_floor(floors)
                engine = _median(outcomes[0])
                print(f"floor (median): {_figure(floor_s)} s; ours = {_figure(_ratio(engine, floor_s))} × the floor")
    others = meter.cpus()
    print(f"\nload average at end (1, 5, 15 min): {load_average()}; other processes used {others:.2f} CPUs on average")
    targets = (
        f"targets (national): engine ratio ≤ {TARGET_RATIO}, ≤ {TARGET_FLOOR_RATIO} × floor, "
        f"peak ≤ {TARGET_PEAK_GB} GB; "
        f"pipeline step ≤ {TARGET_PIPELINE_RATIO} × engine and peak ≤ {TARGET_PEAK_GB} GB"
    )
    if args.quick:
        met = True
        print(f"{targets}: not judged on the quick workload (they are set for 10 M points)")
    else:
        missed = missed_targets(national, floor_s)
        met = not missed
        print(f"{targets}: {'met' if met else 'MISSED: ' + '; '.join(missed)}")
    failed = [outcome.method for outcome in everything if not outcome.ok]
    if failed:
        print(f"failed or different from ours: {', '.join(failed)}")
    print(summary_line(national, floor_s, args.threads, args.runs, (load_at_start, os.getloadavg()[0]), others))
    return exit_code(everything, met)


if __name__ == "__main__":
    sys.exit(main())
