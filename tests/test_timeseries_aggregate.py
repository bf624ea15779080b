"""Hourly, daily and monthly figures per buurt, wijk and gemeente from hand-built series with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from ogw_datalab.timeseries.aggregate import aggregate_tijdreeks, tijdreeks_indicator_values
from ogw_datalab.timeseries.publish import colofon_tekst, monthly_series, sensor_points
from ogw_datalab.timeseries.stage import stage_tijdreeks

from .factories import X0, Y0, buurten_in_amsterdam, timeseries_config, write_series


@pytest.fixture
def built(con, tmp_path):
    buurten_in_amsterdam(con)
    write_series(tmp_path)

    def build(**aggregatie):
        settings = timeseries_config(tmp_path, **aggregatie)
        staged = stage_tijdreeks(con, settings, "lucht")
        summary = aggregate_tijdreeks(con, settings, "lucht", ("buurt", "wijk", "gemeente"))
        return settings, staged, summary

    return build


def month(con, table="joined.tijdreeks_lucht_maand", code="buurtcode") -> dict:
    rows = con.execute(f"SELECT * FROM {table} ORDER BY ALL").df()
    return {(r[code], r["grootheid"], r["soort"]): r for _, r in rows.iterrows()}


def test_reference_and_low_cost_apart(con, built):
    _, staged, summary = built()
    assert staged["waarden"] == 744 * 3 + 400 + 200
    rows = month(con)
    low = rows[("BU00010001", "NO2", "laagkosten")]
    assert low["gemiddelde"] == pytest.approx((400 * 15 + 344 * 10) / 744)
    assert low["percentiel"] == pytest.approx(15.0)  # 90th percentile of 400 x 15 and 344 x 10
    assert (low["sensoren"], low["geldige_uren"], low["uren_in_maand"], low["geldige_dagen"]) == (2, 744, 744, 31)
    assert low["dagen_boven_richtlijn"] == 0
    assert low["status"] == "ok"
    assert low["herkomst"] == "in_buurt"
    reference = rows[("BU00010001", "NO2", "referentie")]
    assert reference["gemiddelde"] == 30
    assert reference["dagen_boven_richtlijn"] == 31
    assert reference["richtlijn"] == 25
    assert ("BU00010102", "NO2", "laagkosten") not in rows  # no sensor in it, and no nearest rule
    assert summary["perioden_in_buurt"] == 4
    assert summary["buurten_dichtstbijzijnde"] == 0


def test_too_few_hours_give_no_figure_but_a_reason(con, built):
    built()
    pm = month(con)[("BU00010001", "PM25", "laagkosten")]
    assert pm["geldige_uren"] == 200
    assert pm["status"] == "te_weinig_uren"
    assert pd.isna(pm["gemiddelde"])
    assert pd.isna(pm["percentiel"])
    assert pd.isna(pm["dagen_boven_richtlijn"])
    assert pm["reden"] == "te weinig uren met een waarde: 200 van de 744 uren van 2016-07 (27 %), minstens 50 % nodig"


def test_together_and_weighted(con, built):
    built(soorten="samen")
    assert month(con)[("BU00010001", "NO2", "alle")]["gemiddelde"] == pytest.approx(20.0)  # (10+20+30)/3, (10+30)/2
    built(soorten="gewogen", gewichten={"referentie": 3, "laagkosten": 1})
    weighted = month(con)[("BU00010001", "NO2", "alle")]
    assert weighted["gemiddelde"] == pytest.approx((400 * 120 / 5 + 344 * 100 / 4) / 744)


def test_wijk_and_gemeente_use_the_hourly_mean_of_their_sensors(con, built):
    built()
    wijk = month(con, "joined.tijdreeks_lucht_wijk_maand", "wijkcode")[("WK000100", "NO2", "laagkosten")]
    assert wijk["gemiddelde"] == pytest.approx((400 * 70 / 3 + 344 * 25) / 744)
    assert wijk["sensoren"] == 3
    assert not any(k[0] == "WK000101" for k in month(con, "joined.tijdreeks_lucht_wijk_maand", "wijkcode"))
    gemeente = month(con, "joined.tijdreeks_lucht_gemeente_maand", "gemeentecode")[("GM0001", "NO2", "referentie")]
    assert gemeente["gemiddelde"] == 30


def test_nearest_sensor_within_the_distance_is_marked(con, built):
    _, _, summary = built(dichtstbijzijnde_m=250)
    rows = month(con)
    nearest = rows[("BU00010102", "NO2", "laagkosten")]
    assert nearest["herkomst"] == "dichtstbijzijnde"
    assert nearest["afstand_m"] == pytest.approx(100.0)
    assert nearest["gemiddelde"] == 40
    assert not any(k[0] == "BU00010101" for k in rows)  # 510 m from laag3, 500 m from laag1: too far
    assert summary["buurten_dichtstbijzijnde"] == 1
    wijk = month(con, "joined.tijdreeks_lucht_wijk_maand", "wijkcode")
    assert not any(k[0] == "WK000101" for k in wijk)  # a nearest sensor never counts for the wijk


def test_indicator_values_for_the_proposed_formula_types(con, built):
    settings, _, _ = built()
    reeks = settings.tijdreeksen["lucht"]
    common = {"grootheid": "NO2", "van": "2016-07", "tot": "2016-07"}
    mean = tijdreeks_indicator_values(con, reeks, "lucht", statistiek="gemiddelde", soort="laagkosten", **common)
    values = mean.set_index("buurtcode")
    assert len(values) == 4
    assert values["waarde"].notna().sum() == 2
    assert values.loc["BU00010002", "waarde"] == 40
    assert values.loc["BU00010002", "noemer"] == 744
    assert values.loc["BU00010001", "teller"] == pytest.approx(400 * 15 + 344 * 10)
    above = tijdreeks_indicator_values(con, reeks, "lucht", statistiek="dagen_boven", soort="laagkosten", **common)
    assert above.set_index("buurtcode").loc["BU00010002", ["waarde", "teller", "noemer"]].tolist() == [100.0, 31, 31]
    longer = tijdreeks_indicator_values(
        con, reeks, "lucht", statistiek="gemiddelde", soort="laagkosten", grootheid="NO2", van="2016-06", tot="2016-08"
    )
    assert longer[["waarde", "teller", "noemer"]].isna().all().all()  # 744 of 2,208 hours: refused, not rolled up


def test_what_the_site_gets_series_points_and_colofon(con, built):
    settings, _, _ = built()
    series = monthly_series(con, "lucht", "wijk")
    assert list(series.columns[:3]) == ["wijkcode", "maand", "grootheid"]
    assert set(series["wijkcode"]) == {"WK000100"}
    points = sensor_points(con, "lucht", settings.tijdreeksen["lucht"], raster_m=100)
    located = dict(zip(points["sensor"], zip(points.geometry.x, points.geometry.y, strict=True), strict=True))
    assert located["laag1"] == (X0 + 550, Y0 + 550)  # low-cost: the centre of its 100 m cell
    assert located["ref"] == (X0 + 400, Y0 + 600)  # a reference station keeps its place
    assert dict(zip(points["sensor"], points["buurtcode"], strict=True))["laag3"] == "BU00010002"
    assert set(points["van"]) == {""}
    assert points["waarden"].sum() == 744 * 3 + 400 + 200
    kwaliteit = con.execute("SELECT * FROM staging.tijdreeks_lucht_kwaliteit").df()
    text = colofon_tekst(settings.tijdreeksen["lucht"], kwaliteit)
    assert "toetst niet aan de wettelijke grenswaarden" in text[0]
    assert "minstens 50% van de uren" in text[1]
    assert "NO2 25 µg/m³" in text[2]
    assert "Van de 2.832 uurwaarden zijn er 2.832 gebruikt." in text[3]
