"""The demo gemeente's air-quality network: hourly NO2 and PM2.5 on the street, March-May of the demo year.

Ten low-cost NO2 sensors of the gemeente's own network (``mw_01`` ... ``mw_10``), one reference
station (``ggd_waardhoven``, at the river bank of the core) and four citizens' PM sensors of
Sensor.Community, written in the formats of their real counterparts:

- ``meetnet_no2_2024.csv``: an hourly export in local time with offset (``2024-03-01 00:00:00+01:00``),
  one column per sensor, numbers padded, as Waag's Urban AirQ file;
- ``meetnet_sensoren.csv``: its sensor table, ``sensor_id``, ``netwerk``, ``lat``, ``lon`` (WGS84);
- ``sensor_community/<YYYY-MM>_sds011.csv``: the monthly Sensor.Community archive (``csv_per_month``,
  months in UTC) filtered to the gemeente's sensors,
  ``sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2`` with UTC
  timestamps, a reading every 15 minutes, coordinates rounded to 3 decimals.

Notes
-----
The values follow the demo's story: NO2 is highest in the core, where traffic is densest. For a
sensor *s* with exposure *E_s* (by the kind of its buurt) and local hour *h* on weekday *d*,

    NO2_s(t) = b(t) + 18 · E_s · T(h, d) · sqrt(b(t) / 13) + bias_s + ε,

with the regional background *b(t)* = 13 · exp(0.35 z(t)) · (1 − 0.1 · season), *z* an AR(1)
process with a memory of about a day and a half (weather), *T* the traffic rhythm (morning and
evening peaks on weekdays, lower on Saturday, lowest on Sunday) and ε the sensor's noise (σ 3 for
low-cost, 0.8 for the reference). PM2.5 is mostly regional (its own AR(1) process, partly following
the NO2 weather) plus wood smoke in the evening in the village and a little traffic in the core.

Quirks that the quality rules must catch: every low-cost sensor reads too high in its first hours
(warm-up), also after a power cut of ``mw_10`` and after ``mw_07`` moved from the reference
station (where it stood the first ten days to be calibrated, ``fase``) to its own place; ``mw_09``
in the village reads a few negative values on clean nights; the export repeats one hour; ``mw_03``
reads one absurd spike; PM sensor 70122 was offline for a day.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from .geography import Geography

ZONE = "Europe/Amsterdam"
MONTHS = ("03", "04", "05")  # of the demo year: the network's first three months
REFERENCE = "ggd_waardhoven"
NO2_FILE = "meetnet_no2_2024.csv"
SENSOR_TABLE = "meetnet_sensoren.csv"
PM_FOLDER = "sensor_community"
CALIBRATION_SENSOR = "mw_07"
CALIBRATION_DAYS = (1, 10)  # 1-10 March (local days, inclusive) beside the reference station
POWER_CUT_SENSOR = "mw_10"
NEGATIVE_SENSOR = "mw_09"
SPIKE_SENSOR = "mw_03"
OFFLINE_PM_SENSOR = 70122
READING_MINUTES = 15  # a PM reading every quarter of an hour (Sensor.Community's default is 145 s; kept small)
WARM_UP_EXCESS = (28.0, 16.0, 8.0, 3.0)  # µg/m³ too high in the first hours after a (re)start
EXPOSURE = {"core": 0.9, "postwar": 0.35, "family": 0.3, "recent": 0.25, "village": 0.08}

# (sensor, buurt name); the reference station stands in Vlietoever, at the river bank of the core.
NO2_SITES = [
    ("mw_01", "Binnenstad"),
    ("mw_02", "Stationsbuurt"),
    ("mw_03", "Marktveld"),
    ("mw_04", "Havenkwartier"),
    ("mw_05", "Kerkbuurt"),
    ("mw_06", "Zuiderhof"),
    ("mw_07", "Bloemenbuurt"),
    ("mw_08", "Westerkwartier"),
    ("mw_09", "Rietveen-Dorp"),
    ("mw_10", "Schildersbuurt"),
    (REFERENCE, "Vlietoever"),
]
# (Sensor.Community sensor id, its location id, buurt name): citizens' sensors at their homes.
PM_SITES = [
    (70118, 58101, "Molenbuurt"),
    (70122, 58107, "Noorderhof"),
    (70135, 58112, "Rietveen-Oost"),
    (70141, 58120, "Populierenhof"),
]


@dataclass(frozen=True)
class Site:
    """Where a sensor stands (EPSG:28992), in which buurt and of which kind, and how much traffic it sees."""

    sensor: str
    buurtcode: str
    kind: str
    x: float
    y: float
    exposure: float


def measurement_hours(jaar: int) -> pd.DatetimeIndex:
    """Every hour (UTC, by its start) from 1 March 00:00 to 31 May 23:00 local time of ``jaar``."""
    start = pd.Timestamp(f"{jaar}-{MONTHS[0]}-01").tz_localize(ZONE)
    end = pd.Timestamp(f"{jaar}-{int(MONTHS[-1]) + 1:02d}-01").tz_localize(ZONE)
    return pd.date_range(start.tz_convert("UTC"), end.tz_convert("UTC"), freq="h", inclusive="left")


def place_sites(geo: Geography, addresses: pd.DataFrame, rng: np.random.Generator) -> dict[str, Site]:
    """Put every sensor of ``NO2_SITES`` and ``PM_SITES`` at an address of its buurt.

    A PM sensor's address is chosen so that its coordinates, rounded to 3 decimals as
    Sensor.Community publishes them, still lie in the same buurt.
    """
    by_name = {b.naam: b for b in geo.buurten}
    sites: dict[str, Site] = {}
    wanted = [(s, n, False) for s, n in NO2_SITES] + [(f"LTD_{i}", n, True) for i, _, n in PM_SITES]
    for sensor, naam, rounded in wanted:
        buurt = by_name[naam]
        homes = addresses[addresses["buurtcode"] == buurt.code]
        for index in rng.permutation(len(homes)):
            x, y = float(homes["x"].iloc[index]), float(homes["y"].iloc[index])
            if not rounded or buurt.geometry.contains(shapely.Point(*_rounded_rd(x, y))):
                break
        exposure = EXPOSURE[buurt.kind] * rng.uniform(0.92, 1.08)
        if sensor == REFERENCE:
            exposure = 0.6  # a street station at the edge of the core
        sites[sensor] = Site(sensor, buurt.code, buurt.kind, x, y, exposure)
    return sites


def _rounded_rd(x: float, y: float) -> tuple[float, float]:
    lon, lat = _transformer("EPSG:28992", "EPSG:4326").transform(x, y)
    back = _transformer("EPSG:4326", "EPSG:28992").transform(round(lon, 3), round(lat, 3))
    return float(back[0]), float(back[1])


@functools.cache
def _transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _weather(n: int, rng: np.random.Generator, memory_h: float = 36.0) -> np.ndarray:
    """Draw an AR(1) process with unit variance and a memory of ``memory_h`` hours."""
    phi = np.exp(-1.0 / memory_h)
    shocks = rng.normal(0.0, np.sqrt(1 - phi**2), n)
    z = np.empty(n)
    z[0] = rng.normal()
    for i in range(1, n):
        z[i] = phi * z[i - 1] + shocks[i]
    return z


def _traffic(local: pd.DatetimeIndex) -> np.ndarray:
    """Traffic rhythm by local hour and weekday (about 1 on an average weekday hour)."""
    hour = local.hour.to_numpy() + 0.5
    weekday = local.day_of_week.to_numpy()
    daytime = 1 / (1 + np.exp(-(hour - 6.5) * 2)) * 1 / (1 + np.exp((hour - 20.5) * 1.5))
    morning = np.exp(-(((hour - 8.0) / 1.3) ** 2))
    evening = np.exp(-(((hour - 17.0) / 1.8) ** 2))
    workday = 0.2 + 0.75 * daytime + 0.8 * morning + 0.6 * evening
    weekend = 0.2 + 0.7 * np.exp(-(((hour - 14.0) / 4.0) ** 2))
    return np.select([weekday < 5, weekday == 5], [workday, 1.1 * weekend], 0.85 * weekend)


def draw_no2(
    sites: dict[str, Site], hours: pd.DatetimeIndex, weather: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Hourly NO2 (µg/m³) per sensor, one column per sensor, NaN where a sensor gave nothing (see Notes above)."""
    local = hours.tz_convert(ZONE)
    season = np.linspace(0.0, 1.0, len(hours))
    background = 13.0 * np.exp(0.35 * weather - 0.06) * (1 - 0.1 * season)
    traffic = _traffic(local) * np.sqrt(background / 13.0)
    true = {s.sensor: background + 18.0 * s.exposure * traffic for s in sites.values()}
    values = {}
    for sensor, _ in NO2_SITES:
        if sensor == REFERENCE:
            values[sensor] = np.round(true[sensor] + rng.normal(0, 0.8, len(hours)), 1)
            continue
        level = true[sensor].copy()
        if sensor == CALIBRATION_SENSOR:  # the first days beside the reference station
            level[_local_days(local, *CALIBRATION_DAYS)] = true[REFERENCE][_local_days(local, *CALIBRATION_DAYS)]
        bias = rng.normal(0, 1.0)
        values[sensor] = level + bias + rng.normal(0, 3.0, len(hours))
    _add_quirks(values, local, rng)
    return pd.DataFrame(values, index=hours)


def _local_days(local: pd.DatetimeIndex, first: int, last: int) -> np.ndarray:
    """Hours of the first month's local days ``first`` to ``last`` (inclusive)."""
    first_month = local.month == local[0].month
    return np.asarray(first_month & (local.day >= first) & (local.day <= last))


def _add_quirks(values: dict[str, np.ndarray], local: pd.DatetimeIndex, rng: np.random.Generator) -> None:
    warm = np.array(WARM_UP_EXCESS)
    for sensor, _ in NO2_SITES:
        if sensor != REFERENCE:
            values[sensor][: len(warm)] += warm  # every low-cost sensor starts too high
    moved = int(np.flatnonzero(_local_days(local, *CALIBRATION_DAYS))[-1]) + 1
    values[CALIBRATION_SENSOR][moved - 2 : moved] = np.nan  # taken down, carried to its own place
    values[CALIBRATION_SENSOR][moved : moved + len(warm)] += warm
    cut = int(np.flatnonzero((local.month == local[0].month + 1) & (local.day == 12) & (local.hour == 9))[0])
    values[POWER_CUT_SENSOR][cut : cut + 14] = np.nan  # a power cut of 14 hours, then a restart
    values[POWER_CUT_SENSOR][cut + 14 : cut + 14 + len(warm)] += warm
    nights = np.flatnonzero((local.hour >= 1) & (local.hour <= 4))
    calm = nights[np.argsort(values[NEGATIVE_SENSOR][nights])[:6]]
    values[NEGATIVE_SENSOR][calm] = -np.round(rng.uniform(0.3, 2.5, len(calm)), 3)  # below zero on clean nights
    spike = int(np.flatnonzero((local.month == local[0].month + 2) & (local.day == 8) & (local.hour == 15))[0])
    values[SPIKE_SENSOR][spike] += 95.0


def no2_export(no2: pd.DataFrame) -> str:
    """Make the hourly export: ``localTime`` with offset, a column per sensor, padded numbers, one hour repeated."""
    local = pd.DatetimeIndex(no2.index).tz_convert(ZONE)
    stamps = [t.strftime("%Y-%m-%d %H:%M:%S") + t.strftime("%z")[:3] + ":" + t.strftime("%z")[3:] for t in local]
    lines = ["localTime," + ",".join(no2.columns)]
    repeated = int(np.flatnonzero((local.month == local[0].month + 1) & (local.day == 3) & (local.hour == 10))[0])
    for i, stamp in enumerate(stamps):
        cells = ["" if np.isnan(v) else f"{v:7.3f}" for v in no2.iloc[i].to_numpy()]
        line = stamp + "," + ",".join(cells)
        lines.append(line)
        if i == repeated:  # the export sent this hour twice
            lines.append(line)
    return "\r\n".join(lines) + "\r\n"


def sensor_table(sites: dict[str, Site]) -> pd.DataFrame:
    """Make the NO2 network's sensor table: id, network and point in WGS84 (6 decimals)."""
    rows = []
    for sensor, _ in NO2_SITES:
        site = sites[sensor]
        lon, lat = _transformer("EPSG:28992", "EPSG:4326").transform(site.x, site.y)
        netwerk = "GGD (referentiestation)" if sensor == REFERENCE else "Meetnet Waardhoven (goedkope NO2-sensor)"
        rows.append({"sensor_id": sensor, "netwerk": netwerk, "lat": round(lat, 6), "lon": round(lon, 6)})
    return pd.DataFrame(rows)


def draw_pm_readings(
    sites: dict[str, Site], hours: pd.DatetimeIndex, weather: np.ndarray, rng: np.random.Generator
) -> pd.DataFrame:
    """Draw the readings of the Sensor.Community PM sensors every 15 minutes (P1 = PM10, P2 = PM2.5, µg/m³)."""
    local = hours.tz_convert(ZONE)
    z = 0.6 * weather + 0.8 * _weather(len(hours), rng, memory_h=48.0)
    regional = 6.5 * np.exp(0.45 * z)
    hour = local.hour.to_numpy()
    evening = np.where((hour >= 18) & (hour <= 23), 1.0, np.where(hour <= 1, 0.5, 0.0))
    cold = np.clip(1.0 - np.linspace(0, 1, len(hours)), 0.2, 1.0)  # less heating towards May
    frames = []
    for sensor_id, location, _ in PM_SITES:
        site = sites[f"LTD_{sensor_id}"]
        wood = 6.0 * evening * cold if site.kind == "village" else 1.5 * evening * cold
        hourly = regional + wood + 3.0 * site.exposure * _traffic(local)
        minutes = np.arange(0, 60, READING_MINUTES)
        starts = hours.tz_convert(None).to_numpy()[:, None]
        seconds = minutes * 60 + rng.integers(5, 55, (len(hours), len(minutes)))
        times = starts + seconds.astype("timedelta64[s]")
        p2 = np.clip(hourly[:, None] * np.exp(rng.normal(0, 0.15, times.shape)), 0.5, None)
        p1 = p2 * rng.uniform(1.3, 1.9, times.shape)
        keep = np.ones(times.shape, dtype=bool)
        if sensor_id == OFFLINE_PM_SENSOR:  # WiFi down for a day
            keep[(local.month == local[0].month + 1) & (local.day == 20)] = False
        lon, lat = _transformer("EPSG:28992", "EPSG:4326").transform(site.x, site.y)
        frames.append(
            pd.DataFrame(
                {
                    "sensor_id": sensor_id,
                    "sensor_type": "SDS011",
                    "location": location,
                    "lat": f"{lat:.3f}",
                    "lon": f"{lon:.3f}",
                    "timestamp": pd.to_datetime(times[keep]).strftime("%Y-%m-%dT%H:%M:%S"),
                    "P1": np.round(p1[keep], 2),
                    "durP1": "",
                    "ratioP1": "",
                    "P2": np.round(p2[keep], 2),
                    "durP2": "",
                    "ratioP2": "",
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def write_sensor_network(folder: Path, geo: Geography, addresses: pd.DataFrame, seed: int, jaar: int) -> list[Path]:
    """Draw the network from ``seed`` and write its files into ``folder``; return the files written.

    Uses its own random stream, so the other demo files are the same with or without it.
    """
    rng = np.random.default_rng([seed, 2])
    sites = place_sites(geo, addresses, rng)
    hours = measurement_hours(jaar)
    weather = _weather(len(hours), rng)
    no2 = draw_no2(sites, hours, weather, rng)
    written = [folder / NO2_FILE, folder / SENSOR_TABLE]
    (folder / NO2_FILE).write_text(no2_export(no2), encoding="utf-8", newline="")
    sensor_table(sites).to_csv(folder / SENSOR_TABLE, index=False, lineterminator="\r\n")
    readings = draw_pm_readings(sites, hours, weather, rng)
    (folder / PM_FOLDER).mkdir(exist_ok=True)
    month = readings["timestamp"].str[:7]
    for key, part in readings.groupby(month, sort=True):
        path = folder / PM_FOLDER / f"{key}_sds011.csv"
        part.sort_values(["timestamp", "sensor_id"]).to_csv(path, sep=";", index=False, lineterminator="\n")
        written.append(path)
    return written
