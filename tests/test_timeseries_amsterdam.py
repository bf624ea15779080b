"""Monthly NO2 per buurt of central Amsterdam from the raw Waag/ECN/GGD files of 2016, checked against an
independent pandas + geopandas computation from the same raw CSVs (which does not call the library)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import yaml
from pyproj import Transformer

from ogw_datalab.config import load_config
from ogw_datalab.maps.site_data import KIEMEN_BUFFER_M
from ogw_datalab.maps.tijdreeksen import QUALITY_COLUMNS, quality_rows, read_sensor_series, sensor_layer, series_cards
from ogw_datalab.readers import read_source
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.storage import write_frame
from ogw_datalab.timeseries.aggregate import aggregate_tijdreeks
from ogw_datalab.timeseries.publish import colofon_tekst, sensor_points
from ogw_datalab.timeseries.stage import stage_tijdreeks

PROJECT = Path(__file__).resolve().parents[1]
ZONE = "Europe/Amsterdam"
REFERENCES = ("ggd", "ggd_os")
RD = "EPSG:28992"


@pytest.fixture(scope="module")
def amsterdam(tmp_path_factory, shared_data):
    """The real configuration, its paths pointed at the shared data, staged and aggregated into a fresh DuckDB."""
    from ogw_datalab.duckdb_connection import connect

    folder = tmp_path_factory.mktemp("amsterdam")
    text = (PROJECT / "config" / "amsterdam_centrum.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text.replace("../../shared/data/", f"{shared_data}/"))
    raw["indicatoren"] = str(PROJECT / "config" / "amsterdam_centrum_indicatoren.yaml")
    raw["opgaven"] = str(PROJECT / "config" / "amsterdam_centrum_opgaven.yaml")
    raw["uitvoer"] = {"database": str(folder / "a.duckdb"), "kaarten": str(folder / "maps"), "cache": str(folder / "c")}
    path = folder / "amsterdam.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    config = load_config(path)
    con = connect(":memory:")
    for level in ("buurten", "wijken"):
        write_frame(con, "raw", level, read_source(f"bronnen.{level}", getattr(config.bronnen, level)))
        stage_cbs_areas(con, level, config.gemeente.code)
    staged = stage_tijdreeks(con, config, "lucht")
    summary = aggregate_tijdreeks(con, config, "lucht", ("buurt", "wijk"))
    yield con, staged, summary
    con.close()


def test_every_value_of_both_raw_files_is_read_and_the_time_zones_agree(amsterdam):
    con, staged, _ = amsterdam
    # NO2 file: 2,113 hours x 20 columns, 10,317 empty; AirBox file: 2,257 hours x 8 columns, 220 NaN.
    read = {"rijen": 2113 + 2257, "lege_cellen": 10317 + 220, "onleesbare_waarden": 0, "waarden": 31943 + 17836}
    assert staged["gelezen"] == read
    assert staged["waarden"] == 31943 + 17836
    flags = staged["vlaggen"]
    # The AirBox NO2 is in both files (local time with +02:00, and UTC): every copy meets its twin in the same
    # UTC hour within 0.1 µg/m³, so the time zones were read right; a shift of an hour would conflict.
    assert flags["dubbel"] == 3102
    assert flags["tegenstrijdig"] == 0
    assert flags["ondergrens"] == 298  # PROVENANCE.md: 298 negative NO2 values
    assert flags["zonder_locatie"] == 0
    first, last = con.execute("SELECT min(tijd), max(tijd) FROM staging.tijdreeks_lucht").fetchone()
    assert (str(first), str(last)) == ("2016-06-01 22:00:00", "2016-09-08 00:00:00")


def test_quality_counts_per_sensor_follow_the_source_readme(amsterdam):
    con, _, _ = amsterdam
    counts = con.execute("SELECT * FROM staging.tijdreeks_lucht_kwaliteit").df().set_index(["sensor", "grootheid"])
    assert counts.loc[("waag_55303", "NO2"), "ondergrens"] == 140  # PROVENANCE.md: 140 of the 298
    assert counts.loc[("waag_55303", "NO2"), "in_buurtcijfers"] == 0  # calibration not to be trusted
    assert counts.loc[("waag_55300", "NO2"), "in_buurtcijfers"] == 0  # too low during the campaign
    assert counts.loc[("waag_1184838", "NO2"), "onbetrouwbaar"] > 0
    assert counts.loc[(list(REFERENCES), "NO2"), "opwarmen"].sum() == 0
    waag = counts[counts.index.get_level_values("sensor").str.startswith("waag_")]
    assert (waag["buiten_meetperiode"] > 0).all()  # all were at Vondelpark to calibrate
    assert int(counts["waarden"].sum()) == 31943 + 17836


def test_sensors_fall_in_four_buurten_of_the_centre_and_vondelpark(amsterdam):
    con, _, summary = amsterdam
    buurten = [
        r[0] for r in con.execute("SELECT DISTINCT buurtcode FROM joined.tijdreeks_lucht_maand ORDER BY 1").fetchall()
    ]
    assert buurten == ["BU03630000", "BU03630004", "BU03630008", "BU03630222"]
    assert summary["perioden_buiten_buurten"] == 0
    assert summary["buurten_dichtstbijzijnde"] == 0


def independent_monthly_no2(shared_data: Path, buurten: gpd.GeoDataFrame) -> pd.DataFrame:
    """Monthly NO2 per buurt and soort straight from the raw CSVs, by the rules of config/amsterdam_centrum.yaml."""
    folder = shared_data / "waag_luchtkwaliteit_amsterdam_2016"
    no2 = pd.read_csv(folder / "raw" / "urbanairq_no2_final.csv", skipinitialspace=True)
    no2["t"] = pd.to_datetime(no2.pop("localTime"), utc=True)
    wide_file = no2.melt(id_vars="t", var_name="sensor", value_name="v").dropna().assign(src=1)
    header = pd.read_csv(folder / "raw" / "AMS_hourly_airboxdata_total.csv", header=None, nrows=2)
    airbox = pd.read_csv(folder / "raw" / "AMS_hourly_airboxdata_total.csv", header=None, skiprows=3)
    airbox.columns = ["time"] + [f"ecn_{s}|{q}" for s, q in zip(header.iloc[0, 1:], header.iloc[1, 1:], strict=True)]
    airbox["t"] = pd.to_datetime(airbox.pop("time"), format="%d-%m-%y %H:%M").dt.tz_localize("UTC")
    airbox = airbox.melt(id_vars="t", var_name="k", value_name="v").dropna()
    airbox[["sensor", "q"]] = airbox.pop("k").str.split("|", expand=True)
    airbox = airbox[airbox["q"] == "NO2"].drop(columns="q").assign(src=0)
    both = pd.concat([airbox, wide_file]).sort_values(["sensor", "t", "src"])
    assert both.groupby(["sensor", "t"])["v"].agg(lambda v: v.max() - v.min()).max() <= 0.1
    obs = both.drop_duplicates(["sensor", "t"]).reset_index(drop=True)  # the AirBox file's copy

    # Where each sensor stood: its own place, or Vondelpark during the calibration days (local dates).
    day = obs["t"].dt.tz_convert(ZONE).dt.date
    waag = obs["sensor"].str.startswith("waag_")
    cal1 = (day >= dt.date(2016, 6, 2)) & (day <= dt.date(2016, 6, 10))
    cal2 = (day >= dt.date(2016, 8, 18)) & (day <= dt.date(2016, 8, 29))
    obs["fase"] = np.select([waag & cal1, waag & cal2], ["cal1", "cal2"], "meting")
    obs["reference"] = obs["sensor"].isin(REFERENCES)
    obs = obs.sort_values(["sensor", "t"]).reset_index(drop=True)
    obs["segment"] = (obs["fase"] != obs.groupby("sensor")["fase"].shift()).groupby(obs["sensor"]).cumsum()

    sensors = pd.read_csv(folder / "sensors.csv")
    points = gpd.GeoDataFrame(sensors, geometry=gpd.points_from_xy(sensors["lon"], sensors["lat"]), crs=4326).to_crs(
        28992
    )
    where = dict(zip(points["sensor_id"], points.geometry, strict=True))

    day = obs["t"].dt.tz_convert(ZONE).dt.date  # again: obs was sorted
    untrusted = (
        ((obs["sensor"] == "waag_1184838") & (day >= dt.date(2016, 7, 26)))
        | ((obs["sensor"] == "waag_55300") & (day >= dt.date(2016, 6, 11)) & (day <= dt.date(2016, 8, 17)))
        | (obs["sensor"] == "waag_55303")
    )
    drop = obs["v"] < 0  # floor
    warm = np.zeros(len(obs), dtype=bool)
    for _, rows in obs[~obs["reference"]].groupby("sensor"):
        started = None
        previous_time, previous_segment = None, None
        for index, time, segment in zip(rows.index, rows["t"], rows["segment"], strict=True):
            gap = None if previous_time is None else (time - previous_time) / pd.Timedelta(hours=1) - 1
            if previous_time is None or gap >= 3 or segment != previous_segment:
                started = time
            warm[index] = time - started < pd.Timedelta(hours=4)
            previous_time, previous_segment = time, segment
    valid = ~(drop | untrusted | warm)

    # Outliers: against the nearest reference with a value that hour; robust spread per sensor and segment.
    reference_values = obs[obs["reference"] & valid].set_index(["sensor", "t"])["v"]
    difference = pd.Series(np.nan, index=obs.index)
    for (sensor, _segment), rows in obs[~obs["reference"] & valid].groupby(["sensor", "segment"]):
        place = where["ggd"] if rows["fase"].iloc[0] != "meting" else where[sensor]
        ranked = sorted(REFERENCES, key=lambda r: place.distance(where[r]))
        for index, time, value in zip(rows.index, rows["t"], rows["v"], strict=True):
            for reference in ranked:
                if (reference, time) in reference_values.index:
                    difference[index] = value - reference_values[(reference, time)]
                    break
    outlier = np.zeros(len(obs), dtype=bool)
    for _, d in difference.dropna().groupby([obs["sensor"], obs["segment"]]):
        median = d.median()
        spread = (d - median).abs().median() * 1.4826
        if len(d) >= 48 and spread > 0:
            outlier[d.index[(d - median).abs() > 5 * spread]] = True
    counting = obs[valid & ~outlier & (obs["fase"] == "meting")].copy()

    # Placement: the buurt each sensor's own point lies in (lowest code on a shared boundary).
    placed = gpd.sjoin(points, buurten[["BU_CODE", "geometry"]], predicate="intersects")
    buurt_of = placed.sort_values("BU_CODE").drop_duplicates("sensor_id").set_index("sensor_id")["BU_CODE"]
    counting["buurtcode"] = counting["sensor"].map(buurt_of)
    counting["soort"] = np.where(counting["reference"], "referentie", "laagkosten")
    hourly = counting.groupby(["buurtcode", "soort", "t"])["v"].mean().reset_index()
    local = hourly["t"].dt.tz_convert(ZONE)
    hourly["maand"], hourly["dag"] = local.dt.strftime("%Y-%m"), local.dt.date
    daily = hourly.groupby(["buurtcode", "soort", "maand", "dag"])["v"].agg(["mean", "size"]).reset_index()
    daily = daily[daily["size"] >= 18]
    days = daily.groupby(["buurtcode", "soort", "maand"]).agg(
        geldige_dagen=("mean", "size"), dagen_boven=("mean", lambda m: int((m > 25).sum()))
    )
    monthly = hourly.groupby(["buurtcode", "soort", "maand"])["v"].agg(
        geldige_uren="size", gemiddelde="mean", percentiel=lambda v: float(np.quantile(v, 0.9))
    )
    monthly = monthly.join(days).fillna({"geldige_dagen": 0})
    month_hours = {"2016-06": 720, "2016-07": 744, "2016-08": 744, "2016-09": 720}
    hours = monthly.index.get_level_values("maand").map(month_hours)
    monthly["ok"] = monthly["geldige_uren"] >= 0.5 * hours
    return monthly


def test_monthly_no2_per_buurt_equals_an_independent_computation(amsterdam, shared_data):
    con, _, _ = amsterdam
    buurten = gpd.read_file(shared_data / "cbs_wijkbuurtkaart_2015_nl" / "amsterdam-amstelland" / "buurt.geojson")
    buurten = buurten[buurten["GM_CODE"] == "GM0363"].to_crs(28992)
    expected = independent_monthly_no2(shared_data, buurten)
    ours = (
        con.execute("SELECT * FROM joined.tijdreeks_lucht_maand WHERE grootheid = 'NO2'")
        .df()
        .set_index(["buurtcode", "soort", "maand"])
        .sort_index()
    )
    assert list(ours.index) == list(expected.index)
    assert len(ours) == 16
    assert int(expected["ok"].sum()) == 11
    assert list(ours["status"] == "ok") == list(expected["ok"])
    assert list(ours["geldige_uren"]) == list(expected["geldige_uren"])
    ok = expected[expected["ok"]]
    mine = ours[ours["status"] == "ok"]
    assert np.allclose(mine["gemiddelde"], ok["gemiddelde"], rtol=0, atol=1e-9)
    assert np.allclose(mine["percentiel"], ok["percentiel"], rtol=0, atol=1e-9)
    assert list(mine["geldige_dagen"]) == list(ok["geldige_dagen"].astype(int))
    assert list(mine["dagen_boven_richtlijn"]) == list(ok["dagen_boven"].astype(int))
    # Nieuwmarkt/Lastage in July: street sensors read well above the GGD station beside them.
    street = mine.loc[("BU03630004", "laagkosten", "2016-07"), "gemiddelde"]
    station = mine.loc[("BU03630004", "referentie", "2016-07"), "gemiddelde"]
    assert 24 < street < 29
    assert 18 < station < 21


def test_wijk_figures_cover_the_stadsdelen_with_sensors(amsterdam):
    con, _, summary = amsterdam
    wijken = [r[0] for r in con.execute("SELECT DISTINCT wijkcode FROM joined.tijdreeks_lucht_wijk_maand").fetchall()]
    assert sorted(wijken) == ["WK036300", "WK036302"]  # Centrum, West (Vondelpark)
    september = con.execute(
        "SELECT status FROM joined.tijdreeks_lucht_wijk_maand WHERE wijkcode = 'WK036300' AND maand = '2016-09' "
        "AND grootheid = 'PM25'"
    ).fetchone()
    assert september == ("te_weinig_uren",)  # the AirBoxes ran until 8 September
    assert summary["wijk"]["gebieden"] == 2


def test_point_layer_shows_each_sensor_where_it_stood_and_when(amsterdam):
    con, _, _ = amsterdam
    config = load_config(PROJECT / "config" / "amsterdam_centrum.yaml", check_files=False)
    points = sensor_points(con, "lucht", config.tijdreeksen["lucht"])
    waag = points[points["sensor"] == "waag_54200"]
    assert list(zip(waag["fase"], waag["van"], waag["tot"], strict=True)) == [
        ("kalibratie_1", "2016-06-02", "2016-06-10"),
        ("meting", "2016-06-11", "2016-08-17"),
        ("kalibratie_2", "2016-08-18", "2016-08-29"),
    ]
    assert list(waag["buurtcode"].fillna("")) == ["", "BU03630004", ""]  # calibration periods count nowhere
    kwaliteit = con.execute("SELECT * FROM staging.tijdreeks_lucht_kwaliteit").df()
    text = " ".join(colofon_tekst(config.tijdreeksen["lucht"], kwaliteit))
    assert "Van de 49.779 uurwaarden zijn er 37.720 gebruikt." in text
    assert "298 onder de ondergrens" in text
    assert "3.102 dubbel aangeleverd" in text
    assert "Verder 5.312 uurwaarden uit periodes waarin sensoren elders stonden, bijvoorbeeld naast" in text
    assert "PM2,5 15 µg/m³" in text
    assert "PM25" not in text


def test_site_shows_every_buurt_month_sensor_and_check_of_the_real_data(amsterdam):
    """What the site draws from the real build: charts per buurt, the sensor layer and the colofon counts."""
    con, _, _ = amsterdam
    config = load_config(PROJECT / "config" / "amsterdam_centrum.yaml", check_files=False)
    rows = con.execute("SELECT buurtcode, ST_AsWKB(geometry) FROM staging.buurten ORDER BY buurtcode").fetchall()
    buurten = gpd.GeoDataFrame(
        {"buurtcode": [r[0] for r in rows]}, geometry=gpd.GeoSeries.from_wkb([bytes(r[1]) for r in rows]), crs=RD
    )
    (series,) = read_sensor_series(con, config.tijdreeksen, buurten, KIEMEN_BUFFER_M).values()
    assert series.months == ["2016-06", "2016-07", "2016-08", "2016-09"]
    assert series.grootheden == ["NO2", "PM1", "PM10", "PM25"]
    # README: 28 buurt-months over all quantities and soorten in the 4 buurten, 20 with figures, 8 refused
    said = " ".join(
        label
        for code in buurten["buurtcode"]
        for card in series_cards(series, code, "buurt")
        for label in re.findall(r'aria-label="([^"]*)"', card["chart"])
    )
    assert len(re.findall(r"\b(?:juni|juli|augustus|september) 2016 \d+,\d\b", said)) == 20
    assert said.count("geen cijfer") == 8
    quiet = series_cards(series, "BU03630001", "buurt")  # Haarlemmerbuurt: no sensor
    assert [c["notes"] for c in quiet] == [["Geen meetpunt in of bij deze buurt."]] * 4
    largest = max(len(c["chart"]) for code in buurten["buurtcode"] for c in series_cards(series, code, "buurt"))
    assert largest < 4_000  # bytes per chart: the buurtprofiel stays far below its 300 KB

    title, points = sensor_layer([series])
    to_rd = Transformer.from_crs("EPSG:4326", RD, always_xy=True)
    for lat, lon, soort, _ in points:
        x, y = to_rd.transform(lon, lat)
        if soort == "laagkosten":  # centre of a 100 m square, to about a metre (5 decimals of a degree)
            assert abs(x % 100 - 50) < 2
            assert abs(y % 100 - 50) < 2
    names = [p[3][0].split(" ")[0] for p in points]
    assert {"ggd", "ggd_os", "ecn_AB46", "ecn_AB47"} <= set(names)
    assert len(set(names)) == 20
    broken = next(p[3] for p in points if p[3][0].startswith("waag_1184838"))
    assert any("in een onbetrouwbare periode" in line for line in broken)
    assert any(line.startswith("Stond ook elders") for line in broken)  # calibrated at Vondelpark twice

    totals = {title: 0 for _, title in QUALITY_COLUMNS}
    for row in quality_rows(series):
        for (_, title), count in zip(QUALITY_COLUMNS, row["tellingen"], strict=True):
            totals[title] += int(count.replace(".", ""))
    # README: 3,102 dubbel, 298 ondergrens, 1,216 opwarmen, 3,581 onbetrouwbaar, 31 uitschieter, 5,312 elders
    assert (totals["Dubbel"], totals["Onder ondergrens"], totals["Opwarmtijd"]) == (3102, 298, 1216)
    assert (totals["Onbetrouwbare periode"], totals["Uitschieter"], totals["Elders (kalibratie)"]) == (3581, 31, 5312)
    assert (totals["Uurwaarden"], totals["Gebruikt"]) == (49_779, 37_720)
