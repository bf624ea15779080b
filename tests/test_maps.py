"""The published site: offline by construction, small, in Dutch, never showing a suppressed value, and downloads
that read back to exactly the published values."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pyogrio
import pytest

from ogw_datalab.audit import latest_source_files
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.maps.build_map_pages import gemeente_text, indicator_sentences
from ogw_datalab.maps.offline import ExternalResourceError, check_offline
from ogw_datalab.maps.svg import spread_apart

from . import factories

MAX_PAGE_BYTES = 1_500_000
MAX_PROFILE_BYTES = 300_000


def test_check_offline_refuses_cdn_resources():
    with pytest.raises(ExternalResourceError, match="cdn.jsdelivr.net"):
        check_offline('<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>', "p")
    with pytest.raises(ExternalResourceError):
        check_offline('<link rel="stylesheet" href="//maxcdn.example/bootstrap.css">', "p")
    assert check_offline('<script src="assets/leaflet.js"></script>', "p")


def site_pages(maps):
    return [*maps.glob("*.html"), *maps.glob("buurten/*.html"), *maps.glob("wijken/*.html")]


@pytest.mark.e2e
@pytest.mark.parametrize("lab", ["demo", "alphen"])
def test_every_page_loads_only_local_files_and_stays_small(request, lab):
    maps = request.getfixturevalue(f"{lab}_lab").maps
    pages = site_pages(maps)
    assert {"index.html", "colofon.html"} <= {p.name for p in pages}
    assert len([p for p in pages if p.name.startswith("opgave_")]) >= 3
    for page in pages:
        text = page.read_text(encoding="utf-8")
        check_offline(text, page.name)
        limit = MAX_PROFILE_BYTES if page.parent.name in ("buurten", "wijken") else MAX_PAGE_BYTES
        assert page.stat().st_size <= limit, (page.name, page.stat().st_size)
        for local in re.findall(r'(?:src|href)="((?:\.\./)?(?:assets/|buurten/|wijken/|downloads/)[^"#]+)', text):
            assert (page.parent / local).is_file(), (page.name, local)
    assert (maps / "assets" / "leaflet.js").is_file()
    assert (maps / "assets" / "LICENSE-leaflet.txt").is_file()


@pytest.mark.e2e
def test_every_buurt_and_wijk_has_a_profile(demo_lab):
    con = connect(demo_lab.database, read_only=True)
    buurten = [r[0] for r in con.execute("SELECT buurtcode FROM staging.buurten").fetchall()]
    wijken = [r[0] for r in con.execute("SELECT wijkcode FROM staging.wijken").fetchall()]
    con.close()
    assert sorted(p.stem for p in (demo_lab.maps / "buurten").glob("*.html")) == sorted(buurten)
    assert sorted(p.stem for p in (demo_lab.maps / "wijken").glob("*.html")) == sorted(wijken)
    profile = (demo_lab.maps / "buurten" / "BU99990100.html").read_text(encoding="utf-8")
    assert "<h1>Binnenstad</h1>" in profile
    assert "sinds 2023" in profile
    assert "Kiemen bij" in profile


@pytest.mark.e2e
def test_opgave_page_has_map_layers_table_hefbomen_and_downloads(demo_lab):
    page = (demo_lab.maps / "opgave_meer_groen.html").read_text(encoding="utf-8")
    assert '<select id="kaartlaag">' in page
    assert page.count("<option value=") >= 6
    assert '<table id="waarden">' in page
    assert 'scope="col"' in page
    assert "Tegels eruit, bomen erin" in page
    assert "leaflet.markercluster.js" in page
    # The legend explains the kiemen's numbered clusters too, which looked like the front page's priority markers
    assert "Een gekleurde cirkel met een getal bundelt zoveel kiemen dicht bij elkaar" in page
    assert 'src="assets/kaartpagina.js"' in page  # the map's own behaviour: the script of our folium plugins
    assert "doel: 10,0% van het landoppervlak" in page
    for suffix in (".csv", "-data.csv", ".gpkg", ".geojson", "-leesmij.txt"):
        assert f'href="downloads/opgave_meer_groen{suffix}"' in page


@pytest.mark.e2e
def test_indicator_pages_have_a_table_search_and_downloads(demo_lab):
    page = (demo_lab.maps / "eenzaam_pct.html").read_text(encoding="utf-8")
    assert '<table id="waarden">' in page
    assert 'id="zoek-buurt"' in page
    assert 'href="downloads/indicator_eenzaam_pct.gpkg"' in page
    assert "Hoe berekend" in page


@pytest.mark.e2e
def test_front_page_shows_a_small_map_per_opgave_with_alt_text(demo_lab):
    index = (demo_lab.maps / "index.html").read_text(encoding="utf-8")
    maps = re.findall(r'<svg class="duimnagel"[^>]*role="img" aria-label="([^"]+)"', index)
    assert len(maps) == 5
    assert all("Genummerd de buurten die de meeste aandacht vragen" in m for m in maps)
    assert not re.search(r"score \d+\.\d", index)  # no "score 76.6" among Dutch commas
    assert '<ol class="prioriteiten">' in index  # the accessible lists stay


@pytest.mark.e2e
def test_pages_speak_dutch_without_internal_names(demo_lab):
    catalogue_ids = [p.stem for p in demo_lab.maps.glob("*.html") if "_" in p.stem and not p.stem.startswith("opgave")]
    for page in site_pages(demo_lab.maps):
        html = page.read_text(encoding="utf-8")
        html = html.split('<details class="technisch">')[0]  # the colophon's section for data managers
        text = re.sub(r"<script.*?</script>|<[^>]+>", " ", html, flags=re.S)
        assert "EPSG" not in text, page.name
        assert "formule:" not in text, page.name
        assert "geen waarde" not in text, page.name
        assert not any(re.search(rf"\b{i}\b", text) for i in catalogue_ids), page.name
    assert "Inzoomen" in (demo_lab.maps / "assets" / "kaartpagina.js").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_search_index_has_postcodes_only_with_bag_addresses(demo_lab, alphen_lab):
    demo = (demo_lab.maps / "zoekindex.js").read_text(encoding="utf-8")
    alphen = (alphen_lab.maps / "zoekindex.js").read_text(encoding="utf-8")
    assert len(re.findall(r'"\d{4}[A-Z]{2}":"BU9999\d{4}"', demo)) > 100
    assert '"postcodes":{}' in alphen
    assert "Heimanswetering" in alphen
    # The search box's hint names a postcode of the gemeente itself (it named one of Alphen everywhere)
    hint = re.search(r"of een postcode als (\d{4}) ([A-Z]{2})\.", (demo_lab.maps / "index.html").read_text("utf-8"))
    assert hint is not None
    assert f'"{hint[1]}{hint[2]}":"BU9999' in demo
    assert "een postcode als" not in (alphen_lab.maps / "index.html").read_text(encoding="utf-8")


def published(database, indicator: str) -> pd.DataFrame:
    con = connect(database, read_only=True)
    rows = con.execute(
        "SELECT buurtcode, waarde, status, reden FROM indicators.publicatie_buurt WHERE indicator = ? "
        "ORDER BY buurtcode",
        [indicator],
    ).df()
    con.close()
    return rows


@pytest.mark.e2e
@pytest.mark.parametrize("lab", ["demo", "alphen"])
def test_every_download_reads_back_as_the_published_values(request, lab):
    from ogw_datalab.config import load_config
    from ogw_datalab.project import load_project

    built = request.getfixturevalue(f"{lab}_lab")
    project = load_project(load_config(built.config))
    downloads = built.maps / "downloads"
    sets = [(f"indicator_{i.id}", {"waarde": i}) for i in project.catalogue.indicatoren]
    sets += [(f"opgave_{o.id}", {i.id: project.catalogue.by_id(i.id) for i in o.indicatoren}) for o in project.opgaven]
    for name, columns in sets:
        excel = downloads / f"{name}.csv"
        assert excel.read_bytes().startswith(b"\xef\xbb\xbf"), name
        nl = pd.read_csv(excel, sep=";", decimal=",", encoding="utf-8-sig")
        machine = pd.read_csv(downloads / f"{name}-data.csv")
        gpkg = pyogrio.read_dataframe(downloads / f"{name}.gpkg")
        assert pyogrio.read_info(downloads / f"{name}.gpkg")["crs"] == "EPSG:28992"
        geojson = json.loads((downloads / f"{name}.geojson").read_text(encoding="utf-8"))
        readme = (downloads / f"{name}-leesmij.txt").read_text(encoding="utf-8")
        assert list(nl.columns) != list(machine.columns)
        assert len(nl) == len(machine) == len(gpkg)
        for column, indicator in columns.items():
            expected = published(built.database, indicator.id)
            assert list(machine["buurtcode"]) == list(expected["buurtcode"]), name
            header = nl.columns[list(machine.columns).index(column)]
            assert indicator.eenheid in header, (name, header)
            for values in (nl[header], machine[column], gpkg[column]):
                assert pd.api.types.is_numeric_dtype(values), (name, column)  # no text in a numeric column
                pd.testing.assert_series_equal(
                    values.astype(float).reset_index(drop=True),
                    expected["waarde"].round(indicator.decimalen).reset_index(drop=True),
                    check_names=False,
                )
            withheld = expected["status"] == "onderdrukt"
            assert (machine.loc[withheld, f"{column}_status"] == "onderdrukt").all()
            assert list(machine.loc[withheld, f"{column}_reden"]) == list(expected.loc[withheld, "reden"])
            properties = [f["properties"][column] for f in geojson["features"]]
            assert all(v is None or isinstance(v, (int, float)) for v in properties), (name, column)
            assert column in readme
    assert any(
        withheld.any()
        for withheld in [
            published(built.database, i.id)["status"] == "onderdrukt" for i in project.catalogue.indicatoren
        ]
    )


@pytest.mark.e2e
def test_every_page_declares_dutch(demo_lab):
    for page in site_pages(demo_lab.maps):
        assert '<html lang="nl">' in page.read_text(encoding="utf-8"), page.name


def test_the_colofon_names_every_file_with_its_date_and_checksum(demo_lab):
    """The audit trail on the page: each file the build read, its date and the start of its sha256."""
    con = connect(demo_lab.database, read_only=True)
    files = [(f["bron"], f["pad"], f["sha256"]) for f in latest_source_files(con)]  # of the latest build
    con.close()
    page = (demo_lab.maps / "colofon.html").read_text(encoding="utf-8")
    section = page[page.index('id="bestanden"') : page.index("</section>", page.index('id="bestanden"'))]
    assert len(files) >= 5
    for bron, pad, sha256 in files:
        digest = hashlib.sha256(Path(pad).read_bytes()).hexdigest()
        assert digest == sha256, bron
        assert f"<code>{digest[:12]}</code>" in section, bron
    assert '<th scope="row">buurtgrenzen</th>' in section
    assert '<th scope="row">meetreeks lucht</th>' in section  # the sensor network's files, each of them
    assert sum(bron == "tijdreeksen.lucht" for bron, _, _ in files) >= 5
    assert "sources." not in section
    months = "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
    assert re.search(rf"<td>\d{{1,2}} ({months}) 20\d\d</td>", section)


@pytest.mark.parametrize(
    ("reason", "said"),
    [
        ("minder dan 50 inwoners in de gemeente", "onderdrukt: minder dan 50 inwoners in de gemeente"),
        ("aanvullend onderdrukt: anders is de onderdrukte waarde van buurt A terug te rekenen", None),
        (None, "onderdrukt"),
    ],
)
def test_a_withheld_value_says_so_once_with_its_reason(reason, said):
    counted = factories.catalogue(factories.indicator("bomen", {"type": "aantal", "laag": "bomen"})).indicatoren[0]
    values = pd.DataFrame({"waarde": [None], "status": ["onderdrukt"], "reden": [reason]}, index=["bomen"])
    text = gemeente_text(SimpleNamespace(gemeente_values=values), counted)
    assert text == (said or reason)  # "onderdrukt: aanvullend onderdrukt: ..." said it twice


def test_the_highest_and_lowest_buurt_say_how_many_share_their_value():
    entry = factories.indicator("bomen", {"type": "aantal", "laag": "bomen"}, decimalen=0)
    counted = factories.catalogue(entry).indicatoren[0]
    codes = ["BU1", "BU2", "BU3", "BU4"]
    values = pd.DataFrame({"waarde": [0.0, 3.0, 0.0, 0.0], "status": ["gepubliceerd"] * 4}, index=codes)
    data = SimpleNamespace(
        values_of=lambda _: values,
        buurten=pd.DataFrame({"buurtnaam": ["Noord", "Oost", "Zuid", "West"]}, index=codes),
        gemeente_values=pd.DataFrame({"waarde": [3.0], "status": ["gepubliceerd"], "reden": [None]}, index=["bomen"]),
    )
    sentences = indicator_sentences(data, counted)
    assert sentences[-1] == "Hoogste waarde: Oost (3\xa0e); laagste: Noord en 2 andere buurten (0\xa0e)."


def test_numbered_markers_of_the_front_page_maps_do_not_hide_each_other(demo_lab):
    index = (demo_lab.maps / "index.html").read_text(encoding="utf-8")
    thumbnails = re.findall(r'<svg class="duimnagel".*?</svg>', index, flags=re.S)
    assert thumbnails
    for svg in thumbnails:
        discs = [tuple(map(float, d)) for d in re.findall(r'<circle cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"', svg)]
        assert len(discs) == 5  # the priority buurten of each opgave
        for i, (x, y, r) in enumerate(discs):
            for u, v, _ in discs[i + 1 :]:
                assert ((x - u) ** 2 + (y - v) ** 2) ** 0.5 >= 2 * r - 1  # whole units: a pixel of rounding


def test_markers_far_enough_apart_keep_their_place_and_close_ones_move_apart():
    assert spread_apart([(10.0, 10.0), (100.0, 100.0)], 20.0, (200.0, 200.0)) == [(10.0, 10.0), (100.0, 100.0)]
    moved = spread_apart([(50.0, 50.0), (55.0, 50.0), (50.0, 50.0)], 20.0, (200.0, 200.0))
    distances = [((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 for i, a in enumerate(moved) for b in moved[i + 1 :]]
    assert min(distances) >= 20.0 - 1e-6
    assert all(10.0 <= c <= 190.0 for point in moved for c in point)  # inside the map
