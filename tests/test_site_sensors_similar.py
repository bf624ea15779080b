"""Sensor time series and vergelijkbare buurten on the site, on the tiny hand-built database with known answers.

The tijdreeks of the fixture is built by the library from a tiny CSV (see ``site_fixture.write_tijdreeks``); the
expected values below follow from that CSV by hand, not from the code under test.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from pyproj import Transformer

from ogw_datalab.duckdb_connection import connect
from ogw_datalab.maps.build_site import build_site
from ogw_datalab.maps.svg import DotScale
from ogw_datalab.maps.tijdreeksen import QUALITY_COLUMNS, SENSOR_RASTER_M
from ogw_datalab.storage import write_frame
from ogw_datalab.timeseries.quality import FLAGS, QUALITY_FLAGS

from .site_fixture import SENSORS, X0, Y0, tiny_project, write_similar_tables, write_tijdreeks, write_tiny_tables

NBSP = "\u00a0"
PROJECT = Path(__file__).resolve().parents[1]


def build(tmp_path, con, *, tijdreeks=True, vergelijkbaar=True, similar_tables="filled", extra_rows=()):
    config, catalogue, opgaven = tiny_project(tmp_path, tijdreeks=tijdreeks, vergelijkbaar=vergelijkbaar)
    write_tiny_tables(con)
    if tijdreeks:
        write_tijdreeks(con, config, tmp_path)
    if similar_tables is not None:
        compared = write_similar_tables(con, filled=similar_tables == "filled")
        if extra_rows:
            rows = pd.concat([compared, pd.DataFrame(list(extra_rows))], ignore_index=True)
            write_frame(con, "indicators", "vergelijking_vergelijkbaar", rows.astype(compared.dtypes.to_dict()))
    return build_site(con, config=config, catalogue=catalogue, opgaven=opgaven, folder=tmp_path / "site")


def page(report, path: str) -> str:
    return (report.folder / path).read_text(encoding="utf-8")


def map_data(text: str) -> dict:
    found = re.search(r'<script type="application/json" id="kaartdata">(.*?)</script>', text, re.S)
    return json.loads(found.group(1))


def charts(text: str) -> list[str]:
    return re.findall(r'<svg class="tijdlijn".*?</svg>', text, re.S)


def label(svg: str) -> str:
    return html.unescape(re.search(r'aria-label="([^"]*)"', svg).group(1))


@pytest.fixture(scope="module")
def full_site(tmp_path_factory):
    """The tiny site with its tijdreeks and similar buurten, built once for the tests that only read it."""
    con = connect(":memory:")
    yield build(tmp_path_factory.mktemp("full_site"), con)
    con.close()


def test_buurtprofiel_charts_each_month_with_the_who_guideline_and_a_table(full_site):
    text = page(full_site, "buurten/BU00010001.html")
    no2, pm25 = charts(text)
    # laag1 in Zuidwest: 20 in June (five days beside the reference, not counted), 30 in July (one -5 left out)
    assert "goedkope sensoren: juni 2016 20,0; juli 2016 30,0" in label(no2)
    assert "WHO-advieswaarde voor een daggemiddelde: 25" in label(no2)
    assert "goedkope sensoren: juni 2016 geen meting; juli 2016 12,0" in label(pm25)
    assert "WHO-advieswaarde voor een daggemiddelde: 15" in label(pm25)
    assert no2.count('stroke="#a50f15"') == 1  # the guideline, dashed
    # top of the NO2 axis: 40 (ref) is the highest monthly mean of the gemeente -> 50; 30 lies at 3/5 of the height
    points = re.search(r'<polyline points="([^"]+)"', no2).group(1).split()
    heights = [float(p.split(",")[1]) for p in points]
    assert heights[1] == pytest.approx(10 + 116 * (1 - 30 / 50), abs=0.1)
    assert heights[0] == pytest.approx(10 + 116 * (1 - 20 / 50), abs=0.1)
    assert f"20,0{NBSP}µg/m³" in text
    assert "0 van 25 volle dagen" in text
    assert "31 van 31 volle dagen" in text  # July: every day's mean 30 > 25


def test_reference_apart_from_low_cost_and_a_month_with_too_few_hours_has_no_figure(full_site):
    text = page(full_site, "buurten/BU00010002.html")
    (no2,) = charts(text)
    assert "meetstations: juni 2016 40,0; juli 2016 geen cijfer" in label(no2)
    assert "goedkope sensoren" not in label(no2)
    assert "geen cijfer: te weinig uren met een meting (100 van de 744)" in text
    assert "Fijnstof (PM2,5)" in text
    assert "Geen meetpunt in of bij deze buurt." in text
    wijk = charts(page(full_site, "wijken/WK000100.html"))[0]  # Zuidwest and Zuidoost together: two lines
    assert "goedkope sensoren: juni 2016 20,0; juli 2016 30,0. meetstations: juni 2016 40,0" in label(wijk)
    assert wijk.count("<polyline") == 1
    assert wijk.count("<rect") == 1


def test_buurten_without_a_sensor_say_so_or_name_the_nearest(full_site):
    north_west = page(full_site, "buurten/BU00010101.html")
    assert charts(north_west) == []
    assert north_west.count("Geen meetpunt in of bij deze buurt.") == 2  # NO2 and PM2.5
    north_east = page(full_site, "buurten/BU00010102.html")
    assert f"dichtstbijzijnde meetpunt op 500{NBSP}m" in north_east  # ref, 500 m below it
    assert "meetstations: juni 2016 40,0" in label(charts(north_east)[0])
    assert "Geen meetpunt in deze wijk." in page(full_site, "wijken/WK000101.html")


def test_sensors_are_a_point_layer_on_tijdreeks_map_pages_only(full_site):
    layer = map_data(page(full_site, "no2_gemiddelde.html"))["sensoren"]
    assert layer["title"] == "Meetpunten (sensoren)"
    points = {p[3][0]: p for p in layer["points"]}
    assert set(points) == {"laag1 (goedkope sensor)", "ref (meetstation)"}  # the calibration period is no point
    to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
    x, y = to_rd.transform(points["ref (meetstation)"][1], points["ref (meetstation)"][0])
    assert (x, y) == pytest.approx((X0 + SENSORS["ref"][0], Y0 + SENSORS["ref"][1]), abs=1.0)  # a public station
    x, y = to_rd.transform(points["laag1 (goedkope sensor)"][1], points["laag1 (goedkope sensor)"][0])
    cell = SENSOR_RASTER_M
    assert (x, y) == pytest.approx((X0 + 350, Y0 + 450), abs=1.0)
    assert cell == 100
    laag1 = points["laag1 (goedkope sensor)"][3]
    assert "Gemeten: vanaf 6 juni 2016" in laag1
    assert "2.087 van de 2.088 uurwaarden gebruikt" in laag1  # 600 + 744 NO2, 744 PM2.5, one below the floor
    assert any(line.startswith("Stond ook elders") and "1 juni 2016 tot en met 5 juni 2016" in line for line in laag1)
    assert "Niet gebruikt (alle perioden van deze sensor samen): 1 onder de ondergrens" in laag1
    assert "820 van de 820 uurwaarden gebruikt" in points["ref (meetstation)"][3]  # June 720 + 100 hours of July
    assert map_data(page(full_site, "groen_pct.html"))["sensoren"] is None
    assert map_data(page(full_site, "opgave_groen.html"))["sensoren"] is None


def test_colofon_counts_every_quality_rule_per_sensor(full_site):
    text = re.sub(r"\s+", " ", page(full_site, "colofon.html"))
    section = text.split('id="sensoren"')[1].split("</section>")[0]

    def cells(row: str) -> list[str]:
        return [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]

    headings = cells(section.split("<thead>")[1].split("</thead>")[0])
    rows = [
        dict(zip(headings, cells(row), strict=True))
        for row in re.findall(r"<tr>(.*?)</tr>", section.split("<tbody>")[1])
    ]
    # one column per rule, in the order the rules run (timeseries/quality.py), then the hours elsewhere and those used
    assert headings == [
        "Sensor", "Soort", "Stof", "Uurwaarden", "Dubbel", "Tegenstrijdig dubbel", "Zonder plek", "Onder ondergrens",
        "Opwarmtijd", "Onbetrouwbare periode", "Uitschieter", "Elders (kalibratie)", "Gebruikt",
    ]  # fmt: skip
    laag1 = next(r for r in rows if r["Sensor"] == "laag1" and r["Stof"] == "Stikstofdioxide (NO₂)")
    assert (laag1["Soort"], laag1["Uurwaarden"], laag1["Elders (kalibratie)"], laag1["Gebruikt"]) == (
        "goedkope sensor", "1.464", "120", "1.343"
    )  # fmt: skip
    assert laag1["Onder ondergrens"] == "1"  # the hour of -5 in July
    assert all(laag1[h] == "0" for h in headings[4:11] if h != "Onder ondergrens")
    ref = next(r for r in rows if r["Sensor"] == "ref")
    assert (ref["Soort"], ref["Uurwaarden"], ref["Gebruikt"]) == ("meetstation", "820", "820")
    assert all(ref[h] == "0" for h in headings[4:12])
    assert "Niet gebruikt: 1 onder de ondergrens (onmogelijk lage waarde)." in section  # the long wording
    assert "Goedkope sensoren meten op straat" in section
    assert "midden van een vak van 100 bij 100 meter" in section


def test_every_quality_flag_is_worded_in_one_table_only():
    """One entry per flag beside FLAGS, with every wording the site needs; no wording repeated in another module."""
    assert tuple(flag.name for flag in QUALITY_FLAGS) == FLAGS
    for part in ("name", "short", "long", "heading"):
        words = [getattr(flag, part) for flag in QUALITY_FLAGS]
        assert all(isinstance(w, str) and w.strip() for w in words), part
        assert len(set(words)) == len(words), part  # two rules never read alike
    assert [title for _, title in QUALITY_COLUMNS][1 : 1 + len(FLAGS)] == [flag.heading for flag in QUALITY_FLAGS]
    library = {p: p.read_text(encoding="utf-8") for p in (PROJECT / "ogw_datalab").rglob("*.py")}
    for flag in QUALITY_FLAGS:
        for words in {flag.long, flag.heading, flag.short} - set(FLAGS):  # a flag's name is also a column's
            holders = [p.name for p, text in library.items() if f'"{words}"' in text]
            assert holders == ["quality.py"], (words, holders)


def test_similar_buurten_in_tooltips_profiles_and_colofon(full_site):
    profile = page(full_site, "buurten/BU00010001.html")
    assert "Lijkt op: Burgwallen (Amsterdam)" in profile
    assert '<a href="../buurten/BU00010002.html">Zuidoost (Klein&lt;dorp&gt;)</a>' in profile  # same gemeente: linked
    assert "Stadsdriehoek &lt;b&gt; (Rotterdam)" in profile
    assert "Gekozen op inwoners per km² land en % inwoners 65+" in profile
    # groen_pct: 12,3 against 10 (Burgwallen), 1234,5 (Zuidoost), 11 (Stadsdriehoek): median 11, two lower
    assert "Vergeleken met vergelijkbare buurten: hoger dan 2 van 3 vergelijkbare buurten (het midden: 11,0% van" in (
        profile
    )
    assert "lager dan 3 van 3 vergelijkbare buurten (het midden: 5" in profile  # locaties 1 against 5, 5, 6
    groen = re.search(r'<svg class="stip"[^>]*aria-label="Groen[^"]*".*?</svg>', profile, re.S).group(0)
    assert "midden van de vergelijkbare buurten 11,0" in html.unescape(groen)
    scale = DotScale.over([12.345, 1234.5, 0.04, 30.0, 25.0, 20.0, 11.0, 10.5])  # buurten, wijk, gemeente, NL, medians
    assert f'<path d="M{scale.x(11.0) - 7:.1f} 6h14l-7 11z" fill="#5e3c99"' in groen
    properties = {
        f["properties"]["c"]: f["properties"] for f in map_data(page(full_site, "opgave_groen.html"))["features"]
    }
    assert properties["BU00010001"]["v"] == [
        "",
        "hoger dan 2 van 3 vergelijkbare buurten",
        "lager dan 3 van 3 vergelijkbare buurten",
    ]
    assert properties["BU00010101"]["v"] == ["", "", ""]  # not compared: no line in its tooltip
    north_west = page(full_site, "buurten/BU00010101.html")
    assert "Vergeleken met" not in north_west
    assert "het midden van de vergelijkbare buurten" not in north_west
    colofon = re.sub(r"\s+", " ", page(full_site, "colofon.html"))
    assert 'id="vergelijkbaar"' in colofon
    assert "de 3 buurten in andere gemeenten" in colofon
    assert "logaritmische schaal" in colofon
    assert "Onderdrukte waarden tellen niet mee" in colofon


def test_a_comparison_of_a_withheld_value_never_reaches_the_site(tmp_path, con):
    leak = {
        "buurtcode": "BU00010102",  # withheld groen_pct
        "indicator": "groen_pct",
        "waarde": 5.0,
        "mediaan_vergelijkbaar": 9.0,
        "vergelijkbaar_met_waarde": 3,
        "lager": 0,
        "hoger": 3,
        "tekst": "lager dan 3 van 3 vergelijkbare buurten",
        "reden": None,
    }
    report = build(tmp_path, con, extra_rows=[leak])
    properties = {f["properties"]["c"]: f["properties"] for f in map_data(page(report, "groen_pct.html"))["features"]}
    assert properties["BU00010102"]["v"] == [""]
    assert "9,0% van het land" not in page(report, "buurten/BU00010102.html")


@pytest.mark.parametrize("configured", [False, True])
def test_empty_similar_tables_show_nothing_or_say_why(tmp_path, con, configured):
    report = build(tmp_path, con, tijdreeks=False, vergelijkbaar=configured, similar_tables="empty")
    profile = page(report, "buurten/BU00010001.html")
    assert "v" not in map_data(page(report, "opgave_groen.html"))["features"][0]["properties"]
    assert "Vergeleken met vergelijkbare buurten" not in profile
    assert 'fill="#5e3c99"' not in profile
    if configured:
        assert "Voor deze buurt zijn geen vergelijkbare buurten gezocht: minder dan 100 inwoners" in profile
    else:
        assert "Vergelijkbare buurten" not in profile
        assert 'id="vergelijkbaar"' not in page(report, "colofon.html")
    assert "Gemeten op straat" not in profile
    assert 'id="sensoren"' not in page(report, "colofon.html")


def test_texts_from_sensor_and_similar_data_are_escaped(full_site):
    for path in [*full_site.folder.glob("*.html"), *full_site.folder.glob("*/*.html")]:
        text = path.read_text(encoding="utf-8")
        assert "<b>" not in text, path.name
        assert "Klein<dorp>" not in text, path.name
