"""The whole pipeline on the demo municipality, as `make demo` runs it, into a temporary folder."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from pathlib import Path

import pytest
import yaml

from ogw_datalab.duckdb_connection import connect
from pipelines.cli import main

from .fixtures import assert_no_withheld_value_can_be_recomputed, assert_nothing_suppressed_is_published

PROJECT = Path(__file__).resolve().parents[1]
SCHEMAS = ("raw", "staging", "joined", "indicators")


def demo_config(folder: Path, **changes) -> Path:
    raw = yaml.safe_load((PROJECT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    raw["opgaven"] = str(PROJECT / "config" / "demo_opgaven.yaml")
    raw["indicatoren"] = str(PROJECT / "config" / "demo_indicatoren.yaml")
    raw["demo"]["folder"] = "data/demo"
    raw["output"] = {"database": "data/datalab.duckdb", "maps": "maps"}
    raw.pop("jaren")  # earlier years: see test_years.py
    for source in [*raw["sources"].values(), *raw["layers"].values(), *raw["partners"]]:
        source["path"] = source["path"].replace("../data/demo", "data/demo")
    for key, value in changes.items():
        raw[key] = value
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def table_fingerprints(database: Path) -> dict[str, str]:
    con = connect(database, read_only=True)
    tables = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN "
        f"({', '.join(repr(s) for s in SCHEMAS)}) ORDER BY ALL"
    ).fetchall()
    prints = {}
    for schema, table in tables:
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
        ]
        select = ", ".join("ST_AsText(geometry)" if c == "geometry" else f'"{c}"' for c in columns)
        rows = con.execute(f'SELECT {select} FROM {schema}."{table}" ORDER BY ALL').fetchall()
        prints[f"{schema}.{table}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    con.close()
    return prints


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lab")
    config = demo_config(folder)
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.delenv("DAGSTER_HOME", raising=False)
        first_code = main(["build", "--config", str(config)])
        assert first_code == 0, printed.getvalue()
        first = (table_fingerprints(folder / "data" / "datalab.duckdb"), files_under(folder))
        second_code = main(["build", "--config", str(config)])
    return folder, config, first_code, second_code, first, printed.getvalue()


@pytest.mark.e2e
def test_build_succeeds_and_prints_progress_and_the_index_path(built):
    folder, _config, first_code, second_code, _first, printed = built
    assert first_code == 0 and second_code == 0
    assert "✓ staging/buurten (46 rows)" in printed
    assert printed.strip().endswith(f"maps: {folder / 'maps' / 'index.html'}")


@pytest.mark.e2e
def test_tables_are_complete_and_plausible(built):
    folder = built[0]
    con = connect(folder / "data" / "datalab.duckdb", read_only=True)
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
    assert 5 <= ranges["bomen_per_1000_inwoners"][0] and ranges["bomen_per_1000_inwoners"][1] < 5000
    total = con.execute("SELECT waarde FROM indicators.gemeente WHERE indicator = 'inwoners'").fetchone()[0]
    assert 30_000 * 1.5 < total < 50_000 * 3
    rates = dict(con.execute("SELECT partner, match_rate FROM joined.partners").fetchall())
    assert rates["gezondheidsmonitor"] == 1.0 and 0.95 < rates["corporatie_woningen"] < 1.0
    quarantined = con.execute("SELECT count(*) FROM joined.quarantaine_partners").fetchone()[0]
    assert quarantined > 0
    con.close()


@pytest.mark.e2e
def test_pages_exist_and_name_the_buurten(built):
    folder = built[0]
    index = (folder / "maps" / "index.html").read_text(encoding="utf-8")
    assert "Waardhoven" in index and '<html lang="nl">' in index
    links = [
        link
        for link in re.findall(r'href="([a-z0-9_]+\.html)"', index)
        if not link.startswith("opgave_") and link != "colofon.html"
    ]
    catalogue = yaml.safe_load((PROJECT / "config" / "demo_indicatoren.yaml").read_text(encoding="utf-8"))
    assert len(set(links)) == len(catalogue["indicatoren"]) >= 10
    con = connect(folder / "data" / "datalab.duckdb", read_only=True)
    names = [r[0] for r in con.execute("SELECT buurtnaam FROM staging.buurten").fetchall()]
    con.close()
    for link in set(links):
        page = (folder / "maps" / link).read_text(encoding="utf-8")
        assert all(name in page for name in names), link
        assert "Kadaster" in page


@pytest.mark.e2e
def test_second_run_gives_same_tables_and_no_stray_files(built):
    folder, _config, _a, _b, (first_prints, first_files), _printed = built
    assert table_fingerprints(folder / "data" / "datalab.duckdb") == first_prints
    assert files_under(folder) == first_files
    assert not [f for f in first_files if f.endswith(".tmp") or "/." in f or f.startswith(".")]


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"gemeente": {"code": "GM484", "naam": "Waardhoven"}}, "is not a CBS gemeentecode"),
        ({"opgaven": "bestaat/niet.yaml"}, "opgaven: file not found"),
    ],
)
def test_broken_config_fails_at_once_and_keeps_outputs(built, tmp_path, capsys, change, message):
    folder = built[0]
    before = {p: p.stat().st_mtime_ns for p in [folder / "maps" / "index.html", folder / "data" / "datalab.duckdb"]}
    broken = demo_config(folder, **change)
    try:
        assert main(["build", "--config", str(broken)]) == 2
    finally:
        demo_config(folder)  # restore the good config for other tests
    assert message in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in before} == before


@pytest.mark.e2e
def test_unknown_reader_kind_is_explained(tmp_path, capsys):
    config = demo_config(tmp_path)
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["layers"]["bomen"]["kind"] = "shapefile_zip"
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    assert main(["build", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "layers.bomen.kind: unknown reader kind 'shapefile_zip'" in err
    assert not (tmp_path / "maps").exists() and not (tmp_path / "data").exists()


@pytest.mark.e2e
def test_suppressed_values_appear_nowhere_in_the_pages(built):
    folder = built[0]
    assert assert_nothing_suppressed_is_published(folder / "data" / "datalab.duckdb", folder / "maps") > 0


@pytest.mark.e2e
def test_no_withheld_value_can_be_recomputed_from_the_published_ones(built):
    folder, config = built[0], built[1]
    assert assert_no_withheld_value_can_be_recomputed(folder / "data" / "datalab.duckdb", config) > 0
