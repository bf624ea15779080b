"""A configuration of several gemeenten builds each gemeente as its own partition (its own database and site) and
then the overview of all of them, from the shared national files in ../shared/data."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest

from ogw_datalab.duckdb_connection import connect
from ogw_datalab.readers.read_areas import read_cbs_areas
from pipelines.builds import worker_shares

from .labs import REGION_SAMPLE, Lab, region_config, table_fingerprints

pytestmark = pytest.mark.e2e
CODES = ["GM0233", "GM0243"]  # Ermelo and Harderwijk, neighbours in the Noord- en Oost-Gelderland files


@pytest.fixture
def region(region_lab) -> Lab:
    return region_lab


def test_each_gemeente_is_a_partition_with_its_own_database_and_site(region):
    for code in REGION_SAMPLE:
        con = connect(region.folder / "data" / "gemeenten" / f"{code}.duckdb", read_only=True)
        codes = {row[0] for row in con.execute("SELECT DISTINCT gemeentecode FROM staging.buurten").fetchall()}
        con.close()
        assert codes == {code}
        assert (region.maps / code / "index.html").is_file()


def test_a_cbs_wijk_name_that_starts_with_wijk_is_not_given_the_word_again(region):
    # The kaart of 2015 names Harderwijk's wijken 'Wijk 01 Binnenstad', ...
    site = region.maps / "GM0243"
    pages = {p: p.read_text(encoding="utf-8") for p in site.rglob("*.html")}
    assert any("Wijk 01 Binnenstad" in text for text in pages.values())
    assert [p.name for p, text in pages.items() if "ijk Wijk " in text] == []
    script = (site / "assets" / "kaartpagina.js").read_text(encoding="utf-8")
    assert 'rows.push(/^wijk /i.test(p.w) ? p.w : "Wijk " + p.w)' in script  # the map's tooltip and popup


def test_the_overview_links_every_gemeente_site_and_holds_every_buurt(region):
    index = (region.maps / "index.html").read_text(encoding="utf-8")
    assert all(f"{code}/index.html" in index for code in CODES)
    assert (region.maps / "kaart.html").stat().st_size < 5_000_000
    assert (region.maps / "downloads" / "buurtwaarden.gpkg").is_file()
    kaart = (region.maps / "kaart.html").read_text(encoding="utf-8")
    assert '"vergelijking"' in kaart
    assert '"aandeel_65plus_pct"' in kaart


def test_each_gemeente_is_compared_with_similar_buurten_elsewhere(region, shared_data):
    """Pairs and sentences checked against an independent computation from the kaart itself."""
    kaart = (
        pd.concat(
            [
                gpd.read_file(f, ignore_geometry=True)
                for f in sorted(shared_data.glob("cbs_wijkbuurtkaart_2015_*/**/buurt.geojson"))
            ]
        )
        .drop_duplicates("BU_CODE")
        .set_index("BU_CODE")
    )
    for code in CODES:
        con = connect(region.folder / "data" / "gemeenten" / f"{code}.duckdb", read_only=True)
        pairs = con.execute("SELECT * FROM indicators.vergelijkbare_buurten").df()
        compared = con.execute("SELECT * FROM indicators.vergelijking_vergelijkbaar").df()
        withheld = con.execute(
            "SELECT indicator, buurtcode FROM indicators.publicatie_buurt WHERE status <> 'gepubliceerd'"
        ).df()
        con.close()
        own = kaart[kaart["GM_CODE"] == code]
        eligible = own.index[(own["AANT_INW"] >= 100) & (own["AANT_INW"] < 99_999_990)]
        assert set(pairs["buurtcode"]) <= set(own.index)
        assert len(set(pairs["buurtcode"])) >= len(eligible) - 2
        assert (pairs.groupby("buurtcode").size() == 10).all()
        assert not (pairs["vergelijkbare_gemeentecode"] == code).any()
        # the share of 65+ of one buurt against its 10 similar buurten, from the kaart (all of them >= 100 inhabitants)
        buurt = pairs["buurtcode"].iloc[0]
        others = kaart.loc[pairs.loc[pairs["buurtcode"] == buurt, "vergelijkbare_buurtcode"], "P_65_EO_JR"]
        row = compared[(compared["buurtcode"] == buurt) & (compared["indicator"] == "aandeel_65plus_pct")].iloc[0]
        ours = kaart.loc[buurt, "P_65_EO_JR"]
        assert row["waarde"] == ours
        assert row["mediaan_vergelijkbaar"] == others.median()
        assert row["lager"] == (others < ours).sum()
        assert row["hoger"] == (others > ours).sum()
        assert row["tekst"].endswith("van 10 vergelijkbare buurten")
        # a withheld value of our own is never set against others
        hidden = compared.merge(withheld, on=["indicator", "buurtcode"])
        assert len(hidden)
        assert hidden["waarde"].isna().all()
        assert hidden["tekst"].isna().all()


def test_two_workers_publish_exactly_what_one_does(region, tmp_path, shared_data):
    parallel = Lab(tmp_path, region_config(tmp_path, shared_data, CODES))
    run = parallel.run("build", "--workers", "2")
    assert run.code == 0, run.out + run.err
    assert "in 2 processes" in run.out
    for code in CODES:
        database = Path("data") / "gemeenten" / f"{code}.duckdb"
        ours, theirs = (table_fingerprints(lab.folder / database) for lab in (parallel, region))
        ours.pop("historie.jaargangen"), theirs.pop("historie.jaargangen")  # when and from which file it was built
        assert ours == theirs
        assert (parallel.maps / code / "index.html").read_bytes() == (region.maps / code / "index.html").read_bytes()
    assert (parallel.maps / "kaart.html").is_file()


def test_gemeenten_are_dealt_out_largest_first():
    projects = [SimpleNamespace(gemeente=code, jaar=2015) for code in ("GM1", "GM2", "GM3", "GM4", "GM5")]
    sizes = {"GM1": 10, "GM2": 50, "GM3": 30, "GM4": 40, "GM5": 20}
    shares = worker_shares(projects, 2, sizes)
    assert [[p.gemeente for p in share] for share in shares] == [["GM2", "GM5", "GM1"], ["GM4", "GM3"]]
    assert len(worker_shares(projects, 9, sizes)) == 5  # never more workers than gemeenten


def test_each_gemeente_publishes_the_inhabitants_of_its_buurten_in_the_merged_files(region, shared_data):
    """The published gemeente total equals the sum of the CBS buurt values, each buurt once (PROVENANCE.md rules)."""
    areas = read_cbs_areas(shared_data / "cbs_wijkbuurtkaart_2015_*/**/buurt.geojson").frame
    expected = areas[areas["AANT_INW"] >= 0].groupby("GM_CODE")["AANT_INW"].sum()
    for code in REGION_SAMPLE:
        con = connect(region.folder / "data" / "gemeenten" / f"{code}.duckdb", read_only=True)
        published = con.execute(
            "SELECT waarde, status FROM indicators.publicatie_gemeente WHERE indicator = 'inwoners'"
        ).fetchone()
        con.close()
        assert published == (expected[code], "gepubliceerd"), code
