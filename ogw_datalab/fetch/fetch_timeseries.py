"""Fetch hourly measurements from the Luchtmeetnet open API and from SensorThings (RIVM Samenmeten).

Each fetcher writes a long CSV and a sensor table that the ``long`` time-series reader reads.

Luchtmeetnet (``https://api.luchtmeetnet.nl/open_api``, official stations, unvalidated data):
``GET /stations/{number}`` gives ``data.geometry.coordinates`` as ``[lon, lat]`` and ``data.location``;
``GET /measurements?station_number=..&formula=..&start=..&end=..&order_by=timestamp_measured&page=N``
answers ``{"pagination": {"current_page", "next_page", "last_page", ...}, "data": [{"station_number",
"formula", "value", "timestamp_measured"}]}`` with times in UTC and values in µg/m³ (CO in mg/m³). A
request without ``start``/``end`` is redirected to the last 7 days (and loses its page), so both are always
sent, in windows of ``venster_dagen`` days.

SensorThings v1.0 (``https://api-samenmeten.rivm.nl/v1.0``, citizen and low-cost sensors):
``GET Things?$filter=properties/codegemeente eq '363'`` lists the kits of a gemeente (the CBS code
without GM and without leading zeros); each Thing's ``Datastreams`` are named ``<thing>-<n>-<quantity>``
(``pm25``, ``pm25_kal``, ``no2``, ...), its ``Locations`` and ``HistoricalLocations`` say where it stood;
``Observations`` (``phenomenonTime``, ``result``) are filtered on time and paged with ``@iot.nextLink``.

Every request goes through :class:`~ogw_datalab.fetch.http_cache.HttpCache` (timeouts, retries with
backoff on HTTP 429/5xx and broken or truncated JSON, a checksummed cache, the offline message); a window
that ends less than ``VERS_DAGEN`` days ago is downloaded again on every run, since late data may still
arrive. Output files are written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from ..files import write_text_atomic
from .http_cache import FetchError, HttpCache

MAX_PAGES = 10_000
VERS_DAGEN = 3  # windows ending within this many days are fetched again (late data)
MEASUREMENT_COLUMNS = ["sensor", "tijd", "grootheid", "waarde", "eenheid"]
SENSOR_COLUMNS = ["sensor", "naam", "soort", "van", "tot", "lon", "lat"]


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _recent(end: dt.datetime, now: dt.datetime | None = None) -> bool:
    return end > (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=VERS_DAGEN)


def _write_csv(path: Path, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    write_text_atomic(path, buffer.getvalue())


# --- Luchtmeetnet ---------------------------------------------------------------------------------------------------


def fetch_luchtmeetnet(
    api_url: str,
    out_path: str | Path,
    sensors_path: str | Path,
    *,
    stations: list[str],
    grootheden: dict[str, str],
    start: dt.date,
    end: dt.date,
    cache: HttpCache,
    window_days: int = 7,
    soort: str = "referentie",
) -> dict[str, int]:
    """Download hourly values of ``stations`` for the formulas in ``grootheden`` from ``start`` to ``end``.

    Parameters
    ----------
    api_url
        The API root, e.g. ``https://api.luchtmeetnet.nl/open_api``.
    out_path, sensors_path
        Where the long CSV (``sensor,tijd,grootheid,waarde,eenheid``) and the station table
        (``sensor,naam,soort,van,tot,lon,lat``) are written.
    stations
        Station numbers, e.g. ``NL49014``.
    grootheden
        Luchtmeetnet formula -> our quantity, e.g. ``{"NO2": "NO2", "PM25": "PM25"}``.
    start, end
        First day and the day after the last one (UTC days).

    Returns
    -------
    dict
        ``stations``, ``metingen`` (rows written) and ``paginas`` (pages read).
    """
    base = api_url.rstrip("/")
    table = [_station(base, number, cache, soort) for number in stations]
    rows: list[dict[str, Any]] = []
    pages = 0
    for number in stations:
        for formula, grootheid in grootheden.items():
            for window_start, window_end in _windows(start, end, window_days):
                found, read = _measurements(base, number, formula, window_start, window_end, cache)
                pages += read
                rows.extend(
                    {
                        "sensor": number,
                        "tijd": item["timestamp_measured"],
                        "grootheid": grootheid,
                        "waarde": item["value"],
                        "eenheid": "mg/m3" if formula.upper() == "CO" else "ug/m3",
                    }
                    for item in found
                )
    measurements = pd.DataFrame(rows, columns=MEASUREMENT_COLUMNS).drop_duplicates()
    _write_csv(Path(sensors_path), pd.DataFrame(table, columns=SENSOR_COLUMNS))
    _write_csv(Path(out_path), measurements)
    return {"stations": len(table), "metingen": len(measurements), "paginas": pages}


def _windows(start: dt.date, end: dt.date, days: int) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    if end <= start:
        raise FetchError(f"nothing to fetch: the end {end} is not after the start {start}")
    moment, stop = _utc_midnight(start), _utc_midnight(end)
    while moment < stop:
        following = min(moment + dt.timedelta(days=days), stop)
        yield moment, following
        moment = following


def _station(base: str, number: str, cache: HttpCache, soort: str) -> dict[str, Any]:
    url = f"{base}/stations/{number}"
    document = cache.get(url, expect_json=True).json()
    data = document.get("data") if isinstance(document, dict) else None
    data = data if isinstance(data, dict) else {}
    coordinates = (data.get("geometry") or {}).get("coordinates")
    if not coordinates or len(coordinates) < 2:
        raise FetchError(f"{url}: no station coordinates (data.geometry.coordinates); is {number} a station number?")
    return _sensor_row(number, str(data.get("location", "")), soort, (float(coordinates[0]), float(coordinates[1])))


def _measurements(
    base: str, number: str, formula: str, start: dt.datetime, end: dt.datetime, cache: HttpCache
) -> tuple[list[dict[str, Any]], int]:
    """Every measurement of one station and formula in [start, end), walking the pages."""
    url = f"{base}/measurements"
    params = {
        "station_number": number,
        "formula": formula,
        "start": start.strftime("%Y-%m-%dT%H:%M:%S"),
        "end": end.strftime("%Y-%m-%dT%H:%M:%S"),
        "order_by": "timestamp_measured",
        "order_direction": "asc",
    }
    found: list[dict[str, Any]] = []
    page, last = 1, 1
    for read in range(1, MAX_PAGES + 1):
        response = cache.get(url, params | {"page": page}, expect_json=True, refresh=_recent(end))
        document = response.json()
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            raise FetchError(f"{response.url}: not a Luchtmeetnet page (no 'data' list); is this the open_api URL?")
        pagination = document.get("pagination") or {}
        found.extend(item for item in document["data"] if _in_window(item, start, end, response.url))
        last = int(pagination.get("last_page") or page)
        if page >= last:
            return found, read
        following = int(pagination.get("next_page") or page + 1)
        if following <= page:
            raise FetchError(f"{response.url}: the next page ({following}) does not follow page {page}")
        page = following
    raise FetchError(f"{url}: more than {MAX_PAGES} pages for {number} {formula}; fetch a shorter period")


def _in_window(item: Any, start: dt.datetime, end: dt.datetime, url: str) -> bool:
    """Tell whether a measurement lies in [start, end): the API's ``end`` may be inclusive."""
    if not isinstance(item, dict) or "timestamp_measured" not in item or "value" not in item:
        raise FetchError(f"{url}: a measurement without 'timestamp_measured' or 'value': {str(item)[:120]}")
    if item["value"] is None:
        return False
    moment = pd.Timestamp(item["timestamp_measured"])
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return start <= moment.to_pydatetime() < end


# --- SensorThings (Samenmeten) -------------------------------------------------------------------------------------


def codegemeente(gemeentecode: str) -> str:
    """Samenmeten's ``properties/codegemeente``: the CBS code without GM and leading zeros (GM0363 -> 363)."""
    return str(int(gemeentecode.removeprefix("GM")))


def fetch_sensorthings(
    api_url: str,
    out_path: str | Path,
    sensors_path: str | Path,
    *,
    gemeente: str,
    grootheden: dict[str, str],
    start: dt.date,
    end: dt.date,
    cache: HttpCache,
    soort: str = "laagkosten",
) -> dict[str, int]:
    """Download the observations of every kit in a gemeente for the datastream quantities in ``grootheden``.

    Parameters
    ----------
    api_url
        The API root, e.g. ``https://api-samenmeten.rivm.nl/v1.0``.
    out_path, sensors_path
        Where the long CSV and the sensor table (one row per kit and location period) are written.
    gemeente
        The value of ``properties/codegemeente`` (see :func:`codegemeente`).
    grootheden
        Datastream quantity (the last ``-`` part of its name, e.g. ``pm25_kal``) -> our quantity.
    start, end
        First day and the day after the last one (UTC days).

    Returns
    -------
    dict
        ``things``, ``datastreams``, ``metingen``, ``paginas`` and ``onleesbaar`` (results that are no number).

    Notes
    -----
    A ``phenomenonTime`` that is an interval (``a/b``) is stored by its start. A kit's location
    periods come from its ``HistoricalLocations`` when it has any (each valid until the next),
    else from its current ``Locations``.
    """
    base = api_url.rstrip("/")
    counts = {"things": 0, "datastreams": 0, "metingen": 0, "paginas": 0, "onleesbaar": 0}
    things, read = _paged(f"{base}/Things", {"$filter": f"properties/codegemeente eq '{gemeente}'"}, cache, False)
    counts["paginas"] += read
    if not things:
        raise FetchError(f"{base}/Things: no Things with codegemeente '{gemeente}'; check the code (no GM, no zeros)")
    window = {
        "$filter": f"phenomenonTime ge {_iso(_utc_midnight(start))} and phenomenonTime lt {_iso(_utc_midnight(end))}",
        "$orderby": "phenomenonTime asc",
        "$select": "phenomenonTime,result",
        "$top": 1000,
    }
    recent = _recent(_utc_midnight(end))
    rows: list[dict[str, Any]] = []
    locations: list[dict[str, Any]] = []
    for thing in things:
        name = str(thing.get("name") or thing.get("@iot.id"))
        counts["things"] += 1
        locations.extend(_thing_locations(base, thing, name, cache, soort))
        streams, read = _paged(_link(base, thing, "Datastreams"), None, cache, recent)
        counts["paginas"] += read
        for stream in streams:
            token = str(stream.get("name", "")).rsplit("-", 1)[-1].lower()
            if token not in grootheden:
                continue
            counts["datastreams"] += 1
            unit = (stream.get("unitOfMeasurement") or {}).get("symbol") or "ug/m3"
            observations, read = _paged(_link(base, stream, "Observations", "Datastreams"), window, cache, recent)
            counts["paginas"] += read
            for observation in observations:
                value = observation.get("result")
                if not isinstance(value, int | float) or isinstance(value, bool):
                    counts["onleesbaar"] += 1
                    continue
                moment = str(observation.get("phenomenonTime", "")).split("/")[0]
                rows.append(
                    {"sensor": name, "tijd": moment, "grootheid": grootheden[token], "waarde": value, "eenheid": unit}
                )
    measurements = pd.DataFrame(rows, columns=MEASUREMENT_COLUMNS).drop_duplicates()
    counts["metingen"] = len(measurements)
    _write_csv(Path(sensors_path), pd.DataFrame(locations, columns=SENSOR_COLUMNS))
    _write_csv(Path(out_path), measurements)
    return counts


def _link(base: str, entity: dict[str, Any], relation: str, kind: str = "Things") -> str:
    link = entity.get(f"{relation}@iot.navigationLink")
    if link:
        return str(link)
    return f"{base}/{kind}({entity.get('@iot.id')})/{relation}"


def _paged(
    url: str, params: dict[str, Any] | None, cache: HttpCache, refresh: bool
) -> tuple[list[dict[str, Any]], int]:
    """Every entity of a SensorThings collection, following ``@iot.nextLink``."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    next_url: str | None = url
    for read in range(1, MAX_PAGES + 1):
        assert next_url is not None
        response = cache.get(next_url, params, expect_json=True, refresh=refresh)
        document = response.json()
        if not isinstance(document, dict) or not isinstance(document.get("value"), list):
            raise FetchError(f"{response.url}: not a SensorThings collection (no 'value' list)")
        found.extend(v for v in document["value"] if isinstance(v, dict))
        seen.add(response.url)
        next_url, params = document.get("@iot.nextLink"), None  # a next link carries every parameter itself
        if not next_url:
            return found, read
        if next_url in seen:
            raise FetchError(f"{url}: the service returned the same next link twice ({next_url})")
    raise FetchError(f"{url}: more than {MAX_PAGES} pages; fetch a shorter period")


def _point(location: dict[str, Any]) -> tuple[float, float] | None:
    geometry = location.get("location") or {}
    coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if not coordinates or len(coordinates) < 2:
        return None
    return float(coordinates[0]), float(coordinates[1])


def _thing_locations(base: str, thing: dict[str, Any], name: str, cache: HttpCache, soort: str) -> list[dict]:
    history, _ = _paged(
        _link(base, thing, "HistoricalLocations"), {"$expand": "Locations", "$orderby": "time asc"}, cache, True
    )
    moments: list[tuple[str, tuple[float, float]]] = []
    for entry in history:
        point = _point((entry.get("Locations") or [{}])[0])
        if entry.get("time") and point is not None:
            moments.append((str(entry["time"]), point))
    if len(moments) > 1:
        following = [t for t, _ in moments[1:]] + [""]
        return [_sensor_row(name, name, soort, p, t, tot) for (t, p), tot in zip(moments, following, strict=True)]
    current, _ = _paged(_link(base, thing, "Locations"), None, cache, True)
    points = [p for p in (_point(loc) for loc in current) if p]
    if not points:
        raise FetchError(f"{_link(base, thing, 'Locations')}: Thing {name!r} has no location with coordinates")
    return [_sensor_row(name, name, soort, points[0])]


def _sensor_row(
    sensor: str, naam: str, soort: str, lon_lat: tuple[float, float], van: str = "", tot: str = ""
) -> dict[str, Any]:
    lon, lat = lon_lat
    return {"sensor": sensor, "naam": naam, "soort": soort, "van": van, "tot": tot, "lon": lon, "lat": lat}
