"""``ogw-datalab init`` without ``--bronnen``: download blocks for the national open sources, fetched and built.

A local server answers as PDOK's wijk- en buurtkaart WFS, PDOK's OGC API Features (BAG, BGT) and CBS StatLine's
OData do, serving data derived here from the 2015 kaart in ../shared/data: Vlieland (GM0096, two buurten) and its
neighbour Terschelling (GM0093, which the gemeentecode filter must leave out), with the column names PDOK's kaart
services use; BAG addresses on a grid inside the buurten and green around some of them. Vlieland is configured,
fetched and built once (``download_lab``); its site is checked against the served features, counted independently.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
import yaml

from ogw_datalab.config import load_configuration
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.similar_buurten import FEATURES
from ogw_datalab.staging.stage_areas import CBS_AREA_COLUMNS

from .fake_services import FakeServer, cbs_odata_routes, fake_server, kaart_wfs_routes, ogc_features_routes
from .labs import Run, build_once, run_cli

CODE, NEIGHBOUR = "GM0096", "GM0093"
BAG = "/kadaster/bag/ogc/v2/collections/verblijfsobject/items"
BGT = "/lv/bgt/ogc/v1/collections/begroeidterreindeel/items"
VARIABLES = ("OGW_DATALAB_PDOK_SERVICE_URL", "OGW_DATALAB_PDOK_API_URL", "OGW_DATALAB_CBS_ODATA_URL")
# The 2015 files' column names -> the names PDOK's kaart services use (the project's own pairs of names).
PDOK_NAMES = {old: new for new, old in CBS_AREA_COLUMNS.values()} | {
    old: new for old, new in (f.columns for f in FEATURES.values())
}
PDOK_NAMES["AUTO_HH"] = "personenautos_per_huishouden"


def kaart_features(shared_data: Path, level: str) -> gpd.GeoDataFrame:
    """Vlieland's and Terschelling's areas of one level from the 2015 kaart, in RD New, with PDOK's names."""
    frame = gpd.read_file(shared_data / "cbs_wijkbuurtkaart_2015_nl" / "friesland" / f"{level}.geojson")
    frame = frame[frame["GM_CODE"].isin([CODE, NEIGHBOUR])].to_crs(28992)
    return frame.rename(columns=lambda c: PDOK_NAMES.get(c, c if c == "geometry" else c.lower()))


def addresses(buurten: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """BAG verblijfsobjecten on a 150 m grid inside every buurt (homes, and every fifth a shop)."""
    points = []
    for polygon in buurten.geometry:
        x0, y0, x1, y1 = polygon.bounds
        grid = shapely.points(*np.meshgrid(np.arange(x0, x1, 150.0), np.arange(y0, y1, 150.0)))
        points += [p for p in grid.ravel() if polygon.contains(p)][:60]
    ids = [f"0096010000{i:06d}" for i in range(len(points))]
    use = ["winkelfunctie" if i % 5 == 4 else "woonfunctie" for i in range(len(points))]
    return gpd.GeoDataFrame(
        {
            "identificatie": ids,
            "gebruiksdoel": use,
            "postcode": [f"88{99 - i // 50:02d}AB" for i in range(len(points))],
            "huisnummer": range(1, len(points) + 1),
            "status": "Verblijfsobject in gebruik",
        },
        geometry=points,
        crs=28992,
    )


def green(buurten: gpd.GeoDataFrame, homes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """BGT begroeid terreindeel: 60 m around every seventh address, cut to its buurt."""
    shapes = [p.buffer(60.0) for p in homes.geometry.iloc[::7]]
    return gpd.GeoDataFrame(
        {"lokaal_id": [f"G0096.{i}" for i in range(len(shapes))], "fysiek_voorkomen": "grasland overig"},
        geometry=shapes,
        crs=28992,
    )


def as_features(frame: gpd.GeoDataFrame) -> list[dict]:
    features = frame.__geo_interface__["features"]
    for feature in features:
        feature.pop("bbox", None)
        feature["properties"] = {k: v for k, v in feature["properties"].items() if v is not None}
    return features


@dataclass(frozen=True)
class Served:
    """What the local services hold."""

    buurten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    adressen: gpd.GeoDataFrame
    groen: gpd.GeoDataFrame


def served(shared_data: Path) -> Served:
    buurten = kaart_features(shared_data, "buurt")
    buurten = buurten[buurten.area > 0]
    homes = addresses(buurten)
    return Served(buurten, kaart_features(shared_data, "wijk"), homes, green(buurten, homes))


@contextmanager
def services(data: Served, jaar: int = 2015) -> Iterator[FakeServer]:
    """The local PDOK and CBS services, and the environment variables that point ``init`` at them."""
    with fake_server() as server, pytest.MonkeyPatch.context() as patch:
        kaart_wfs_routes(
            server,
            jaar,
            {
                "buurten": as_features(data.buurten),
                "wijken": as_features(data.wijken),
                "gemeenten": [
                    {"type": "Feature", "properties": {"gemeentecode": c, "gemeentenaam": n}, "geometry": None}
                    for c, n in ((CODE, "Vlieland"), (NEIGHBOUR, "Terschelling"))
                ],
            },
        )
        ogc_features_routes(server, BAG, as_features(data.adressen), page_size=25)
        ogc_features_routes(server, BGT, as_features(data.groen), page_size=25)
        for variable in VARIABLES:
            patch.setenv(variable, server.base_url + ("/ODataApi/odata" if "CBS" in variable else ""))
        yield server


@dataclass(frozen=True)
class DownloadLab:
    folder: Path
    config: Path
    init: Run
    fetch: Run
    build: Run
    requests: int


def init_fetch_build(folder: Path, shared_data: Path) -> DownloadLab:
    home = folder / "dagster"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    config = folder / "config" / "vlieland.yaml"
    with services(served(shared_data)) as server:
        init = run_cli("init", CODE, "--jaar", "2015", "--uit", str(config))
        assert init.code == 0, init.out + init.err
        fetch = run_cli("fetch", "--config", str(config))
        assert fetch.code == 0, fetch.out + fetch.err
        requests = sum(server.hits.values())
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home))
        build = run_cli("build", "--config", str(config))  # the services are gone: a build needs no network
    assert build.code == 0, build.out + build.err
    return DownloadLab(folder, config, init, fetch, build, requests)


@pytest.fixture(scope="session")
def download_lab(tmp_path_factory, shared_data) -> DownloadLab:
    """Vlieland configured by ``init`` without ``--bronnen``, fetched from the local services and built; once."""
    return build_once(tmp_path_factory, "init-download-GM0096", lambda f: init_fetch_build(f, shared_data))


def test_init_writes_download_blocks_that_point_at_the_services(download_lab, shared_data):
    raw = yaml.safe_load(download_lab.config.read_text(encoding="utf-8"))
    assert raw["gemeente"] == {"code": CODE, "naam": "Vlieland"}
    downloads = {
        key: source["download"]
        for key, source in [*raw["bronnen"].items(), *(("lagen." + k, v) for k, v in raw["lagen"].items())]
    }
    assert set(downloads) == {"buurten", "wijken", "adressen", "lagen.groen"}
    assert all(d["url"].startswith("http://127.0.0.1:") for d in downloads.values())
    assert "typeNames=wijkenbuurten%3Abuurten" in downloads["buurten"]["url"]
    assert "GM0096" in downloads["buurten"]["url"]
    assert "GM0096" in downloads["wijken"]["url"]
    assert downloads["adressen"]["soort"] == downloads["lagen.groen"]["soort"] == "pdok_ogc_features"
    assert downloads["adressen"]["url"].endswith(BAG)
    # the bbox holds Vlieland's buurten and keeps Terschelling's out
    x0, y0, x1, y1 = downloads["adressen"]["bbox"]
    buurten = served(shared_data).buurten
    own = buurten[buurten["gemeentecode"] == CODE].total_bounds
    assert x0 <= own[0]
    assert y0 <= own[1]
    assert x1 >= own[2]
    assert y1 >= own[3]
    assert x1 - x0 <= own[2] - own[0] + 202  # Vlieland's buurten and 100 m around them, not Terschelling too
    assert y1 - y0 <= own[3] - own[1] + 202
    # a year without a known StatLine table says so instead of guessing one
    assert "CBS kerncijfers table (OData) of 2015: its StatLine table id is not known here" in download_lab.init.out
    assert "configuration OK" in download_lab.init.out


def test_fetch_gets_the_kaart_from_the_cache_and_pages_through_bag_and_bgt(download_lab, shared_data):
    out = download_lab.fetch.out
    served_data = served(shared_data)
    assert "bronnen.buurten: sha256" in out
    buurten_line = next(line for line in out.splitlines() if "bronnen.buurten:" in line)
    assert buurten_line.endswith("(cache)")  # init asked the same URL: fetch takes its answer from the cache
    raw = yaml.safe_load(download_lab.config.read_text(encoding="utf-8"))
    box = shapely.box(*raw["bronnen"]["adressen"]["download"]["bbox"])
    in_box = served_data.adressen[served_data.adressen.intersects(box)]
    assert len(in_box) < len(served_data.adressen)  # Terschelling's addresses stay out
    assert len(in_box) > 25  # more than one page of the service
    assert f"bronnen.adressen: {len(in_box):,} features" in out
    assert f"lagen.groen: {int(served_data.groen.intersects(box).sum()):,} features" in out


def test_the_built_site_has_the_served_buurten_and_inhabitants(download_lab, shared_data):
    data = served(shared_data)
    own = data.buurten[data.buurten["gemeentecode"] == CODE]
    expected = own.set_index("buurtcode")["aantal_inwoners"].clip(lower=0)
    site = download_lab.folder / "maps" / "vlieland"
    assert sorted(p.stem for p in (site / "buurten").glob("BU*.html")) == sorted(expected.index)
    published = pd.read_csv(site / "downloads" / "indicator_inwoners-data.csv", dtype={"buurtcode": str})
    assert sorted(published["buurtcode"]) == sorted(expected.index)
    assert (published["gemeente_waarde"] == expected.sum()).all()
    config = load_configuration(download_lab.config)
    catalogue = load_catalogue(config.indicatoren, config)
    assert len(catalogue.indicatoren) >= 6
    assert {"groen_aandeel_pct", "groen_binnen_300m_pct"} <= set(catalogue.ids)
    assert all((site / f"{indicator}.html").is_file() for indicator in catalogue.ids)
    assert len(list(site.glob("opgave_*.html"))) >= 3
    assert (site / "opgave_groen_dichtbij.html").is_file()


def test_green_share_equals_an_independent_overlay(download_lab, shared_data):
    data = served(shared_data)
    own = data.buurten[data.buurten["gemeentecode"] == CODE].set_index("buurtcode")
    site = download_lab.folder / "maps" / "vlieland"
    published = pd.read_csv(site / "downloads" / "indicator_groen_aandeel_pct-data.csv", dtype={"buurtcode": str})
    greens = shapely.union_all(data.groen.geometry.values)
    assert (published["waarde_status"] == "gepubliceerd").sum() == len(own)
    for row in published.itertuples():
        land_m2 = own.loc[row.buurtcode, "oppervlakte_land_in_ha"] * 10_000
        covered = own.loc[row.buurtcode].geometry.intersection(greens).area
        if row.waarde_status == "gepubliceerd":
            assert row.waarde == pytest.approx(100 * covered / land_m2, abs=0.51)


def test_an_unknown_gemeentecode_is_one_sentence_and_writes_nothing(tmp_path, shared_data):
    with services(served(shared_data)):
        run = run_cli("init", "GM9999", "--jaar", "2015", "--uit", str(tmp_path / "config" / "x.yaml"))
    assert run.code == 2
    assert "gemeentecode 'GM9999': PDOK's wijk- en buurtkaart of 2015 has no buurten with that code" in run.err
    assert list(tmp_path.iterdir()) == []  # no configuration, no cache entry


def test_a_gemeente_by_name_is_found_in_the_kaarts_gemeenten(tmp_path, shared_data):
    with services(served(shared_data)) as server:
        run = run_cli("init", "vlieland", "--jaar", "2015", "--uit", str(tmp_path / "config" / "v.yaml"))
    assert run.code == 0, run.out + run.err
    assert load_configuration(tmp_path / "config" / "v.yaml", check_files=False).gemeente.code == CODE
    assert server.hits["/cbs/wijkenbuurten/2015/wfs/v1_0"] == 2  # the name, then the buurten by code


def test_a_year_the_service_does_not_have_is_one_sentence(tmp_path, shared_data):
    with services(served(shared_data)):
        run = run_cli("init", CODE, "--jaar", "2016", "--uit", str(tmp_path / "config" / "x.yaml"))
    assert run.code == 2
    assert "PDOK has no wijk- en buurtkaart WFS for 2016" in run.err
    assert not (tmp_path / "config").exists()


def test_offline_says_what_to_do_in_one_line_and_writes_nothing(tmp_path, monkeypatch):
    """Not the fetch command's message with the request's long URL: 'fetch' needs the configuration init did not
    write (a review)."""
    monkeypatch.setenv("OGW_DATALAB_PDOK_SERVICE_URL", "http://service.pdok.invalid")
    run = run_cli("init", CODE, "--jaar", "2015", "--uit", str(tmp_path / "config" / "x.yaml"))
    assert run.code == 2
    assert run.err.splitlines() == [
        "ogw-datalab: service.pdok.invalid cannot be reached: this machine seems to have no internet access, and init "
        "without --bronnen looks the gemeente and its buurten up there. Run init on a machine with internet (and "
        "'ogw-datalab fetch --config <the file it writes>' there; copy the folder here), or give the files you have "
        "with --bronnen <folder> (the CBS wijk- en buurtkaart at least)"
    ]
    assert list(tmp_path.iterdir()) == []  # no configuration, no cache entry


def test_a_known_year_takes_the_statline_table_through_odata_paging(tmp_path, shared_data):
    data = served(shared_data)
    rows = [
        {"ID": i, "WijkenEnBuurten": code, "Gemeentenaam_1": "Vlieland", "GemiddeldeWOZWaardeVanWoningen_39": 200 + i}
        for i, code in enumerate(["GM0096", "WK009600", *data.buurten["buurtcode"], "BU00930000"])
    ]
    with services(data, jaar=2024) as server:
        cbs_odata_routes(server, "85984NED", rows, page_size=2)
        run = run_cli("init", CODE, "--jaar", "2024", "--uit", str(tmp_path / "config" / "x.yaml"))
        odata_hits = server.hits["/ODataApi/odata/85984NED/TypedDataSet"]
        fetched = run_cli("fetch", "--config", str(tmp_path / "config" / "x.yaml"))
        fetch_hits = server.hits["/ODataApi/odata/85984NED/TypedDataSet"] - odata_hits
    assert run.code == 0, run.out + run.err
    assert fetched.code == 0, fetched.out + fetched.err
    assert fetch_hits == 0  # init's answers, kept in the cache
    checked = run_cli("check", "--config", str(tmp_path / "config" / "x.yaml"))
    assert checked.code == 0, checked.out + checked.err  # the fetched table fits its partner's kolommen
    config = load_configuration(tmp_path / "config" / "x.yaml", check_files=False)
    partner = next(p for p in config.partners if p.naam == "cbs_kerncijfers_tabel")
    assert partner.download is not None
    assert partner.download.soort == "cbs_odata"
    assert partner.download.url == f"{server.base_url}/ODataApi/odata/85984NED/TypedDataSet"
    assert partner.kolommen == {"buurtcode": "WijkenEnBuurten", "woz_waarde": "GemiddeldeWOZWaardeVanWoningen_39"}
    own = 2 + int((data.buurten["gemeentecode"] == CODE).sum())  # Vlieland's GM, WK and BU rows, not Terschelling's
    assert f"{own} rows of GM0096" in run.out
    assert odata_hits == -(-own // 2)  # every page, through odata.nextLink


def test_a_table_refusing_more_than_10000_rows_is_explained(tmp_path, shared_data):
    data = served(shared_data)
    rows = [{"WijkenEnBuurten": f"BU0096{i:04d}", "GemiddeldeWOZWaardeVanWoningen_39": 1} for i in range(10_001)]
    with services(data, jaar=2024) as server:
        cbs_odata_routes(server, "85984NED", rows)
        run = run_cli("init", CODE, "--jaar", "2024", "--uit", str(tmp_path / "config" / "x.yaml"))
    assert run.code == 2
    assert "more than 10000" in run.err
    assert "CBS serves at most 10,000 rows a query" in run.err
    assert not (tmp_path / "config").exists()


def test_nothing_is_written_over_an_existing_configuration_and_nothing_is_asked(tmp_path, shared_data):
    config = tmp_path / "config" / "x.yaml"
    config.parent.mkdir()
    config.write_text("# ours\n", encoding="utf-8")
    with services(served(shared_data)) as server:
        run = run_cli("init", CODE, "--jaar", "2015", "--uit", str(config))
        asked = sum(server.hits.values())
        forced = run_cli("init", CODE, "--jaar", "2015", "--uit", str(config), "--overschrijven")
    assert run.code == 2
    assert "already exists: nothing was written; give --overschrijven" in run.err
    assert asked == 0
    assert forced.code == 0, forced.out + forced.err
    assert "GM0096" in config.read_text(encoding="utf-8")
