"""The site in Dutch, its downloads, profiles and search index, on a tiny hand-built database with known values."""

from __future__ import annotations

import json
import re

import pandas as pd
import pyogrio
import pytest

from ogw_datalab.config import load_yaml_model
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.maps.build_site import build_site
from ogw_datalab.maps.dutch import (
    count_text,
    format_change,
    format_month,
    format_number,
    plain_text,
    rank_text,
    singular,
    value_with_unit,
)
from ogw_datalab.maps.explain import explain_formula
from ogw_datalab.maps.site_data import KIEMEN_BUFFER_M, read_site_data

from .labs import PROJECT
from .site_fixture import CODES, tiny_project, write_tiny_tables

NBSP = "\u00a0"


def test_months_are_written_the_dutch_way():
    assert format_month("2024-03") == "maart 2024"
    assert [format_month(f"2024-{m:02d}", short=True) for m in (3, 5, 10)] == ["mrt", "mei", "okt"]


def test_numbers_are_written_the_dutch_way():
    assert format_number(1234.5, 1) == "1.234,5"
    assert format_number(1234567.891, 2) == "1.234.567,89"
    assert format_number(-3.25, 1) == "\u22123,2"  # a true minus sign; Python rounds half to even
    assert format_number(-0.01, 1) == "0,0"  # no "-0,0"
    assert format_number(76.6) == "77"


def test_units_singular_plural_and_no_unit_without_a_value():
    catalogue = Catalogue.model_validate(
        {
            "indicatoren": [
                {
                    "id": "locaties",
                    "titel": "Zorglocaties",
                    "eenheid": "locaties",
                    "beschrijving": ".",
                    "bron": {"uitgever": "x", "dataset": "x", "jaar": 2024, "licentie": "CC0"},
                    "formule": {"type": "aantal", "laag": "x"},
                    "decimalen": 0,
                },
                {
                    "id": "eenzaam_pct",
                    "titel": "Eenzaam",
                    "eenheid": "% van de 18-plussers",
                    "beschrijving": ".",
                    "bron": {"uitgever": "x", "dataset": "x", "jaar": 2024, "licentie": "CC0"},
                    "formule": {"type": "partner_waarde", "partner": "p", "kolom": "k"},
                },
            ]
        }
    )
    locaties, eenzaam = catalogue.indicatoren
    assert value_with_unit(1.0, locaties) == f"1{NBSP}locatie"
    assert value_with_unit(2.0, locaties) == f"2{NBSP}locaties"
    assert value_with_unit(None, locaties) == "geen gegevens"
    assert value_with_unit(float("nan"), eenzaam) == "geen gegevens"  # never "geen waarde % van de 18-plussers"
    assert value_with_unit(57.66, eenzaam) == "57,7% van de 18-plussers"
    assert count_text(1, "buurt", "buurten") == "1 buurt"
    assert count_text(5, "buurt", "buurten") == "5 buurten"
    assert format_change(-0.4, 2023, eenzaam) == "\u22120,4 sinds 2023"
    assert format_change(0.01, 2023, eenzaam) == "±0,0 sinds 2023"
    assert format_change(None, 2023, eenzaam) is None


@pytest.mark.parametrize(
    ("plural", "one"),
    [
        ("locaties", "locatie"),
        ("inwoners", "inwoner"),
        ("woningen", "woning"),
        ("meldingen", "melding"),
        ("bomen", "boom"),
        ("scholen", "school"),
        ("speelplekken", "speelplek"),
        ("huizen", "huis"),
        ("wegen", "weg"),
        ("meter", "meter"),
        ("euro", "euro"),
    ],
)
def test_singular_of_dutch_units(plural, one):
    assert singular(plural) == one


def test_ranks_say_of_how_many_and_whether_shared():
    assert rank_text(12, 43) == "Rang 12 van 43"
    assert rank_text(1, 77, shared=70) == "Rang 1 van 77 (gedeeld met 69 andere buurten)"
    assert rank_text(None, 43) == "geen rang"


def test_search_forgives_case_accents_and_punctuation():
    assert plain_text("Ooster-Lingen") == "ooster lingen"
    assert plain_text("Rijnsaterwoude (Château)") == "rijnsaterwoude chateau"


def test_every_formula_type_is_explained_in_dutch_words():
    for path in sorted((PROJECT / "config").glob("*_indicatoren.yaml")):
        catalogue = load_yaml_model(path, Catalogue, "indicatoren", "indicator catalogue")
        for indicator in catalogue.indicatoren:
            text = explain_formula(indicator)
            technical = [n for n in (indicator.formule.type, indicator.id) if "_" in n]  # 'inwoners' is a word too
            assert not any(n in text for n in technical), text
            assert text.endswith(".")
            assert text[0].isupper()
            assert "_" not in text


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory):
    """The tiny site, built once for the tests that only read it (and its database connection)."""
    folder = tmp_path_factory.mktemp("tiny_site")
    con = connect(":memory:")
    config, catalogue, opgaven = tiny_project(folder)
    write_tiny_tables(con)
    report = build_site(con, config=config, catalogue=catalogue, opgaven=opgaven, folder=folder / "site")
    yield report, con, config, catalogue, opgaven
    con.close()


def test_kiemen_far_outside_the_gemeente_are_left_off(tmp_path, con):
    config, catalogue, opgaven = tiny_project(tmp_path)
    write_tiny_tables(con)
    data = read_site_data(con, config=config, catalogue=catalogue, opgaven=opgaven)
    assert sorted(data.kiemen["initiatieven"]["label"]) == ["In Zuidwest", "Net buiten"]  # 200 m out is kept
    assert KIEMEN_BUFFER_M >= 200
    assert data.neighbours["BU00010001"] == ["BU00010002", "BU00010101", "BU00010102"]  # a corner counts


def test_site_has_a_profile_per_buurt_and_wijk_linked_from_tables_and_front_page(tiny_site):
    report, *_ = tiny_site
    site = report.folder
    for code in CODES:
        assert (site / "buurten" / f"{code}.html").is_file()
    assert (site / "wijken" / "WK000100.html").is_file()
    assert (site / "wijken" / "WK000101.html").is_file()
    opgave = (site / "opgave_groen.html").read_text(encoding="utf-8")
    assert all(f'href="buurten/{code}.html"' in opgave for code in CODES)
    index = (site / "index.html").read_text(encoding="utf-8")
    assert all(f'href="buurten/{code}.html"' in index for code in CODES)
    assert {p["id"] for p in report.profile_pages} == {*CODES, "WK000100", "WK000101"}


def test_buurtprofiel_shows_values_ranks_changes_reasons_kiemen_and_neighbours(tiny_site):
    report, *_ = tiny_site
    page = (report.folder / "buurten" / "BU00010001.html").read_text(encoding="utf-8")
    assert "12,3% van het land" in page  # 12.345 with one decimal, decimal comma
    assert "Rang 2 van 3 (1 = vraagt de meeste aandacht)" in page
    assert "+2,3 sinds 2023" in page
    assert f'<p class="waarde">1{NBSP}locatie</p>' in page
    assert f"3{NBSP}locaties" in page
    assert "Wijk Zuidwest wijk: 30,0% van het land" in page
    assert "Nederland: 20,0% van het land" in page
    assert "In Zuidwest" in page
    assert "(in de buurt)" in page
    assert "Net buiten" in page
    assert "Ver weg" not in page
    for neighbour in ("BU00010002", "BU00010101", "BU00010102"):
        assert f'href="../buurten/{neighbour}.html"' in page
    assert 'role="img" aria-label="Groen (% van het land): deze buurt 12,3; wijk 30,0; gemeente 25,0' in page
    withheld = (report.folder / "buurten" / "BU00010102.html").read_text(encoding="utf-8")
    assert "Niet gepubliceerd: minder dan 50 inwoners in de buurt." in withheld


def test_texts_from_data_are_escaped_everywhere(tmp_path, con):
    attack = "<img src=x onerror=alert(1)></script>"
    config, catalogue, opgaven = tiny_project(tmp_path)
    write_tiny_tables(con, names=[attack, "Zuidoost", "Noordwest", "Noordoost"])
    report = build_site(con, config=config, catalogue=catalogue, opgaven=opgaven, folder=tmp_path / "site")
    for page in [*report.folder.glob("*.html"), *report.folder.glob("*/*.html"), report.folder / "zoekindex.js"]:
        text = page.read_text(encoding="utf-8")
        assert attack not in text, page.name
        assert "<b>" not in text, page.name
        assert "Klein<dorp>" not in text, page.name


def test_numbers_on_the_pages_are_dutch(tiny_site):
    report, *_ = tiny_site
    for page in [*report.folder.glob("*.html"), *report.folder.glob("*/*.html")]:
        text = re.sub(r"<script.*?</script>|<svg.*?</svg>|<[^>]+>", " ", page.read_text(encoding="utf-8"), flags=re.S)
        text = re.sub(r"\bCC[ 0A-Z-]*\d\.\d", "", text)  # licence versions ("CC0 1.0") are no figures
        assert not re.search(r"\b\d+\.\d\b", text), (page.name, re.search(r".{30}\b\d+\.\d\b.{30}", text))
        assert "geen waarde" not in text, page.name
        assert "geen gegevens %" not in text, page.name
        assert "EPSG" not in text.split("Technische gegevens")[0], page.name


def test_downloads_of_an_opgave_round_trip(tiny_site):
    report, con, *_ = tiny_site
    folder = report.folder / "downloads"
    excel = folder / "opgave_groen.csv"
    assert excel.read_bytes().startswith(b"\xef\xbb\xbf")
    nl = pd.read_csv(excel, sep=";", decimal=",", encoding="utf-8-sig", dtype={"Buurtcode": str})
    machine = pd.read_csv(folder / "opgave_groen-data.csv")
    gpkg = pyogrio.read_dataframe(folder / "opgave_groen.gpkg")
    geojson = json.loads((folder / "opgave_groen.geojson").read_text(encoding="utf-8"))
    published = con.execute(
        "SELECT buurtcode, waarde, status, reden FROM indicators.publicatie_buurt WHERE indicator = 'groen_pct' "
        "ORDER BY buurtcode"
    ).df()
    expected = published["waarde"].round(1)
    assert "Groen (% van het land)" in nl.columns
    assert "Score (0 tot 100; 100 = vraagt de meeste aandacht)" in nl.columns
    for values in (nl["Groen (% van het land)"], machine["groen_pct"], gpkg["groen_pct"]):
        assert values.dtype == "float64"
        pd.testing.assert_series_equal(values.reset_index(drop=True), expected, check_names=False)
    assert machine["groen_pct"].tolist()[:3] == [12.3, 1234.5, 0.0]
    assert list(machine["groen_pct_status"]) == list(published["status"])
    assert machine["groen_pct_reden"].tolist()[3] == "minder dan 50 inwoners in de buurt"
    assert pyogrio.read_info(folder / "opgave_groen.gpkg")["crs"] == "EPSG:28992"
    # written without a flush to disk per GeoPackage, and GDAL's setting left as it was
    assert pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS") is None
    properties = [f["properties"] for f in geojson["features"]]
    assert [p["groen_pct"] for p in properties] == [12.3, 1234.5, 0.0, None]
    assert [p["locaties"] for p in properties] == [1, 2, 0, None]
    assert properties[3]["groen_pct_status"] == "onderdrukt"
    lon, lat = geojson["features"][0]["geometry"]["coordinates"][0][0]
    assert 3 < lon < 8
    assert 50 < lat < 54
    assert "1234,5" in excel.read_text(encoding="utf-8-sig")  # no thousands separator for Excel to misread


def test_downloads_of_an_indicator_round_trip_and_explain_themselves(tiny_site):
    report, con, *_ = tiny_site
    folder = report.folder / "downloads"
    machine = pd.read_csv(folder / "indicator_locaties-data.csv")
    assert list(machine.columns[:7]) == [
        "buurtcode",
        "buurtnaam",
        "wijkcode",
        "wijknaam",
        "waarde",
        "waarde_status",
        "waarde_reden",
    ]
    assert machine["waarde"].tolist()[:3] == [1.0, 2.0, 0.0]
    assert pd.isna(machine["waarde"].iloc[3])
    assert machine["rang"].tolist()[:3] == [2, 1, 3]
    readme = (folder / "indicator_locaties-leesmij.txt").read_text(encoding="utf-8")
    for column in machine.columns:
        assert column in readme
    assert "onderdrukt" in readme
    assert "EPSG:28992" in readme


def test_map_data_says_rank_of_how_many_and_what_rank_1_means(tiny_site):
    report, *_ = tiny_site
    page = (report.folder / "opgave_groen.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="kaartdata">(.*?)</script>', page, re.S).group(1))
    zuidwest = next(f["properties"] for f in data["features"] if f["properties"]["c"] == "BU00010001")
    assert zuidwest["r"][0] == "Rang 2 van 3 (1 = vraagt de meeste aandacht)"  # the score
    assert zuidwest["r"][1] == "Rang 2 van 3 (1 = vraagt de meeste aandacht)"  # groen_pct
    assert zuidwest["t"][1] == "12,3% van het land"
    assert zuidwest["d"][1] == "+2,3 sinds 2023"
    noordoost = next(f["properties"] for f in data["features"] if f["properties"]["c"] == "BU00010102")
    assert noordoost["t"][1] == "onderdrukt: minder dan 50 inwoners in de buurt"
    assert noordoost["r"][1] == ""
    assert [layer["gemeente"] for layer in data["layers"]] == [
        "",
        "Gemeente: 25,0% van het land",
        "Gemeente: 3\u00a0locaties",
    ]
