"""Downloaders against a local server answering in the documented formats of PDOK and CBS."""

from __future__ import annotations

import functools
import json
import time

import geopandas as gpd
import pandas as pd
import pytest

from ogw_datalab.fetch import FetchError, FetchSettings, HttpCache, fetch_cbs_odata, fetch_file, fetch_pdok_features
from ogw_datalab.fetch.fetch_cbs import gemeente_filter

from .fake_services import fake_server, json_answer

FAST = FetchSettings(timeout_s=5, retries=2, backoff_s=0.01)
ITEMS = "/kadaster/bag/ogc/v2/collections/verblijfsobject/items"
CBS = "/ODataApi/odata/85984NED/TypedDataSet"


def pdok_feature(i: int, x: float, y: float) -> dict:
    return {
        "type": "Feature",
        "id": f"0484010000{i:06d}",
        "geometry": {"type": "Point", "coordinates": [x, y]},
        "properties": {"identificatie": f"0484010000{i:06d}", "huisnummer": i},
    }


def pdok_pages(server):
    """Two pages linked by a cursor, as PDOK pages them."""

    def items(query, _hits):
        cursor = query.get("cursor", ["0"])[0]
        if cursor == "0":
            features = [pdok_feature(1, 104_000.5, 461_000.25), pdok_feature(2, 104_100.0, 461_050.0)]
            links = [
                {"rel": "self", "href": server.base_url + ITEMS},
                {
                    "rel": "next",
                    "type": "application/geo+json",
                    "href": f"{server.base_url}{ITEMS}?f=json&limit=2&cursor=abc&crs=http://www.opengis.net/def/crs/EPSG/0/28992",
                },
            ]
        else:
            features, links = [pdok_feature(3, 104_200.0, 461_100.0)], [{"rel": "self", "href": "x"}]
        page = {
            "type": "FeatureCollection",
            "timeStamp": "2026-11-27T06:00:00Z",
            "links": links,
            "features": features,
            "numberReturned": len(features),
        }
        return json_answer(page, headers={"Content-Crs": "<http://www.opengis.net/def/crs/EPSG/0/28992>"})

    return items


def test_pdok_pages_through_next_links_and_asks_rd_new(tmp_path):
    with fake_server() as server:
        server.routes[ITEMS] = pdok_pages(server)
        cache = HttpCache(tmp_path / "cache", FAST)
        count = fetch_pdok_features(
            server.base_url + ITEMS,
            tmp_path / "adressen.gpkg",
            cache=cache,
            bbox=(100_000, 455_000, 110_000, 465_000),
            limit=2,
        )
        first_query = server.queries[0]
    assert count == 3
    assert first_query["crs"] == ["http://www.opengis.net/def/crs/EPSG/0/28992"]
    assert first_query["bbox"] == ["100000.000,455000.000,110000.000,465000.000"]
    assert first_query["bbox-crs"] == ["http://www.opengis.net/def/crs/EPSG/0/28992"]
    frame = gpd.read_file(tmp_path / "adressen.gpkg")
    assert frame.crs == "EPSG:28992"
    assert list(frame["huisnummer"]) == [1, 2, 3]
    assert frame.geometry.iloc[0].x == 104_000.5


def test_second_fetch_comes_from_the_cache_unless_refreshed(tmp_path):
    with fake_server() as server:
        server.routes[ITEMS] = pdok_pages(server)
        url, out = server.base_url + ITEMS, tmp_path / "a.gpkg"
        fetch_pdok_features(url, out, cache=HttpCache(tmp_path / "cache", FAST))
        after_first = sum(server.hits.values())
        fetch_pdok_features(url, out, cache=HttpCache(tmp_path / "cache", FAST))
        after_second = sum(server.hits.values())
        fetch_pdok_features(url, out, cache=HttpCache(tmp_path / "cache", FetchSettings(retries=0, refresh=True)))
        after_refresh = sum(server.hits.values())
    assert (after_first, after_second, after_refresh) == (2, 2, 4)
    records = [json.loads(p.read_text()) for p in (tmp_path / "cache").glob("*.json")]
    assert len(records) == 2
    assert all(len(r["sha256"]) == 64 and r["retrieved_at"].startswith("20") for r in records)


def test_damaged_cache_entry_is_downloaded_again(tmp_path):
    with fake_server() as server:
        server.routes["/file.csv"] = lambda q, h: (200, {"Content-Type": "text/csv"}, b"a;b\n1;2\n")
        cache = HttpCache(tmp_path / "cache", FAST)
        first = fetch_file(server.base_url + "/file.csv", tmp_path / "f.csv", cache=cache)
        first.body_path.write_bytes(b"tampered")
        second = fetch_file(server.base_url + "/file.csv", tmp_path / "f.csv", cache=cache)
        hits = server.hits["/file.csv"]
    assert hits == 2
    assert not second.from_cache
    assert (tmp_path / "f.csv").read_bytes() == b"a;b\n1;2\n"


def test_server_error_then_success_is_retried(tmp_path):
    def flaky(_query, hits):
        if hits == 1:
            return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"
        return 200, {"Content-Type": "application/octet-stream"}, b"GPKG..."

    with fake_server() as server:
        server.routes["/wijkenbuurten_2024.gpkg"] = flaky
        response = fetch_file(
            server.base_url + "/wijkenbuurten_2024.gpkg",
            tmp_path / "wb.gpkg",
            cache=HttpCache(tmp_path / "cache", FAST),
        )
        hits = server.hits["/wijkenbuurten_2024.gpkg"]
    assert hits == 2
    assert response.sha256
    assert (tmp_path / "wb.gpkg").read_bytes() == b"GPKG..."


def test_truncated_response_is_retried_and_never_cached(tmp_path):
    body = json.dumps({"odata.metadata": "x", "value": [{"WijkenEnBuurten": "GM0484    ", "AantalInwoners_5": 1}]})

    def truncated_once(_query, hits):
        data = body.encode()
        if hits == 1:
            return 200, {"Content-Type": "application/json", "X-Declared-Length": str(len(data))}, data[:25]
        return 200, {"Content-Type": "application/json"}, data

    with fake_server() as server:
        server.routes[CBS] = truncated_once
        rows = fetch_cbs_odata(
            server.base_url + CBS,
            tmp_path / "kwb.csv",
            gemeentecode="GM0484",
            cache=HttpCache(tmp_path / "cache", FAST),
        )
        hits = server.hits[CBS]
    assert rows == 1
    assert hits == 2


def test_truncated_every_time_gives_a_clear_error(tmp_path):
    def always_truncated(_query, _hits):
        return 200, {"Content-Type": "application/json", "X-Declared-Length": "500"}, b'{"value": ['

    with fake_server() as server:
        server.routes[CBS] = always_truncated
        with pytest.raises(FetchError, match="gave up after 3 attempts; last problem: incomplete response"):
            fetch_cbs_odata(
                server.base_url + CBS,
                tmp_path / "kwb.csv",
                gemeentecode="GM0484",
                cache=HttpCache(tmp_path / "cache", FAST),
            )
    assert not (tmp_path / "kwb.csv").exists()
    assert not list((tmp_path / "cache").glob("*.body")) if (tmp_path / "cache").exists() else True


def test_cbs_filters_on_the_gemeente_and_follows_next_links(tmp_path):
    def table(query, _hits):
        if "$skiptoken" not in query:
            page = {
                "odata.metadata": "meta",
                "value": [
                    {
                        "ID": 1,
                        "WijkenEnBuurten": "GM0484    ",
                        "Gemeentenaam_1": "Alphen aan den Rijn",
                        "AantalInwoners_5": 114966,
                    },
                    {
                        "ID": 2,
                        "WijkenEnBuurten": "WK048400  ",
                        "Gemeentenaam_1": "Alphen aan den Rijn",
                        "AantalInwoners_5": 9000,
                    },
                ],
                "odata.nextLink": server.base_url + CBS + "?$format=json&$skiptoken=2",
            }
        else:
            page = {
                "odata.metadata": "meta",
                "value": [
                    {
                        "ID": 3,
                        "WijkenEnBuurten": "BU04840000",
                        "Gemeentenaam_1": "Alphen aan den Rijn",
                        "AantalInwoners_5": None,
                    }
                ],
            }
        return json_answer(page)

    with fake_server() as server:
        server.routes[CBS] = table
        rows = fetch_cbs_odata(
            server.base_url + CBS,
            tmp_path / "kwb.csv",
            gemeentecode="GM0484",
            cache=HttpCache(tmp_path / "cache", FAST),
        )
        first_query = server.queries[0]
    assert rows == 3
    assert first_query["$filter"] == [gemeente_filter("GM0484")]
    assert "startswith(WijkenEnBuurten,'BU0484')" in first_query["$filter"][0]
    frame = pd.read_csv(tmp_path / "kwb.csv", dtype=str)
    assert list(frame["WijkenEnBuurten"]) == ["GM0484    ", "WK048400  ", "BU04840000"]


def test_cbs_too_many_records_is_not_retried(tmp_path):
    error = {
        "odata.error": {"code": "", "message": {"lang": "nl-NL", "value": "query returns more than 10000 records"}}
    }
    with fake_server() as server:
        server.routes[CBS] = lambda q, h: json_answer(error, status=500)
        with pytest.raises(FetchError, match="at most 10,000 rows"):
            fetch_cbs_odata(
                server.base_url + CBS,
                tmp_path / "kwb.csv",
                gemeentecode="GM0484",
                cache=HttpCache(tmp_path / "cache", FAST),
            )
        hits = server.hits[CBS]
    assert hits == 1


def test_client_error_is_not_retried(tmp_path):
    with fake_server() as server:
        with pytest.raises(FetchError, match="HTTP 404"):
            fetch_file(server.base_url + "/missing.gpkg", tmp_path / "m.gpkg", cache=HttpCache(tmp_path / "c", FAST))
        hits = server.hits["/missing.gpkg"]
    assert hits == 1


def test_no_network_fails_fast_with_what_to_do(tmp_path):
    started = time.perf_counter()
    with pytest.raises(FetchError, match="no internet access.*copy the cache folder"):
        fetch_file(
            "http://service.pdok.invalid/wijkenbuurten.gpkg",
            tmp_path / "x.gpkg",
            cache=HttpCache(tmp_path / "cache", FetchSettings(retries=3, backoff_s=1.0)),
        )
    assert time.perf_counter() - started < 1.0  # no retries with backoff when the host cannot be resolved


def test_refused_connection_is_retried_then_explained(tmp_path):
    with fake_server() as server:
        url = server.base_url + "/x"
    with pytest.raises(FetchError, match="gave up after 3 attempts; last problem: connection failed"):
        fetch_file(url, tmp_path / "x", cache=HttpCache(tmp_path / "cache", FAST))


def test_fetch_command_downloads_configured_sources_then_uses_the_cache(tmp_path, capsys, monkeypatch):
    from pipelines import cli
    from pipelines.cli import main

    # The command's own settings with a short wait between retries: the last fetch finds the server gone and retries
    # (retrying a refused connection is test_refused_connection_is_retried_then_explained's subject), 7 s otherwise.
    monkeypatch.setattr(cli, "FetchSettings", functools.partial(FetchSettings, backoff_s=0.01))

    (tmp_path / "opgaven.yaml").write_text("opgaven: []\n", encoding="utf-8")
    with fake_server() as server:
        server.routes["/wijkenbuurten_2024_v1.gpkg"] = lambda q, h: (200, {}, b"not really a gpkg")
        server.routes[ITEMS] = pdok_pages(server)
        config = tmp_path / "gemeente.yaml"
        config.write_text(
            f"""
gemeente: {{code: GM0484, naam: Alphen aan den Rijn}}
jaar: 2024
bronnen:
  buurten:
    soort: cbs_wijkbuurtkaart
    pad: data/wijkenbuurten_2024_v1.gpkg
    laag: buurten
    download: {{soort: bestand, url: "{server.base_url}/wijkenbuurten_2024_v1.gpkg"}}
  wijken: {{soort: cbs_wijkbuurtkaart, pad: data/wijkenbuurten_2024_v1.gpkg, laag: wijken}}
  adressen:
    soort: bag_verblijfsobjecten
    pad: data/adressen.gpkg
    download: {{soort: pdok_ogc_features, url: "{server.base_url}{ITEMS}", bbox: [100000, 455000, 110000, 465000]}}
opgaven: opgaven.yaml
indicatoren: indicatoren.yaml
uitvoer: {{cache: data/cache}}
""",
            encoding="utf-8",
        )
        assert main(["fetch", "--config", str(config)]) == 0
        first = capsys.readouterr().out
        assert main(["fetch", "--config", str(config)]) == 0
        second = capsys.readouterr().out
    assert "bronnen.buurten: sha256" in first
    assert "(1 request(s))" in first
    assert "bronnen.adressen: 3 features" in first
    assert "(2 request(s))" in first
    assert second.count("(cache)") == 2
    assert (tmp_path / "data" / "wijkenbuurten_2024_v1.gpkg").read_bytes() == b"not really a gpkg"
    assert (tmp_path / "data" / "adressen.gpkg").is_file()
    assert main(["fetch", "--config", str(config), "--refresh"]) == 2  # the server is gone now
    assert "gave up after" in capsys.readouterr().err
