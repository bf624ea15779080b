"""The demo's air-quality network: its files are real formats, and the monthly figures per buurt that the demo
publishes equal an independent pandas + geopandas computation from the generated raw files (no library code)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from ogw_datalab.demo import meetnet
from ogw_datalab.demo.write_demo import write_demo_municipality
from ogw_datalab.duckdb_connection import connect

ZONE = "Europe/Amsterdam"
REFERENCE = "ggd_waardhoven"
CALIBRATION = ("mw_07", dt.date(2024, 3, 1), dt.date(2024, 3, 10))  # config/demo.yaml, fasen
GUIDELINES = {"NO2": 25.0, "PM25": 15.0, "PM10": 45.0}
MONTH_HOURS = {"2024-03": 743, "2024-04": 720, "2024-05": 744}  # summer time starts on 31 March


def test_the_network_is_written_only_for_the_demo_year_and_is_the_same_from_the_same_seed(tmp_path):
    first = write_demo_municipality(tmp_path / "a")
    again = write_demo_municipality(tmp_path / "b")
    network = [p for p in first if "meetnet" in p.name or p.parent.name == "sensor_community"]
    assert [p.name for p in network] == [
        "meetnet_no2_2024.csv",
        "meetnet_sensoren.csv",
        "2024-02_sds011.csv",  # the first local hour, 1 March 00:00, is 29 February 23:00 UTC
        "2024-03_sds011.csv",
        "2024-04_sds011.csv",
        "2024-05_sds011.csv",
    ]
    for path in network:
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()
    assert sum(p.stat().st_size for p in network) < 3_000_000  # small: the demo build stays quick
    assert len(again) == len(first)
    earlier = write_demo_municipality(tmp_path / "c", jaar=2023)
    assert not any("meetnet" in p.name for p in earlier)
    assert not (tmp_path / "c" / "sensor_community").exists()


def read_no2(folder: Path) -> pd.DataFrame:
    """The hourly export: local times with offset, padded numbers, one repeated hour (kept once)."""
    frame = pd.read_csv(folder / "meetnet_no2_2024.csv", skipinitialspace=True)
    assert frame.duplicated().sum() == 1
    assert frame["localTime"].duplicated().sum() == 1
    assert frame["localTime"].str.contains(r"\+01:00$").any()
    assert frame["localTime"].str.contains(r"\+02:00$").any()
    frame["t"] = pd.to_datetime(frame.pop("localTime"), utc=True)
    long = frame.melt(id_vars="t", var_name="sensor", value_name="v").dropna()
    return long.drop_duplicates(["sensor", "t"]).assign(grootheid="NO2")


def read_pm(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Sensor.Community readings averaged per UTC hour (at least 3 of them), and where each sensor stood."""
    raw = pd.concat([pd.read_csv(p, sep=";") for p in sorted((folder / "sensor_community").glob("*_sds011.csv"))])
    raw["read"] = pd.to_datetime(raw["timestamp"]).dt.tz_localize("UTC")
    raw["t"] = raw["read"].dt.floor("h")
    raw["sensor"] = "LTD_" + raw["sensor_id"].astype(str)
    # A sensor stands at its location from the hour of its first reading there (hours are stored by their start,
    # so the hour of the very first reading counts; it was left out before, 1 of 739 hours).
    located_from = raw.groupby("sensor")["read"].min().dt.floor("h")
    places = raw.drop_duplicates("sensor")[["sensor", "lon", "lat"]]
    assert raw.groupby("sensor")["location"].nunique().max() == 1  # nobody moved
    hourly = []
    for column, grootheid in (("P1", "PM10"), ("P2", "PM25")):
        means = raw.groupby(["sensor", "t"])[column].agg(["mean", "size"]).reset_index()
        means = means[(means["size"] >= 3) & (means["t"] >= means["sensor"].map(located_from))]
        hourly.append(
            pd.DataFrame({"sensor": means["sensor"], "t": means["t"], "v": means["mean"], "grootheid": grootheid})
        )
    return pd.concat(hourly, ignore_index=True), places


def checked_values(obs: pd.DataFrame) -> pd.DataFrame:
    """The values that count, by the rules of config/demo.yaml: calibration fase, floor, warm-up, outliers."""
    obs = obs.sort_values(["sensor", "grootheid", "t"]).reset_index(drop=True)
    day = obs["t"].dt.tz_convert(ZONE).dt.date
    sensor, first, last = CALIBRATION
    obs["fase"] = np.where((obs["sensor"] == sensor) & (day >= first) & (day <= last), "kalibratie", "meting")
    obs["reference"] = obs["sensor"] == REFERENCE
    series = [obs["sensor"], obs["grootheid"]]
    obs["segment"] = (obs["fase"] != obs.groupby(series)["fase"].shift()).groupby(series).cumsum()
    floor = (obs["grootheid"] == "NO2") & (obs["v"] < 0)
    warm = np.zeros(len(obs), dtype=bool)
    for _, rows in obs[~obs["reference"]].groupby(["sensor", "grootheid"]):
        started, previous_time, previous_segment = None, None, None
        for index, time, segment in zip(rows.index, rows["t"], rows["segment"], strict=True):
            gap = None if previous_time is None else (time - previous_time) / pd.Timedelta(hours=1) - 1
            if previous_time is None or gap >= 3 or segment != previous_segment:
                started = time
            warm[index] = time - started < pd.Timedelta(hours=4)
            previous_time, previous_segment = time, segment
    valid = ~(floor | warm)
    # Outliers: the one reference station measures NO2 only; robust spread of the difference per sensor and segment.
    reference = obs[obs["reference"] & valid].set_index("t")["v"]
    low_cost = obs[~obs["reference"] & valid & (obs["grootheid"] == "NO2")]
    difference = low_cost["v"] - low_cost["t"].map(reference)
    outlier = np.zeros(len(obs), dtype=bool)
    for _, d in difference.dropna().groupby([obs["sensor"], obs["segment"]]):
        spread = (d - d.median()).abs().median() * 1.4826
        if len(d) >= 48 and spread > 0:
            outlier[d.index[(d - d.median()).abs() > 5 * spread]] = True
    assert outlier.sum() == 1  # the spike of mw_03
    assert floor.sum() == 8
    assert (floor & (obs["sensor"] == "mw_09")).sum() == 7
    counting = obs[valid & ~outlier & (obs["fase"] == "meting")].copy()
    counting["soort"] = np.where(counting["reference"], "referentie", "laagkosten")
    return counting


def independent_monthly(folder: Path) -> pd.DataFrame:
    """Monthly figures per buurt, quantity and soort straight from the generated raw files."""
    no2 = read_no2(folder)
    pm, pm_places = read_pm(folder)
    table = pd.read_csv(folder / "meetnet_sensoren.csv")
    places = pd.concat([table[["sensor_id", "lon", "lat"]].rename(columns={"sensor_id": "sensor"}), pm_places])
    points = gpd.GeoDataFrame(places, geometry=gpd.points_from_xy(places["lon"], places["lat"]), crs=4326).to_crs(28992)
    buurten = gpd.read_file(folder / "wijkenbuurten_2024.gpkg", layer="buurten")
    buurten = buurten[buurten["gemeentecode"] == "GM9999"]
    placed = gpd.sjoin(points, buurten[["buurtcode", "geometry"]], predicate="intersects")
    buurt_of = placed.sort_values("buurtcode").drop_duplicates("sensor").set_index("sensor")["buurtcode"]
    counting = checked_values(pd.concat([no2, pm], ignore_index=True))
    counting["buurtcode"] = counting["sensor"].map(buurt_of)
    keys = ["buurtcode", "grootheid", "soort"]
    hourly = counting.groupby([*keys, "t"])["v"].mean().reset_index()
    local = hourly["t"].dt.tz_convert(ZONE)
    hourly["maand"], hourly["dag"] = local.dt.strftime("%Y-%m"), local.dt.date
    daily = hourly.groupby([*keys, "maand", "dag"])["v"].agg(["mean", "size"]).reset_index()
    daily = daily[daily["size"] >= 18]
    daily["boven"] = daily["mean"] > daily["grootheid"].map(GUIDELINES)
    days = daily.groupby([*keys, "maand"]).agg(geldige_dagen=("mean", "size"), dagen_boven=("boven", "sum"))
    monthly = hourly.groupby([*keys, "maand"])["v"].agg(
        geldige_uren="size", gemiddelde="mean", percentiel=lambda v: float(np.quantile(v, 0.9))
    )
    return monthly.join(days).fillna({"geldige_dagen": 0, "dagen_boven": 0})


@pytest.mark.e2e
def test_monthly_figures_per_buurt_equal_an_independent_computation_from_the_raw_files(demo_lab):
    expected = independent_monthly(demo_lab.folder / "data" / "demo")
    con = connect(demo_lab.database, read_only=True)
    ours = con.execute("SELECT * FROM joined.tijdreeks_lucht_maand").df()
    names = dict(con.execute("SELECT buurtcode, buurtnaam FROM staging.buurten").fetchall())
    con.close()
    ours = ours.set_index(["buurtcode", "grootheid", "soort", "maand"]).sort_index()
    assert list(ours.index) == list(expected.index)
    assert (ours["status"] == "ok").all()
    assert list(ours["uren_in_maand"]) == [MONTH_HOURS[m] for m in ours.index.get_level_values("maand")]
    assert list(ours["geldige_uren"]) == list(expected["geldige_uren"])
    np.testing.assert_allclose(ours["gemiddelde"], expected["gemiddelde"], rtol=1e-9)
    np.testing.assert_allclose(ours["percentiel"], expected["percentiel"], rtol=1e-9)
    assert list(ours["geldige_dagen"]) == list(expected["geldige_dagen"].astype(int))
    assert list(ours["dagen_boven_richtlijn"]) == list(expected["dagen_boven"].astype(int))
    # Binnenstad, the busiest buurt of the core: well above the WHO guideline on many days, unlike the village
    binnenstad = ours.loc[("BU99990100", "NO2", "laagkosten")]
    village = ours.loc[("BU99990600", "NO2", "laagkosten")]
    assert names["BU99990100"] == "Binnenstad"
    assert names["BU99990600"] == "Rietveen-Dorp"
    assert (binnenstad["dagen_boven_richtlijn"] > 10).all()
    assert (village["dagen_boven_richtlijn"] <= 1).all()
    assert (binnenstad["gemiddelde"] > village["gemiddelde"] + 8).all()


@pytest.mark.e2e
def test_the_sensors_stand_where_the_generator_put_them(demo_lab):
    con = connect(demo_lab.database, read_only=True)
    placed = con.execute(
        "SELECT DISTINCT l.sensor, b.buurtnaam FROM joined.tijdreeks_lucht_toewijzing AS t "
        "JOIN staging.tijdreeks_lucht_locaties AS l USING (periode_id) JOIN staging.buurten AS b USING (buurtcode) "
        "WHERE l.meetellen"
    ).fetchall()
    con.close()
    wanted = dict(meetnet.NO2_SITES) | {f"LTD_{i}": naam for i, _, naam in meetnet.PM_SITES}
    assert dict(placed) == wanted
