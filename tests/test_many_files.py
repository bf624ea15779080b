"""Sources of many files (a folder or a glob): CBS area files merged with each area once, point layers merged.

Hand-built region files (a few box() buurten in RD New, written as GeoJSON in WGS84 like the
real 2015 files) hold every quirk of the real ones: slivers of a neighbouring region, a
gemeente listed by two regions, a buurt only as a line, an invalid polygon, CBS sentinels.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import LineString, Point, Polygon, box

from ogw_datalab.config import Layer, Partner, Source, load_config
from ogw_datalab.inbox import scan_inbox
from ogw_datalab.readers import SourceError, read_areas, read_source, source_files
from ogw_datalab.readers.read_areas import read_cbs_areas
from ogw_datalab.readers.source_files import SourceFilesError, region_of
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.storage import write_frame

PROJECT = Path(__file__).resolve().parents[1]
X0, Y0 = 150_000, 450_000  # somewhere in the Netherlands, RD New
SECRET = -99999999


def write_geojson(path: Path, rows: list[dict], geometries: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometries, crs="EPSG:28992").to_crs("EPSG:4326")
    pyogrio.write_dataframe(frame, path, driver="GeoJSON")


def cell(i: int, j: int, size: float = 1000) -> Polygon:
    return box(X0 + i * 1000, Y0 + j * 1000, X0 + i * 1000 + size, Y0 + j * 1000 + size)


def buurt(code: str, inwoners: int, dichtheid: int = 1000) -> dict:
    return {"BU_CODE": code, "BU_NAAM": f"Buurt {code[-2:]}", "WK_CODE": "WK" + code[2:8], "GM_CODE": "GM" + code[2:6],
            "GM_NAAM": "Gemeente " + code[2:6], "AANT_INW": inwoners, "BEV_DICHTH": dichtheid}  # fmt: skip


def gemeente(code: str, inwoners: int) -> dict:
    return {"GM_CODE": code, "GM_NAAM": "Gemeente " + code[2:], "AANT_INW": inwoners}


@pytest.fixture
def regions(tmp_path) -> Path:
    """Two regions. 'noord' lists GM0001; 'zuid' lists GM0002, GM0003 and (a border sliver of) GM0001.

    noord: BU00010001 and BU00010002 whole; a sliver of BU00020001 (GM0002 is not noord's).
    zuid:  BU00020001 whole; a sliver of BU00010002 (listed: GM0001 is in zuid's gemeente file);
           BU00020002 only as a line; BU00020003 a self-crossing (invalid) polygon with a secret
           density; BU00030001 a sliver of GM0003, which lives elsewhere (incomplete here).
    """
    root = tmp_path / "kaart"
    write_geojson(
        root / "noord" / "buurt.geojson",
        [buurt("BU00010001", 600), buurt("BU00010002", 400), buurt("BU00020001", 800)],
        [cell(0, 2), cell(1, 2), cell(0, 1, size=30)],
    )
    write_geojson(
        root / "noord" / "gemeente.geojson", [gemeente("GM0001", 1003)], [box(X0, Y0 + 2000, X0 + 2000, Y0 + 3000)]
    )
    bow_tie = Polygon([(X0 + 1000, Y0), (X0 + 2000, Y0 + 1000), (X0 + 2000, Y0), (X0 + 1000, Y0 + 1000)])
    write_geojson(
        root / "zuid" / "buurt.geojson",
        [
            buurt("BU00020001", 800),
            buurt("BU00010002", 400),
            buurt("BU00020002", 150),
            buurt("BU00020003", 50, dichtheid=SECRET),
            buurt("BU00030001", 5),
        ],
        [
            cell(0, 1),
            box(X0 + 1000, Y0 + 1990, X0 + 2000, Y0 + 2000),
            LineString([(X0, Y0), (X0 + 500, Y0)]),
            bow_tie,
            cell(3, 0, size=20),
        ],
    )
    write_geojson(
        root / "zuid" / "gemeente.geojson",
        [gemeente("GM0002", 880), gemeente("GM0001", 1003), gemeente("GM0003", 20_000)],
        [box(X0, Y0, X0 + 2000, Y0 + 2000), box(X0 + 1000, Y0 + 1990, X0 + 2000, Y0 + 2000), cell(3, 0, size=20)],
    )
    return root


def test_each_buurt_once_by_the_documented_rules(regions):
    areas = read_cbs_areas(regions / "*" / "buurt.geojson")
    frame = areas.frame.set_index("BU_CODE")
    assert sorted(frame.index) == ["BU00010001", "BU00010002", "BU00020001", "BU00020003", "BU00030001"]
    # The largest polygon wins: noord's whole BU00010002, not zuid's 10 m sliver; zuid's whole BU00020001.
    assert frame.loc["BU00010002", "bronbestand"] == "noord/buurt.geojson"
    assert frame.loc["BU00010002"].geometry.area == pytest.approx(1e6, rel=1e-3)
    assert frame.loc["BU00020001", "bronbestand"] == "zuid/buurt.geojson"
    assert frame.loc["BU00020001"].geometry.area == pytest.approx(1e6, rel=1e-3)
    # The bow tie is repaired into polygon parts; the secret density is empty, not -99999999.
    assert frame.loc["BU00020003"].geometry.is_valid
    assert frame.loc["BU00020003"].geometry.area > 0
    assert np.isnan(frame.loc["BU00020003", "BEV_DICHTH"])
    report = areas.report
    assert (report.files, report.features, report.kept) == (2, 8, 5)
    assert report.slivers == 1
    assert report.sliver_examples == ("BU00020001 (noord/buurt.geojson)",)
    assert report.duplicates == 1  # zuid's sliver of BU00010002 (noord's copy of BU00020001 went as a sliver)
    assert report.without_polygon == 1
    assert report.no_polygon_anywhere == ("BU00020002",)
    assert report.repaired == 1
    assert report.sentinels == {"BEV_DICHTH": 1}
    assert "BU00020002" in report.summary()


def test_gemeenten_home_region_and_completeness(regions):
    table = read_cbs_areas(regions / "*" / "buurt.geojson").gemeenten.set_index("gemeentecode")
    # GM0001 is listed by both regions; its home is noord, which holds its polygon.
    assert table.loc["GM0001", "regio"] == "noord"
    assert table.loc["GM0002", "regio"] == "zuid"
    assert table.loc["GM0001", "inwoners"] == 1000
    assert table.loc["GM0001", "inwoners_gemeente"] == 1003
    assert bool(table.loc["GM0001", "volledig"])
    assert bool(table.loc["GM0002", "volledig"])
    # GM0003: one 5-inhabitant sliver of its 20,000 inhabitants is not a gemeente that can be built.
    assert not bool(table.loc["GM0003", "volledig"])
    assert read_cbs_areas(regions / "*" / "buurt.geojson").report.incomplete_gemeenten == ("GM0003",)


def test_folder_with_layer_names_the_same_files(regions):
    by_folder = read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=regions, laag="buurt"))
    by_glob = read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=regions / "*" / "buurt.geojson"))
    assert by_folder["BU_CODE"].tolist() == by_glob["BU_CODE"].tolist()
    # bronrij numbers the merged rows (unique, as for one file); bestandsrij is the row in its own file.
    assert by_folder["bronrij"].tolist() == list(range(1, len(by_folder) + 1))
    assert set(by_folder.columns) >= {"bronbestand", "bestandsrij", "bronregio"}


def test_a_region_file_without_gemeente_layer_is_refused(regions):
    (regions / "noord" / "gemeente.geojson").unlink()
    with pytest.raises(SourceError, match="no gemeente layer beside this file"):
        read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=regions / "*" / "buurt.geojson"))


def test_files_are_read_once_whoever_asks_and_a_failure_names_its_own_caller(regions, monkeypatch):
    """The check before a build, the list of gemeenten and the reference kaart name the same files differently."""
    first = read_cbs_areas(regions, layer="buurt", where="bronnen.buurten")

    def no_second_read(*args, **kwargs):
        raise AssertionError("the same unchanged files were read again")

    monkeypatch.setattr(read_areas, "read_one_file", no_second_read)
    assert read_cbs_areas(regions, layer="buurt", where="vergelijkbare_buurten.kaart") is first
    monkeypatch.undo()

    (regions / "noord" / "gemeente.geojson").unlink()  # changed files: read again, and refused
    for caller in ("bronnen.buurten", "vergelijkbare_buurten.kaart"):
        with pytest.raises(SourceFilesError, match=rf"^{caller} \(.*no gemeente layer beside this file"):
            read_cbs_areas(regions, layer="buurt", where=caller)


def test_only_the_configured_gemeenten_are_read_and_staged(con, regions):
    source = Source(soort="cbs_wijkbuurtkaart", pad=regions / "*" / "buurt.geojson", gemeenten=["gm0001"])
    frame = read_source("bronnen.buurten", source)
    assert sorted(frame["BU_CODE"]) == ["BU00010001", "BU00010002"]
    write_frame(con, "raw", "buurten", frame)
    assert stage_cbs_areas(con, "buurten", "GM0001") == {
        "rows": 2,
        "other_gemeenten": 0,
        "rejected_geometries": 0,
        "negative_emptied": {},
    }


def test_pattern_that_matches_nothing_is_a_clear_error(tmp_path):
    with pytest.raises(SourceError, match="no file matches"):
        read_source("bronnen.buurten", Source(soort="cbs_wijkbuurtkaart", pad=tmp_path / "*" / "buurt.geojson"))


def test_pattern_only_for_gis_kinds():
    with pytest.raises(ValueError, match="a pattern as pad is for soorten"):
        Source(soort="csv", pad=Path("data/*.csv"))
    with pytest.raises(ValueError, match="need one file as pad"):
        Source(soort="vector", pad=Path("data/*.geojson"), download={"soort": "bestand", "url": "https://x"})


def test_point_layers_keep_copies_across_files_once(tmp_path):
    """The same facility in two region files is one facility; two equal rows in one file are the file's own."""
    here, there, elsewhere = Point(X0 + 10, Y0 + 10), Point(X0 + 5000, Y0 + 5000), Point(X0 + 9000, Y0)
    write_geojson(
        tmp_path / "a" / "ziekenhuis.geojson",
        [{"naam": "Gasthuis"}, {"naam": "Kliniek"}, {"naam": "Kliniek"}],
        [here, there, there],
    )
    write_geojson(
        tmp_path / "b" / "ziekenhuis.geojson", [{"naam": "Gasthuis"}, {"naam": "Polikliniek"}], [here, elsewhere]
    )
    layer = Layer(soort="vector", geometrie="punten", pad=tmp_path / "*" / "ziekenhuis.geojson")
    frame = read_source("lagen.ziekenhuizen", layer)
    assert frame["naam"].tolist() == ["Gasthuis", "Kliniek", "Kliniek", "Polikliniek"]
    assert frame["bestandsrij"].tolist() == [1, 2, 3, 2]
    # bronrij is how joins find a row again: unique over all files, never the row number within one file.
    assert frame["bronrij"].tolist() == [1, 2, 3, 4]


def test_point_layers_of_many_files_have_sentinels_emptied_on_every_read(tmp_path, monkeypatch):
    """Cleaned once per process: a second gemeente reading the same national layer gets it cleaned from memory,
    with the same counts, and what a caller does to its frame does not reach the next caller."""
    write_geojson(
        tmp_path / "a" / "ziekenhuis.geojson",
        [
            {"naam": "Gasthuis", "bedden": 120, "code": "-99999999"},
            {"naam": "Kliniek", "bedden": SECRET, "code": "12"},
        ],
        [Point(X0 + 10, Y0 + 10), Point(X0 + 5000, Y0 + 5000)],
    )
    write_geojson(
        tmp_path / "b" / "ziekenhuis.geojson",
        [{"naam": "Polikliniek", "bedden": -99999, "code": "-7"}],
        [Point(X0 + 9000, Y0)],
    )
    layer = Layer(soort="vector", geometrie="punten", pad=tmp_path / "*" / "ziekenhuis.geojson")
    first = read_source("lagen.ziekenhuizen", layer)
    first.loc[0, "naam"] = "changed by the first caller"

    def no_second_read(*args, **kwargs):
        raise AssertionError("the same unchanged files were read again")

    monkeypatch.setattr(source_files, "read_one_file", no_second_read)
    second = read_source("lagen.ziekenhuizen", layer)
    for frame in (first, second):
        assert frame["bedden"].tolist()[0] == 120
        assert frame["bedden"].isna().tolist() == [False, True, True]
        assert frame["code"].tolist() == [None, "12", "-7"]  # a code written as text is one too
        assert frame.attrs["cleaning"]["sentinels_emptied"] == {"bedden": 2, "code": 1}
    assert second["naam"].tolist() == ["Gasthuis", "Kliniek", "Polikliniek"]


def test_region_names_of_the_2015_folders():
    assert region_of(Path("/d/cbs_wijkbuurtkaart_2015_nl/utrecht/buurt.geojson")) == "utrecht"
    assert region_of(Path("/d/cbs_wijkbuurtkaart_2015_hollands_midden/buurt.geojson")) == "hollands_midden"


# ---------------------------------------------------------------------------------------------
# The real near-national set: 23 veiligheidsregio's plus Hollands Midden.

BUURT_FILES = "cbs_wijkbuurtkaart_2015_*/**/buurt.geojson"


def independent_merge(shared_data: Path) -> pd.DataFrame:
    """The documented dedup, written again with plain geopandas: the expected value of the tests below."""
    rows = []
    for buurt_file in sorted(shared_data.glob("cbs_wijkbuurtkaart_2015_*/**/buurt.geojson")):
        buurten = gpd.read_file(buurt_file).to_crs("EPSG:28992")
        listed = set(gpd.read_file(buurt_file.with_name("gemeente.geojson"))["GM_CODE"])
        own = buurten[buurten["GM_CODE"].isin(listed)].copy()
        own["area"] = own.geometry.make_valid().apply(
            lambda g: sum(p.area for p in getattr(g, "geoms", [g]) if p.geom_type in ("Polygon", "MultiPolygon"))
        )
        rows.append(own[["BU_CODE", "GM_CODE", "AANT_INW", "area"]])
    merged = pd.concat(rows)
    merged = merged[merged["area"] > 0].sort_values("area", ascending=False).drop_duplicates("BU_CODE")
    return merged.assign(AANT_INW=merged["AANT_INW"].where(merged["AANT_INW"] >= 0))


def test_real_national_set_inhabitants_per_gemeente(shared_data):
    areas = read_cbs_areas(shared_data / BUURT_FILES)
    expected = independent_merge(shared_data)
    assert len(areas.frame) == len(expected) == 11_700
    assert set(areas.frame["BU_CODE"]) == set(expected["BU_CODE"])
    theirs = expected.groupby("GM_CODE")["AANT_INW"].sum().astype(float).to_dict()
    ours = areas.frame.groupby("GM_CODE")["AANT_INW"].sum().astype(float).to_dict()
    assert len(theirs) == 374
    assert ours == theirs
    table = areas.gemeenten.set_index("gemeentecode")["inwoners"].dropna().to_dict()
    assert table == theirs
    # Facts from the PROVENANCE.md files: Alphen 87 buurten with 107,200 inhabitants.
    alphen = areas.frame[areas.frame["GM_CODE"] == "GM0484"]
    assert len(alphen) == 87
    assert alphen["AANT_INW"].sum() == 107_200


def test_real_national_set_report(shared_data):
    report = read_cbs_areas(shared_data / BUURT_FILES).report
    assert report.files == 24
    assert report.duplicates > 41  # PROVENANCE: 41 codes in two regions of the 23; Hollands Midden adds its own
    assert report.no_polygon_anywhere == ("BU17020209",)  # a LineString and a Point, in two regions
    assert report.repaired == 10  # 8 in the 23 regions (PROVENANCE) + 1 of Hollands Midden + 1 in a listed sliver
    assert report.sentinels["BEV_DICHTH"] > 0
    assert report.incomplete_gemeenten == ("GM1702",)  # Sint Anthonis (Brabant-Noord), seen only as a sliver


def test_real_23_regions_match_their_provenance(shared_data):
    areas = read_cbs_areas(shared_data / "cbs_wijkbuurtkaart_2015_nl" / "*" / "buurt.geojson")
    # PROVENANCE: 11,154 distinct BU_CODEs in their own region's gemeenten, 357 gemeenten. Two of those buurten
    # have no polygon in these 23 regions: BU17020209 (Sint Anthonis, Brabant-Noord) and BU04843168 (Alphen,
    # whose buurten are in the Hollands Midden folder), so those two gemeenten are not complete here.
    assert len(areas.frame) == 11_154 - 2
    assert areas.report.no_polygon_anywhere == ("BU04843168", "BU17020209")
    assert areas.gemeenten["volledig"].sum() == 357 - 2
    assert areas.report.incomplete_gemeenten == ("GM0484", "GM1702")
    assert len(areas.regions) == 23


def test_real_facility_layer_from_all_regions(shared_data):
    layer = Layer(soort="vector", geometrie="punten", pad=shared_data / "**" / "ziekenhuis.geojson")
    frame = read_source("lagen.ziekenhuizen", layer)
    raw = pd.concat(
        [gpd.read_file(f).assign(f=str(f)) for f in sorted(shared_data.glob("**/ziekenhuis.geojson"))],
        ignore_index=True,
    )
    distinct = raw.drop(columns="f").assign(wkt=raw.geometry.to_wkt()).drop(columns="geometry").astype(str)
    # 257 locations in the 23 regions and 13 in Hollands Midden; no facility is in two files (the same place
    # can hold two locations with different names, and both stay).
    assert len(frame) == len(distinct.drop_duplicates()) == len(raw) == 257 + 13
    assert frame["bronrij"].is_unique


def test_cbs_secret_values_are_empty_when_read(shared_data):
    """A CBS kaart read as a partner (kind cbs_wijkbuurtkaart) must not publish -99999999 as a density."""
    path = shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "buurt.geojson"
    partner = Partner(
        naam="kerncijfers",
        sleutel="buurtcode",
        soort="cbs_wijkbuurtkaart",
        pad=path,
        kolommen={"buurtcode": "BU_CODE", "dichtheid": "BEV_DICHTH"},
    )
    frame = read_source("partners.kerncijfers", partner)
    assert frame["BEV_DICHTH"].isna().sum() == 15  # PROVENANCE: BEV_DICHTH secret 15 times
    assert not (frame.select_dtypes("number") <= -99995).any().any()


def test_the_secrets_emptied_are_counted_in_the_configured_gemeenten_only(shared_data):
    """Harderwijk read from the national kaart: the build's summary names its own emptied cells, not the country's."""
    pattern = shared_data / "cbs_wijkbuurtkaart_2015_nl" / "*" / "buurt.geojson"
    source = Source(soort="cbs_wijkbuurtkaart", pad=pattern, gemeenten=["GM0243"])
    emptied = read_source("bronnen.buurten", source).attrs["cleaning"]["sentinels_emptied"]
    own: dict[str, dict] = {}  # each buurt of GM0243 once, straight from the files (it lies in two regions)
    for path in sorted(pattern.parent.parent.glob("*/buurt.geojson")):
        for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
            if feature["properties"]["GM_CODE"] == "GM0243" and feature["geometry"]:
                own.setdefault(feature["properties"]["BU_CODE"], feature["properties"])
    expected = Counter(
        column
        for properties in own.values()
        for column, value in properties.items()
        if isinstance(value, int | float) and value <= -99995
    )
    assert emptied == dict(expected)
    assert 0 < emptied["AUTO_HH"] < len(own)  # the country's count is in the thousands


def test_real_read_is_fast(shared_data):
    read_areas._read_cached.cache_clear()
    started = time.perf_counter()
    read_cbs_areas(shared_data / BUURT_FILES)
    assert time.perf_counter() - started < 15  # about 1.5 s on the 2-core machine; a generous bound against regressions


def test_inbox_refuses_a_drop_in_for_a_partner_of_many_files(tmp_path, regions):
    """A partner reading a pattern has no single file to replace: a dropped file is refused, not installed."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "kerncijfers.geojson").write_text((regions / "noord" / "buurt.geojson").read_text())
    partner = Partner(
        naam="kerncijfers",
        sleutel="buurtcode",
        soort="cbs_wijkbuurtkaart",
        pad=regions / "*" / "buurt.geojson",
        kolommen={"buurtcode": "BU_CODE"},
    )
    config = load_config(PROJECT / "config" / "alphen.yaml", check_files=False)
    config = config.model_copy(
        update={"partners": [partner], "uitvoer": config.uitvoer.model_copy(update={"inbox": inbox})}
    )
    (decision,) = scan_inbox(config, {})
    assert decision.action == "reject"
    assert "leest meerdere bestanden" in (decision.reason or "")
