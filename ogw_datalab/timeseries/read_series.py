"""Read the files of a tijdreeks into one long table of hourly values, in UTC, in one unit per quantity.

Three layouts (``soort``):

- ``long``: one row per sensor, time and (optionally) quantity, with a value column.
- ``wide``: one row per time and one column per sensor; header lines name per column the
  sensor and, optionally, the quantity and the unit (``kopregels``).
- ``sensor_community``: the Sensor.Community archive CSV
  (``sensor_id;sensor_type;location;lat;lon;timestamp;P1;...;P2;...``, P1 = PM10, P2 = PM2.5),
  readings every few minutes, averaged here per hour; the sensor's location comes from
  its own rows, and a new ``location`` id starts a new location period.

Numbers may be padded with spaces (``, 14.100``); cells such as ``NaN`` or empty are missing
values and are counted, not stored. A cell that is neither a number nor a missing value is
counted as unreadable; when more than half of a column's filled cells are unreadable the file is
refused (a wrong decimal mark or separator, most likely).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import TijdreeksBron
from ..readers.locate import parse_numbers
from .times import TimeError, parse_times
from .units import UnitError, normalise_eenheid, normalise_grootheid

OBSERVATION_COLUMNS = ["sensor", "grootheid", "tijd", "waarde", "eenheid", "bron", "bronrij"]
MAX_UNREADABLE_SHARE = 0.5
SENSOR_COMMUNITY_PREFIX = "LTD_"  # as Samenmeten names Sensor.Community (Luftdaten) sensors
SENSOR_COMMUNITY_UNITS = {"PM10": "ug/m3", "PM25": "ug/m3", "TEMP": "C", "RH": "%"}


class SeriesError(ValueError):
    """A time-series file cannot be read as configured."""


@dataclass
class SourceRead:
    """What one source gave: hourly observations, sensor locations found in the file itself, and counts."""

    observations: pd.DataFrame
    sensors: pd.DataFrame | None = None
    counts: dict[str, int] = field(default_factory=dict)


def source_files(bron: TijdreeksBron, where: str) -> list[Path]:
    """List the file of a source, or every file matching its glob pattern (sorted by name)."""
    path = bron.pad
    if any(ch in str(path) for ch in "*?["):
        files = sorted(Path(path.anchor).glob(str(path.relative_to(path.anchor))))
        if not files:
            raise SeriesError(f"{where}: no file matches {path}")
        return files
    if not path.is_file():
        raise SeriesError(f"{where}: file not found: {path}")
    return [path]


def read_source(bron: TijdreeksBron, where: str, index: int = 0) -> SourceRead:
    """Read every file of one configured source into hourly observations (see the module docstring).

    Parameters
    ----------
    bron
        The source's configuration.
    where
        Its key in the configuration (``tijdreeksen.lucht.bronnen.0``), for messages.
    index
        The source's position in the tijdreeks; stored as ``bron`` (the first source wins duplicates).
    """
    reads = [_read_file(bron, f"{where} ({path.name})", path) for path in source_files(bron, where)]
    observations = pd.concat([r.observations for r in reads], ignore_index=True)
    observations["bron"] = index
    counts: dict[str, int] = {}
    for read in reads:
        for key, value in read.counts.items():
            counts[key] = counts.get(key, 0) + value
    sensor_frames = [r.sensors for r in reads if r.sensors is not None]
    sensors = _merge_located_periods(pd.concat(sensor_frames, ignore_index=True)) if sensor_frames else None
    return SourceRead(observations[OBSERVATION_COLUMNS], sensors, counts)


def _read_file(bron: TijdreeksBron, where: str, path: Path) -> SourceRead:
    try:
        if bron.soort == "long":
            return _hourly(*_read_long(bron, where, path), bron, where)
        if bron.soort == "wide":
            return _hourly(*_read_wide(bron, where, path), bron, where)
        return _read_sensor_community(bron, where, path)
    except (TimeError, UnitError) as error:
        raise SeriesError(str(error)) from None


def _read_text_table(bron: TijdreeksBron, where: str, path: Path, header: int | None) -> pd.DataFrame:
    try:
        text = path.read_text(encoding=bron.tekenset)
    except UnicodeDecodeError as error:
        raise SeriesError(f"{where}: not {bron.tekenset} text ({error}); set 'tekenset'") from None
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=bron.scheidingsteken,
            dtype=str,
            keep_default_na=False,
            header=header,
            skipinitialspace=True,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise SeriesError(f"{where}: cannot parse the file with separator {bron.scheidingsteken!r}: {error}") from None
    for column in frame.columns:
        frame[column] = _mapped(frame[column], str.strip)
    if header is not None:
        frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _values(text: pd.Series, bron: TijdreeksBron, where: str) -> tuple[np.ndarray, dict[str, int]]:
    """Numbers from text cells; missing and unreadable cells become NaN and are counted."""
    cleaned = text.astype("string")  # stripped when read
    missing = cleaned.isna() | cleaned.isin(bron.leeg_als)
    values = parse_numbers(cleaned.where(~missing), bron.decimaalteken)
    unreadable = np.isnan(values) & ~missing.to_numpy()
    filled = int((~missing).sum())
    if filled and unreadable.sum() > MAX_UNREADABLE_SHARE * filled:
        example = cleaned[unreadable].iloc[0]
        raise SeriesError(
            f"{where}: {unreadable.sum() / filled:.0%} of the values are not numbers (for example {example!r}); "
            f"check 'decimaalteken' ({bron.decimaalteken!r}), 'scheidingsteken' and 'leeg_als'"
        )
    return values, {"lege_cellen": int(missing.sum()), "onleesbare_waarden": int(unreadable.sum())}


def _read_long(bron: TijdreeksBron, where: str, path: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    frame = _read_text_table(bron, where, path, header=0)
    wanted: dict[str, str] = {
        k: bron.kolommen[k] for k in ("sensor", "grootheid", "waarde", "eenheid") if k in bron.kolommen
    }
    wanted["tijd"] = bron.tijd.kolom
    absent = [column for column in wanted.values() if column not in frame.columns]
    if absent:
        raise SeriesError(f"{where}: no column(s) {absent}; the columns are {list(frame.columns)}")
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    sensor = _mapped(frame[wanted["sensor"]], lambda s: bron.sensor_namen.get(s, s))
    grootheid = frame[wanted["grootheid"]] if "grootheid" in wanted else pd.Series(bron.grootheid, index=frame.index)
    eenheid = frame[wanted["eenheid"]] if "eenheid" in wanted else pd.Series(bron.eenheid, index=frame.index)
    grootheid = _mapped(grootheid, normalise_grootheid)
    times = parse_times(frame[wanted["tijd"]], bron.tijd, where, series_keys=sensor + "|" + grootheid)
    values, counts = _values(frame[wanted["waarde"]], bron, where)
    long = pd.DataFrame(
        {"sensor": sensor, "grootheid": grootheid, "tijd": times.utc, "ruw": values, "eenheid_bron": eenheid}
    )
    long["bronrij"] = frame.index
    return _with_units(long, where), counts | times.left_out | {"rijen": len(frame)}


def _mapped(values: pd.Series, function) -> pd.Series:
    """Apply ``function`` to each distinct value once (a long table repeats its sensors and quantities)."""
    codes, distinct = pd.factorize(values)
    mapped = np.array([function(v) for v in distinct], dtype=object)
    return pd.Series(mapped.take(codes), index=values.index, dtype=object)


def _read_wide(bron: TijdreeksBron, where: str, path: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    frame = _read_text_table(bron, where, path, header=None)
    lines = len(bron.kopregels)
    if len(frame) <= lines:
        raise SeriesError(f"{where}: the file has no data under its {lines} header line(s)")
    header = {kind: [str(v).strip() for v in frame.iloc[i]] for i, kind in enumerate(bron.kopregels)}
    body = frame.iloc[lines:].reset_index(drop=True)
    body.index = pd.RangeIndex(1, len(body) + 1)
    names = header["sensor"]
    time_at = names.index(bron.tijd.kolom) if bron.tijd.kolom in names else 0
    columns = [i for i, name in enumerate(names) if i != time_at and name and name not in bron.overslaan]
    if not columns:
        raise SeriesError(f"{where}: no sensor columns besides the time column {names[time_at]!r}")
    quantities = header.get("grootheid") or [str(bron.grootheid)] * len(names)
    keys = [(bron.sensor_namen.get(names[i], names[i]), normalise_grootheid(quantities[i])) for i in columns]
    doubles = sorted({k for k in keys if keys.count(k) > 1})
    if doubles:
        raise SeriesError(f"{where}: more than one column for sensor and quantity {doubles[0]}")
    times = parse_times(body.iloc[:, time_at], bron.tijd, where)
    parts, counts = [], {"rijen": len(body)} | times.left_out
    for i, (sensor, grootheid) in zip(columns, keys, strict=True):
        values, column_counts = _values(body.iloc[:, i], bron, f"{where}, column {names[i]!r}")
        for key, value in column_counts.items():
            counts[key] = counts.get(key, 0) + value
        unit = header["eenheid"][i] if "eenheid" in header else bron.eenheid
        parts.append(
            pd.DataFrame(
                {
                    "sensor": sensor,
                    "grootheid": grootheid,
                    "tijd": times.utc.array,  # tz-aware: to_numpy() would make Timestamp objects
                    "ruw": values,
                    "eenheid_bron": unit,
                    "bronrij": body.index.to_numpy(),
                }
            )
        )
    return _with_units(pd.concat(parts, ignore_index=True), where), counts


def _with_units(long: pd.DataFrame, where: str) -> pd.DataFrame:
    """Drop missing values and times left out by rule; convert every unit to the quantity's unit."""
    long = long[~np.isnan(long["ruw"].to_numpy(dtype=float)) & long["tijd"].notna()].copy()
    factors = {}
    for unit in long["eenheid_bron"].dropna().unique():
        factors[unit] = normalise_eenheid(unit, where)
    if long["eenheid_bron"].isna().any():
        raise SeriesError(f"{where}: row {long.loc[long['eenheid_bron'].isna(), 'bronrij'].iloc[0]} has no unit")
    long["eenheid"] = long["eenheid_bron"].map({u: f[0] for u, f in factors.items()})
    scale = long["eenheid_bron"].map({u: f[1] for u, f in factors.items()}).to_numpy(dtype=float)
    long["waarde"] = long["ruw"].to_numpy(dtype=float) * scale
    mixed = long.groupby("grootheid")["eenheid"].nunique()
    if (mixed > 1).any():
        grootheid = mixed[mixed > 1].index[0]
        units = sorted(long.loc[long["grootheid"] == grootheid, "eenheid"].unique())
        raise SeriesError(f"{where}: {grootheid} comes in units {units} that cannot be converted into one another")
    return long.drop(columns=["ruw", "eenheid_bron"])


def _hourly(long: pd.DataFrame, counts: dict[str, int], bron: TijdreeksBron, where: str) -> SourceRead:
    if bron.interval == "ruw":
        long, dropped = _hourly_means(long, bron.min_waarden_per_uur)
        counts = counts | {"uren_te_weinig_metingen": dropped}
    else:
        off = long["tijd"].dt.floor("h") != long["tijd"]
        if off.any():
            row = long.loc[off, "bronrij"].iloc[0]
            raise SeriesError(
                f"{where}: row {row}: {long.loc[off, 'tijd'].iloc[0]} is not on the hour; hourly means are expected "
                "(for readings every few minutes set interval: ruw)"
            )
    counts = counts | {"waarden": len(long)}
    return SourceRead(long.assign(bron=0), None, counts)


def _hourly_means(long: pd.DataFrame, min_values: int) -> tuple[pd.DataFrame, int]:
    """Mean per sensor, quantity and UTC hour of readings; hours with too few readings are left out."""
    long = long.assign(tijd=long["tijd"].dt.floor("h"))
    grouped = long.groupby(["sensor", "grootheid", "eenheid", "tijd"], as_index=False).agg(
        waarde=("waarde", "mean"), aantal=("waarde", "size"), bronrij=("bronrij", "min")
    )
    enough = grouped["aantal"] >= min_values
    return grouped[enough].drop(columns=["aantal"]), int((~enough).sum())


def _read_sensor_community(bron: TijdreeksBron, where: str, path: Path) -> SourceRead:
    frame = _read_text_table(bron.model_copy(update={"scheidingsteken": ";"}), where, path, header=0)
    needed = ["sensor_id", "location", "lat", "lon", "timestamp"]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise SeriesError(
            f"{where}: not a Sensor.Community archive file: no column(s) {absent} (expected "
            "sensor_id;sensor_type;location;lat;lon;timestamp;...)"
        )
    quantities = [c for c in frame.columns if normalise_grootheid(c) in SENSOR_COMMUNITY_UNITS]
    if not quantities:
        raise SeriesError(f"{where}: no measurement columns (P1, P2, temperature, humidity) in {list(frame.columns)}")
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    sensor = SENSOR_COMMUNITY_PREFIX + frame["sensor_id"].astype(str)
    sensor = sensor.map(lambda s: bron.sensor_namen.get(s, s))
    times = parse_times(frame["timestamp"], bron.tijd, where)
    counts: dict[str, int] = {"rijen": len(frame)} | times.left_out
    parts = []
    for column in quantities:
        values, column_counts = _values(frame[column], bron.model_copy(update={"decimaalteken": "."}), where)
        for key, value in column_counts.items():
            counts[key] = counts.get(key, 0) + value
        grootheid = normalise_grootheid(column)
        unit, factor = normalise_eenheid(SENSOR_COMMUNITY_UNITS[grootheid], where)
        parts.append(
            pd.DataFrame(
                {
                    "sensor": sensor.to_numpy(),
                    "grootheid": grootheid,
                    "tijd": times.utc.array,  # tz-aware: to_numpy() would make Timestamp objects
                    "waarde": values * factor,
                    "eenheid": unit,
                    "bronrij": frame.index.to_numpy(),
                }
            )
        )
    long = pd.concat(parts, ignore_index=True)
    long = long[~np.isnan(long["waarde"].to_numpy(dtype=float)) & long["tijd"].notna()]
    long, dropped = _hourly_means(long, bron.min_waarden_per_uur)
    counts |= {"uren_te_weinig_metingen": dropped, "waarden": len(long)}
    located = pd.DataFrame(
        {
            "sensor": sensor.to_numpy(),
            "locatie": frame["location"].to_numpy(),
            "x": frame["lon"].to_numpy(),
            "y": frame["lat"].to_numpy(),
            "tijd": times.utc.array,  # tz-aware: to_numpy() would make Timestamp objects
        }
    ).dropna(subset=["tijd"])
    return SourceRead(long.assign(bron=0), located, counts)


def _merge_located_periods(located: pd.DataFrame) -> pd.DataFrame:
    """Make location periods from readings.

    A sensor is at a location from the hour of its first reading there until the hour of the first
    reading at its next location; the last period stays open. Periods start on the hour, as the hourly
    values are stored by the start of their hour: a first reading at 23:00:38 places the hour 23:00.
    """
    firsts = located.groupby(["sensor", "locatie", "x", "y"])["tijd"].min().reset_index()
    firsts["tijd"] = firsts["tijd"].dt.floor("h")
    firsts = firsts.sort_values(["sensor", "tijd"]).reset_index(drop=True)
    firsts["tot"] = firsts.groupby("sensor")["tijd"].shift(-1)
    return pd.DataFrame(
        {
            "sensor": firsts["sensor"],
            "x": firsts["x"],
            "y": firsts["y"],
            "van": firsts["tijd"],
            "tot": firsts["tot"],
            "fase": "meting",
        }
    )
