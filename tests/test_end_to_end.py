"""The whole pipeline on the demo municipality, as `make demo` runs it (2023, then 2024), in a temporary folder."""

from __future__ import annotations

import re

import pytest
import yaml

from ogw_datalab.duckdb_connection import connect

from .fixtures import assert_no_withheld_value_can_be_recomputed, assert_nothing_suppressed_is_published
from .labs import PROJECT, Lab, demo_config, files_under, table_fingerprints

pytestmark = pytest.mark.e2e


def test_build_succeeds_and_prints_progress_and_the_index_path(demo_lab):
    printed = demo_lab.first.out
    assert printed.index("building Waardhoven (GM9999) 2023") < printed.index("building Waardhoven (GM9999) 2024")
    assert "✓ staging/buurten (46 rows)" in printed
    assert "✓ maps/site" in printed
    assert printed.strip().endswith(f"maps: {demo_lab.maps / 'index.html'}")
    assert "Waardhoven (GM9999) 2023 is published already" in demo_lab.second.out


def test_tables_are_complete_and_plausible(demo_lab):
    con = connect(demo_lab.database, read_only=True)
    assert con.execute("SELECT count(*) FROM staging.buurten").fetchone()[0] >= 40
    assert con.execute("SELECT count(*) FROM staging.wijken").fetchone()[0] >= 8
    assert con.execute("SELECT count(*) FROM indicators.buurt WHERE buurtcode IS NULL").fetchone()[0] == 0
    outside = con.execute("SELECT count(*) FROM joined.adressen_buurt WHERE buurtcode IS NULL").fetchone()[0]
    assert outside == 0
    per_indicator = dict(con.execute("SELECT indicator, count(*) FROM indicators.buurt GROUP BY ALL").fetchall())
    assert set(per_indicator.values()) == {con.execute("SELECT count(*) FROM staging.buurten").fetchone()[0]}
    ranges = dict(
        con.execute(
            "SELECT indicator, [min(waarde), max(waarde)] FROM indicators.publicatie_buurt GROUP BY ALL"
        ).fetchall()
    )
    for share in ("woningen_binnen_300m_park_pct", "energielabel_efg_pct", "eenzaam_pct"):
        assert 0 <= ranges[share][0] <= ranges[share][1] <= 100, share
    assert 5 <= ranges["bomen_per_1000_inwoners"][0]
    assert ranges["bomen_per_1000_inwoners"][1] < 5000
    total = con.execute("SELECT waarde FROM indicators.gemeente WHERE indicator = 'inwoners'").fetchone()[0]
    assert 30_000 * 1.5 < total < 50_000 * 3
    rates = dict(con.execute("SELECT partner, match_rate FROM joined.partners").fetchall())
    assert rates["gezondheidsmonitor"] == 1.0
    assert 0.95 < rates["corporatie_woningen"] < 1.0
    quarantined = con.execute("SELECT count(*) FROM joined.quarantaine_partners").fetchone()[0]
    assert quarantined > 0
    con.close()


def test_pages_exist_and_name_the_buurten(demo_lab):
    index = (demo_lab.maps / "index.html").read_text(encoding="utf-8")
    assert "Waardhoven" in index
    assert '<html lang="nl">' in index
    links = [
        link
        for link in re.findall(r'href="([a-z0-9_]+\.html)"', index)
        if not link.startswith("opgave_") and link not in ("colofon.html", "index.html")
    ]
    catalogue = yaml.safe_load((PROJECT / "config" / "demo_indicatoren.yaml").read_text(encoding="utf-8"))
    assert len(set(links)) == len(catalogue["indicatoren"]) >= 10
    con = connect(demo_lab.database, read_only=True)
    names = [r[0] for r in con.execute("SELECT buurtnaam FROM staging.buurten").fetchall()]
    con.close()
    for link in set(links):
        page = (demo_lab.maps / link).read_text(encoding="utf-8")
        assert all(name in page for name in names), link
        assert "Kadaster" in page


def test_second_build_gives_the_same_tables_and_leaves_no_stray_files(demo_lab):
    assert table_fingerprints(demo_lab.database) == demo_lab.first_tables
    left = [f for f in files_under(demo_lab.folder) if ".bouw" in f or f.endswith((".tmp", ".oud", ".wal"))]
    assert left == []
    assert not (demo_lab.folder / "maps.bouw").exists()
    assert not (demo_lab.folder / "maps.oud").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"gemeente": {"code": "GM484", "naam": "Waardhoven"}}, "is not a CBS gemeentecode"),
        ({"opgaven": "bestaat/niet.yaml"}, "opgaven: file not found"),
    ],
)
def test_broken_config_fails_at_once_and_keeps_outputs(demo_lab, tmp_path, change, message):
    lab = demo_lab.copy(tmp_path)
    before = files_under(lab.folder / "data") | files_under(lab.maps)
    broken = Lab(lab.folder, demo_config(lab.folder, name="kapot.yaml", years=True, **change))
    run = broken.run()
    assert run.code == 2
    assert message in run.err
    assert files_under(lab.folder / "data") | files_under(lab.maps) == before


def test_unknown_reader_kind_is_explained(tmp_path):
    config = demo_config(tmp_path)
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["lagen"]["bomen"]["soort"] = "shapefile_zip"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    run = Lab(tmp_path, config).run()
    assert run.code == 2
    assert "lagen.bomen.soort: unknown reader kind 'shapefile_zip'" in run.err
    assert not (tmp_path / "maps").exists()
    assert not (tmp_path / "data").exists()


def test_suppressed_values_appear_nowhere_in_the_pages(demo_lab):
    assert assert_nothing_suppressed_is_published(demo_lab.database, demo_lab.maps) > 0


def test_no_withheld_value_can_be_recomputed_from_the_published_ones(demo_lab):
    assert assert_no_withheld_value_can_be_recomputed(demo_lab.database, demo_lab.config) > 0


def test_the_build_ends_with_a_summary_of_every_file(demo_lab):
    summary = demo_lab.first.out.split("summary:")[-1]
    row = next(line.split() for line in summary.splitlines() if line.strip().startswith("partners.corporatie_woningen"))
    assert row[1:] == ["12213", "12213", "0", "11996", "217", "98,2%"]  # read, kept, left out, placed, quarantined
    buurten = next(line.split() for line in summary.splitlines() if line.strip().startswith("bronnen.buurten"))
    read, kept, left, placed = (int(n) for n in buurten[1:5])
    assert read == kept == left + placed  # as in every row
    assert left > 0  # the demo kaart holds a neighbour's buurten too
    assert placed == len(list((demo_lab.maps / "buurten").glob("BU*.html")))  # Waardhoven's own, one profile each
    assert "lagen.bomen" in summary
    assert "⚠" not in summary
