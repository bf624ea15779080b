"""Indicator maths on hand-built buurten: rates, minimum denominators, roll-ups from sums."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import box

from ogw_datalab.config import load_config
from ogw_datalab.indicators.compute_indicators import available_indicators, compute_indicators
from ogw_datalab.spatial.join_points_to_buurten import compute_distance_to_parks, join_points_to_buurten
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.storage import write_frame

from .fixtures import RD, points, two_by_two_buurten

DEMO = Path(__file__).resolve().parents[1] / "config" / "demo.yaml"


@pytest.fixture
def config_without_partners():
    config = load_config(DEMO, check_files=False)
    return config.model_copy(update={"partners": [], "gemeente": config.gemeente.model_copy(update={"code": "GM0001"})})


@pytest.fixture
def small_town(con):
    two_by_two_buurten(con, inwoners=(1000, 400, 40, -99999999))
    stage_cbs_areas(con, "buurten", "GM0001")
    stage_cbs_areas_wijken(con)
    # 30 trees in Zuidwest, 10 in Zuidoost, 5 in Noordwest (40 inhabitants), 7 in Noordoost (unknown).
    trees = [(100 + i, 100) for i in range(30)] + [(1100 + i, 100) for i in range(10)]
    trees += [(100 + i, 1100) for i in range(5)] + [(1100 + i, 1100) for i in range(7)]
    points(con, "layer_bomen", trees)
    join_points_to_buurten(con, "layer_bomen", "layer_bomen")
    # Homes: 4 in Zuidwest near the park, 6 far away in Zuidoost.
    homes = [(100, 100 + i) for i in range(4)] + [(1900, 100 + i) for i in range(6)]
    points(con, "adressen", homes, identificatie=[str(i) for i in range(10)], is_woning=[True] * 10)
    join_points_to_buurten(con, "adressen", "adressen_buurt")
    write_frame(
        con,
        "staging",
        "parken",
        gpd.GeoDataFrame({"park_id": [1], "area_m2": [10_000.0]}, geometry=[box(200, 0, 300, 100)], crs=RD),
    )
    compute_distance_to_parks(con, 300)
    return con


def stage_cbs_areas_wijken(con):
    wijken = gpd.GeoDataFrame(
        {"WK_CODE": ["WK000100", "WK000101"], "WK_NAAM": ["Zuid", "Noord"], "GM_CODE": "GM0001"},
        geometry=[box(0, 0, 2000, 1000), box(0, 1000, 2000, 2000)],
        crs=RD,
    )
    write_frame(con, "raw", "wijken", wijken)
    stage_cbs_areas(con, "wijken", "GM0001")


def values(con, level: str, key: str, indicator: str) -> dict:
    return dict(
        con.execute(f"SELECT {key}, waarde FROM indicators.{level} WHERE indicator = ?", [indicator]).fetchall()
    )


def test_partner_indicators_need_their_partner(config_without_partners):
    ids = [i.id for i in available_indicators(config_without_partners)]
    assert ids == ["inwoners", "bomen_per_1000_inwoners", "woningen_binnen_300m_park_pct"]


def test_rates_per_buurt_with_minimum_denominator(small_town, config_without_partners):
    counts = compute_indicators(small_town, config_without_partners)
    assert counts == {"rows": 12, "indicators": 3, "buurten": 4}
    trees = values(small_town, "buurt", "buurtcode", "bomen_per_1000_inwoners")
    assert trees == {"BU00010001": 30.0, "BU00010002": 25.0, "BU00010101": None, "BU00010102": None}
    park = values(small_town, "buurt", "buurtcode", "woningen_binnen_300m_park_pct")
    assert park == {"BU00010001": None, "BU00010002": None, "BU00010101": None, "BU00010102": None}


def test_roll_up_recomputes_rates_from_sums(small_town, config_without_partners):
    config = config_without_partners.model_copy(
        update={"parameters": config_without_partners.parameters.model_copy(update={"min_noemer_for_share": 1})}
    )
    compute_indicators(small_town, config)
    trees = values(small_town, "wijk", "wijkcode", "bomen_per_1000_inwoners")
    assert trees["WK000100"] == pytest.approx(1000 * 40 / 1400)  # not the mean of 30 and 25
    assert trees["WK000101"] == pytest.approx(1000 * 5 / 40)  # Noordoost has no known inhabitants
    gemeente = values(small_town, "gemeente", "gemeentecode", "bomen_per_1000_inwoners")
    assert gemeente["GM0001"] == pytest.approx(1000 * 45 / 1440)
    park = values(small_town, "gemeente", "gemeentecode", "woningen_binnen_300m_park_pct")
    assert park["GM0001"] == pytest.approx(40.0)
    inwoners = values(small_town, "gemeente", "gemeentecode", "inwoners")
    assert inwoners["GM0001"] == 1440
