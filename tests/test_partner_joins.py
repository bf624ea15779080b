"""Partner rows placed by each key on hand-built and real buurten and addresses.

Rows of another gemeente or level are left out and counted; the rest that cannot be placed is quarantined
with a reason; the match rate is over the rows that belong to the gemeente.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from shapely.geometry import LineString

from ogw_datalab.checks import addresses_cover_the_gemeente, partner_match_rates_above_threshold
from ogw_datalab.config import Partner, ProjectConfig, Source, load_config
from ogw_datalab.readers import read_source
from ogw_datalab.spatial.join_partners import join_partner
from ogw_datalab.spatial.join_points_to_buurten import join_points_to_buurten, link_points_to_buurten
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_layers import stage_addresses
from ogw_datalab.staging.stage_partners import stage_partner
from ogw_datalab.storage import partner_table, write_frame

from .factories import DEMO
from .fixtures import RD, points, stage_cbs_areas_wijken, two_by_two_buurten
from .labs import PROJECT, Lab, demo_config


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
    # A sixth (1235AB 3) lies in the neighbouring gemeente GM0002, whose PC4 1235 the gemeente shares.
    points(
        con,
        "adressen",
        [(100, 100), (200, 100), (300, 100), (1500, 100), (500, 1500), (5500, 5500)],
        identificatie=[
            "0001010000000001",
            "0001010000000002",
            "0001010000000003",
            "0001010000000004",
            "0001010000000005",
            "0002010000000006",
        ],
        postcode=["1234AB", "1234AB", "1234AB", "1234AC", "1235AA", "1235AB"],
        huisnummer=[1, 2, 2, 7, 9, 3],
        huisletter=[None, None, "A", None, None, None],
        toevoeging=[None, None, None, None, "BIS", None],
        is_woning=[True] * 6,
    )
    link_points_to_buurten(con, "adressen", "adressen_buurt")  # as the build does: a view
    return con


def place(con, config, frame: pd.DataFrame, **partner) -> tuple[dict, list]:
    spec = Partner.model_validate({"naam": "p", "soort": "csv", "pad": "p.csv", **partner})
    write_frame(con, "raw", partner_table("p"), frame.assign(bronrij=range(1, len(frame) + 1)))
    stage_partner(con, spec)
    counts = join_partner(con, spec, config)
    quarantine = con.execute("SELECT bronrij, reden FROM joined.quarantaine_partners ORDER BY bronrij").fetchall()
    return counts, quarantine


def placed(con) -> list:
    return con.execute("SELECT bronrij, buurtcode, wijkcode FROM joined.partner_p ORDER BY bronrij").fetchall()


def counted(counts: dict) -> tuple:
    """(rows read, filtered by keep, left out, rows of the gemeente, placed, quarantined), checked to add up."""
    assert counts["rows_read"] == counts["filtered_by_keep"] + counts["other_levels_or_gemeenten"] + counts["rows"]
    assert counts["rows"] == counts["matched"] + counts["quarantined"]
    return tuple(
        counts[k]
        for k in ("rows_read", "filtered_by_keep", "other_levels_or_gemeenten", "rows", "matched", "quarantined")
    )


def test_postcode_pc6_and_pc4(town, config):
    frame = pd.DataFrame({"pc": ["1234 ab", "1234", "1235AA", "9999ZZ", None, "12345", "1234ZZ"]})
    counts, quarantine = place(town, config, frame, sleutel="postcode", kolommen={"postcode": "pc"})
    assert placed(town) == [
        (1, "BU00010001", "WK000100"),
        (2, "BU00010001", "WK000100"),
        (3, "BU00010101", "WK000101"),
    ]  # PC4 1234: 3 of its 4 addresses in Zuidwest
    assert quarantine == [
        (5, "lege postcode"),
        (6, "geen geldige postcode (PC4 of PC6)"),
        (7, "postcode komt niet voor in de BAG-adressen van de gemeente (de PC4 wel)"),
    ]
    # 9999ZZ: no address of the gemeente has PC4 9999, so the row is another gemeente's: left out, not quarantined.
    assert counted(counts) == (7, 0, 1, 6, 3, 3)
    assert counts["match_rate"] == 0.5


def test_bag_id_including_spreadsheet_floats(town, config):
    frame = pd.DataFrame(
        {"vbo": ["0001010000000004", "1010000000001.0", "1.010000000002E+12", "123", None, "0002010000000006"]}
    )
    counts, quarantine = place(town, config, frame, sleutel="bag_id", kolommen={"bag_id": "vbo"})
    assert [row[:2] for row in placed(town)] == [(1, "BU00010002"), (2, "BU00010001"), (3, "BU00010001")]
    assert [r for _, r in quarantine] == ["geen geldig BAG-id (16 cijfers)", "leeg BAG-id"]
    assert counted(counts) == (6, 0, 1, 5, 3, 2)  # the address found outside the buurten is left out


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
        sleutel="adres",
        kolommen={"postcode": "pc", "huisnummer": "nr", "huisletter": "letter", "toevoeging": "toev"},
    )
    assert [row[:2] for row in placed(town)] == [(1, "BU00010001"), (2, "BU00010001"), (3, "BU00010101")]
    assert quarantine == [
        (4, "adres (postcode, huisnummer, huisletter, toevoeging) niet gevonden in de BAG-adressen"),
        (5, "huisnummer 'X' begint niet met een getal"),
    ]
    assert counted(counts) == (5, 0, 0, 5, 3, 2)


def address_ids(con) -> dict:
    return dict(con.execute("SELECT bronrij, adres_identificatie FROM joined.partner_p").fetchall())


def test_address_key_with_only_postcode_and_huisnummer_reads_the_whole_number(town, config):
    """Before: BinderException 'Table "p" does not have a column named "huisletter"'."""
    frame = pd.DataFrame({"pc": ["1234AB", "1234AB", "1235AA", "1235aa"], "nr": ["2", "2 a", "9bis", "9-bis"]})
    counts, quarantine = place(town, config, frame, sleutel="adres", kolommen={"postcode": "pc", "huisnummer": "nr"})
    assert address_ids(town) == {
        1: "0001010000000002",
        2: "0001010000000003",
        3: "0001010000000005",
        4: "0001010000000005",
    }
    assert quarantine == []
    assert counts["match_rate"] == 1.0


def test_address_letter_written_in_the_toevoeging_column_matches_the_bag_letter(town, config):
    """Before: '12 a' in a toevoeging column did not match BAG huisnummer 12, huisletter A."""
    frame = pd.DataFrame({"pc": ["1234AB"] * 3, "nr": ["2"] * 3, "letter": [None] * 3, "toev": ["a", "2 a", "A-"]})
    columns = {"postcode": "pc", "huisnummer": "nr", "huisletter": "letter", "toevoeging": "toev"}
    counts, quarantine = place(town, config, frame, sleutel="adres", kolommen=columns)
    assert set(address_ids(town).values()) == {"0001010000000003"}
    assert counts["matched"] == 3


def test_address_of_another_gemeente_is_left_out_and_counted(town, config):
    frame = pd.DataFrame({"pc": ["9999ZZ", "1235AB", "1235AC", "1234AB"], "nr": ["1", "3", "3", "1"]})
    counts, quarantine = place(town, config, frame, sleutel="adres", kolommen={"postcode": "pc", "huisnummer": "nr"})
    # 9999ZZ: a PC4 without addresses in the gemeente; 1235AB 3: the BAG address lies outside its buurten.
    # 1235AC 3: PC4 1235 is the gemeente's, so an unknown address there is quarantined (a typing error, likely).
    assert counted(counts) == (4, 0, 2, 2, 1, 1)
    assert quarantine == [(3, "adres (postcode, huisnummer, huisletter, toevoeging) niet gevonden in de BAG-adressen")]
    assert counts["match_rate"] == 0.5


def test_keep_filters_partner_rows_before_placement(town, config):
    """Before: 'keep' on a partner was silently ignored."""
    frame = pd.DataFrame(
        {
            "code": ["BU00010001", "BU00010002", "BU00019999", "WK000100"],
            "soort": ["Buurt", "Buurt ", "Vervallen", "Wijk"],
            "waarde": ["1", "2", "3", "4"],
        }
    )
    counts, quarantine = place(
        town,
        config,
        frame,
        sleutel="buurtcode",
        kolommen={"buurtcode": "code", "soort": "soort", "waarde": "waarde"},
        alleen={"soort": ["Buurt"]},
    )
    assert placed(town) == [(1, "BU00010001", "WK000100"), (2, "BU00010002", "WK000100")]
    assert quarantine == []  # the unknown code was filtered by keep before placement, never quarantined
    assert counted(counts) == (4, 2, 0, 2, 2, 0)
    assert counts["match_rate"] == 1.0


def test_codes_of_other_levels_and_gemeenten_are_left_out(town, config):
    frame = pd.DataFrame({"code": ["BU00010002", "WK000100", "GM0001", "BU00020001", "BU00019999", None]})
    counts, quarantine = place(town, config, frame, sleutel="buurtcode", kolommen={"buurtcode": "code"})
    assert counts == {
        "rows_read": 6,
        "filtered_by_keep": 0,
        "other_levels_or_gemeenten": 3,
        "rows": 3,
        "matched": 1,
        "quarantined": 2,
        "match_rate": 0.3333,
    }
    assert [r for _, r in quarantine] == [
        "buurtcode komt niet voor in de buurten van deze gemeente en dit jaar",
        "lege buurtcode",
    ]


def test_codes_of_another_gebiedsindeling_are_refused(town, config):
    frame = pd.DataFrame({"code": ["BU00010002", "BU00010001"]})
    counts, quarantine = place(
        town, config, frame, sleutel="buurtcode", kolommen={"buurtcode": "code"}, gebiedsindeling=2020
    )
    assert counts["matched"] == 0
    assert len(quarantine) == 2
    assert "gebiedsindeling 2020 van het bestand wijkt af van die van de buurten (2024)" in quarantine[0][1]


def test_wijkcode(town, config):
    frame = pd.DataFrame({"code": ["wk000101 ", "WK000199", "WK000200", "BU00010001"]})
    counts, quarantine = place(town, config, frame, sleutel="wijkcode", kolommen={"wijkcode": "code"})
    assert placed(town) == [(1, None, "WK000101")]
    assert counted(counts) == (4, 0, 2, 2, 1, 1)


def test_coordinates_outside_the_gemeente_are_left_out(town, config):
    spec = Partner(naam="p", soort="csv", sleutel="coordinaten", pad="p.csv", x="x", y="y", crs="EPSG:28992")
    frame = gpd.GeoDataFrame(
        {"bronrij": [1, 2, 3]}, geometry=gpd.points_from_xy([100, 5000, 0], [100, 5000, 0]), crs=RD
    )
    frame.loc[2, "geometry"] = None
    write_frame(town, "raw", partner_table("p"), frame)
    stage_partner(town, spec)
    counts = join_partner(town, spec, config)
    reasons = town.execute("SELECT bronrij, reden FROM joined.quarantaine_partners ORDER BY bronrij").fetchall()
    assert reasons == [(3, "geen (geldige) coördinaten")]
    assert counted(counts) == (3, 0, 1, 2, 1, 1)


def test_regional_file_placed_by_coordinates_counts_only_the_gemeente(con, shared_data, config):
    """Before: the region's schools outside Alphen were quarantined and failed the 0.9 match rate.

    The schools of Veiligheidsregio Hollands Midden (DUO, 268) against Alphen's buurten of 2015;
    the expected count inside comes from geopandas, independently of the pipeline.
    """
    folder = shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden"
    buurten = read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=folder / "buurt.geojson"))
    write_frame(con, "raw", "buurten", buurten)
    stage_cbs_areas(con, "buurten", "GM0484")
    schools_file = shared_data / "vr_hollands_midden_voorzieningen_2016" / "scholenonderwijs_bo.geojson"
    spec = Partner(naam="p", soort="vector", sleutel="coordinaten", pad=schools_file, kolommen={"brin": "BRIN NUMMER"})
    write_frame(con, "raw", partner_table("p"), read_source("partners.p", spec))
    stage_partner(con, spec)
    alphen = config.model_copy(update={"gemeente": config.gemeente.model_copy(update={"code": "GM0484"})})
    counts = join_partner(con, spec, alphen)

    schools = gpd.read_file(schools_file).to_crs(RD)
    areas = gpd.read_file(folder / "buurt.geojson").to_crs(RD)
    inside = schools.geometry.intersects(areas[areas["GM_CODE"] == "GM0484"].union_all())
    assert 30 <= inside.sum() <= 60
    assert (counts["quarantined"], counts["matched"]) == (0, inside.sum())
    assert counted(counts) == (268, 0, 268 - inside.sum(), inside.sum(), inside.sum(), 0)
    assert counts["match_rate"] == 1.0


@pytest.fixture
def ede(con, shared_data, config):
    """Ede's buurten of 2015 and 2,481 real BAG addresses of Otterlo and Wekerom (gemeente Ede)."""
    folder = shared_data / "cbs_wijkbuurtkaart_2015_nl" / "gelderland-midden"
    buurten = read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=folder / "buurt.geojson"))
    write_frame(con, "raw", "buurten", buurten)
    stage_cbs_areas(con, "buurten", "GM0228")
    bag = Source(
        soort="bag_verblijfsobjecten",
        pad=shared_data / "bag_adressen_ede_otterlo_sample" / "dutch_addresses_28992.gpkg",
        laag="OGRGeoJSON",
        kolommen={"identificatie": "id"},
    )
    write_frame(con, "raw", "adressen", read_source("bronnen.adressen", bag))
    stage_addresses(con, bag)
    link_points_to_buurten(con, "adressen", "adressen_buurt")  # as the build does: a view
    return con, config.model_copy(update={"gemeente": config.gemeente.model_copy(update={"code": "GM0228"})})


def test_bag_addresses_of_two_villages_are_named_as_a_part_of_ede(ede):
    """The sample's 2,481 addresses against Ede's households: distances and partner rows by address would be those
    of Otterlo and Wekerom only (rows in Ede itself were left out as another gemeente's, silently)."""
    con, config = ede
    households = con.execute("SELECT sum(aantal_huishoudens) FROM staging.buurten").fetchone()[0]
    assert households > 40_000
    outcome = addresses_cover_the_gemeente(con, config)
    assert not outcome.passed
    assert outcome.metadata["addresses"] == 2481
    assert outcome.metadata["households"] == households
    largest = con.execute(
        "SELECT buurtnaam, CAST(aantal_huishoudens AS BIGINT) FROM staging.buurten "
        "ORDER BY aantal_huishoudens DESC, buurtnaam LIMIT 5"
    ).fetchall()
    assert outcome.metadata["buurten without addresses (examples)"] == [f"{b} ({n} households)" for b, n in largest]
    assert largest[0] == ("Centrum Ede", 2075)
    assert f"{2481 / households:.0%} of its {households:,.0f} households" in outcome.description
    # Every household of the sample's buurten and no more: then the addresses count as covering the gemeente
    con.execute(
        "UPDATE staging.buurten AS b SET aantal_huishoudens = (SELECT count(*) FROM joined.adressen_buurt AS a "
        "WHERE a.buurtcode = b.buurtcode)"
    )
    assert addresses_cover_the_gemeente(con, config).passed
    no_addresses = config.model_copy(update={"bronnen": config.bronnen.model_copy(update={"adressen": None})})
    assert addresses_cover_the_gemeente(con, no_addresses).description == "no BAG addresses configured"


def test_the_address_view_equals_the_table_the_join_wrote_before_on_real_bag_addresses(ede):
    """The build links the addresses (a view over staging.adressen and the assignment); the table that
    join_points_to_buurten writes from the same rows has every row, column, type, value and the order."""
    con, _ = ede
    assert join_points_to_buurten(con, "adressen", "adressen_als_tabel") == {
        "rows": 2481,
        "in_buurt": 2481,
        "outside": 0,
    }
    kinds = dict(
        con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'joined'"
        ).fetchall()
    )
    assert kinds == {
        "adressen_buurt": "VIEW",
        "adressen_buurt_toewijzing": "BASE TABLE",
        "adressen_als_tabel": "BASE TABLE",
    }

    def columns(table: str) -> list[tuple]:
        return con.execute(f"SELECT column_name, column_type FROM (DESCRIBE joined.{table})").fetchall()

    assert columns("adressen_buurt") == columns("adressen_als_tabel")
    assert [c for c, _ in columns("adressen_buurt_toewijzing")] == ["bronrij", "buurtcode"]
    view = con.execute("SELECT * EXCLUDE (geometry), ST_AsText(geometry) FROM joined.adressen_buurt").fetchall()
    table = con.execute("SELECT * EXCLUDE (geometry), ST_AsText(geometry) FROM joined.adressen_als_tabel").fetchall()
    assert view == table
    assert len({row[-2] for row in view}) >= 5  # the addresses lie in several buurten (Otterlo, Wekerom, ...)


# Real BAG records of the sample (postcode, huisnummer, huisletter, toevoeging -> id), each written as partners do.
REAL_ADDRESSES = [
    # Barneveldseweg 7, 7A, 7A-1 and 7B (6731EJ, Otterlo)
    ("6731EJ", ("7",), "inspireadressen.1745037"),
    ("6731EJ", ("7a",), "inspireadressen.1745038"),
    ("6731EJ", ("7 A",), "inspireadressen.1745038"),
    ("6731EJ", ("7-a",), "inspireadressen.1745038"),
    ("6731EJ", ("7", None, "a"), "inspireadressen.1745038"),
    ("6731EJ", ("7", None, "7 a"), "inspireadressen.1745038"),
    ("6731EJ", ("7 a 1",), "inspireadressen.1745087"),
    ("6731EJ", ("7A-1",), "inspireadressen.1745087"),
    ("6731EJ", ("7a1",), "inspireadressen.1745087"),
    ("6731EJ", ("7", "a", "1"), "inspireadressen.1745087"),
    ("6731EJ", ("7", None, "A1"), "inspireadressen.1745087"),
    ("6731EJ", ("7", None, "b"), "inspireadressen.1745088"),
    # Koperensteeg 23, 23A and 23-1 (6733JA, Wekerom)
    ("6733JA", ("23",), "inspireadressen.1747522"),
    ("6733JA", ("23 a",), "inspireadressen.1747523"),
    ("6733JA", ("23-1",), "inspireadressen.1757124"),
    ("6733JA", ("23", None, "1"), "inspireadressen.1757124"),
    # Edeseweg 51A-1 and 51C-001 (6733AC, Wekerom): the addition keeps its zeros
    ("6733AC", ("51 A 1",), "inspireadressen.1752775"),
    ("6733AC", ("51C-001",), "inspireadressen.1752785"),
    # Roekelseweg 48 R B7 (6733BP, Wekerom): letter and a two-character addition, also written together
    ("6733BP", ("48 R B7",), "inspireadressen.1754770"),
    ("6733BP", ("48RB7",), "inspireadressen.1754770"),
    ("6733BP", ("48", "r", "b7"), "inspireadressen.1754770"),
    # Vijverlaan 1 HA01 (6731CK, Otterlo): a four-character addition, in any column
    ("6731CK", ("1 HA01",), "inspireadressen.1754788"),
    ("6731CK", ("1-ha01",), "inspireadressen.1754788"),
    ("6731CK", ("1", None, "HA01"), "inspireadressen.1754788"),
    # Bovenweg 5-12 (6731AE, Otterlo): a numeric addition, not a range, because 5-12 exists
    ("6731AE", ("5-12",), "inspireadressen.1745238"),
    ("6731AE", ("5", None, "12"), "inspireadressen.1745238"),
]


def test_address_forms_match_real_bag_records(ede):
    con, config = ede
    rows = [(pc, *(list(fields) + [None, None])[:3]) for pc, fields, _ in REAL_ADDRESSES]
    frame = pd.DataFrame(rows, columns=["pc", "nr", "letter", "toev"])
    columns = {"postcode": "pc", "huisnummer": "nr", "huisletter": "letter", "toevoeging": "toev"}
    counts, quarantine = place(con, config, frame, sleutel="adres", kolommen=columns)
    found = address_ids(con)
    expected = {i + 1: bag_id for i, (*_, bag_id) in enumerate(REAL_ADDRESSES)}
    assert {i: found.get(i) for i in expected} == expected
    assert quarantine == []
    assert counts["match_rate"] == 1.0


def test_real_addresses_that_do_not_exist_or_lie_elsewhere(ede):
    con, config = ede
    frame = pd.DataFrame(
        {
            "pc": ["6733AC", "6731EJ", "6731ZZ", "3771AA", "6731EJ"],
            "nr": ["51C-1", "7c", "1", "1", "7 zwart"],
        }
    )
    counts, quarantine = place(con, config, frame, sleutel="adres", kolommen={"postcode": "pc", "huisnummer": "nr"})
    not_found = "adres (postcode, huisnummer, huisletter, toevoeging) niet gevonden in de BAG-adressen"
    assert quarantine == [
        (1, not_found),  # 51C-001 exists, 51C-1 does not: zeros are part of a BAG addition
        (2, not_found),
        (3, not_found),  # PC4 6731 is Ede's, the PC6 is not: a typing error rather than another gemeente
        (5, "toevoeging 'ZWART' van '7 ZWART' is langer dan 4 tekens (BAG)"),
    ]
    assert counted(counts) == (5, 0, 1, 4, 0, 4)  # 3771AA (Barneveld) is left out


def test_a_house_number_range_matches_its_first_number(ede):
    """DUO writes a school on numbers 9 to 11 as '9 -11'; Koperensteeg 23-25 does not exist, so '23 -25' is 23."""
    con, config = ede
    frame = pd.DataFrame({"pc": ["6733JA", "6733JA"], "nr": ["23 -25", "23 -24"]})
    counts, quarantine = place(con, config, frame, sleutel="adres", kolommen={"postcode": "pc", "huisnummer": "nr"})
    assert address_ids(con) == {1: "inspireadressen.1747522"}
    assert quarantine == [
        (2, "adres (postcode, huisnummer, huisletter, toevoeging) niet gevonden in de BAG-adressen")
    ]  # 24 is on the other side of the street: not a range of 23


def test_an_existing_addition_wins_over_the_range_reading(town, config):
    town.execute(  # joined.adressen_buurt is a view of staging.adressen: the new address gets the same buurt
        "INSERT INTO staging.adressen SELECT * REPLACE ('0001010000000007' AS identificatie, '4' AS toevoeging) "
        "FROM staging.adressen WHERE identificatie = '0001010000000002'"
    )  # 1234AB 2-4 beside 1234AB 2
    frame = pd.DataFrame({"pc": ["1234AB", "1234AB"], "nr": ["2 -4", "2-6"]})
    place(town, config, frame, sleutel="adres", kolommen={"postcode": "pc", "huisnummer": "nr"})
    assert address_ids(town) == {1: "0001010000000007", 2: "0001010000000002"}


def test_non_polygon_buurt_is_rejected_and_counted(con):
    frame = two_by_two_buurten(con)
    extra = frame.iloc[[0]].assign(BU_CODE="BU00010003", geometry=[LineString([(0, 0), (10, 10)])])
    write_frame(con, "raw", "buurten", gpd.GeoDataFrame(pd.concat([frame, extra]), crs=RD))
    counts = stage_cbs_areas(con, "buurten", "GM0001")
    assert counts["rows"] == 4
    assert counts["rejected_geometries"] == 1


def test_shapefile_of_the_wijk_en_buurtkaart(con, shared_data, tmp_path):
    source = gpd.read_file(shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "buurt.geojson")
    alphen = source[source["GM_CODE"] == "GM0484"]
    alphen.to_file(tmp_path / "buurt_2015.shp")
    frame = read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=tmp_path / "buurt_2015.shp"))
    write_frame(con, "raw", "buurten", frame)
    assert stage_cbs_areas(con, "buurten", "GM0484")["rows"] == 87
    assert con.execute("SELECT sum(aantal_inwoners) FROM staging.buurten").fetchone()[0] == 107_200


def test_partner_check_passes_on_a_fresh_database_without_partners(con, config):
    """Before: CatalogException, because joined.partners and joined.quarantaine_partners never get created."""
    outcome = partner_match_rates_above_threshold(con, config.model_copy(update={"partners": []}))
    assert outcome.passed
    assert outcome.description == "no partners configured"


def test_partner_check_fails_plainly_when_configured_partners_were_never_joined(con, config):
    outcome = partner_match_rates_above_threshold(con, config)
    assert not outcome.passed
    assert outcome.metadata["below (partner, rate, minimum)"] == [[p.naam, None, 0.9] for p in config.partners]


@pytest.mark.e2e
def test_configuration_without_partners_builds_on_a_fresh_database(tmp_path):
    """Before: 'CatalogException: Table with name quarantaine_partners does not exist' in the blocking check."""
    catalogue = yaml.safe_load((PROJECT / "config" / "demo_indicatoren.yaml").read_text(encoding="utf-8"))
    catalogue["indicatoren"] = [i for i in catalogue["indicatoren"] if "partner" not in i["formule"]]
    kept = {i["id"] for i in catalogue["indicatoren"]}
    opgaven = yaml.safe_load((PROJECT / "config" / "demo_opgaven.yaml").read_text(encoding="utf-8"))
    for opgave in opgaven["opgaven"]:
        opgave["indicatoren"] = [i for i in opgave["indicatoren"] if i["id"] in kept]
        opgave["hefbomen"] = [h for h in opgave.get("hefbomen", []) if set(h["indicatoren"]) <= kept]
    opgaven["opgaven"] = [o for o in opgaven["opgaven"] if o["indicatoren"]]
    (tmp_path / "indicatoren.yaml").write_text(yaml.safe_dump(catalogue, allow_unicode=True), encoding="utf-8")
    (tmp_path / "opgaven.yaml").write_text(yaml.safe_dump(opgaven, allow_unicode=True), encoding="utf-8")
    config = demo_config(
        tmp_path,
        partners=[],
        indicatoren=str(tmp_path / "indicatoren.yaml"),
        opgaven=str(tmp_path / "opgaven.yaml"),
    )
    run = Lab(tmp_path, config).run()
    assert run.code == 0, run.out + run.err
    assert (tmp_path / "maps" / "index.html").is_file()
