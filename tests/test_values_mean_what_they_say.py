"""Values mean what they say: CBS sentinels are empty in every reader, negative counts are unknown, and a
total is never published when a buurt in it is unknown. Every value emptied or row dropped is counted."""

from __future__ import annotations

import json

import duckdb
import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from ogw_datalab.config import Partner, ProjectConfig, Source, load_config
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.compute_indicators import compute_indicators
from ogw_datalab.indicators.suppress import publish_indicators
from ogw_datalab.readers import read_source
from ogw_datalab.readers.clean_values import describe_cleaning
from ogw_datalab.spatial.join_partners import join_partner
from ogw_datalab.spatial.join_points_to_buurten import join_points_to_buurten
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_partners import stage_partner
from ogw_datalab.storage import partner_table, write_frame

from .factories import DEMO, catalogue, indicator
from .fixtures import RD, points, stage_cbs_areas_wijken, two_by_two_buurten

PUBLISHED = ("publicatie_buurt", "publicatie_wijk", "publicatie_gemeente")


def named_catalogue(**formulas: dict) -> Catalogue:
    """One indicator per formula, its id and title the keyword's name."""
    return catalogue(*(indicator(name, formula, titel=name) for name, formula in formulas.items()))


def town_config(code: str, jaar: int, partners: list[Partner] | None = None) -> ProjectConfig:
    demo = load_config(DEMO, check_files=False)
    gemeente = demo.gemeente.model_copy(update={"code": code})
    return demo.model_copy(update={"gemeente": gemeente, "jaar": jaar, "partners": partners or []})


def published_values(con: duckdb.DuckDBPyConnection) -> list[float]:
    return [
        value
        for table in PUBLISHED
        for (value,) in con.execute(f"SELECT waarde FROM indicators.{table} WHERE waarde IS NOT NULL").fetchall()
    ]


# --- sentinels in every reader ---------------------------------------------------------------------------


def _csv(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("buurtcode;auto_hh;naam\nBU00010001;0,7;A\nBU00010002;-99999999;B\nBU00010003;-99.999.999;C\n")
    return Source(soort="csv", pad=path, kolommen={"buurtcode": "buurtcode"})


def _xlsx(tmp_path):
    path = tmp_path / "t.xlsx"
    book = openpyxl.Workbook()
    for row in (["buurtcode", "auto_hh", "naam"], ["BU00010001", 0.7, "A"], ["BU00010002", -99999999, "B"]):
        book.active.append(row)
    book.active.append(["BU00010003", -99999997, "C"])
    book.save(path)
    return Source(soort="xlsx", pad=path, kolommen={"buurtcode": "buurtcode"})


def _json(tmp_path):
    path = tmp_path / "t.json"
    records = [
        {"buurtcode": "BU00010001", "auto_hh": 0.7, "naam": "A"},
        {"buurtcode": "BU00010002", "auto_hh": -99999999, "naam": "B"},
        {"buurtcode": "BU00010003", "auto_hh": -99997, "naam": "C"},
    ]
    path.write_text(json.dumps({"buurten": records}))
    return Source(soort="json", pad=path, records_pad="buurten")


def _parquet(tmp_path):
    path = tmp_path / "t.parquet"
    frame = pd.DataFrame(
        {"buurtcode": ["BU00010001", "BU00010002", "BU00010003"], "auto_hh": [0.7, -99999999.0, -99999998.0]}
    )
    frame["naam"] = ["A", "B", "C"]
    duckdb.sql(f"COPY (SELECT * FROM frame) TO '{path}' (FORMAT parquet)")
    return Source(soort="parquet", pad=path)


def _geojson(tmp_path):
    path = tmp_path / "t.geojson"
    frame = gpd.GeoDataFrame(
        {"buurtcode": ["BU00010001", "BU00010002", "BU00010003"], "auto_hh": [0.7, -99999999.0, -99999999.0]},
        geometry=[Point(100_000, 450_000), Point(100_100, 450_000), Point(100_200, 450_000)],
        crs=RD,
    ).assign(naam=["A", "B", "C"])
    frame.to_file(path, driver="GeoJSON")
    return Source(soort="vector", pad=path, geometrie="punten")


@pytest.mark.parametrize("make", [_csv, _xlsx, _json, _parquet, _geojson], ids=lambda f: f.__name__.strip("_"))
def test_sentinels_are_empty_in_every_reader_and_counted(tmp_path, make):
    frame = read_source("partners.t", make(tmp_path))
    values = [None if pd.isna(v) else float(str(v).replace(",", ".")) for v in frame["auto_hh"]]
    assert values == [0.7, None, None]
    assert frame.attrs["cleaning"]["sentinels_emptied"] == {"auto_hh": 2}
    assert list(frame["naam"]) == ["A", "B", "C"]


def test_integer_sentinels_stay_integers(tmp_path):
    path = tmp_path / "t.geojson"
    gpd.GeoDataFrame(
        {"AANT_INW": [1000, -99999999]}, geometry=[Point(100_000, 450_000), Point(100_100, 450_000)], crs=RD
    ).to_file(path, driver="GeoJSON")
    frame = read_source("lagen.t", Source(soort="vector", pad=path, geometrie="punten"))
    assert frame["AANT_INW"].tolist()[0] == 1000
    assert pd.isna(frame["AANT_INW"].iloc[1])
    assert str(frame["AANT_INW"].dtype) == "Int64"


def test_sentinel_coordinates_are_no_location(tmp_path):
    path = tmp_path / "meldingen.csv"
    path.write_text("nr;X;Y\n1;104500;461200\n2;-99999999;-99999999\n3;104600;461300\n", encoding="utf-8")
    frame = read_source("partners.m", Source(soort="csv", pad=path, x="X", y="Y", crs="EPSG:28992"))
    assert frame.geometry.isna().tolist() == [False, True, False]


def test_cleaning_is_described_in_one_sentence():
    cleaning = {"sentinels_emptied": {"AUTO_HH": 22, "AUTO_LAND": 22}, "rows_dropped": {"empty": 1, "notes": 0}}
    assert describe_cleaning(cleaning) == "emptied 22 CBS secret codes in AUTO_HH, 22 in AUTO_LAND; dropped 1 empty row"
    assert describe_cleaning({"sentinels_emptied": {}, "rows_dropped": {"empty": 0, "notes": 0}}) == ""
    assert describe_cleaning({"negative_emptied": {"aantal_inwoners": 1}}) == (
        "made 1 negative count unknown in aantal_inwoners"
    )


def test_auto_hh_of_the_2015_kaart_is_never_published_as_a_number(con, shared_data):
    """The defect as found: AUTO_HH of the 2015 wijk- en buurtkaart, taken as a partner figure per buurt,
    published -99.999.999 for the buurten where CBS kept it secret."""
    path = shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "buurt.geojson"
    buurten = read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=path))
    assert buurten.attrs["cleaning"]["sentinels_emptied"]["AUTO_HH"] == 122  # PROVENANCE.md: AUTO_HH 122x
    write_frame(con, "raw", "buurten", buurten)
    stage_cbs_areas(con, "buurten", "GM0484")
    partner = Partner(
        naam="autobezit",
        soort="cbs_wijkbuurtkaart",
        sleutel="buurtcode",
        pad=path,
        gebiedsindeling=2015,
        min_koppelpercentage=0,
        kolommen={"buurtcode": "BU_CODE", "auto_per_huishouden": "AUTO_HH"},
    )
    config = town_config("GM0484", 2015, [partner])
    write_frame(con, "raw", partner_table("autobezit"), read_source("partners.autobezit", partner))
    stage_partner(con, partner)
    join_partner(con, partner, config)
    indicators = named_catalogue(
        auto={"type": "partner_waarde", "partner": "autobezit", "kolom": "auto_per_huishouden"}
    )
    compute_indicators(con, config, indicators)
    publish_indicators(con, config, indicators)
    published = con.execute(
        "SELECT count(*), min(waarde) FROM indicators.publicatie_buurt WHERE waarde IS NOT NULL"
    ).fetchone()
    assert published[0] > 0
    assert published[1] >= 0
    empty = con.execute("SELECT count(*) FROM indicators.buurt WHERE waarde IS NULL").fetchone()[0]
    assert empty == 22  # the 22 buurten of GM0484 whose AUTO_HH is secret (PROVENANCE.md counts the region)


# --- negative counts and totals --------------------------------------------------------------------------


@pytest.fixture
def withheld_buurt(con):
    """Noordoost's inhabitants are withheld as -5; its wijk would be 1995 and the gemeente 4995 if summed."""
    two_by_two_buurten(con, inwoners=(1000, 2000, 2000, -5))
    stage_cbs_areas(con, "buurten", "GM0001")
    stage_cbs_areas_wijken(con)
    points(con, "layer_bomen", [(100 + i, 100) for i in range(30)] + [(1100 + i, 1100) for i in range(7)])
    join_points_to_buurten(con, "layer_bomen", "layer_bomen")
    return con


def test_negative_inhabitants_are_unknown_and_no_total_leaves_them_out(withheld_buurt):
    con = withheld_buurt
    config = town_config("GM0001", 2024)
    indicators = named_catalogue(
        inwoners={"type": "kerncijfer", "kolom": "aantal_inwoners"},
        bomen_per_1000={"type": "per_inwoners", "laag": "bomen", "per": 1000},
    )
    assert con.execute("SELECT aantal_inwoners FROM staging.buurten WHERE buurtcode = 'BU00010102'").fetchone() == (
        None,
    )
    compute_indicators(con, config, indicators)
    publish_indicators(con, config, indicators)
    wijk = con.execute(
        "SELECT waarde, status, reden FROM indicators.publicatie_wijk WHERE indicator = 'inwoners' "
        "AND wijkcode = 'WK000101'"
    ).fetchone()
    assert wijk == (None, "geen waarde", "geen totaal: 1 buurt heeft geen bekende waarde")
    gemeente = con.execute(
        "SELECT waarde, status, reden FROM indicators.publicatie_gemeente WHERE indicator = 'inwoners'"
    ).fetchone()
    assert gemeente == (None, "geen waarde", "geen totaal: 1 buurt heeft geen bekende waarde")
    values = published_values(con)
    assert 1995 not in values
    assert 4995 not in values
    assert min(values) >= 0
    # The other wijk's total has every buurt known, and is published.
    assert con.execute(
        "SELECT waarde FROM indicators.publicatie_wijk WHERE indicator = 'inwoners' AND wijkcode = 'WK000100'"
    ).fetchone() == (3000,)
    rate = con.execute(
        "SELECT waarde FROM indicators.buurt WHERE indicator = 'bomen_per_1000' AND buurtcode = 'BU00010102'"
    ).fetchone()
    assert rate == (None,)  # no rate over a withheld count


def test_negative_partner_counts_are_unknown_and_counted(con, tmp_path):
    path = tmp_path / "woningen.csv"
    path.write_text("buurt;aantal_woningen;saldo\nBU00010001;120;-3,5\nBU00010002;-1;2\n", encoding="utf-8")
    partner = Partner(
        naam="w",
        soort="csv",
        sleutel="buurtcode",
        pad=path,
        kolommen={"buurtcode": "buurt", "aantal_woningen": "aantal_woningen", "saldo": "saldo"},
    )
    write_frame(con, "raw", partner_table("w"), read_source("partners.w", partner))
    counts = stage_partner(con, partner)
    assert counts["negative_emptied"] == {"aantal_woningen": 1}
    rows = con.execute("SELECT aantal_woningen, saldo FROM staging.partner_w ORDER BY bronrij").fetchall()
    assert rows == [(120.0, -3.5), (None, 2.0)]  # a negative amount that is not a count stays a number
