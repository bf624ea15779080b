"""Where each sensor stood, per period: the sensor-location-period table.

A sensor table gives one row per sensor (or per sensor and period, with ``van``/``tot``
columns). Sensors move: the Waag sensors stood beside the GGD station in Vondelpark for
calibration before and after their campaign. A ``fase`` says so: for the sensors it
names, from its first to its last day (whole local days, inclusive), the sensor stood at
the location of another sensor (``locatie``) or at its own, and its values count in buurt
figures only when ``meetellen`` is true. Outside every fase a sensor is at the location of
its table row, in fase ``meting``, counting.

The result has one row per period: ``periode_id``, ``sensor``, ``soort`` (referentie or
laagkosten), ``fase``, ``meetellen``, ``van`` and ``tot`` (UTC; ``tot`` exclusive; NaT when
open) and the point ``geometry`` in EPSG:28992. Every observation is then given the period
it falls in (:func:`assign_periods`); one that falls in none keeps no period.
"""

from __future__ import annotations

import datetime as dt
import fnmatch

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..config import SENSOR_SOORTEN, Fase, SensorTabel, Tijdreeks
from ..readers.locate import LocationError, points_from_columns, to_rd_new

DEFAULT_FASE = "meting"
EARLIEST = pd.Timestamp("1900-01-01", tz="UTC")
LATEST = pd.Timestamp("2200-01-01", tz="UTC")
PERIOD_COLUMNS = ["periode_id", "sensor", "soort", "fase", "meetellen", "van", "tot", "geometry"]


class PeriodError(ValueError):
    """Sensor locations or periods contradict each other."""


def matches(sensor: str, patterns: list[str]) -> bool:
    """Whether ``sensor`` is one of ``patterns`` (ids, or shell patterns such as ``waag_*``)."""
    return any(fnmatch.fnmatchcase(sensor, pattern) for pattern in patterns)


def local_day_start(day: dt.date, zone: str) -> pd.Timestamp:
    """00:00 local time of ``day`` in ``zone``, as UTC."""
    return pd.Timestamp(day).tz_localize(zone).tz_convert("UTC")


def read_sensor_table(table: SensorTabel, where: str) -> gpd.GeoDataFrame:
    """Rows of a sensor table: sensor, optional soort/fase/van/tot, and the point in EPSG:28992.

    ``van`` and ``tot`` must be times with an offset or Z (or dates, read as UTC midnight);
    an empty ``tot`` means still there.
    """
    try:
        frame = pd.read_csv(
            table.pad, sep=table.scheidingsteken, dtype=str, encoding=table.tekenset, keep_default_na=False
        )
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as error:
        raise PeriodError(f"{where}: cannot read {table.pad}: {error}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
    wanted = dict(table.kolommen)
    absent = [c for c in [*wanted.values(), table.x, table.y] if c not in frame.columns]
    if absent:
        raise PeriodError(f"{where}: no column(s) {absent} in {table.pad.name}; the columns are {list(frame.columns)}")
    try:
        located = to_rd_new(
            points_from_columns(frame, table.x, table.y, table.decimaalteken, table.crs, where), None, where
        )
    except LocationError as error:
        raise PeriodError(str(error)) from None
    missing = located.geometry.isna()
    if missing.any():
        raise PeriodError(f"{where}: row {int(np.flatnonzero(missing)[0]) + 1} has no valid coordinates")
    rows = gpd.GeoDataFrame({"sensor": located[wanted["sensor"]].astype(str)}, geometry=located.geometry)
    for key in ("soort", "fase"):
        rows[key] = located[wanted[key]].where(located[wanted[key]] != "") if key in wanted else None
    for key in ("van", "tot"):
        rows[key] = _times(located[wanted[key]], where, key) if key in wanted else pd.NaT
    return rows


def _times(text: pd.Series, where: str, key: str) -> pd.Series:
    blank = text.fillna("").str.strip() == ""
    try:
        parsed = pd.to_datetime(text.where(~blank), format="ISO8601", utc=True)
    except (ValueError, TypeError) as error:
        raise PeriodError(f"{where}: column {key!r}: not a time with offset or Z ({error})") from None
    return parsed


def build_periods(
    reeks: Tijdreeks, rows: gpd.GeoDataFrame, where: str, known_sensors: list[str] | None = None
) -> gpd.GeoDataFrame:
    """Build the sensor-location-period table (see the module docstring) from sensor table rows and the fasen.

    Parameters
    ----------
    reeks
        The tijdreeks configuration (fasen, soorten, zone).
    rows
        Sensor rows: ``sensor``, ``soort``, ``fase``, ``van``, ``tot`` and a point ``geometry`` in EPSG:28992.
    where
        The configuration key, for messages.
    known_sensors
        Sensors that have observations; a fase or soort pattern that matches none of them is an error
        (a typing error in the configuration would otherwise silently change nothing).
    """
    rows = rows.copy()
    rows["van"] = pd.to_datetime(rows["van"], utc=True).fillna(EARLIEST)
    rows["tot"] = pd.to_datetime(rows["tot"], utc=True).fillna(LATEST)
    _check_no_overlap(rows, where)
    sensors = sorted(rows["sensor"].unique())
    _check_patterns(reeks, sorted(set(sensors) | set(known_sensors or [])), where)
    pieces = []
    for sensor in sensors:
        own = rows[rows["sensor"] == sensor].sort_values("van")
        fasen = [f for f in reeks.fasen if matches(sensor, f.sensoren)]
        pieces.extend(_pieces(sensor, own, fasen, rows, reeks.zone, where))
    periods = gpd.GeoDataFrame(pd.DataFrame(pieces), geometry="geometry", crs="EPSG:28992")
    periods = _merge_adjacent(periods)
    periods["soort"] = [_soort(reeks, s, rows, where) for s in periods["sensor"]]
    periods.insert(0, "periode_id", np.arange(1, len(periods) + 1))
    periods["van"] = periods["van"].where(periods["van"] != EARLIEST)
    periods["tot"] = periods["tot"].where(periods["tot"] != LATEST)
    return periods[PERIOD_COLUMNS]


def _check_no_overlap(rows: gpd.GeoDataFrame, where: str) -> None:
    for sensor, own in rows.sort_values(["sensor", "van"]).groupby("sensor"):
        if (own["tot"].to_numpy()[:-1] > own["van"].to_numpy()[1:]).any():
            raise PeriodError(
                f"{where}: sensor {sensor!r} has rows whose periods overlap; give each row its own 'van' and 'tot'"
            )


def _check_patterns(reeks: Tijdreeks, sensors: list[str], where: str) -> None:
    named = [(f"fasen.{f.naam}", p) for f in reeks.fasen for p in f.sensoren]
    named += [(f"soorten.{soort}", p) for soort, patterns in reeks.soorten.items() for p in patterns]
    named += [
        (f"kwaliteit.onbetrouwbaar.{i}", p) for i, o in enumerate(reeks.kwaliteit.onbetrouwbaar) for p in o.sensoren
    ]
    for key, pattern in named:
        if not any(fnmatch.fnmatchcase(s, pattern) for s in sensors):
            raise PeriodError(f"{where}.{key}: {pattern!r} matches no sensor (sensors: {', '.join(sensors[:8])}, ...)")
    for fase in reeks.fasen:
        if fase.locatie is not None and fase.locatie not in sensors:
            raise PeriodError(f"{where}.fasen.{fase.naam}.locatie: no sensor {fase.locatie!r} in the sensor table")


def _pieces(sensor: str, own: gpd.GeoDataFrame, fasen: list[Fase], rows, zone: str, where: str) -> list[dict]:
    """Elementary periods of one sensor: its own rows, overlaid by the fasen that name it."""
    windows = [(local_day_start(f.van, zone), local_day_start(f.tot + dt.timedelta(days=1), zone), f) for f in fasen]
    windows.sort(key=lambda w: w[0])
    for (_, end, first), (start, _, second) in zip(windows, windows[1:], strict=False):
        if start < end:
            raise PeriodError(f"{where}: fasen {first.naam!r} and {second.naam!r} overlap for sensor {sensor!r}")
    cuts = sorted({EARLIEST, LATEST, *own["van"], *own["tot"], *(w[0] for w in windows), *(w[1] for w in windows)})
    pieces = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        base = own[(own["van"] <= start) & (own["tot"] >= end)]
        window = next((w for w in windows if w[0] <= start and w[1] >= end), None)
        if window is None:
            if len(base):
                row = base.iloc[0]
                pieces.append(_piece(sensor, row["fase"] or DEFAULT_FASE, True, start, end, row.geometry))
            continue
        fase = window[2]
        if fase.locatie is None:
            if not len(base):
                continue  # a fase at its own location, where the table has none: nowhere
            geometry = base.iloc[0].geometry
        else:
            geometry = _location_at(rows, fase.locatie, start, where, fase.naam)
        pieces.append(_piece(sensor, fase.naam, fase.meetellen, start, end, geometry))
    return pieces


def _piece(sensor: str, fase: str, meetellen: bool, van, tot, geometry) -> dict:
    return {"sensor": sensor, "fase": fase, "meetellen": bool(meetellen), "van": van, "tot": tot, "geometry": geometry}


def _location_at(rows: gpd.GeoDataFrame, sensor: str, when: pd.Timestamp, where: str, fase: str):
    own = rows[(rows["sensor"] == sensor) & (rows["van"] <= when) & (rows["tot"] > when)]
    if own.empty:
        raise PeriodError(f"{where}.fasen.{fase}.locatie: sensor {sensor!r} has no location at {when}")
    return own.iloc[0].geometry


def _merge_adjacent(periods: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Join consecutive pieces of a sensor that have the same fase, location and meetellen."""
    periods = periods.sort_values(["sensor", "van"]).reset_index(drop=True)
    wkb = shapely.to_wkb(periods.geometry.to_numpy())
    same = (
        (periods["sensor"].to_numpy()[1:] == periods["sensor"].to_numpy()[:-1])
        & (periods["fase"].to_numpy()[1:] == periods["fase"].to_numpy()[:-1])
        & (periods["meetellen"].to_numpy()[1:] == periods["meetellen"].to_numpy()[:-1])
        & (wkb[1:] == wkb[:-1])
        & (periods["van"].to_numpy()[1:] == periods["tot"].to_numpy()[:-1])
    )
    group = np.concatenate([[0], np.cumsum(~same)])
    merged = periods.groupby(group).agg(
        sensor=("sensor", "first"),
        fase=("fase", "first"),
        meetellen=("meetellen", "first"),
        van=("van", "first"),
        tot=("tot", "last"),
        geometry=("geometry", "first"),
    )
    return gpd.GeoDataFrame(merged.reset_index(drop=True), geometry="geometry", crs="EPSG:28992")


def _soort(reeks: Tijdreeks, sensor: str, rows: gpd.GeoDataFrame, where: str) -> str:
    for soort, patterns in reeks.soorten.items():
        if matches(sensor, patterns):
            return soort
    given = rows.loc[rows["sensor"] == sensor, "soort"].dropna()
    if given.empty:
        return "laagkosten"
    value = str(given.iloc[0]).strip().lower()
    if value not in SENSOR_SOORTEN:
        raise PeriodError(
            f"{where}: sensor {sensor!r} has soort {given.iloc[0]!r}; use referentie or laagkosten "
            "(or list the sensors under 'soorten')"
        )
    return value


def assign_periods(observations: pd.DataFrame, periods: pd.DataFrame) -> pd.Series:
    """Find the ``periode_id`` each observation falls in (van <= tijd < tot), or NA where none."""
    if observations.empty:
        return pd.Series(pd.array([], dtype="Int64"))
    starts = periods[["sensor", "van", "tot", "periode_id"]].copy()
    starts["van"] = starts["van"].fillna(EARLIEST)
    starts["tot"] = starts["tot"].fillna(LATEST)
    order = observations[["sensor", "tijd"]].reset_index().rename(columns={"index": "__row"})
    order["sensor"] = order["sensor"].astype(object)  # merge_asof wants one dtype on both sides
    starts["sensor"] = starts["sensor"].astype(object)
    merged = pd.merge_asof(
        order.sort_values("tijd"),
        starts.sort_values("van"),
        left_on="tijd",
        right_on="van",
        by="sensor",
        direction="backward",
    )
    inside = merged["tijd"] < merged["tot"]
    ids = merged["periode_id"].where(inside).astype("Int64")
    return pd.Series(ids.to_numpy(), index=merged["__row"].to_numpy()).reindex(observations.index)
