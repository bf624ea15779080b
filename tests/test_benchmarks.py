"""The benchmark is strict: every method computes the same answer, and a different answer or a failure fails the run."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import shapely

from benchmarks import floor, instructions, methods, run_benchmarks, scale, workloads
from ogw_datalab.spatial.join_points_to_buurten import join_points_to_buurten

from .services import require_program

EXTENT = (98_000.0, 452_000.0, 104_000.0, 458_000.0)


@pytest.fixture(scope="module")
def small_workload(tmp_path_factory):
    """30 buurten, 20,000 points (some outside), 300 green polygons, in EPSG:28992; saved as the runner saves."""
    folder = tmp_path_factory.mktemp("bench")
    polygons = workloads.coverage(30, EXTENT, seed=11)
    x, y = workloads.points(20_000, EXTENT, seed=11, outside_share=0.01)
    points = run_benchmarks.save(folder, "points", polygons, x=x, y=y)
    methods.prepare_database(points / "pipeline.duckdb", polygons, x, y)
    green = workloads.green_polygons(300, EXTENT, seed=12)
    overlay = run_benchmarks.save(folder, "overlay", polygons, green=np.array(shapely.to_wkb(green), dtype=object))
    return {"points": points, "overlay": overlay, "n_points": len(x)}


def measure(name: str, folder, threads: int = 2) -> np.ndarray:
    if name.endswith("_pipeline"):
        shutil.copyfile(folder / "pipeline.duckdb", folder / methods.DATABASE)
    result, timing = methods.measure(methods.METHODS[name], folder, threads)
    assert timing["seconds"] > 0
    return result


def test_every_point_method_gives_our_counts_including_the_pipeline_step_on_a_duckdb_file(small_workload):
    ours = measure("ours", small_workload["points"])
    assert ours.sum() == small_workload["n_points"]
    assert ours[-1] > 0  # some points lie outside every buurt
    assert (ours[:-1] > 0).sum() >= 20
    for name in run_benchmarks.POINT_METHODS[1:]:
        np.testing.assert_array_equal(measure(name, small_workload["points"]), ours, err_msg=name)


def test_the_pipeline_step_writes_every_address_back_with_its_buurtcode(small_workload):
    folder = small_workload["points"]
    measure("ours_pipeline", folder)
    con = methods.connect(folder / methods.DATABASE, read_only=True)
    try:
        rows, coded, columns = con.execute(
            "SELECT count(*), count(buurtcode), (SELECT count(*) FROM information_schema.columns "
            "WHERE table_schema = 'joined' AND table_name = 'adressen_buurt') FROM joined.adressen_buurt"
        ).fetchone()
    finally:
        con.close()
    assert rows == small_workload["n_points"]
    assert 0 < coded < rows
    assert columns == 12  # the eleven staging columns and buurtcode


def test_the_pipeline_step_gives_the_rows_the_full_table_had(small_workload):
    """The build's step now links (joined.adressen_buurt a view over staging.adressen and the assignment); the
    table join_points_to_buurten writes from the same database (every column copied, as the step did before) has
    the same rows, values and order, points outside every buurt included."""
    folder = small_workload["points"]
    measure("ours_pipeline", folder)
    con = methods.connect(folder / methods.DATABASE)
    try:
        join_points_to_buurten(con, "adressen", "adressen_als_tabel")
        view, table = (
            con.execute(f"SELECT * EXCLUDE (geometry), ST_AsWKB(geometry) FROM joined.{name}").fetchall()
            for name in ("adressen_buurt", "adressen_als_tabel")
        )
        kind = con.execute("SELECT table_type FROM information_schema.tables WHERE table_name = 'adressen_buurt'")
        assert kind.fetchone() == ("VIEW",)
    finally:
        con.close()
    assert len(view) == small_workload["n_points"]
    assert sum(row[-2] is None for row in view) > 0  # some addresses lie outside every buurt
    assert view == table


def fake_outcome(method: str, seconds: float, peak_gb: float) -> run_benchmarks.Outcome:
    runs = [{"method": method, "seconds": seconds, "cpu_seconds": seconds, "peak_gb": peak_gb}] * 3
    return run_benchmarks.Outcome(method, runs=runs)


@pytest.mark.parametrize(
    ("engine_s", "pipeline_s", "pipeline_gb", "floor_s", "missed"),
    [
        (2.0, 3.9, 1.4, 1.0, []),
        (2.0, 4.2, 1.4, 1.0, ["pipeline step ≤ 2.0 × engine"]),
        (2.0, 3.9, 1.6, 1.0, ["pipeline step peak ≤ 1.5 GB"]),
        (3.1, 6.0, 1.4, 2.0, ["engine ratio ≤ 0.3"]),  # the fastest other method takes 10 s
        (2.0, 3.9, 1.4, 0.9, ["engine ≤ 2.0 × floor"]),
        (2.0, 3.9, 1.4, None, ["engine ≤ 2.0 × floor"]),  # a floor that was not measured misses
    ],
)
def test_the_national_targets_judge_the_engine_and_the_pipeline_step(
    engine_s, pipeline_s, pipeline_gb, floor_s, missed
):
    national = [
        fake_outcome("ours", engine_s, 1.0),
        fake_outcome("ours_pipeline", pipeline_s, pipeline_gb),
        fake_outcome("duckdb_contains", 20.0, 0.8),
        fake_outcome("duckdb_pipeline", 30.0, 2.0),
        fake_outcome("geopandas_sjoin", 40.0, 3.0),
        fake_outcome("shapely_sorted_prepared", 10.0, 3.0),
    ]
    assert run_benchmarks.missed_targets(national, floor_s) == missed
    assert run_benchmarks.targets_met(national, floor_s) == (not missed)
    line = run_benchmarks.summary_line(national, floor_s, 2, 3, (0.5, 0.6), 0.1)
    assert f"pipeline_engine_ratio={pipeline_s / engine_s:.2f}" in line
    assert (f"engine_floor_ratio={engine_s / floor_s:.2f}" if floor_s else "engine_floor_ratio=nan") in line


def test_the_floor_counts_bounding_box_candidates_and_times_prepared_tests(small_workload):
    """The floor's candidates per point equal a count by plain bounding boxes; its figure is their product."""
    polygons, x, y = methods.load(small_workload["points"], "polygons", "x", "y")
    sample_x, sample_y = x[:: floor.CANDIDATE_SAMPLE], y[:: floor.CANDIDATE_SAMPLE]
    minx, miny, maxx, maxy = shapely.bounds(polygons).T
    inside = (
        (sample_x[:, None] >= minx)
        & (sample_x[:, None] <= maxx)
        & (sample_y[:, None] >= miny)
        & (sample_y[:, None] <= maxy)
    )
    assert floor.candidates_per_point(polygons, x, y) == pytest.approx(inside.sum() / len(sample_x))
    assert 1.0 < inside.sum() / len(sample_x) < 3.0  # neighbours' boxes overlap; a point outside all has none
    report = floor.measure_floor(small_workload["points"], threads=2)
    assert 0 < report["ns_per_test"] < 100_000
    expected = len(x) * report["candidates_per_point"] * report["ns_per_test"] * 1e-9 / 2
    assert report["floor_seconds"] == pytest.approx(expected, rel=1e-2)
    assert run_benchmarks.run_floor(small_workload["points"], threads=1) > 0  # as the runner measures it


def test_a_floor_that_cannot_be_measured_is_said_and_misses(tmp_path, capsys):
    assert run_benchmarks.run_floor(tmp_path / "nothing here", threads=1) is None
    assert "floor: FAILED: " in capsys.readouterr().out


def test_the_threaded_shapely_overlay_equals_the_pipeline_sql(small_workload):
    ours = measure("ours_overlay", small_workload["overlay"])
    assert ours.sum() > 0
    for name in ("geopandas_overlay", "shapely_overlay"):
        np.testing.assert_allclose(measure(name, small_workload["overlay"]), ours, rtol=1e-6, atol=1e-6)


def fake_child(results: dict[str, np.ndarray | str]):
    """A stand-in for the child process: writes a chosen result, or reports a chosen error."""

    def run_child(method, workload, result, threads):
        outcome = results[method]
        if isinstance(outcome, str):
            return {"method": method, "error": outcome}
        np.save(result, outcome)
        return {"method": method, "seconds": 1.0, "cpu_seconds": 1.0, "peak_gb": 0.1}

    return run_child


def test_a_result_that_differs_from_ours_in_one_run_fails_the_benchmark(tmp_path, monkeypatch):
    monkeypatch.setattr(run_benchmarks, "run_child", fake_child({"a": np.array([1, 2, 3]), "b": np.array([1, 2, 4])}))
    outcomes = run_benchmarks.run_suite(run_benchmarks.Suite("t", tmp_path, ["a", "b"]), runs=3, threads=2)
    assert [o.differs for o in outcomes] == [False, True]
    assert len(outcomes[1].runs) == 3
    assert run_benchmarks.exit_code(outcomes, targets_met=True) == 1


def test_the_floor_is_measured_after_each_round_of_the_methods(tmp_path, monkeypatch):
    """The floor meets the same moments of the machine as the methods: one measurement after each round."""
    calls: list[str] = []
    child = fake_child({"a": np.array([1]), "b": np.array([1])})
    monkeypatch.setattr(run_benchmarks, "run_child", lambda method, *rest: calls.append(method) or child(method, *rest))
    measured = iter([1.1, 0.9, 1.0])
    monkeypatch.setattr(run_benchmarks, "run_floor", lambda workload, threads: calls.append("floor") or next(measured))
    floors: list[float | None] = []
    run_benchmarks.run_suite(run_benchmarks.Suite("t", tmp_path, ["a", "b"]), runs=3, threads=2, floors=floors)
    assert calls == ["a", "b", "floor", "b", "a", "floor", "a", "b", "floor"]
    assert floors == [1.1, 0.9, 1.0]
    assert run_benchmarks.median_floor(floors) == 1.0
    assert run_benchmarks.median_floor([1.1, None, 1.0]) is None  # one failed measurement: not measured
    assert run_benchmarks.median_floor([]) is None


def test_results_within_the_tolerance_pass_and_beyond_it_fail(tmp_path, monkeypatch):
    fake = fake_child({"a": np.array([1.0, 2.0]), "b": np.array([1.0, 2.0 + 1e-9]), "c": np.array([1.0, 2.01])})
    monkeypatch.setattr(run_benchmarks, "run_child", fake)
    suite = run_benchmarks.Suite("t", tmp_path, ["a", "b", "c"], tolerance=1e-6)
    outcomes = run_benchmarks.run_suite(suite, runs=3, threads=2)
    assert [o.ok for o in outcomes] == [True, True, False]


def test_a_failing_method_fails_the_benchmark_and_a_missed_target_too(tmp_path, monkeypatch):
    monkeypatch.setattr(run_benchmarks, "run_child", fake_child({"a": np.array([1]), "b": "MemoryError"}))
    outcomes = run_benchmarks.run_suite(run_benchmarks.Suite("t", tmp_path, ["a", "b"]), runs=3, threads=2)
    assert outcomes[1].error == "MemoryError"
    assert run_benchmarks.exit_code(outcomes, targets_met=True) == 1
    assert run_benchmarks.exit_code(outcomes[:1], targets_met=False) == 2
    assert run_benchmarks.exit_code(outcomes[:1], targets_met=True) == 0


def test_a_child_that_crashes_is_reported_as_an_error(tmp_path):
    report = run_benchmarks.run_child("ours", tmp_path, tmp_path / "result.npy", threads=1)
    assert "error" in report
    assert "polygons.npy" in report["error"]  # the workload folder is empty


def test_fewer_than_three_runs_are_refused(capsys):
    with pytest.raises(SystemExit):
        run_benchmarks.main(["--runs", "2"])
    assert "at least 3 runs" in capsys.readouterr().err


def test_the_scale_line_is_machine_readable_and_refuses_anything_else():
    result = scale.ScaleResult(gemeenten=10, asked=10, buurten=398, wall_s=50.84, peak_gb=0.4949, failed=False)
    assert result.line() == "scale gemeenten=10 buurten=398 wall_s=50.8 peak_gb=0.49"
    assert scale.parse_line(result.line()) == {"gemeenten": 10, "buurten": 398, "wall_s": 50.8, "peak_gb": 0.49}
    assert result.ms_per_buurt == pytest.approx(127.7, abs=0.1)
    with pytest.raises(ValueError, match="not a scale line"):
        scale.parse_line("scale gemeenten=10 buurten=398 wall_s=50.8")
    timed = scale.ScaleResult(10, 10, 398, 50.84, 0.4949, False, cpu_s=80.33)
    assert timed.line() == "scale gemeenten=10 buurten=398 wall_s=50.8 peak_gb=0.49 cpu_s=80.3"
    assert scale.parse_line(timed.line())["cpu_s"] == 80.3
    assert timed.cpu_ms_per_buurt == pytest.approx(201.8, abs=0.1)


def test_sizes_spread_over_the_sorted_codes_and_all_is_all():
    codes = [f"GM{i:04d}" for i in range(1, 375)]
    assert scale.spread(codes, 1) == ["GM0001"]
    ten = scale.spread(codes, 10)
    assert len(set(ten)) == 10
    assert ten == sorted(ten)
    assert ten[-1] > "GM0330"
    assert scale.spread(codes, 500) == codes


@pytest.mark.e2e
def test_a_scale_run_of_one_gemeente_builds_it_and_ends_with_its_line(shared_data, capsys):
    assert scale.main(["--sizes", "1"]) == 0  # one gemeente from scratch and the overview: about 15 s
    last = capsys.readouterr().out.strip().splitlines()[-1]
    numbers = scale.parse_line(last)
    assert numbers["gemeenten"] == 1
    assert numbers["buurten"] >= 1
    assert numbers["wall_s"] > 0
    assert 0 < numbers["peak_gb"] < 4
    assert 0 < numbers["cpu_s"] < 600  # the build's own processes, the workers and the overview included


def _loops(n: int, log) -> list[str]:
    """A program that counts to 2,000 ``n`` times (a shell: it starts in a fraction of a second under Valgrind)."""
    return ["/bin/sh", "-c", f"i=0; while [ $i -lt {2_000 * n} ]; do i=$((i + 1)); done"]


def test_the_instruction_count_of_the_last_run_is_that_run_alone_and_a_failure_shows_its_output(tmp_path):
    require_program("valgrind", "apt-get install valgrind")
    second, before_second = instructions.last_run_cost(_loops, 2, tmp_path)
    third, before_third = instructions.last_run_cost(_loops, 3, tmp_path)
    assert second > 1_000_000  # 2,000 additions and comparisons of a shell
    assert third == pytest.approx(second, rel=0.01)  # the same work counts the same, whatever ran before it
    assert before_third - before_second == pytest.approx(second, rel=0.01)
    with pytest.raises(RuntimeError, match=r"exited with 3 under valgrind:\nkapot: 0 runs$"):
        instructions.last_run_cost(lambda n, log: ["/bin/sh", "-c", f"echo kapot: {n} runs >&2; exit 3"], 1, tmp_path)
