"""The published site: offline by construction, small, and never showing a suppressed value."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from ogw_datalab.maps.offline import ExternalResourceError, check_offline

MAX_PAGE_BYTES = 1_500_000


def test_check_offline_refuses_cdn_resources():
    with pytest.raises(ExternalResourceError, match="cdn.jsdelivr.net"):
        check_offline('<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>', "p")
    with pytest.raises(ExternalResourceError):
        check_offline('<link rel="stylesheet" href="//maxcdn.example/bootstrap.css">', "p")
    assert check_offline('<script src="assets/leaflet.js"></script>', "p")


@pytest.mark.e2e
def test_every_page_loads_only_local_files_and_stays_small(demo_lab):
    maps = demo_lab.maps
    pages = sorted(maps.glob("*.html"))
    assert {"index.html", "colofon.html"} <= {p.name for p in pages}
    assert len([p for p in pages if p.name.startswith("opgave_")]) >= 4
    for page in pages:
        text = page.read_text(encoding="utf-8")
        check_offline(text, page.name)
        assert page.stat().st_size < MAX_PAGE_BYTES, page.name
        for local in re.findall(r'(?:src|href)="(assets/[^"]+)"', text):
            assert (maps / local).is_file(), (page.name, local)
    assert (maps / "assets" / "leaflet.js").is_file() and (maps / "assets" / "LICENSE-leaflet.txt").is_file()


@pytest.mark.e2e
def test_downloads_hold_only_published_values(demo_lab):
    csv = pd.read_csv(demo_lab.maps / "downloads" / "energietransitie.csv", sep=";", decimal=",", dtype=str)
    assert "onderdrukt" in set(csv["energielabel_efg_pct"])
    geojson = json.loads((demo_lab.maps / "downloads" / "energietransitie.geojson").read_text(encoding="utf-8"))
    values = [f["properties"]["energielabel_efg_pct"] for f in geojson["features"]]
    assert "onderdrukt" in values and len(values) == len(csv)
    assert "noemer" not in csv.columns and "teller" not in csv.columns


@pytest.mark.e2e
def test_opgave_page_has_map_layers_table_and_hefbomen(demo_lab):
    page = (demo_lab.maps / "opgave_meer_groen.html").read_text(encoding="utf-8")
    assert '<select id="kaartlaag">' in page and page.count("<option value=") >= 6
    assert '<table id="waarden">' in page and 'scope="col"' in page
    assert "Tegels eruit, bomen erin" in page and "MarkerCluster" in page
    assert 'src="assets/opgave.js"' in page and "doel: 10" in page


@pytest.mark.e2e
def test_every_page_declares_dutch(demo_lab):
    for page in demo_lab.maps.glob("*.html"):
        assert '<html lang="nl">' in page.read_text(encoding="utf-8"), page.name
