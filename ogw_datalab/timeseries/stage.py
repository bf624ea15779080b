"""Read, place and check one configured tijdreeks, and write its staging tables.

``staging.tijdreeks_<naam>``
    Every hourly value read (UTC ``tijd``, local ``dag``), with ``periode_id``, one boolean
    column per quality flag, ``geldig`` and ``meetellen`` (see :mod:`.quality`).
``staging.tijdreeks_<naam>_locaties``
    The sensor-location-period table (see :mod:`.locations`), geometry in EPSG:28992.
``staging.tijdreeks_<naam>_kwaliteit``
    The flags counted per sensor and quantity (for asset metadata and the colophon).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import geopandas as gpd
import pandas as pd

from ..config import ProjectConfig, Tijdreeks
from ..readers.locate import LocationError, points_from_columns, to_rd_new
from ..storage import tijdreeks_table, write_frame
from .locations import PeriodError, assign_periods, build_periods, read_sensor_table
from .quality import FLAGS, check_quality, count_flags
from .read_series import SeriesError, SourceRead, read_source

STAGED_COLUMNS = [
    "sensor",
    "soort",
    "grootheid",
    "eenheid",
    "tijd",
    "dag",
    "waarde",
    "waarde_bron",
    "periode_id",
    "bron",
    "bronrij",
    *FLAGS,
    "getoetst_aan_referentie",
    "geldig",
    "meetellen",
]


class TimeseriesError(ValueError):
    """A tijdreeks cannot be read, placed or checked; the message names the configuration key."""


@dataclass
class StagedSeries:
    """The checked observations, the location periods, the flag counts and what each source gave."""

    observations: pd.DataFrame
    periods: gpd.GeoDataFrame
    quality: pd.DataFrame
    sources: list[dict[str, int]] = field(default_factory=list)


def prepare_tijdreeks(name: str, reeks: Tijdreeks) -> StagedSeries:
    """Read every source of a tijdreeks, build its location periods and flag its values.

    Parameters
    ----------
    name
        The tijdreeks's key under ``tijdreeksen:``.
    reeks
        Its configuration (paths already resolved, as :func:`ogw_datalab.config.load_config` does).
    """
    where = f"tijdreeksen.{name}"
    try:
        reads = [read_source(b, f"{where}.bronnen.{i}", i) for i, b in enumerate(reeks.bronnen)]
        observations = pd.concat([r.observations for r in reads], ignore_index=True)
        rows = _sensor_rows(reeks, reads, where)
        periods = build_periods(reeks, rows, where, sorted(observations["sensor"].unique()))
    except (SeriesError, PeriodError) as error:
        raise TimeseriesError(str(error)) from None
    observations["periode_id"] = assign_periods(observations, periods)
    checked = check_quality(observations, periods, reeks)
    checked["dag"] = checked["tijd"].dt.tz_convert(reeks.zone).dt.date
    return StagedSeries(checked[STAGED_COLUMNS], periods, count_flags(checked), [r.counts for r in reads])


def _sensor_rows(reeks: Tijdreeks, reads: list[SourceRead], where: str) -> gpd.GeoDataFrame:
    """Rows of every sensor table, plus the locations Sensor.Community files carry themselves."""
    frames = [read_sensor_table(table, f"{where}.sensoren") for table in reeks.sensor_tables()]
    for i, read in enumerate(reads):
        if read.sensors is None:
            continue
        try:
            located = points_from_columns(read.sensors.astype({"x": str, "y": str}), "x", "y", ".", "EPSG:4326", where)
            located = to_rd_new(located, None, f"{where}.bronnen.{i}")
        except LocationError as error:
            raise PeriodError(str(error)) from None
        frames.append(located[["sensor", "fase", "van", "tot", "geometry"]].assign(soort=None))
    rows = pd.concat(frames, ignore_index=True)
    rows = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:28992")
    key = rows.assign(_wkb=rows.geometry.to_wkb(hex=True))[["sensor", "van", "tot", "_wkb"]].astype(str)
    return rows[~key.duplicated()].reset_index(drop=True)


def stage_tijdreeks(con: duckdb.DuckDBPyConnection, config: ProjectConfig, name: str) -> dict[str, object]:
    """Write the staging tables of the tijdreeks ``name`` (see the module docstring).

    Returns
    -------
    dict
        Metadata for the asset and the colophon: rows per table, sensors, period, and the
        number of values per quality flag (all sensors together).
    """
    if name not in config.tijdreeksen:
        raise TimeseriesError(f"tijdreeksen: no tijdreeks {name!r} (configured: {sorted(config.tijdreeksen)})")
    staged = prepare_tijdreeks(name, config.tijdreeksen[name])
    periods = staged.periods.copy()
    write_frame(con, "staging", tijdreeks_table(name), staged.observations)
    write_frame(con, "staging", tijdreeks_table(name, "locaties"), periods)
    write_frame(con, "staging", tijdreeks_table(name, "kwaliteit"), staged.quality)
    return describe_staged(staged)


def describe_staged(staged: StagedSeries) -> dict[str, object]:
    """Count a staged tijdreeks: values read, sensors, first and last hour, and values per flag."""
    observations = staged.observations
    totals = staged.quality.drop(columns=["sensor", "grootheid", "soort"]).sum()
    read: dict[str, int] = {}
    for counts in staged.sources:
        for key, value in counts.items():
            read[key] = read.get(key, 0) + int(value)
    return {
        "waarden": len(observations),
        "sensoren": int(observations["sensor"].nunique()),
        "perioden": len(staged.periods),
        "eerste_uur_utc": str(observations["tijd"].min()) if len(observations) else None,
        "laatste_uur_utc": str(observations["tijd"].max()) if len(observations) else None,
        "gelezen": read,
        "vlaggen": {key: int(value) for key, value in totals.items()},
    }
