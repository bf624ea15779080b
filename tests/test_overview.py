"""The overview of many gemeenten: index, one canvas map of every buurt, GeoPackage and GeoParquet downloads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import box

from ogw_datalab.config import Source, load_configuration
from ogw_datalab.indicators.catalogue import Catalogue, Indicator
from ogw_datalab.indicators.opgaven import Opgave
from ogw_datalab.maps import build_overview as overview_module
from ogw_datalab.maps.build_national_site import build_national_site
from ogw_datalab.maps.build_overview import OverviewError, build_overview, overview_layers, published_values
from ogw_datalab.maps.offline import EXTERNAL
from ogw_datalab.readers.read_tables import read_parquet_table

from .labs import region_config

X0, Y0 = 150_000, 450_000
BRON = {"uitgever": "CBS", "dataset": "test", "jaar": 2015, "licentie": "CC BY 4.0"}


def small_input():
    """Four buurten in two gemeenten; one name that would be HTML; one suppressed value."""
    buurten = gpd.GeoDataFrame(
        {
            "buurtcode": ["BU00010001", "BU00010002", "BU00020001", "BU00020002"],
            "buurtnaam": ["Centrum", "<script>alert(1)</script>", "Dorp", "Polder"],
            "gemeentecode": ["GM0001", "GM0001", "GM0002", "GM0002"],
            "gemeentenaam": ["Eerstedam", "Eerstedam", "Tweedorp", "Tweedorp"],
        },
        geometry=[box(X0 + i * 1000, Y0, X0 + (i + 1) * 1000, Y0 + 1000) for i in range(4)],
        crs="EPSG:28992",
    )
    catalogue = Catalogue(
        indicatoren=[
            Indicator(
                id="inwoners",
                titel="Inwoners",
                eenheid="inwoners",
                beschrijving="",
                bron=BRON,
                formule={"type": "kerncijfer", "kolom": "aantal_inwoners"},
                decimalen=0,
            )
        ]
    )
    opgaven = [
        Opgave(id="groen", titel="Groen", angel="", indicatoren=[{"id": "inwoners", "richting": "lager_is_beter"}])
    ]
    waarden = pd.DataFrame(
        {
            "buurtcode": ["BU00010001", "BU00010002", "BU00020001", "BU00020002", "BU00010001", "BU00020001"],
            "laag": ["inwoners"] * 4 + ["score_groen"] * 2,
            "waarde": [1200.0, 35.0, 800.0, None, 80.0, 20.0],
            "status": ["gepubliceerd", "onderdrukt", "gepubliceerd", "geen waarde", "gepubliceerd", "gepubliceerd"],
        }
    )
    gemeenten = pd.DataFrame(
        {
            "gemeentecode": ["GM0001", "GM0002"],
            "gemeentenaam": ["Eerstedam", "Tweedorp"],
            "regio": ["noord", "zuid"],
            "aantal_buurten": [2, 2],
            "inwoners": [1235, 800],
            "site": ["GM0001/index.html", None],
        }
    )
    return buurten, waarden, overview_layers(catalogue, opgaven), gemeenten


def embedded_data(page: str) -> dict:
    found = re.search(r"window\.OGW_OVERZICHT = (.*?);</script>", page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def test_small_overview_pages_and_downloads(tmp_path):
    buurten, waarden, lagen, gemeenten = small_input()
    pages = build_overview(buurten, waarden, lagen, gemeenten, folder=tmp_path, titel="Testregio", simplify_m=0)
    kaart = pages.kaart.read_text(encoding="utf-8")
    assert pages.kaart_bytes == len(kaart.encode("utf-8")) < 5_000_000
    assert not EXTERNAL.search(kaart)
    assert not EXTERNAL.search(pages.index.read_text(encoding="utf-8"))
    assert (tmp_path / "assets" / "leaflet.js").is_file()
    assert (tmp_path / "assets" / "overzicht.js").is_file()
    assert '"preferCanvas": true' in kaart  # the folium map draws on a canvas
    # A name from data is data in the page, never markup: the only script elements are the page's own.
    assert "<script>alert" not in kaart
    # leaflet.js, kaartpagina.js (Dutch controls) and overzicht.js (the folium plugins), the data, the map's script
    assert kaart.count("<script") == 5
    data = embedded_data(kaart)
    assert data["c"] == ["BU00010001", "BU00010002", "BU00020001", "BU00020002"]
    assert data["n"][1] == "<script>alert(1)</script>"  # shown as text by the page (textContent)
    inwoners, score = data["lagen"]
    assert inwoners["k"] == "1s0n"
    assert inwoners["w"] == [1200, None, 800, None]
    # Scores have fixed bounds 0-20-...-100: 80 falls in 60-80, as on the gemeente maps.
    assert score["titel"] == "Score Groen"
    assert score["k"] == "3n0n"
    assert data["gemeenten"] == [["GM0001", "Eerstedam", "GM0001/index.html"], ["GM0002", "Tweedorp", None]]
    # Shapes decode to the buurten (delta-encoded 1e-5 degrees, lat/lon).
    ring = data["vormen"][0][0][0]
    lat, lon = ring[0] / 1e5, ring[1] / 1e5
    expected = gpd.GeoSeries(buurten.geometry.iloc[:1], crs="EPSG:28992").to_crs("EPSG:4326").total_bounds
    assert expected[1] - 1e-5 <= lat <= expected[3] + 1e-5
    assert expected[0] - 1e-5 <= lon <= expected[2] + 1e-5
    index = pages.index.read_text(encoding="utf-8")
    assert '<a href="GM0001/index.html">Eerstedam</a>' in index
    assert "Tweedorp <span" in index


def test_downloads_hold_published_values_only(tmp_path):
    buurten, waarden, lagen, gemeenten = small_input()
    pages = build_overview(buurten, waarden, lagen, gemeenten, folder=tmp_path, titel="Testregio", simplify_m=0)
    gpkg = pyogrio.read_dataframe(pages.geopackage).set_index("buurtcode")
    assert gpkg.crs.to_epsg() == 28992
    assert gpkg.loc["BU00010001", "inwoners"] == 1200
    assert pd.isna(gpkg.loc["BU00010002", "inwoners"])
    assert gpkg.loc["BU00010002", "inwoners_status"] == "onderdrukt"
    assert gpkg.loc["BU00010002", "buurtnaam"] == "<script>alert(1)</script>"
    parquet = read_parquet_table(_parquet_source(pages.geoparquet), "downloads").set_index("buurtcode")
    assert parquet.crs.to_epsg() == 28992
    assert parquet.loc["BU00020001", "score_groen"] == 20
    assert parquet.geometry.area.sum() == pytest.approx(4e6)


def _parquet_source(path: Path) -> Source:
    return Source(soort="parquet", pad=path, geometrie="vlakken")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda b, w: (b.to_crs("EPSG:4326"), w), "must be in EPSG:28992"),
        (lambda b, w: (b, pd.concat([w, w.head(1).assign(laag="onbekend")])), "values of unknown layers"),
        (lambda b, w: (pd.concat([b, b.head(1)]), w), "buurtcodes occur more than once"),
        (lambda b, w: (b, w.assign(status="geheim")), "unknown statuses"),
    ],
)
def test_inconsistent_input_is_refused(tmp_path, change, message):
    buurten, waarden, lagen, gemeenten = small_input()
    buurten, waarden = change(buurten, waarden)
    with pytest.raises(OverviewError, match=message):
        build_overview(buurten, waarden, lagen, gemeenten, folder=tmp_path, titel="Testregio")
    assert not (tmp_path / "kaart.html").exists()


def test_too_large_a_page_is_refused_and_nothing_written(tmp_path, monkeypatch):
    buurten, waarden, lagen, gemeenten = small_input()
    monkeypatch.setattr(overview_module, "MAX_PAGE_BYTES", 1000)
    with pytest.raises(OverviewError, match="more than 0 MB; simplify more"):
        build_overview(buurten, waarden, lagen, gemeenten, folder=tmp_path, titel="Testregio")
    assert list(tmp_path.iterdir()) == []


def test_published_values_of_a_gemeente_database(con):
    con.execute("CREATE SCHEMA indicators")
    con.execute(
        "CREATE TABLE indicators.publicatie_buurt AS SELECT * FROM (VALUES "
        "('inwoners', 'BU00010001', 1200.0, 'gepubliceerd', NULL), ('inwoners', 'BU00010002', 35.0, 'onderdrukt', "
        "'te weinig inwoners')) AS t(indicator, buurtcode, waarde, status, reden)"
    )
    con.execute(
        "CREATE TABLE indicators.opgave_scores AS SELECT * FROM (VALUES ('BU00010001', 'groen', 80.0), "
        "('BU00010002', 'groen', NULL)) AS t(buurtcode, opgave, score)"
    )
    values = published_values(con).set_index(["laag", "buurtcode"])
    assert values.loc[("inwoners", "BU00010001"), "waarde"] == 1200
    assert pd.isna(values.loc[("inwoners", "BU00010002"), "waarde"])  # a withheld number never leaves the database
    assert values.loc[("score_groen", "BU00010002"), "status"] == "geen waarde"


def test_real_national_overview_stays_below_5_mb(national_overview):
    pages = national_overview
    assert pages.buurten == 11_700
    assert pages.lagen == 12 + 3
    assert pages.kaart_bytes <= 5_000_000
    data = embedded_data(pages.kaart.read_text(encoding="utf-8"))
    assert len(data["vormen"]) == 11_700
    assert len(data["gemeenten"]) == 374
    # Comparisons travel for the layers the kaart gives values for: three characters per buurt.
    assert "aandeel_65plus_pct" in data["vergelijking"]
    assert "score_ouder_worden_in_de_buurt" not in data["vergelijking"]
    assert all(len(codes) == 3 * 11_700 for codes in data["vergelijking"].values())
    parquet = read_parquet_table(_parquet_source(pages.geoparquet), "downloads")
    assert len(parquet) == 11_700
    assert parquet.crs.to_epsg() == 28992


def test_an_overview_before_any_gemeente_was_published_says_so(tmp_path, shared_data):
    config = load_configuration(region_config(tmp_path, shared_data, ["GM0233", "GM0243"]), check_files=False)
    with pytest.raises(OverviewError, match="none of the 2 gemeenten has a published database yet; build them first"):
        build_national_site(config)
    assert not (tmp_path / "maps" / "kaart.html").exists()
