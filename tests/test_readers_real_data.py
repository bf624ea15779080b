"""Readers and staging on the real files in ../shared/data, with facts from their PROVENANCE.md."""

from __future__ import annotations

import pytest

from ogw_datalab.config import Layer, Source
from ogw_datalab.readers import SourceError, read_source
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_layers import stage_addresses, stage_layer
from ogw_datalab.storage import write_frame

NL_BOUNDS_RD = (0, 300_000, 290_000, 630_000)  # generous box around the Netherlands in RD New


def inside_nl(bounds) -> bool:
    minx, miny, maxx, maxy = bounds
    return NL_BOUNDS_RD[0] <= minx and NL_BOUNDS_RD[1] <= miny and maxx <= NL_BOUNDS_RD[2] and maxy <= NL_BOUNDS_RD[3]


def test_cbs_2015_upper_case_columns_gm0484(con, shared_data):
    folder = shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden"
    frame = read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=folder / "buurt.geojson"))
    assert frame.crs == "EPSG:28992"
    assert inside_nl(frame.total_bounds)
    write_frame(con, "raw", "buurten", frame)
    counts = stage_cbs_areas(con, "buurten", "GM0484")
    assert counts["rows"] == 87
    assert counts["other_gemeenten"] == 586 - 87
    total, buurten_with_secret = con.execute(
        "SELECT sum(aantal_inwoners), count(*) FILTER (WHERE aantal_huishoudens IS NULL) FROM staging.buurten"
    ).fetchone()
    assert total == 107_200
    assert buurten_with_secret == 0
    area_km2 = con.execute("SELECT sum(ST_Area(geometry)) / 1e6 FROM staging.buurten").fetchone()[0]
    assert area_km2 == pytest.approx(132.47, abs=0.01)


def test_cbs_2015_wijken_gm0484(con, shared_data):
    path = shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "wijk.geojson"
    write_frame(con, "raw", "wijken", read_source("bronnen.wijken", Source(soort="cbs_wijkbuurtkaart", pad=path)))
    assert stage_cbs_areas(con, "wijken", "GM0484")["rows"] == 16


def test_cbs_2021_lower_case_columns_ermelo(con, shared_data):
    path = shared_data / "ermelo_cbs_bgt_sample" / "CBS_buurten.gpkg"
    write_frame(con, "raw", "buurten", read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=path)))
    assert stage_cbs_areas(con, "buurten", "GM0233")["rows"] == 17
    codes = [r[0] for r in con.execute("SELECT buurtcode FROM staging.buurten").fetchall()]
    assert all(c.startswith("BU0233") for c in codes)


def test_web_mercator_layer_is_reprojected(con, shared_data):
    path = shared_data / "ermelo_cbs_bgt_sample" / "Straatmeubilair.gpkg"
    layer = Layer(
        soort="vector",
        geometrie="punten",
        pad=path,
        kolommen={"type": "bgtplustype"},
        alleen={"type": ["niet-bgt:speelvoorziening"]},
    )
    frame = read_source("lagen.speelplekken", layer)
    assert frame.crs == "EPSG:28992"
    assert inside_nl(frame.total_bounds)
    write_frame(con, "raw", "layer_speelplekken", frame)
    counts = stage_layer(con, "speelplekken", layer)
    assert counts["rows"] == 2615  # PROVENANCE.md: 2,615 speelvoorzieningen


def test_bag_addresses_sample(con, shared_data):
    path = shared_data / "bag_adressen_ede_otterlo_sample" / "dutch_addresses_28992.gpkg"
    source = Source(soort="bag_verblijfsobjecten", pad=path, kolommen={"identificatie": "id"})
    write_frame(con, "raw", "adressen", read_source("bronnen.adressen", source))
    counts = stage_addresses(con, source)
    assert counts["rows"] == 2481
    bad = con.execute(
        "SELECT count(*) FROM staging.adressen WHERE NOT regexp_full_match(postcode, '[0-9]{4}[A-Z]{2}') "
        "OR huisnummer IS NULL"
    ).fetchone()[0]
    assert bad == 0


def test_wrong_layer_names_the_layers_in_the_file(shared_data):
    path = shared_data / "bag_adressen_ede_otterlo_sample" / "dutch_addresses_28992.gpkg"
    expected = (
        r"^bronnen\.adressen \(dutch_addresses_28992\.gpkg\): the file has no layer 'verblijfsobject'; "
        r"its layers are 'OGRGeoJSON'$"
    )
    with pytest.raises(SourceError, match=expected):
        read_source("bronnen.adressen", Source(soort="bag_verblijfsobjecten", pad=path, laag="verblijfsobject"))


MAATWERK = "cbs_maatwerk_inkomen2020_autobezit2023"


def test_report_style_header_names_that_miss_columns_are_refused(shared_data):
    """The README's report-style example had 4 names for the 6 columns of the CBS income table, and put
    '27,9' (income of Nederland) in the wijkcode column without a word."""
    path = shared_data / MAATWERK / "kvk2020-wb2023.csv"
    short = Source(soort="csv", pad=path, titelregels=13, kolomnamen=["gemeentecode", "wijkcode", "naam", "inkomen"])
    expected = (
        r"^partners\.inkomen \(kvk2020-wb2023\.csv\): kolomnamen gives 4 names but kvk2020-wb2023\.csv has 6 "
        r"columns \(line 14 reads 'Nederland;;;27,9;40,0;20,0'\); give exactly one name per column"
    )
    with pytest.raises(SourceError, match=expected):
        read_source("partners.inkomen", short)


def test_report_style_csv_with_every_column_named(shared_data):
    path = shared_data / MAATWERK / "kvk2020-wb2023.csv"
    names = ["gemeentecode", "wijkcode", "naam", "inkomen", "laag_inkomen_pct", "hoog_inkomen_pct"]
    frame = read_source("partners.inkomen", Source(soort="csv", pad=path, titelregels=13, kolomnamen=names))
    oudshoorn = frame[frame["wijkcode"] == "WK048401"].iloc[0]
    assert (oudshoorn["bronrij"], oudshoorn["naam"], oudshoorn["inkomen"]) == (1422, "Oudshoorn", "28,9")
    assert frame.attrs["cleaning"]["rows_dropped"]["notes"] == 1  # "Bron: CBS, Integraal Inkomens- ..."
    assert len(frame) == 3709 - 13 - 1  # the file's 3,709 lines: 13 title lines, the rows, one note


def test_trailing_separator_does_not_need_a_name(shared_data):
    path = shared_data / MAATWERK / "gem-autobezit-huishouden_2023_wijk.csv"
    names = ["wijknaam", "wijkcode", "gemeentenaam", "gemeentecode", "autos_per_huishouden"]  # 5 columns, then ';'
    frame = read_source("partners.auto", Source(soort="csv", pad=path, titelregels=3, kolomnamen=names))
    alphen = frame[frame["wijkcode"].str.strip() == "WK048401"]
    assert len(alphen) == 1
    assert alphen["gemeentecode"].str.strip().tolist() == ["GM0484"]
