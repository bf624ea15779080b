"""The real-data configuration for Alphen aan den Rijn builds through to indicators and maps."""

from __future__ import annotations

import pytest

from ogw_datalab.duckdb_connection import connect

from .fixtures import assert_no_withheld_value_can_be_recomputed, assert_nothing_suppressed_is_published


@pytest.mark.e2e
def test_alphen_tables(alphen_lab):
    printed = alphen_lab.first.out
    assert "– raw/adressen (skipped: bronnen.adressen is not configured)" in printed
    con = connect(alphen_lab.database, read_only=True)
    buurten, inwoners = con.execute("SELECT count(*), sum(aantal_inwoners) FROM staging.buurten").fetchone()
    assert (buurten, inwoners) == (87, 107_200)  # PROVENANCE.md of the 2015 kaart
    assert con.execute("SELECT waarde FROM indicators.gemeente WHERE indicator = 'inwoners'").fetchone()[0] == 107_200
    assert con.execute("SELECT count(*) FROM staging.wijken").fetchone()[0] == 16
    placed = dict(con.execute("SELECT partner, matched FROM joined.partners").fetchall())
    assert placed == {
        "gezondheidsmonitor": 16,
        "gezondheidsmonitor_65plus": 0,
        "gezondheidsmonitor_65plus_wijk": 16,
        "buurtprofielen": 0,
    }
    reasons = dict(
        con.execute("SELECT partner, any_value(reden) FROM joined.quarantaine_partners GROUP BY 1").fetchall()
    )
    assert "gebiedsindeling 2020" in reasons["gezondheidsmonitor_65plus"]
    schools = con.execute("SELECT in_buurt FROM joined.layers WHERE laag = 'basisscholen'").fetchone()[0]
    assert 30 <= schools <= 60  # of 268 schools in the Veiligheidsregio, those inside Alphen's buurten
    con.close()


@pytest.mark.e2e
def test_alphen_maps(alphen_lab):
    index = (alphen_lab.maps / "index.html").read_text(encoding="utf-8")
    assert "Alphen aan den Rijn" in index
    assert "inwoners.html" in index
    page = (alphen_lab.maps / "inwoners.html").read_text(encoding="utf-8")
    assert "Heimanswetering" in page
    assert "BU04840106" in page


@pytest.mark.e2e
def test_alphen_publishes_no_suppressed_value(alphen_lab):
    assert assert_nothing_suppressed_is_published(alphen_lab.database, alphen_lab.maps) > 0


@pytest.mark.e2e
def test_alphen_publishes_no_withheld_value_that_can_be_recomputed(alphen_lab):
    assert assert_no_withheld_value_can_be_recomputed(alphen_lab.database, alphen_lab.config) > 0
    con = connect(alphen_lab.database, read_only=True)
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


def test_refused_partners_are_marked_with_the_reason(alphen_lab):
    printed = alphen_lab.first.out
    assert "⚠ joined/partners" in printed
    assert "✓ joined/partners" not in printed
    refused = [line for line in printed.splitlines() if line.strip().startswith("⚠ partners.")]
    assert len(refused) == 2
    assert all("gebiedsindeling" in line for line in refused)
    assert any("gezondheidsmonitor_65plus refused" in line for line in refused)
