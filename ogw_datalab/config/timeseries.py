"""Models of ``tijdreeksen:``: point sensors measuring every hour (air quality, noise), their files and rules.

How the files are read, checked and aggregated per buurt and month is :mod:`ogw_datalab.timeseries`'s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Literal, get_args

from pydantic import Field, field_validator, model_validator

from .strict import NAME, StrictModel

TimeseriesKind = Literal["long", "wide", "sensor_community"]
TIMESERIES_KINDS: tuple[str, ...] = get_args(TimeseriesKind)
TimeseriesDownloadKind = Literal["luchtmeetnet", "sensorthings"]
TIMESERIES_DOWNLOAD_KINDS: tuple[str, ...] = get_args(TimeseriesDownloadKind)
HeaderLine = Literal["sensor", "grootheid", "eenheid"]
SensorSoort = Literal["referentie", "laagkosten"]
SENSOR_SOORTEN: tuple[str, ...] = get_args(SensorSoort)
# WHO global air quality guidelines 2021, 24-hour means in µg/m³ (99th percentile: 3-4 exceedance days a year).
WHO_2021_24H = {"NO2": 25.0, "PM25": 15.0, "PM10": 45.0}


def _check_zone(value: str) -> str:
    import zoneinfo  # the IANA database; only needed to validate a named zone

    if value in ("offset", "UTC"):
        return value
    if value not in zoneinfo.available_timezones():
        raise ValueError(
            f"unknown time zone {value!r}: use 'offset' (every time carries its own +02:00 or Z), 'UTC', "
            "or an IANA name such as Europe/Amsterdam"
        )
    return value


def _header_lines(*lines: HeaderLine) -> list[HeaderLine]:
    return list(lines)


def _equal_weights() -> dict[SensorSoort, float]:
    return {"referentie": 1.0, "laagkosten": 1.0}


class Tijd(StrictModel):
    """How a file writes its times; the zone is never guessed."""

    old_keys: ClassVar[Mapping[str, str]] = {"column": "kolom", "format": "formaat"}

    kolom: str = Field("tijd", description="the column with the times (wide: the first column if unset)")
    zone: str = Field(description="'offset' (each time carries +02:00 or Z), 'UTC', or an IANA name (local time)")
    formaat: str | None = Field(None, description="strptime format, e.g. '%d-%m-%y %H:%M'; default ISO 8601")
    label: Literal["begin", "eind"] = Field("begin", description="does a time label the start or the end of its hour")
    dubbelzinnig: Literal["volgorde", "zomertijd", "wintertijd", "weglaten"] = Field(
        "volgorde",
        description="named zone, the repeated hour when summer time ends: by order in the file (first summer time, "
        "then winter time), always one of the two, or left out",
    )
    niet_bestaand: Literal["fout", "weglaten"] = Field(
        "fout", description="named zone, a time in the hour skipped when summer time starts: an error, or left out"
    )

    @field_validator("zone")
    @classmethod
    def _zone_known(cls, value: str) -> str:
        return _check_zone(value)


class TijdreeksDownload(StrictModel):
    """Where ``ogw-datalab fetch`` gets a time-series source (network code lives in ``ogw_datalab.fetch``)."""

    old_keys: ClassVar[Mapping[str, str]] = {"kind": "dienst"}

    dienst: TimeseriesDownloadKind
    url: str = Field(
        description="API root: https://api.luchtmeetnet.nl/open_api or https://api-samenmeten.rivm.nl/v1.0"
    )
    stations: list[str] = Field(default_factory=list, description="luchtmeetnet: station numbers, e.g. NL49014")
    grootheden: dict[str, str] = Field(
        default_factory=dict,
        description="the API's quantity (luchtmeetnet formula NO2, PM25; sensorthings datastream token no2, "
        "pm25_kal) -> our grootheid",
    )
    codegemeente: str | None = Field(None, description="sensorthings: properties/codegemeente (default: the gemeente)")
    soort: SensorSoort | None = Field(
        None, description="soort of the downloaded sensors (default: luchtmeetnet referentie, sensorthings laagkosten)"
    )
    van: str | None = Field(None, description="first day to fetch, YYYY-MM-DD (default: the first of last month)")
    tot: str | None = Field(None, description="day after the last one to fetch, YYYY-MM-DD (default: today)")
    venster_dagen: int = Field(7, ge=1, le=31, description="luchtmeetnet: days per request window")

    @model_validator(mode="after")
    def _inputs(self) -> TijdreeksDownload:
        if self.dienst == "luchtmeetnet" and not self.stations:
            raise ValueError("dienst 'luchtmeetnet' needs 'stations' (station numbers such as NL49014)")
        if not self.grootheden:
            raise ValueError("give 'grootheden': the API's quantity names and ours, e.g. {NO2: NO2, PM25: PM25}")
        return self


class SensorTabel(StrictModel):
    """A table with one row per sensor (or per sensor and period) and its location."""

    old_keys: ClassVar[Mapping[str, str]] = {
        "path": "pad",
        "columns": "kolommen",
        "separator": "scheidingsteken",
        "decimal": "decimaalteken",
        "encoding": "tekenset",
    }

    pad: Path
    kolommen: dict[str, str] = Field(
        default_factory=dict,
        description="our name -> file column: sensor (required), soort, fase, van, tot (times with offset or Z)",
    )
    x: str = Field(description="column with x or longitude")
    y: str = Field(description="column with y or latitude")
    crs: str | None = Field(None, description="CRS of x/y; guessed from the values when unset")
    scheidingsteken: str = ","
    decimaalteken: str = "."
    tekenset: str = "utf-8-sig"

    @model_validator(mode="after")
    def _sensor_column(self) -> SensorTabel:
        if "sensor" not in self.kolommen:
            raise ValueError("'kolommen' needs 'sensor': the column with the sensor id")
        return self


class TijdreeksBron(StrictModel):
    """One file (or a glob of files) of hourly point measurements."""

    old_keys: ClassVar[Mapping[str, str]] = {
        "kind": "soort",
        "path": "pad",
        "columns": "kolommen",
        "separator": "scheidingsteken",
        "decimal": "decimaalteken",
        "encoding": "tekenset",
        "na_values": "leeg_als",
    }

    soort: TimeseriesKind
    pad: Path = Field(description="a file, or a glob pattern such as data/sensor_community/*.csv")
    tijd: Tijd
    scheidingsteken: str = ","
    decimaalteken: str = "."
    tekenset: str = "utf-8-sig"
    leeg_als: list[str] = Field(default_factory=lambda: ["", "NaN", "nan", "NA", "null", "-"])
    interval: Literal["uur", "ruw"] = Field(
        "uur", description="'uur': hourly means on the hour; 'ruw': readings, averaged here per hour"
    )
    min_waarden_per_uur: int = Field(1, ge=1, description="ruw: readings an hourly mean needs")
    kolommen: dict[str, str] = Field(
        default_factory=dict, description="long: our name -> file column for sensor, grootheid, waarde, eenheid"
    )
    grootheid: str | None = Field(None, description="the quantity of every value (wide files with one quantity)")
    eenheid: str | None = Field(None, description="the unit of every value, e.g. ug/m3")
    kopregels: list[HeaderLine] = Field(
        default_factory=lambda: _header_lines("sensor"), description="wide: what each header line names per column"
    )
    overslaan: list[str] = Field(default_factory=list, description="wide: columns that are not sensors")
    sensor_namen: dict[str, str] = Field(default_factory=dict, description="sensor id in this file -> id used here")
    sensoren: SensorTabel | None = Field(None, description="this source's own sensor table (default: the shared one)")
    download: TijdreeksDownload | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TijdreeksBron:
        if self.soort == "long":
            missing = [c for c in ("sensor", "waarde") if c not in self.kolommen]
            if missing:
                raise ValueError(f"soort 'long' needs a column mapping for {missing} under 'kolommen'")
            if "grootheid" not in self.kolommen and self.grootheid is None:
                raise ValueError("soort 'long' needs a 'grootheid' column under 'kolommen' or one 'grootheid'")
        if self.soort == "wide":
            if self.kopregels.count("sensor") != 1 or len(set(self.kopregels)) != len(self.kopregels):
                raise ValueError("'kopregels' must name 'sensor' once (and 'grootheid', 'eenheid' at most once)")
            if "grootheid" not in self.kopregels and self.grootheid is None:
                raise ValueError("soort 'wide' needs 'grootheid' (or a header line 'grootheid' in 'kopregels')")
        if self.soort in ("long", "wide") and self.eenheid is None and "eenheid" not in self.kolommen:
            if "eenheid" not in self.kopregels:
                raise ValueError("give the unit: 'eenheid' (e.g. ug/m3), a column or a header line with it")
        if self.download is not None and (self.soort != "long" or self.sensoren is None):
            raise ValueError(
                "a source with 'download' is soort 'long' with its own 'sensoren' (the fetcher writes both)"
            )
        return self


class Fase(StrictModel):
    """A period in which sensors stood somewhere else, e.g. beside a reference station for calibration."""

    naam: str = Field(pattern=NAME)
    sensoren: list[str] = Field(min_length=1, description="sensor ids or patterns such as 'waag_*'")
    van: dt.date = Field(description="first day (local date, in the tijdreeks's zone)")
    tot: dt.date = Field(description="last day, inclusive (local date)")
    locatie: str | None = Field(None, description="stood at the location of this sensor (default: its own)")
    meetellen: bool = Field(False, description="do values of this period count in the buurt figures")

    @model_validator(mode="after")
    def _ordered(self) -> Fase:
        if self.tot < self.van:
            raise ValueError(f"fase '{self.naam}': 'tot' ({self.tot}) is before 'van' ({self.van})")
        return self


class Onbetrouwbaar(StrictModel):
    """A period the source says not to trust, for some sensors."""

    sensoren: list[str] = Field(min_length=1, description="sensor ids or patterns")
    van: dt.date | None = Field(None, description="first day (local date); open when unset")
    tot: dt.date | None = Field(None, description="last day, inclusive (local date); open when unset")
    reden: str


class Uitschieters(StrictModel):
    """Outliers: a sensor's hourly value compared with the nearest reference station at the same hour."""

    methode: Literal["mad", "verschil"] = Field(
        "mad",
        description="'mad': the difference from the reference lies more than 'factor' robust standard deviations "
        "from the sensor's own median difference; 'verschil': |value - reference| > max_verschil",
    )
    factor: float = Field(5.0, gt=0)
    max_verschil: float = Field(50.0, gt=0, description="verschil: in the unit of the values")
    max_afstand_m: float = Field(10_000.0, gt=0, description="no check against a reference farther than this")
    min_paren: int = Field(48, ge=3, description="mad: hours with both values a sensor needs before it is checked")


class Kwaliteit(StrictModel):
    """Quality-control rules; every flag is counted per sensor."""

    opwarmen_uren: int = Field(4, ge=0, description="hours flagged after a sensor (re)starts")
    herstart_na_gat_uren: int = Field(3, ge=1, description="a gap of this many missing hours counts as a restart")
    ondergrens: dict[str, float] = Field(default_factory=dict, description="grootheid -> lowest credible value")
    ondergrens_actie: Literal["weglaten", "afkappen"] = Field(
        "weglaten", description="values below the floor: left out, or set to the floor (and still counted)"
    )
    onbetrouwbaar: list[Onbetrouwbaar] = Field(default_factory=list)
    dubbel_tolerantie: float = Field(
        0.0, ge=0, description="duplicates differing at most this much are one value (the first source's is kept)"
    )
    uitschieters: Uitschieters | None = Field(default_factory=Uitschieters)


class TijdreeksAggregatie(StrictModel):
    """How hourly sensor values become figures per buurt and month."""

    soorten: Literal["apart", "samen", "gewogen"] = Field(
        "apart", description="referentie and laagkosten apart, together with equal weight, or weighted"
    )
    gewichten: dict[SensorSoort, float] = Field(default_factory=_equal_weights, description="gewogen: weight per soort")
    percentiel: float = Field(90.0, gt=0, lt=100)
    min_uren_dag: int = Field(18, ge=1, le=24, description="hours a daily mean needs (75 % as in EU practice)")
    min_dekking: float = Field(0.5, gt=0, le=1, description="share of a month's hours a monthly figure needs")
    richtlijnen: dict[str, float] = Field(
        default_factory=lambda: dict(WHO_2021_24H), description="grootheid -> 24-hour guideline (WHO 2021)"
    )
    dichtstbijzijnde_m: float | None = Field(
        None, gt=0, description="buurten without a sensor take the nearest within this distance (marked); off if unset"
    )

    @model_validator(mode="after")
    def _weights(self) -> TijdreeksAggregatie:
        if any(w <= 0 for w in self.gewichten.values()):
            raise ValueError("'gewichten' must be positive")
        return self


class Tijdreeks(StrictModel):
    """A set of point time series (one or more files), its sensors, QC rules and aggregation."""

    bronnen: list[TijdreeksBron] = Field(min_length=1)
    sensoren: SensorTabel | None = Field(None, description="the sensor table shared by the sources")
    zone: str = Field("Europe/Amsterdam", description="zone of the dates in fasen/onbetrouwbaar, days and months")
    soorten: dict[SensorSoort, list[str]] = Field(
        default_factory=dict,
        description="soort -> sensor ids or patterns (default: the sensor table's 'soort' column, else laagkosten)",
    )
    fasen: list[Fase] = Field(default_factory=list)
    kwaliteit: Kwaliteit = Field(default_factory=Kwaliteit)
    aggregatie: TijdreeksAggregatie = Field(default_factory=TijdreeksAggregatie)

    @field_validator("zone")
    @classmethod
    def _zone_named(cls, value: str) -> str:
        if _check_zone(value) == "offset":
            raise ValueError("'zone' of a tijdreeks must be 'UTC' or a named zone such as Europe/Amsterdam")
        return value

    @model_validator(mode="after")
    def _sensor_tables(self) -> Tijdreeks:
        for i, bron in enumerate(self.bronnen):
            if bron.soort != "sensor_community" and bron.sensoren is None and self.sensoren is None:
                raise ValueError(f"bronnen.{i}: give 'sensoren' (a sensor table) here or for the whole tijdreeks")
        names = [f.naam for f in self.fasen]
        if len(set(names)) != len(names):
            raise ValueError(f"fase names must be unique: {names}")
        return self

    def sensor_tables(self) -> list[SensorTabel]:
        """Every sensor table of this tijdreeks (shared first), each once."""
        tables = [self.sensoren] + [b.sensoren for b in self.bronnen]
        unique: list[SensorTabel] = []
        for table in tables:
            if table is not None and table not in unique:
                unique.append(table)
        return unique
