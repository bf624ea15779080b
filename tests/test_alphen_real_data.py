"""The real-data configuration for Alphen aan den Rijn builds through to indicators and maps."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
import yaml

from ogw_datalab.duckdb_connection import connect
from pipelines.cli import main

from .fixtures import assert_no_withheld_value_can_be_recomputed, assert_nothing_suppressed_is_published

PROJECT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def alphen(tmp_path_factory, shared_data):
    folder = tmp_path_factory.mktemp("alphen")
    raw = yaml.safe_load((PROJECT / "config" / "alphen.yaml").read_text(encoding="utf-8"))
    for source in [*raw["sources"].values(), *raw["layers"].values(), *raw["partners"]]:
        source["path"] = str(shared_data / source["path"].removeprefix("../../shared/data/"))
    raw["opgaven"] = str(PROJECT / "config" / "alphen_opgaven.yaml")
    raw["indicatoren"] = str(PROJECT / "config" / "alphen_indicatoren.yaml")
    raw["output"] = {"database": "alphen.duckdb", "maps": "maps", "cache": "cache"}
    config = folder / "alphen.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.delenv("DAGSTER_HOME", raising=False)
        code = main(["build", "--config", str(config)])
    assert code == 0, printed.getvalue()
    return folder, printed.getvalue()


@pytest.mark.e2e
def test_alphen_tables(alphen):
    folder, printed = alphen
    assert "– raw/adressen (skipped: sources.adressen is not configured)" in printed
    con = connect(folder / "alphen.duckdb", read_only=True)
    buurten, inwoners = con.execute("SELECT count(*), sum(aantal_inwoners) FROM staging.buurten").fetchone()
    assert (buurten, inwoners) == (87, 107_200)  # PROVENANCE.md of the 2015 kaart
    assert con.execute("SELECT waarde FROM indicators.gemeente WHERE indicator = 'inwoners'").fetchone()[0] == 107_200
    assert con.execute("SELECT count(*) FROM staging.wijken").fetchone()[0] == 16
    placed = dict(con.execute("SELECT partner, matched FROM joined.partners").fetchall())
    assert placed == {
        "gezondheidsmonitor": 16,
        "gezondheidsmonitor_65plus": 0,
        "gezondheidsmonitor_65plus_wijk": 16,
        "woningen_vivet": 0,
        "buurtprofielen": 0,
    }
    reasons = dict(
        con.execute("SELECT partner, any_value(reden) FROM joined.quarantaine_partners GROUP BY 1").fetchall()
    )
    assert "gebiedsindeling 2020" in reasons["gezondheidsmonitor_65plus"]
    assert "geen adressenbron" in reasons["woningen_vivet"]
    schools = con.execute("SELECT in_buurt FROM joined.layers WHERE laag = 'basisscholen'").fetchone()[0]
    assert 30 <= schools <= 60  # of 268 schools in the Veiligheidsregio, those inside Alphen's buurten
    con.close()


@pytest.mark.e2e
def test_alphen_maps(alphen):
    folder, _printed = alphen
    index = (folder / "maps" / "index.html").read_text(encoding="utf-8")
    assert "Alphen aan den Rijn" in index and "inwoners.html" in index
    page = (folder / "maps" / "inwoners.html").read_text(encoding="utf-8")
    assert "Heimanswetering" in page and "BU04840106" in page


@pytest.mark.e2e
def test_alphen_publishes_no_suppressed_value(alphen):
    folder, _printed = alphen
    assert assert_nothing_suppressed_is_published(folder / "alphen.duckdb", folder / "maps") > 0


@pytest.mark.e2e
def test_alphen_publishes_no_withheld_value_that_can_be_recomputed(alphen):
    folder, _printed = alphen
    assert assert_no_withheld_value_can_be_recomputed(folder / "alphen.duckdb", folder / "alphen.yaml") > 0
    con = connect(folder / "alphen.duckdb", read_only=True)
    # Only 2 care locations lie in Alphen's buurten of 2015 and wijk WK048403 has none: published, the
    # wijk's 0 and the gemeente's 2 would pin the withheld buurten down to 0 (and 0 to 2).
    care = dict(
        con.execute(
            "SELECT coalesce(wijkcode, 'gemeente'), status FROM indicators.publicatie_wijk WHERE indicator = "
            "'zorglocaties' AND wijkcode = 'WK048403' UNION ALL SELECT 'gemeente', status FROM "
            "indicators.publicatie_gemeente WHERE indicator = 'zorglocaties'"
        ).fetchall()
    )
    con.close()
    assert care == {"WK048403": "onderdrukt", "gemeente": "onderdrukt"}
