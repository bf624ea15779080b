"""Assign points to buurten fast and exactly: a grid answers most points, geometry the rest.

Most points lie in grid cells that a single buurt covers entirely; those are assigned by
an array lookup on their cell. Only points in cells that a buurt boundary passes through
are tested against the polygons (prepared, vectorised, in threads), and then only against
the buurten whose boundary passes through that cell, and any buurt that covers the whole
cell (one test of the cell's centre finds it; there is none where the buurten form a clean
coverage, as Alphen's CBS buurten do).

Notes
-----
Rule at the edges (the same as the SQL join): a point inside or on the boundary of a buurt
belongs to it; a point on a boundary shared by several buurten goes to the buurt listed
first (the pipeline lists buurten by buurtcode, so: the lowest buurtcode); a point outside
all buurten gets -1.

Why a cell without boundary lies in one buurt: the rings are densified to pieces no longer
than a cell, and every cell within a piece's bounding box is marked as boundary. Two
edge-adjacent unmarked cells cannot be separated by a ring, so each 4-connected component
of unmarked cells lies wholly inside or wholly outside each buurt; one point test per
component labels it (with the lowest buurt holding it, where buurten overlap). For the same
reason a buurt that does not mark a boundary cell holds all of it or none of it, which the
cell's centre decides.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import shapely
from scipy import ndimage

BOUNDARY = -2
OUTSIDE = -1
MAX_CELLS = 12_000_000  # grid size: memory of a few int32 arrays of this length
MIN_CELLS = 100_000
CHUNK = 1 << 20  # points looked up at a time
TESTS_PER_CALL = 1 << 16  # exact point tests in one call of GEOS
BLOCK = 16  # cells a side of the boxes that find the buurten whose bounding box holds a cell's centre


@dataclass(frozen=True)
class BuurtGrid:
    """A raster over the buurten: per cell the buurt covering it, OUTSIDE, or BOUNDARY."""

    origin_x: float
    origin_y: float
    cell: float
    nx: int
    ny: int
    labels: np.ndarray  # int32 (ny * nx + 1,); the last cell stands for "off the grid"
    boundary_slot: np.ndarray  # int32 (ny * nx + 1,): row in the candidate table for boundary cells, else -1
    offsets: np.ndarray  # int64 (n_boundary_cells + 1,): candidate polygons of slot k are ...
    candidates: np.ndarray  # int32: ... candidates[offsets[k]:offsets[k + 1]], ascending

    def cells_of(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Cell id of each point; points off the grid get ``nx * ny``, an extra cell labelled OUTSIDE.

        The arithmetic is the same as for the ring vertices, so a point on a vertex falls in
        the cell that vertex marked.
        """
        inverse = 1.0 / self.cell
        ix = x - self.origin_x  # in place from here on: two temporary arrays for ten million points, not six
        ix *= inverse
        iy = y - self.origin_y
        iy *= inverse
        off = ~((ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny))  # NaN (no geometry) is off too
        np.floor(ix, out=ix)
        np.floor(iy, out=iy)
        iy *= self.nx
        iy += ix
        iy[off] = self.nx * self.ny
        return iy.astype(np.int32)  # every cell id fits: the grid has at most MAX_CELLS cells


def choose_cell_size(bounds: tuple[float, float, float, float], n_points: int) -> float:
    """Cell size in metres: about one cell per point (between MIN_CELLS and MAX_CELLS cells, 5-250 m).

    Finer cells leave fewer points for exact tests but cost more to build; with about as
    many cells as points both halves of the work stay in proportion.
    """
    area = max((bounds[2] - bounds[0]) * (bounds[3] - bounds[1]), 1.0)
    cells = float(np.clip(n_points, MIN_CELLS, MAX_CELLS))
    return float(np.clip(np.sqrt(area / cells), 5.0, 250.0))


def build_grid(polygons: np.ndarray, cell: float | None = None, n_points: int = MAX_CELLS) -> BuurtGrid:
    """Raster ``polygons`` (index = buurt number) for :func:`assign_points`.

    A boundary cell's candidates are the buurten whose boundary crosses it.
    """
    bounds = shapely.total_bounds(polygons)
    cell = cell or choose_cell_size(tuple(bounds), n_points)
    origin_x, origin_y = bounds[0] - cell, bounds[1] - cell
    nx = int(np.ceil((bounds[2] - origin_x) / cell)) + 2
    ny = int(np.ceil((bounds[3] - origin_y) / cell)) + 2
    cell_ids, owners = _boundary_incidence(polygons, origin_x, origin_y, cell, nx)
    boundary_cells, offsets, candidates = _candidate_table(cell_ids, owners)
    labels = _label_interior(polygons, boundary_cells, origin_x, origin_y, cell, nx, ny)
    slot = np.full(nx * ny + 1, -1, dtype=np.int32)
    slot[boundary_cells] = np.arange(len(boundary_cells), dtype=np.int32)
    return BuurtGrid(origin_x, origin_y, cell, nx, ny, labels, slot, offsets, candidates)


def _boundary_incidence(polygons, origin_x, origin_y, cell, nx) -> tuple[np.ndarray, np.ndarray]:
    """(cell id, polygon) for every cell that a ring of a polygon passes through (a superset)."""
    xy, ring_of, ring_owner = _ring_vertices(polygons, cell * 0.99)
    owner_of_vertex = ring_owner[ring_of]
    # Every vertex lies above and right of the origin, so truncation is the floor that cells_of takes;
    # int32 holds every cell id (at most MAX_CELLS) and halves the memory traffic.
    inverse = 1.0 / cell
    ix = ((xy[:, 0] - origin_x) * inverse).astype(np.int32)
    iy = ((xy[:, 1] - origin_y) * inverse).astype(np.int32)
    same_ring = ring_of[1:] == ring_of[:-1]
    i0, i1 = np.minimum(ix[:-1], ix[1:])[same_ring], np.maximum(ix[:-1], ix[1:])[same_ring]
    j0, j1 = np.minimum(iy[:-1], iy[1:])[same_ring], np.maximum(iy[:-1], iy[1:])[same_ring]
    owner = owner_of_vertex[:-1][same_ring]
    # Each piece is at most one cell long, so its bounding box spans at most 2 x 2 cells.
    corners = [(i0, j0, None), (i1, j0, i1 != i0), (i0, j1, j1 != j0), (i1, j1, (i1 != i0) & (j1 != j0))]
    cell_ids, owners = [], []
    for i, j, keep in corners:
        ids = j * nx + i
        cell_ids.append(ids if keep is None else ids[keep])
        owners.append(owner if keep is None else owner[keep])
    return np.concatenate(cell_ids), np.concatenate(owners)


def _ring_vertices(polygons: np.ndarray, longest: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring vertex (x, y) of ``polygons`` with pieces at most ``longest`` long, its ring, each ring's polygon.

    Read as arrays (:func:`_rings_as_arrays`), unless a piece is longer or a geometry is not a (multi)polygon: then
    the rings are made and cut into pieces (``segmentize``), which gives the same vertices where no piece is longer.
    """
    rings = _rings_as_arrays(polygons)
    if rings is not None:
        xy, ring_of, owner = rings
        same_ring = ring_of[1:] == ring_of[:-1]
        piece = np.hypot(np.diff(xy[:, 0])[same_ring], np.diff(xy[:, 1])[same_ring])
        if not len(piece) or piece.max() <= longest:
            return xy, ring_of, owner
    parts, part_owner = shapely.get_parts(polygons, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    xy, ring_of = shapely.get_coordinates(shapely.segmentize(rings, longest), return_index=True)
    return xy, ring_of, part_owner[ring_part].astype(np.int32)


def _rings_as_arrays(polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Every ring vertex, its ring and each ring's polygon; None when a geometry is not a (multi)polygon.

    Read without making ring geometries where that can be: a polygon without holes is one ring, whose coordinates
    are read straight from it. The others (islands, holes) go through one ragged array, whose rings GEOS copies
    first (for the whole country that copying, and the memory it touches for the first time, was two thirds of
    the time).
    """
    kinds = shapely.get_type_id(polygons)
    if not np.isin(kinds, (shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON)).all():
        return None
    one_ring = (kinds == shapely.GeometryType.POLYGON) & (shapely.get_num_interior_rings(polygons) == 0)
    simple = np.flatnonzero(one_ring)
    xy = [shapely.get_coordinates(polygons[simple])]
    ring_sizes = [shapely.get_num_coordinates(polygons[simple])]
    owners = [simple.astype(np.int32)]
    others = np.flatnonzero(~one_ring)
    if len(others):
        _, other_xy, offsets = shapely.to_ragged_array(polygons[others], include_z=False)
        owner = others.astype(np.int32)
        for level in reversed(offsets[1:]):  # polygon -> its parts -> their rings
            owner = np.repeat(owner, np.diff(level))
        xy.append(other_xy)
        ring_sizes.append(np.diff(offsets[0]))
        owners.append(owner)
    sizes = np.concatenate(ring_sizes)
    ring_of = np.repeat(np.arange(len(sizes)), sizes)
    return np.concatenate(xy), ring_of, np.concatenate(owners)


def _covering(polygons: np.ndarray, grid: BuurtGrid, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(cell, polygon) for each boundary cell of ``cells`` that a polygon holds wholly without crossing it.

    A piece of a ring marks every cell of its bounding box, also cells its edge does not enter. Where neighbours'
    edges are the same pieces (a clean coverage) the neighbour marks the same cells; where buurten overlap, leave a
    gap, or have a vertex on one side of a shared edge only, a marked cell can lie wholly in a buurt that does not
    mark it. Such a buurt holds all of the cell or none of it (module notes), so one test of the cell's centre,
    against the polygons whose bounding box holds it, finds it.
    """
    n_polygons = len(polygons)
    cx = grid.origin_x + (cells % grid.nx + 0.5) * grid.cell
    cy = grid.origin_y + (cells // grid.nx + 0.5) * grid.cell
    centre, polygon = _boxes_holding(polygons, grid, cells, cx, cy)
    pair = cells[centre].astype(np.int64) * n_polygons + polygon
    crossing = _crossing_pairs(grid, n_polygons)  # ascending
    found = np.searchsorted(crossing, pair)
    marked = crossing[np.minimum(found, len(crossing) - 1)] == pair if len(crossing) else np.zeros(len(pair), bool)
    centre, polygon = centre[~marked], polygon[~marked]
    inside = shapely.intersects_xy(polygons[polygon], cx[centre], cy[centre])
    return cells[centre[inside]], polygon[inside].astype(np.int32)


def _boxes_holding(polygons, grid: BuurtGrid, cells, cx, cy) -> tuple[np.ndarray, np.ndarray]:
    """(i, polygon) for every polygon whose bounding box holds the centre (cx[i], cy[i]) of ``cells[i]``.

    The pairs an STRtree query of the centres as points gives, found with one box per block of BLOCK × BLOCK cells
    and the bounding boxes in numpy: making 425,000 points took longer than the query (0.09 against 0.43 s).
    """
    if not len(cells):
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    block = (cells // grid.nx // BLOCK) * (grid.nx // BLOCK + 1) + cells % grid.nx // BLOCK
    order = np.argsort(block, kind="stable")
    starts = np.flatnonzero(np.concatenate([[True], block[order][1:] != block[order][:-1]]))
    bx, by = cx[order], cy[order]
    low_x, low_y = np.minimum.reduceat(bx, starts), np.minimum.reduceat(by, starts)
    high_x, high_y = np.maximum.reduceat(bx, starts), np.maximum.reduceat(by, starts)
    found, polygon = shapely.STRtree(polygons).query(shapely.box(low_x, low_y, high_x, high_y))
    size = np.diff(np.append(starts, len(order)))[found]
    member = order[np.repeat(starts[found] - (np.cumsum(size) - size), size) + np.arange(size.sum())]
    polygon = np.repeat(polygon, size)
    xmin, ymin, xmax, ymax = shapely.bounds(polygons)[polygon].T
    px, py = cx[member], cy[member]
    inside = (xmin <= px) & (px <= xmax) & (ymin <= py) & (py <= ymax)
    return member[inside], polygon[inside]


def _crossing_pairs(grid: BuurtGrid, n_polygons: int) -> np.ndarray:
    """Every (boundary cell, candidate) of ``grid`` as cell × n_polygons + polygon, ascending (the table's order)."""
    boundary_cells = np.flatnonzero(grid.boundary_slot[:-1] >= 0)  # slots were given in ascending cell order
    per_cell = np.diff(grid.offsets)
    return np.repeat(boundary_cells.astype(np.int64), per_cell) * n_polygons + grid.candidates


def _candidate_table(cell_ids: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct (cell, polygon) pairs as a CSR table: boundary cells, offsets, candidate polygons."""
    n_polygons = int(owners.max()) + 1 if len(owners) else 1
    pairs = cell_ids.astype(np.int64) * n_polygons + owners
    # Successive pieces of a ring mostly lie in the same cell: dropping repeats first halves the sort.
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]
    pairs.sort()
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]
    cells, candidates = pairs // n_polygons, (pairs % n_polygons).astype(np.int32)
    starts = np.flatnonzero(np.concatenate([[True], cells[1:] != cells[:-1]]))
    boundary_cells = cells[starts]
    offsets = np.append(starts, len(pairs)).astype(np.int64)
    return boundary_cells, offsets, candidates


def _label_interior(polygons, boundary_cells, origin_x, origin_y, cell, nx, ny) -> np.ndarray:
    """Label every unmarked cell with the buurt covering it (or OUTSIDE): one test per connected component."""
    free = np.ones(nx * ny, dtype=bool)
    free[boundary_cells] = False
    components, count = ndimage.label(free.reshape(ny, nx))
    components = components.ravel()
    first = np.full(count + 1, len(components), dtype=np.int32)  # int32 holds every cell id (MAX_CELLS)
    np.minimum.at(first, components, np.arange(len(components), dtype=np.int32))
    first = first[1:]
    cx = origin_x + (first % nx + 0.5) * cell
    cy = origin_y + (first // nx + 0.5) * cell
    owner = _first_containing(polygons, cx, cy)
    labels = np.full(count + 1, BOUNDARY, dtype=np.int32)
    labels[1:] = owner
    labelled = np.empty(len(components) + 1, dtype=np.int32)
    np.take(labels, components, out=labelled[:-1])
    labelled[-1] = OUTSIDE  # the extra last cell: off the grid
    return labelled


def _first_containing(polygons: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """For a modest number of points: the lowest polygon index intersecting each, or OUTSIDE."""
    tree = shapely.STRtree(polygons)
    point_idx, poly_idx = tree.query(shapely.points(x, y), predicate="intersects")
    return _lowest_per_point(len(x), point_idx, poly_idx)


def _lowest_per_point(n: int, point_idx: np.ndarray, poly_idx: np.ndarray) -> np.ndarray:
    """Per point the lowest polygon index among its hits (pairs in any order); OUTSIDE for points without hits."""
    none = np.iinfo(np.int32).max
    owner = np.full(n, none, dtype=np.int32)
    np.minimum.at(owner, point_idx, poly_idx.astype(np.int32, copy=False))  # no sort: a tenth of np.unique's time
    owner[owner == none] = OUTSIDE
    return owner


def _argsort_polygons(poly_idx: np.ndarray) -> np.ndarray:
    """Stable ascending order of polygon indices; as 16-bit keys (under 65,536 polygons) numpy sorts in linear time."""
    keys = poly_idx.astype(np.uint16) if len(poly_idx) and int(poly_idx.max()) < 2**16 else poly_idx
    return np.argsort(keys, kind="stable")


def assign_points(
    polygons: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    grid: BuurtGrid | None = None,
    threads: int | None = None,
) -> np.ndarray:
    """Index of the buurt each point (x, y) lies in, -1 outside all; see the module notes for the rule.

    Without a ``grid`` one is built (:func:`build_grid`) for this many points.
    """
    if grid is None:
        grid = build_grid(polygons, n_points=len(x))
    workers = threads or min(4, os.cpu_count() or 1)
    result = np.empty(len(x), dtype=np.int32)

    def look_up(start: int) -> tuple[np.ndarray, np.ndarray]:
        """Label the points of one chunk from their cells; return those in boundary cells and their cells."""
        part = slice(start, start + CHUNK)
        cells = grid.cells_of(x[part], y[part])
        np.take(grid.labels, cells, out=result[part])
        found = np.flatnonzero(result[part] == BOUNDARY)
        return found + start, cells[found]

    # In chunks, on every core: the temporary arrays stay small and numpy releases the GIL.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(look_up, range(0, len(x), CHUNK)))
    exact = np.concatenate([found for found, _ in parts]) if parts else np.empty(0, dtype=np.int64)
    cells = np.concatenate([cells for _, cells in parts]) if parts else np.empty(0, dtype=np.int32)
    if len(exact):
        held = np.zeros(grid.nx * grid.ny + 1, dtype=bool)
        held[cells] = True
        with ThreadPoolExecutor(max_workers=1) as side:
            # Beside the point tests, on a copy of the polygons (force_2d copies them, about 50 ms for the whole
            # country): the tests prepare and free each polygon in turn, and GEOS must not use a geometry's
            # prepared form in one thread while another frees it.
            covers = side.submit(_covering, shapely.force_2d(polygons), grid, np.flatnonzero(held))
            result[exact] = _test_boundary_points(polygons, grid, x[exact], y[exact], cells, threads)
            _lower_where_covered(result, exact, cells, *covers.result())
    return result


def _lower_where_covered(
    result: np.ndarray, exact: np.ndarray, cells: np.ndarray, covered: np.ndarray, covering: np.ndarray
) -> None:
    """Give the points ``exact`` (in boundary ``cells``) the buurt that holds their whole cell where it comes first.

    ``covered``, ``covering``: from :func:`_covering`; empty where the buurten form a clean coverage.
    """
    if not len(covered):
        return
    order = np.lexsort((covering, covered))  # by cell, then polygon: the first of each cell is its lowest
    covered, covering = covered[order], covering[order]
    first = np.concatenate([[True], covered[1:] != covered[:-1]])
    covered, covering = covered[first], covering[first]
    at = np.minimum(np.searchsorted(covered, cells), len(covered) - 1)
    hit = covered[at] == cells
    points, cover = exact[hit], covering[at[hit]]
    own = result[points]
    result[points] = np.where((own == OUTSIDE) | (cover < own), cover, own)


def _test_boundary_points(polygons, grid: BuurtGrid, x, y, cells, threads) -> np.ndarray:
    """Give each point (in boundary ``cells``) the lowest candidate buurt holding it, or OUTSIDE."""
    point, poly = _candidate_pairs(grid, cells)
    runs = np.flatnonzero(np.concatenate([[True], poly[1:] != poly[:-1]]))  # each polygon's first pair
    # Batches of about TESTS_PER_CALL pairs that end where a polygon's pairs end, so that no two threads prepare
    # or free the same polygon
    at = np.searchsorted(runs, np.arange(TESTS_PER_CALL, len(poly), TESTS_PER_CALL))
    cuts = runs[at[at < len(runs)]]
    bounds = np.unique(np.concatenate([[0], cuts, [len(poly)]])).tolist()

    def test(batch: tuple[int, int]) -> np.ndarray:
        # One call per batch: with a call per polygon the two threads mostly waited for the interpreter's lock
        # (about 140 tests a call). Only the batch's polygons are prepared at a time: all prepared at once, the
        # buurten of the whole country hold about a quarter of a gigabyte of indexes.
        start, end = batch
        own = polygons[np.unique(poly[start:end])]
        fresh = own[~shapely.is_prepared(own)]  # a polygon its caller prepared stays prepared
        shapely.prepare(fresh)
        members = point[start:end]
        inside = shapely.intersects_xy(polygons[poly[start:end]], x[members], y[members])
        shapely.destroy_prepared(fresh)
        return start + np.flatnonzero(inside)

    workers = threads or min(4, os.cpu_count() or 1)
    batches = zip(bounds[:-1], bounds[1:], strict=True)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        hits = np.concatenate([np.empty(0, dtype=np.int64), *pool.map(test, batches)])
    return _lowest_per_point(len(x), point[hits], poly[hits])


def _candidate_pairs(grid: BuurtGrid, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(point, candidate polygon) for points in boundary ``cells``, in ascending polygon order."""
    slots = grid.boundary_slot[cells]
    starts, ends = grid.offsets[slots], grid.offsets[slots + 1]
    counts = ends - starts
    point = np.repeat(np.arange(len(cells), dtype=np.int64), counts)
    within = np.arange(len(point), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    poly = grid.candidates[np.repeat(starts, counts) + within]
    order = _argsort_polygons(poly)
    return point[order], poly[order]
