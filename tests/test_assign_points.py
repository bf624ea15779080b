"""The point assignment engine, and the build's join step around it, equal an independent geopandas join, also at the
edges."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from benchmarks import workloads
from ogw_datalab.spatial import assign_points as assign_module
from ogw_datalab.spatial import join_points_to_buurten as join_module
from ogw_datalab.spatial.assign_points import OUTSIDE, _covering, assign_points, build_grid
from ogw_datalab.spatial.join_points_to_buurten import link_points_to_buurten, read_buurten
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.storage import write_frame

from .fixtures import points, two_by_two_buurten

EXTENT = (98_000.0, 452_000.0, 104_000.0, 458_000.0)


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


def test_exact_tests_in_many_batches_on_three_threads_leave_the_callers_prepared_buurten_prepared(
    shared_data, monkeypatch
):
    frame = gpd.read_file(shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "buurt.geojson").to_crs(28992)
    polygons = frame[frame["GM_CODE"] == "GM0484"].sort_values("BU_CODE").geometry.to_numpy()
    x, y = edge_points(polygons, np.random.default_rng(4), 5_000, 500)
    monkeypatch.setattr(assign_module, "TESTS_PER_CALL", 7)  # batches of a polygon or two: hundreds of them
    shapely.prepare(polygons[::2])
    ours = assign_points(polygons, x, y, threads=3)
    assert (ours == geopandas_assignment(polygons, x, y)).all()
    assert shapely.is_prepared(polygons[::2]).all()
    assert not shapely.is_prepared(polygons[1::2]).any()


def test_rings_read_as_arrays_give_the_grid_of_rings_made_as_geometries(shared_data, monkeypatch):
    """Buurten of one ring, with holes and with islands (the real Hollands Midden ones): the same grid whether the
    rings are read as arrays or made as geometries and cut into pieces."""
    frame = gpd.read_file(shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "buurt.geojson").to_crs(28992)
    polygons = frame.geometry[frame.geom_type.isin(["Polygon", "MultiPolygon"])].to_numpy()
    kinds = shapely.get_type_id(polygons)
    assert (shapely.get_num_interior_rings(polygons[kinds == shapely.GeometryType.POLYGON]) > 0).any()
    assert (kinds == shapely.GeometryType.MULTIPOLYGON).any()
    cell = 3_400.0  # longer than every piece of a ring (3.3 km): the arrays are used as they are
    with monkeypatch.context() as patch:
        patch.setattr(shapely, "segmentize", None)  # fails if the rings are made as geometries after all
        from_arrays = build_grid(polygons, cell=cell)
    monkeypatch.setattr(assign_module, "_rings_as_arrays", lambda polygons: None)
    from_geometries = build_grid(polygons, cell=cell)
    for field in ("labels", "boundary_slot", "offsets", "candidates"):
        assert np.array_equal(getattr(from_arrays, field), getattr(from_geometries, field)), field


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


@pytest.mark.parametrize(
    "cell", [5.0, 50.0, None], ids=["strip of six cells", "strip in boundary cells", "cell chosen"]
)
@pytest.mark.parametrize("first_is_wide", [True, False], ids=["wide buurt first", "narrow buurt first"])
def test_overlapping_buurten_take_the_lowest_index(cell, first_is_wide):
    # Not a clean coverage: a 30 m strip (x 40-70) belongs to both. Cells that only one buurt's edge crosses lie
    # wholly inside the other; their points must still go to the lowest index. With 50 m cells the strip lies within
    # boundary cells only (columns 0-50 and 50-100, each crossed by one edge), where only the cell's centre shows
    # that the other buurt holds the whole cell.
    wide, narrow = box(-1000, 0, 70, 1000), box(40, 0, 1000, 1000)
    polygons = np.array([wide, narrow] if first_is_wide else [narrow, wide])
    rng = np.random.default_rng(9)
    x, y = rng.uniform(-100, 100, 20_000), rng.uniform(0, 1000, 20_000)
    grid = build_grid(polygons, cell=cell) if cell else None
    ours = assign_points(polygons, x, y, grid=grid)
    assert (ours == geopandas_assignment(polygons, x, y)).all()
    assert (ours[(x > 40) & (x < 70)] == 0).all()


@pytest.mark.parametrize("cell", [7.0, 40.0])
def test_a_buurt_inside_another_and_points_on_its_edges(cell):
    """A buurt wholly inside another (no shared edge: the outer one marks none of its cells), lower or higher in
    the order; points on both rings and around them."""
    outer, inner = box(0, 0, 1000, 1000), box(300, 300, 420, 380)
    for polygons in (np.array([outer, inner]), np.array([inner, outer])):
        x, y = edge_points(polygons, np.random.default_rng(15), 20_000, 50)
        near = np.random.default_rng(16).uniform(280, 440, 5000)  # around the inner buurt
        x, y = np.append(x, near), np.append(y, near[::-1])
        ours = assign_points(polygons, x, y, grid=build_grid(polygons, cell=cell))
        assert (ours == geopandas_assignment(polygons, x, y)).all()


@pytest.mark.parametrize("cell", [20.0, 5.0])
def test_buurten_with_gaps_between_them(cell):
    """Neighbours 1 m apart (no clean coverage, no overlap): a cell that one buurt's edge marks without entering it
    (a piece's bounding box marks up to four cells) can lie wholly inside the neighbour across the gap, whose own
    edge does not mark it. The engine before 2026-12-07 gave three points (20 m cells) and one (5 m) no buurt here."""
    polygons = shapely.buffer(workloads.coverage(30, EXTENT, seed=2), -0.5, join_style="mitre")
    rng = np.random.default_rng(2)
    x, y = rng.uniform(EXTENT[0], EXTENT[2], 300_000), rng.uniform(EXTENT[1], EXTENT[3], 300_000)
    ours = assign_points(polygons, x, y, grid=build_grid(polygons, cell=cell))
    assert (ours == geopandas_assignment(polygons, x, y)).all()


def test_covering_finds_whole_cells_of_overlapping_buurten_only():
    """A clean coverage (also with a T-junction: a vertex on one side of a shared edge only) has no buurt holding a
    boundary cell it does not cross; overlapping buurten have, and only there."""
    left, right = box(0, 0, 100, 100), box(100, 0, 200, 100)
    for polygons in (np.array([left, right]), np.array([left, box(100, 0, 200, 50), box(100, 50, 200, 100)])):
        grid = build_grid(polygons, cell=10.0)
        boundary = np.flatnonzero(grid.boundary_slot[:-1] >= 0)
        cells, covering = _covering(polygons, grid, boundary)
        assert len(cells) == len(covering) == 0
    polygons = np.array([left, box(50, 0, 200, 100)])  # the second overlaps the left half's right part
    grid = build_grid(polygons, cell=10.0)
    cells, covering = _covering(polygons, grid, np.flatnonzero(grid.boundary_slot[:-1] >= 0))
    assert len(cells) > 0
    centre_x = grid.origin_x + (cells % grid.nx + 0.5) * grid.cell
    # The column at x = 50 is crossed by the second's edge and held by the left, the one at x = 100 (a point on an
    # edge falls in the cell to its right) crossed by the left's edge and held by the second; no other cell.
    assert sorted(set(zip(centre_x.tolist(), covering.tolist(), strict=True))) == [(55.0, 0), (105.0, 1)]


def test_points_far_outside_and_empty_input():
    polygons = np.array([box(0, 0, 10, 10)])
    assert list(assign_points(polygons, np.array([-1e6, 5.0, 1e7]), np.array([5.0, 5.0, 5.0]))) == [OUTSIDE, 0, OUTSIDE]
    assert len(assign_points(polygons, np.empty(0), np.empty(0))) == 0


# --- the build's join step: coordinates and buurten read from DuckDB in chunks ------------------------------------


def buurten_of_gm0001(con) -> tuple[list[str], np.ndarray]:
    """The four 1 km buurten of :func:`two_by_two_buurten`, staged; their codes (ascending) and polygons."""
    frame = two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    own = frame[frame["GM_CODE"] == "GM0001"]
    own = own.assign(key=own["BU_CODE"].str.strip().str.upper()).sort_values("key")
    return own["key"].tolist(), own.geometry.to_numpy()


def linked_codes(con, points: str, target: str) -> tuple[dict[str, int], list[str | None]]:
    counts = link_points_to_buurten(con, points, target)
    return counts, [row[0] for row in con.execute(f"SELECT buurtcode FROM joined.{target} ORDER BY bronrij").fetchall()]


def test_the_join_step_read_in_chunks_equals_geopandas_across_chunk_boundaries(con, monkeypatch):
    """Chunks of one DuckDB vector (2,048 rows): 5,000 points cross two chunk boundaries, with rows without
    geometry at the end of the first chunk, points on edges as the first rows of the next chunks, many more on
    edges and corners, some outside every buurt, and a polygon (placed by its centroid, which lies on an edge).
    Every row gets the buurt geopandas gives it, as when read in one chunk."""
    codes, polygons = buurten_of_gm0001(con)
    xy = np.random.default_rng(11).uniform(-200, 2200, size=(5000, 2)).round(-1)  # a 10 m lattice: many on edges
    geometry = list(shapely.points(xy))
    geometry[2046] = geometry[2047] = None  # the last rows of the first chunk
    geometry[4095] = box(900, 900, 1300, 1100)  # centroid (1100, 1000): the edge of BU00010002 and BU00010102
    geometry[2048], geometry[4096] = shapely.points([(1000, 1500), (1000, 500)])  # first rows of chunks, on edges
    frame = gpd.GeoDataFrame({"bronrij": range(len(geometry))}, geometry=geometry, crs="EPSG:28992")
    write_frame(con, "staging", "layer_bomen", frame)

    monkeypatch.setattr(join_module, "READ_VECTORS", 1)
    chunked_counts, chunked = linked_codes(con, "layer_bomen", "bomen")
    monkeypatch.undo()
    whole_counts, whole = linked_codes(con, "layer_bomen", "bomen_in_een_keer")

    centre = shapely.get_coordinates(shapely.centroid(frame.geometry.to_numpy()), include_z=False)
    x, y = np.full(len(frame), -1e9), np.full(len(frame), -1e9)
    present = frame.geometry.notna().to_numpy()
    x[present], y[present] = centre[:, 0], centre[:, 1]
    expected = [None if i == OUTSIDE else codes[i] for i in geopandas_assignment(polygons, x, y)]
    assert chunked == whole == expected
    outside = expected.count(None)  # the two rows without geometry among them
    assert chunked_counts == whole_counts == {"rows": 5000, "in_buurt": 5000 - outside, "outside": outside}
    assert chunked[2046] is chunked[2047] is None
    assert (chunked[2048], chunked[4095], chunked[4096]) == ("BU00010101", "BU00010002", "BU00010001")
    assert outside > 100  # the sample really has points outside
    on_edges = (np.isin(xy, [0, 1000, 2000])).any(axis=1).sum()
    assert on_edges > 100  # and on edges


def test_the_join_step_with_overlapping_buurten_gives_the_strip_to_the_lowest_code(con):
    """The step builds the grid while DuckDB reads the points and checks for overlaps meanwhile, so its points are
    first tested as if no buurten overlapped; those in the 30 m strip both buurten hold must end in the first."""
    frame = gpd.GeoDataFrame(
        {"buurtcode": ["BU00010002", "BU00010001"]},
        geometry=[box(0, 0, 1000, 1000), box(-1000, 0, 30, 1000)],
        crs="EPSG:28992",
    )
    write_frame(con, "staging", "buurten", frame)
    rng = np.random.default_rng(13)
    xy = np.column_stack([rng.uniform(-100, 100, 20_000), rng.uniform(0, 1000, 20_000)])
    points(con, "layer_bomen", [tuple(p) for p in xy])
    counts, linked = linked_codes(con, "layer_bomen", "bomen")
    expected = np.where(xy[:, 0] <= 30, "BU00010001", "BU00010002")
    assert linked == expected.tolist()
    assert counts == {"rows": 20_000, "in_buurt": 20_000, "outside": 0}
    assert ((xy[:, 0] > 0) & (xy[:, 0] < 30)).sum() > 2000  # the strip really holds points


def test_buurten_read_in_chunks_come_sorted_by_code_with_their_own_polygon(con, monkeypatch):
    """3,000 buurten written in shuffled order, read in chunks of 2,048 rows: ascending codes, each with its polygon."""
    order = np.random.default_rng(12).permutation(3000)
    frame = gpd.GeoDataFrame(
        {"buurtcode": [f"BU{i:08d}" for i in order]},
        geometry=[box(i * 10.0, 0, i * 10.0 + 10, 10) for i in order],
        crs="EPSG:28992",
    )
    write_frame(con, "staging", "buurten", frame)
    monkeypatch.setattr(join_module, "READ_VECTORS", 1)
    codes, polygons = read_buurten(con)
    assert list(codes) == [f"BU{i:08d}" for i in range(3000)]
    assert (shapely.bounds(polygons)[:, 0] == np.arange(3000) * 10.0).all()


def test_the_join_step_on_an_empty_table_and_on_rows_without_geometry(con):
    buurten_of_gm0001(con)
    points(con, "layer_leeg", [])
    assert linked_codes(con, "layer_leeg", "leeg") == ({"rows": 0, "in_buurt": 0, "outside": 0}, [])
    points(con, "layer_zonder", [None, None, None])
    assert linked_codes(con, "layer_zonder", "zonder") == ({"rows": 3, "in_buurt": 0, "outside": 3}, [None] * 3)


def test_the_join_step_gives_duckdb_its_memory_limit_back(con):
    """The step reads with a small buffer pool and sets the limit back: not only the setting's text (RESET changes
    that alone in DuckDB 1.5) but the limit DuckDB enforces. Without a temporary folder DuckDB cannot spill, so
    a table of about 300 MB fails under a limit left small."""
    buurten_of_gm0001(con)
    points(con, "layer_bomen", [(500.0, 500.0), (2500.0, 500.0)])
    con.execute("SET temp_directory = ''")
    con.execute("SET memory_limit = '2GB'")
    (before,) = con.execute("SELECT current_setting('memory_limit')").fetchone()
    for _ in range(3):  # set back each time without drifting
        assert linked_codes(con, "layer_bomen", "bomen")[1] == ["BU00010001", None]
    assert con.execute("SELECT current_setting('memory_limit')").fetchone() == (before,)
    con.execute("CREATE TABLE groot AS SELECT range AS i, repeat('x', 100) AS tekst FROM range(2000000)")
    assert con.execute("SELECT count(*) FROM groot").fetchone() == (2_000_000,)
