"""Tiny hand-built areas and points in RD New for tests of staging, joins and indicators."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from ogw_datalab.checks import withheld_values_not_recoverable
from ogw_datalab.config import load_config
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.spatial.join_points_to_buurten import join_points_to_buurten, link_points_to_buurten
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.storage import write_frame

RD = "EPSG:28992"


def two_by_two_buurten(con, *, inwoners=(1000, 400, 40, -99999999)) -> gpd.GeoDataFrame:
    """Four 1 km buurten in two wijken, in the older upper-case CBS columns, staged as raw.buurten.

    BU00010001 | BU00010002     (wijk WK000100, bottom row)
    BU00010101 | BU00010102     (wijk WK000101, top row)
    """
    cells = [
        (0, 0, "BU00010001", "WK000100"),
        (1000, 0, "BU00010002", "WK000100"),
        (0, 1000, "BU00010101", "WK000101"),
        (1000, 1000, "BU00010102", "WK000101"),
    ]
    frame = gpd.GeoDataFrame(
        {
            "BU_CODE": [f" {c[2].lower()} " for c in cells],  # padded and lower-case, as messy files are
            "BU_NAAM": ["Zuidwest", "Zuidoost", "Noordwest", "Noordoost"],
            "WK_CODE": [c[3] for c in cells],
            "GM_CODE": "GM0001",
            "AANT_INW": list(inwoners),
            "AANTAL_HH": [400, 180, 20, 5],
            "OPP_LAND": 100,
            "OPP_WATER": 0,
        },
        geometry=[box(x, y, x + 1000, y + 1000) for x, y, *_ in cells],
        crs=RD,
    )
    other = gpd.GeoDataFrame(
        {
            "BU_CODE": ["BU00020001"],
            "BU_NAAM": ["Elders"],
            "WK_CODE": ["WK000200"],
            "GM_CODE": ["GM0002"],
            "AANT_INW": [10],
            "AANTAL_HH": [5],
            "OPP_LAND": [1],
            "OPP_WATER": [0],
        },
        geometry=[box(5000, 5000, 6000, 6000)],
        crs=RD,
    )
    both = gpd.GeoDataFrame(pd.concat([frame, other], ignore_index=True), crs=RD)
    write_frame(con, "raw", "buurten", both)
    return both


def stage_cbs_areas_wijken(con) -> None:
    """The two wijken of :func:`two_by_two_buurten` (Zuid, the bottom row; Noord, the top row), staged."""
    wijken = gpd.GeoDataFrame(
        {"WK_CODE": ["WK000100", "WK000101"], "WK_NAAM": ["Zuid", "Noord"], "GM_CODE": "GM0001"},
        geometry=[box(0, 0, 2000, 1000), box(0, 1000, 2000, 2000)],
        crs=RD,
    )
    write_frame(con, "raw", "wijken", wijken)
    stage_cbs_areas(con, "wijken", "GM0001")


def write_small_town(con) -> None:
    """The four buurten and two wijken of GM0001 staged, with trees, homes, a park and green areas joined.

    Inhabitants 1000, 400, 40 and unknown. 30 trees in Zuidwest, 10 in Zuidoost, 5 in Noordwest, 7 in Noordoost;
    homes: 4 in Zuidwest next to the park (100 x 100 m) and the trees, 6 far away in Zuidoost; green: 1000 x 500 m
    of loofbos across the bottom row, 100 x 100 m of grasland in Noordwest.
    """
    two_by_two_buurten(con, inwoners=(1000, 400, 40, -99999999))
    stage_cbs_areas(con, "buurten", "GM0001")
    stage_cbs_areas_wijken(con)
    # 30 trees in Zuidwest, 10 in Zuidoost, 5 in Noordwest (40 inhabitants), 7 in Noordoost (unknown).
    trees = [(100 + i, 100) for i in range(30)] + [(1100 + i, 100) for i in range(10)]
    trees += [(100 + i, 1100) for i in range(5)] + [(1100 + i, 1100) for i in range(7)]
    points(con, "layer_bomen", trees)
    join_points_to_buurten(con, "layer_bomen", "layer_bomen")
    # Homes: 4 in Zuidwest next to the park and the trees, 6 far away in Zuidoost.
    homes = [(100, 100 + i) for i in range(4)] + [(1900, 100 + i) for i in range(6)]
    points(con, "adressen", homes, identificatie=[str(i) for i in range(10)], is_woning=[True] * 10)
    link_points_to_buurten(con, "adressen", "adressen_buurt")  # as the build does: a view
    park = gpd.GeoDataFrame({"park_id": [1], "area_m2": [10_000.0]}, geometry=[box(200, 0, 300, 100)], crs=RD)
    write_frame(con, "staging", "parken", park)
    green = gpd.GeoDataFrame(
        {"bronrij": [1, 2], "type": ["loofbos", "grasland"]},
        geometry=[box(500, 0, 1500, 500), box(0, 1000, 100, 1100)],
        crs=RD,
    )
    write_frame(con, "staging", "layer_groen", green.assign(area_m2=green.area))


def points(con, table: str, coordinates: list[tuple[float, float] | None], **columns) -> None:
    """Write ``staging.<table>`` with a ``bronrij`` and the given points (None = no geometry)."""
    geometry = [None if c is None else Point(c) for c in coordinates]
    frame = gpd.GeoDataFrame({"bronrij": range(len(geometry)), **columns}, geometry=geometry, crs=RD)
    write_frame(con, "staging", table, frame)


def assert_nothing_suppressed_is_published(database, maps) -> int:
    """No withheld figure in the publication table, the downloads, the map pages or the buurtprofielen.

    Returns how many figures are withheld (a test should see some).
    """
    con = connect(database, read_only=True)
    hidden = con.execute(
        "SELECT indicator, buurtcode, reden FROM indicators.publicatie_buurt WHERE status = 'onderdrukt'"
    ).fetchall()
    leaked = con.execute(
        "SELECT count(*) FROM indicators.publicatie_buurt WHERE status = 'onderdrukt' AND waarde IS NOT NULL"
    ).fetchone()[0]
    con.close()
    assert leaked == 0
    for indicator, buurtcode, reden in hidden:
        table = pd.read_csv(maps / "downloads" / f"indicator_{indicator}-data.csv", dtype=str).set_index("buurtcode")
        assert pd.isna(table.loc[buurtcode, "waarde"]), (indicator, buurtcode)
        assert table.loc[buurtcode, "waarde_status"] == "onderdrukt"
        assert table.loc[buurtcode, "waarde_reden"] == reden
        page = (maps / f"{indicator}.html").read_text(encoding="utf-8")
        feature = re.search(r'"c":"' + buurtcode + r'"[^}]*', page)
        assert feature is not None, (indicator, buurtcode)
        said = '"t":["aanvullend onderdrukt: ' if reden.startswith("aanvullend onderdrukt") else '"t":["onderdrukt: '
        assert said in feature.group(0), (indicator, buurtcode)  # the reason says "onderdrukt" once
        profile = (maps / "buurten" / f"{buurtcode}.html").read_text(encoding="utf-8")
        card = profile.split(f'id="c-{indicator}"')[1].split("</article>")[0]
        assert '<p class="waarde">onderdrukt</p>' in card, (indicator, buurtcode)
        assert "deze buurt" not in card, (indicator, buurtcode)
    return len(hidden)


def assert_no_withheld_value_can_be_recomputed(database, config_path) -> int:
    """The disclosure proof on a finished build: no withheld figure follows from the published ones.

    Returns how many figures were withheld only to protect others (a real build should have some).
    """
    config = load_config(config_path, check_files=False)
    catalogue = load_catalogue(config.indicatoren, config)
    con = connect(database, read_only=True)
    outcome = withheld_values_not_recoverable(con, catalogue, config.privacy)
    extra = sum(
        con.execute(f"SELECT count(*) FROM indicators.publicatie_{level} WHERE reden LIKE 'aanvullend%'").fetchone()[0]
        for level in ("buurt", "wijk", "gemeente")
    )
    con.close()
    assert outcome.passed, (outcome.description, outcome.metadata["examples"])
    return extra


def storage_of(con, table: str, column: str) -> set[str]:
    """The kinds of segment DuckDB stores ``column`` of ``table`` in (GEOMETRY for one WKB value a row, DOUBLE for
    coordinates kept as numbers)."""
    info = con.execute(f"PRAGMA storage_info('{table}')").fetchall()
    names = [d[0] for d in con.description]
    rows = [dict(zip(names, row, strict=True)) for row in info]
    return {r["segment_type"] for r in rows if r["column_name"] == column and r["segment_type"] != "VALIDITY"}
