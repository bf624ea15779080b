"""Staging rules and point-in-buurt joins on hand-built boxes, checked against geopandas."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from ogw_datalab.config import Source
from ogw_datalab.spatial.join_points_to_buurten import compute_distances, join_points_to_buurten, link_points_to_buurten
from ogw_datalab.staging.columns import StagingError
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.storage import drop_relation, write_frame

from .fixtures import RD, points, two_by_two_buurten


def test_staging_cleans_codes_filters_gemeente_and_nulls_sentinels(con):
    two_by_two_buurten(con)
    counts = stage_cbs_areas(con, "buurten", "GM0001")
    # The fixture writes raw.buurten itself, so the sentinel reaches staging, which counts it as unknown.
    assert counts == {
        "rows": 4,
        "other_gemeenten": 1,
        "rejected_geometries": 0,
        "negative_emptied": {"aantal_inwoners": 1},
    }
    rows = dict(con.execute("SELECT buurtcode, aantal_inwoners FROM staging.buurten").fetchall())
    assert rows == {"BU00010001": 1000, "BU00010002": 400, "BU00010101": 40, "BU00010102": None}


def test_staging_rejects_duplicate_codes_and_keeps_previous_table(con):
    two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    broken = two_by_two_buurten(con)
    broken.loc[1, "BU_CODE"] = "BU00010001"
    write_frame(con, "raw", "buurten", broken)
    source = Source(soort="cbs_wijkbuurtkaart", pad=Path("wijkenbuurten_2024.gpkg"), laag="buurten")
    expected = (
        r"^bronnen\.buurten \(wijkenbuurten_2024\.gpkg\): buurtcodes occur more than once \(each must occur once\), "
        r"e\.g\. BU00010001 in rows 1, 2$"
    )
    with pytest.raises(StagingError, match=expected):
        stage_cbs_areas(con, "buurten", "GM0001", source=source)
    assert con.execute("SELECT count(DISTINCT buurtcode) FROM staging.buurten").fetchone()[0] == 4


def test_missing_required_column_is_named(con):
    frame = two_by_two_buurten(con).drop(columns=["WK_CODE"])
    write_frame(con, "raw", "buurten", frame)
    with pytest.raises(StagingError, match=r"bronnen\.buurten: no column for 'wijkcode'"):
        stage_cbs_areas(con, "buurten", "GM0001")


def test_gemeente_without_buurten_is_an_error(con):
    two_by_two_buurten(con)
    with pytest.raises(StagingError, match="no buurten of gemeente GM0484"):
        stage_cbs_areas(con, "buurten", "GM0484")


def test_each_point_counted_once_boundary_rule_and_outside(con):
    two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    coordinates = [(500, 500), (1000, 500), (1000, 1000), (1500, 1500), (2500, 500), None, (0, 0)]
    points(con, "layer_bomen", coordinates)
    counts = join_points_to_buurten(con, "layer_bomen", "layer_bomen")
    assert counts == {"rows": 7, "in_buurt": 5, "outside": 2}
    assigned = dict(con.execute("SELECT bronrij, buurtcode FROM joined.layer_bomen").fetchall())
    assert assigned[0] == "BU00010001"
    assert assigned[1] == "BU00010001"  # on the shared edge: lowest buurtcode
    assert assigned[2] == "BU00010001"  # corner shared by four buurten: lowest buurtcode
    assert assigned[3] == "BU00010102"
    assert assigned[4] is None
    assert assigned[5] is None
    assert assigned[6] == "BU00010001"  # on the outer boundary still counts


def test_linked_points_are_the_joined_rows_and_replace_an_earlier_table_or_view(con):
    """link_points_to_buurten writes only the assignment and makes the target a view with the rows, columns and
    order the joined table had: edges, corners, points outside and without geometry included."""
    two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    coordinates = [(500, 500), (1000, 500), (1000, 1000), (1500, 1500), (2500, 500), None, (0, 0)]
    points(con, "layer_bomen", coordinates)
    joined = join_points_to_buurten(con, "layer_bomen", "bomen_als_tabel")
    as_table = con.execute("SELECT * EXCLUDE (geometry) FROM joined.bomen_als_tabel").fetchall()
    join_points_to_buurten(con, "layer_bomen", "bomen")  # a table by the name the view takes (an older database)
    for _ in range(2):  # over that table, then over its own view
        assert link_points_to_buurten(con, "layer_bomen", "bomen") == joined == {"rows": 7, "in_buurt": 5, "outside": 2}
        assert con.execute("SELECT * EXCLUDE (geometry) FROM joined.bomen").fetchall() == as_table
    assignment = con.execute("SELECT bronrij, buurtcode::VARCHAR FROM joined.bomen_toewijzing ORDER BY 1").fetchall()
    assert assignment == [(0, "BU00010001"), (1, "BU00010001"), (2, "BU00010001"), (3, "BU00010102"), (6, "BU00010001")]
    drop_relation(con, "joined", "bomen")
    drop_relation(con, "joined", "bomen")  # nothing left to drop: no error
    assert con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'bomen'").fetchone() == (0,)


def test_a_layer_with_no_point_in_the_gemeente_still_counts_zero_per_buurt(con):
    """A gemeente without a hospital: every point lies outside its buurten; the buurtcode stays text, so a count
    per buurt joins on it (it came out INTEGER, and the indicator failed on 'BU...' as INT32)."""
    two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    points(con, "layer_ziekenhuizen", [(5000, 5000), (6000, 6000)])
    assert join_points_to_buurten(con, "layer_ziekenhuizen", "layer_ziekenhuizen") == {
        "rows": 2,
        "in_buurt": 0,
        "outside": 2,
    }
    column_type = "SELECT data_type FROM information_schema.columns WHERE table_name = 'layer_ziekenhuizen' AND "
    assert con.execute(column_type + "table_schema = 'joined' AND column_name = 'buurtcode'").fetchone() == ("VARCHAR",)
    counts = con.execute(
        "SELECT b.buurtcode, count(p.bronrij) FROM staging.buurten AS b "
        "LEFT JOIN joined.layer_ziekenhuizen AS p USING (buurtcode) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    assert counts == [("BU00010001", 0), ("BU00010002", 0), ("BU00010101", 0), ("BU00010102", 0)]


def test_join_equals_geopandas_on_random_points(con):
    buurten = two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    rng = np.random.default_rng(7)
    xy = rng.uniform(-200, 2200, size=(3000, 2)).round(0)  # rounding puts many points on edges
    points(con, "layer_bomen", [tuple(p) for p in xy])
    join_points_to_buurten(con, "layer_bomen", "layer_bomen")
    ours = [r[0] for r in con.execute("SELECT buurtcode FROM joined.layer_bomen ORDER BY bronrij").fetchall()]

    own = buurten[buurten["GM_CODE"] == "GM0001"].assign(buurtcode=lambda f: f["BU_CODE"].str.strip().str.upper())
    trees = gpd.GeoDataFrame({"bronrij": range(len(xy))}, geometry=[Point(p) for p in xy], crs=RD)
    hits = gpd.sjoin(trees, own[["buurtcode", "geometry"]], predicate="intersects")
    expected = hits.groupby("bronrij")["buurtcode"].min().reindex(range(len(xy)))
    assert ours == [None if isinstance(v, float) else v for v in expected.tolist()]
    assert sum(v is None for v in ours) > 100  # the sample really has points outside


def test_distance_to_features(con):
    two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    points(
        con,
        "adressen",
        [(100, 100), (100, 700), (300, 900), (310, 900)],
        identificatie=["a", "b", "c", "d"],
        is_woning=[True, True, True, False],
    )
    link_points_to_buurten(con, "adressen", "adressen_buurt")  # as the build does: a view
    park = gpd.GeoDataFrame(
        {"park_id": [1], "area_m2": [40_000.0]}, geometry=[Point(100, 1000).buffer(100, quad_segs=32)], crs=RD
    )
    write_frame(con, "staging", "parken", park)
    counts = compute_distances(con, "staging.parken", 300, "afstanden")
    assert counts == {"homes": 3, "within": 2}  # d is not a home
    distances = dict(con.execute("SELECT bronrij, afstand_m FROM joined.afstanden").fetchall())
    assert distances[0] is None
    assert distances[1] == pytest.approx(200, abs=0.1)
    assert distances[2] == pytest.approx(np.hypot(200, 100) - 100, abs=0.2)
