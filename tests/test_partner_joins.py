"""Partner rows placed by each key on hand-built buurten and addresses; the rest quarantined with a reason."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString

from ogw_datalab.config import Partner, ProjectConfig, Source, load_config
from ogw_datalab.readers import read_source
from ogw_datalab.spatial.join_partners import join_partner
from ogw_datalab.spatial.join_points_to_buurten import join_points_to_buurten
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_partners import stage_partner
from ogw_datalab.storage import partner_table, write_frame

from .fixtures import RD, points, two_by_two_buurten
from .test_indicators import DEMO, stage_cbs_areas_wijken


@pytest.fixture
def config() -> ProjectConfig:
    demo = load_config(DEMO, check_files=False)
    return demo.model_copy(update={"gemeente": demo.gemeente.model_copy(update={"code": "GM0001"}), "jaar": 2024})


@pytest.fixture
def town(con):
    two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    stage_cbs_areas_wijken(con)
    # Three addresses in Zuidwest (postcode 1234AB), one in Zuidoost (1234AC) and one in Noordwest (1235AA).
    points(
        con,
        "adressen",
        [(100, 100), (200, 100), (300, 100), (1500, 100), (500, 1500)],
        identificatie=[
            "0001010000000001",
            "0001010000000002",
            "0001010000000003",
            "0001010000000004",
            "0001010000000005",
        ],
        postcode=["1234AB", "1234AB", "1234AB", "1234AC", "1235AA"],
        huisnummer=[1, 2, 2, 7, 9],
        huisletter=[None, None, "A", None, None],
        toevoeging=[None, None, None, None, "BIS"],
        is_woning=[True] * 5,
    )
    join_points_to_buurten(con, "adressen", "adressen_buurt")
    return con


def place(con, config, frame: pd.DataFrame, **partner) -> tuple[dict, list]:
    spec = Partner.model_validate({"name": "p", "kind": "csv", "path": "p.csv", **partner})
    write_frame(con, "raw", partner_table("p"), frame.assign(bronrij=range(1, len(frame) + 1)))
    stage_partner(con, spec)
    counts = join_partner(con, spec, config)
    quarantine = con.execute("SELECT bronrij, reden FROM joined.quarantaine_partners ORDER BY bronrij").fetchall()
    return counts, quarantine


def placed(con) -> list:
    return con.execute("SELECT bronrij, buurtcode, wijkcode FROM joined.partner_p ORDER BY bronrij").fetchall()


def test_postcode_pc6_and_pc4(town, config):
    frame = pd.DataFrame({"pc": ["1234 ab", "1234", "1235AA", "9999ZZ", None, "12345"]})
    counts, quarantine = place(town, config, frame, key="postcode", columns={"postcode": "pc"})
    assert placed(town) == [
        (1, "BU00010001", "WK000100"),
        (2, "BU00010001", "WK000100"),
        (3, "BU00010101", "WK000101"),
    ]  # PC4 1234: 3 of its 4 addresses in Zuidwest
    assert [r for _, r in quarantine] == [
        "postcode heeft geen BAG-adressen in deze gemeente",
        "lege postcode",
        "geen geldige postcode (PC4 of PC6)",
    ]
    assert counts["match_rate"] == 0.5


def test_bag_id_including_spreadsheet_floats(town, config):
    frame = pd.DataFrame({"vbo": ["0001010000000004", "1010000000001.0", "1.010000000002E+12", "123", None]})
    counts, quarantine = place(town, config, frame, key="bag_id", columns={"bag_id": "vbo"})
    assert [row[:2] for row in placed(town)] == [(1, "BU00010002"), (2, "BU00010001"), (3, "BU00010001")]
    assert [r for _, r in quarantine] == ["geen geldig BAG-id (16 cijfers)", "leeg BAG-id"]


def test_address_with_letter_and_addition(town, config):
    frame = pd.DataFrame(
        {
            "pc": ["1234AB", "1234AB", "1235AA", "1235AA", "1234AB"],
            "nr": ["2", "2", "9", "9", "x"],
            "letter": [None, "a", None, None, None],
            "toev": [None, None, "bis", None, None],
        }
    )
    counts, quarantine = place(
        town,
        config,
        frame,
        key="adres",
        columns={"postcode": "pc", "huisnummer": "nr", "huisletter": "letter", "toevoeging": "toev"},
    )
    assert [row[:2] for row in placed(town)] == [(1, "BU00010001"), (2, "BU00010001"), (3, "BU00010101")]
    assert quarantine[0][0] == 4 and "niet gevonden" in quarantine[0][1]
    assert quarantine[1] == (5, "postcode of huisnummer ontbreekt of is geen getal")


def test_codes_of_other_levels_and_gemeenten_are_left_out(town, config):
    frame = pd.DataFrame({"code": ["BU00010002", "WK000100", "GM0001", "BU00020001", "BU00019999", None]})
    counts, quarantine = place(town, config, frame, key="buurtcode", columns={"buurtcode": "code"})
    assert counts == {"rows": 3, "matched": 1, "quarantined": 2, "match_rate": 0.3333, "other_levels_or_gemeenten": 3}
    assert [r for _, r in quarantine] == [
        "buurtcode komt niet voor in de buurten van deze gemeente en dit jaar",
        "lege buurtcode",
    ]


def test_codes_of_another_gebiedsindeling_are_refused(town, config):
    frame = pd.DataFrame({"code": ["BU00010002", "BU00010001"]})
    counts, quarantine = place(
        town, config, frame, key="buurtcode", columns={"buurtcode": "code"}, gebiedsindeling=2020
    )
    assert counts["matched"] == 0 and len(quarantine) == 2
    assert "gebiedsindeling 2020 van het bestand wijkt af van die van de buurten (2024)" in quarantine[0][1]


def test_wijkcode(town, config):
    frame = pd.DataFrame({"code": ["wk000101 ", "WK000199"]})
    counts, quarantine = place(town, config, frame, key="wijkcode", columns={"wijkcode": "code"})
    assert placed(town) == [(1, None, "WK000101")]
    assert counts["quarantined"] == 1


def test_coordinates(town, config):
    spec = Partner(name="p", kind="csv", key="coordinaten", path="p.csv", x="x", y="y", crs="EPSG:28992")
    frame = gpd.GeoDataFrame(
        {"bronrij": [1, 2, 3]}, geometry=gpd.points_from_xy([100, 5000, 0], [100, 5000, 0]), crs=RD
    )
    frame.loc[2, "geometry"] = None
    write_frame(town, "raw", partner_table("p"), frame)
    stage_partner(town, spec)
    counts = join_partner(town, spec, config)
    reasons = town.execute("SELECT reden FROM joined.quarantaine_partners ORDER BY bronrij").fetchall()
    assert counts["matched"] == 1 and [r[0] for r in reasons] == [
        "ligt buiten de buurten van de gemeente",
        "geen (geldige) coördinaten",
    ]


def test_non_polygon_buurt_is_rejected_and_counted(con):
    frame = two_by_two_buurten(con)
    extra = frame.iloc[[0]].assign(BU_CODE="BU00010003", geometry=[LineString([(0, 0), (10, 10)])])
    write_frame(con, "raw", "buurten", gpd.GeoDataFrame(pd.concat([frame, extra]), crs=RD))
    counts = stage_cbs_areas(con, "buurten", "GM0001")
    assert counts["rows"] == 4 and counts["rejected_geometries"] == 1


def test_shapefile_of_the_wijk_en_buurtkaart(con, shared_data, tmp_path):
    source = gpd.read_file(shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "buurt.geojson")
    alphen = source[source["GM_CODE"] == "GM0484"]
    alphen.to_file(tmp_path / "buurt_2015.shp")
    frame = read_source("sources.buurten", Source(kind="cbs_wijkbuurtkaart", path=tmp_path / "buurt_2015.shp"))
    write_frame(con, "raw", "buurten", frame)
    assert stage_cbs_areas(con, "buurten", "GM0484")["rows"] == 87
    assert con.execute("SELECT sum(aantal_inwoners) FROM staging.buurten").fetchone()[0] == 107_200
