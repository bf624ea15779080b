"""The project configuration file: which gemeente, which sources, where outputs go.

A data team points the pipeline at its own municipality with one YAML file
(see ``config/demo.yaml`` and the README). Relative paths in it are resolved against
the folder that holds the file.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import re
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

READER_KINDS = ("cbs_wijkbuurtkaart", "bag_verblijfsobjecten", "vector", "csv", "xlsx", "json", "parquet")
PARTNER_KEYS = ("buurtcode", "wijkcode", "postcode", "bag_id", "adres", "coordinaten")
DOWNLOAD_KINDS = ("pdok_ogc_features", "cbs_odata", "file")
GEMEENTECODE = re.compile(r"^GM\d{4}$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
NAME = r"^[a-z][a-z0-9_]*$"
REGION_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
GLOB_CHARACTERS = ("*", "?", "[")
MANY_FILE_KINDS = ("cbs_wijkbuurtkaart", "vector")
# Structure features for 'vergelijkbare buurten'; their CBS columns are in indicators/similar_buurten.py.
Kenmerk = Literal[
    "bevolkingsdichtheid",
    "omgevingsadressendichtheid",
    "stedelijkheid",
    "aandeel_0_14",
    "aandeel_15_24",
    "aandeel_25_44",
    "aandeel_45_64",
    "aandeel_65plus",
    "huishoudensgrootte",
    "aandeel_eenpersoonshuishoudens",
    "aandeel_huishoudens_met_kinderen",
]
DEFAULT_KENMERKEN: list[Kenmerk] = [
    "bevolkingsdichtheid",
    "aandeel_65plus",
    "aandeel_0_14",
    "huishoudensgrootte",
    "aandeel_eenpersoonshuishoudens",
    "stedelijkheid",
]
# Columns each partner key needs under 'columns' (coordinates come from x/y, wkt or the file's geometry).
KEY_COLUMNS = {
    "buurtcode": ["buurtcode"],
    "wijkcode": ["wijkcode"],
    "postcode": ["postcode"],
    "bag_id": ["bag_id"],
    "adres": ["postcode", "huisnummer"],
    "coordinaten": [],
}
# Keys placed through BAG addresses, which need sources.adressen.
ADDRESS_KEYS = ("postcode", "bag_id", "adres")
TABLE_KINDS = ("csv", "xlsx", "json", "parquet")

# libyaml's safe loader where PyYAML was built with it (about ten times faster than the pure-Python one; a
# national configuration is read once per gemeente).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


ModelT = TypeVar("ModelT", bound=BaseModel)


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Gemeente(_Strict):
    """``gemeente:``: the gemeente this configuration builds, by CBS gemeentecode and name."""

    code: str = Field(description="CBS gemeentecode, GM followed by four digits")
    naam: str

    @field_validator("code")
    @classmethod
    def _code_is_cbs_gemeentecode(cls, value: str) -> str:
        value = value.strip().upper()
        if not GEMEENTECODE.match(value):
            raise ValueError(f"'{value}' is not a CBS gemeentecode: expected GM and four digits, e.g. GM0484")
        return value

    @property
    def digits(self) -> str:
        """Return the four digits of the gemeentecode (``0484`` for GM0484)."""
        return self.code[2:]


class Download(_Strict):
    """Where ``ogw-datalab fetch`` gets a source file from (network code lives in ``ogw_datalab.fetch``)."""

    kind: Literal["pdok_ogc_features", "cbs_odata", "file"]
    url: str = Field(description="PDOK: the collection's items URL; CBS: the table URL; file: the file URL")
    bbox: tuple[float, float, float, float] | None = Field(None, description="PDOK: minx, miny, maxx, maxy in RD New")
    limit: int = Field(1000, ge=1, le=10_000)


class Source(_Strict):
    """One input file and how to read it."""

    kind: Literal["cbs_wijkbuurtkaart", "bag_verblijfsobjecten", "vector", "csv", "xlsx", "json", "parquet"]
    path: Path
    download: Download | None = None
    layer: str | None = None
    crs: str | None = Field(None, description="CRS when the file declares none, or a wrong one")
    columns: dict[str, str] = Field(default_factory=dict, description="our column name -> column in the file")
    keep: dict[str, list[str]] = Field(
        default_factory=dict, description="keep only rows whose column has one of these values"
    )
    geometry: Literal["points", "polygons"] | None = Field(None, description="layers: what the features are")
    # Tables (csv, xlsx, json, parquet) with coordinates or geometry as text.
    x: str | None = Field(None, description="column with x or longitude")
    y: str | None = Field(None, description="column with y or latitude")
    wkt: str | None = Field(None, description="column with geometry as WKT")
    # Dutch CSV and spreadsheet conventions.
    separator: str = ";"
    decimal: str = ","
    encoding: str = "utf-8-sig"
    skip_rows: int | None = Field(None, ge=0, description="title lines above the header (found by itself if unset)")
    header_names: list[str] | None = Field(None, description="column names when the file has no usable header")
    na_values: list[str] = Field(default_factory=lambda: [".", "", "-", "x"], description="cells meaning 'no data'")
    sheet: str | int = 0
    # JSON records: where they are and how nested values are named.
    record_path: str = Field("", description="dotted path to the list or mapping of records; '' is the top level")
    key_column: str | None = Field(None, description="name for the keys when the records are a mapping")
    fields_path: str | None = Field(None, description="dotted path to field names of positional records")
    gebiedsindeling: int | None = Field(None, description="year of the area codes (buurt-/wijkcodes) in the file")
    verversing_dagen: int | None = Field(None, ge=1, description="expected update cycle: older files are stale")
    gemeenten: list[str] | None = Field(
        None,
        description="cbs_wijkbuurtkaart: read only the areas of these gemeenten (set for each gemeente when a "
        "configuration of several gemeenten is split)",
    )

    @field_validator("gemeenten")
    @classmethod
    def _gemeentecodes(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        codes = [v.strip().upper() for v in value]
        wrong = [c for c in codes if not GEMEENTECODE.match(c)]
        if wrong or not codes:
            raise ValueError(f"{wrong or 'an empty list'}: expected gemeentecodes (GM and four digits)")
        return codes

    @property
    def decimal_mark(self) -> str:
        """Decimal mark of numbers as text: the configured one for CSV; '.' where the file stores numbers."""
        return self.decimal if self.kind == "csv" else "."

    @model_validator(mode="after")
    def _consistent(self) -> Source:
        unmapped = [c for c in self.keep if c not in self.columns]
        if unmapped:
            raise ValueError(f"'keep' refers to {unmapped}, which are not mapped under 'columns'")
        if (self.x is None) != (self.y is None):
            raise ValueError("give both 'x' and 'y' columns, or neither")
        if (self.x or self.wkt) and self.kind not in TABLE_KINDS:
            raise ValueError(f"'x'/'y' and 'wkt' are for tables ({', '.join(TABLE_KINDS)}), not kind '{self.kind}'")
        if (self.key_column or self.fields_path) and self.kind != "json":
            raise ValueError("'key_column' and 'fields_path' are for kind 'json'")
        if self.gemeenten is not None and self.kind != "cbs_wijkbuurtkaart":
            raise ValueError("'gemeenten' is for kind 'cbs_wijkbuurtkaart'")
        if self.is_pattern:
            if self.kind not in MANY_FILE_KINDS:
                raise ValueError(f"a pattern as path is for kinds {', '.join(MANY_FILE_KINDS)}, not '{self.kind}'")
            if self.download is not None or self.verversing_dagen is not None:
                raise ValueError("'download' and 'verversing_dagen' need one file as path, not a pattern")
        return self

    @property
    def is_pattern(self) -> bool:
        """Whether ``path`` is a glob pattern (``*``, ``?``, ``[``) naming several files."""
        return any(character in str(self.path) for character in GLOB_CHARACTERS)

    @property
    def is_many_files(self) -> bool:
        """Whether ``path`` names several files: a pattern, or an existing folder."""
        return self.is_pattern or self.path.is_dir()


class Layer(Source):
    """A point or polygon layer of open data (trees, green, playgrounds, facilities, ...)."""

    geometry: Literal["points", "polygons"]


class Partner(Source):
    """A partner data set (housing corporation, GGD, police, ...), placed in buurten by its key."""

    name: Annotated[str, Field(pattern=NAME)]
    key: Literal["buurtcode", "wijkcode", "postcode", "bag_id", "adres", "coordinaten"]
    publisher: str = ""
    min_koppelpercentage: float = Field(0.9, ge=0, le=1, description="below this match rate nothing is republished")
    bewaartermijn_dagen: int | None = Field(
        None, ge=1, description="retention: rows and files of this partner older than this are deleted"
    )

    @model_validator(mode="after")
    def _key_columns_present(self) -> Partner:
        missing = [c for c in KEY_COLUMNS[self.key] if c not in self.columns]
        if missing:
            raise ValueError(f"key '{self.key}' needs a column mapping for {missing} under 'columns'")
        if (
            self.key == "coordinaten"
            and self.kind in TABLE_KINDS
            and not (self.x or self.wkt or self.kind == "parquet")
        ):
            raise ValueError(f"key 'coordinaten' on a {self.kind} file needs 'x' and 'y' (with 'crs') or 'wkt'")
        return self


class Sources(_Strict):
    """``sources:``: the files of the buurten, the wijken and (optionally) the addresses of homes."""

    buurten: Source
    wijken: Source
    adressen: Source | None = None


class Parameters(_Strict):
    """``parameters:``: how parks are selected and reached, and which buurten may lack inhabitants."""

    park_layer: str | None = Field(None, description="the polygon layer parks are selected from")
    park_distance_m: float = Field(300.0, gt=0)
    park_min_area_ha: float = Field(1.0, ge=0)
    park_types: list[str] = Field(default_factory=lambda: ["groenvoorziening", "park"])
    onbewoonde_buurten: list[str] = Field(
        default_factory=list, description="buurtcodes known to be (almost) uninhabited, where no inhabitants are fine"
    )


class Privacy(_Strict):
    """Disclosure control: thresholds below which a figure is never published."""

    min_inwoners: int = Field(50, ge=0, description="no figure at all for a buurt or wijk with fewer inhabitants")
    min_noemer: int = Field(10, ge=1, description="no rate or share over fewer persons, homes or rows")
    min_respondenten: int = Field(30, ge=1, description="no survey figure over fewer respondents")
    bewaartermijn_dagen: int | None = Field(
        None, ge=1, description="retention for every partner without its own bewaartermijn_dagen (none: keep)"
    )


class Demo(_Strict):
    """``demo:``: where and how the embedded demo municipality's files are written before a build."""

    folder: Path = Field(description="where the demo municipality's source files are written")
    seed: int = 484
    jaar: int = Field(2024, description="2024, or an earlier year of the same fictional place")


class VergelijkbareBuurten(_Strict):
    """For every buurt the buurten elsewhere that are most alike in structure (CBS kerncijfers)."""

    kenmerken: list[Kenmerk] = Field(
        default_factory=lambda: list(DEFAULT_KENMERKEN), min_length=2, description="structure features compared"
    )
    aantal: int = Field(10, ge=1, le=50, description="how many similar buurten per buurt")
    zelfde_gemeente: bool = Field(False, description="whether buurten of the buurt's own gemeente may count")
    min_inwoners: int = Field(
        100, ge=0, description="buurten with fewer inhabitants are neither compared nor a comparison"
    )
    min_met_waarde: int = Field(
        5, ge=1, description="compare an indicator only when at least this many similar buurten have a value"
    )
    referentie: Source | None = Field(
        None, description="the buurten to search (a national kaart; a folder or pattern); default: sources.buurten"
    )

    @model_validator(mode="after")
    def _consistent(self) -> VergelijkbareBuurten:
        doubles = sorted({k for k in self.kenmerken if self.kenmerken.count(k) > 1})
        if doubles:
            raise ValueError(f"kenmerken listed twice: {doubles}")
        if self.min_met_waarde > self.aantal:
            raise ValueError(f"min_met_waarde ({self.min_met_waarde}) is more than aantal ({self.aantal})")
        if self.referentie is not None and self.referentie.kind != "cbs_wijkbuurtkaart":
            raise ValueError("referentie must be of kind 'cbs_wijkbuurtkaart'")
        return self


class Output(_Strict):
    """``output:``: where a build keeps its database, site, download cache and partner inbox."""

    inbox: Path | None = Field(None, description="folder where partners drop new files (watched by the sensor)")
    database: Path = Path("data/datalab.duckdb")
    maps: Path = Path("maps")
    cache: Path = Field(Path("data/cache"), description="downloaded responses, with checksum and retrieval time")
    sleutel_variabele: str | None = Field(
        None,
        description="NAME of the environment variable that holds the database encryption key (never the key)",
    )

    @field_validator("sleutel_variabele")
    @classmethod
    def _a_variable_name(cls, value: str | None) -> str | None:
        if value is not None and not ENV_NAME.match(value):
            raise ValueError(
                "give the name of an environment variable (capitals, digits and _, e.g. OGW_DATALAB_SLEUTEL), "
                "never the key itself"
            )
        return value


# --- Time series (tijdreeksen): point sensors measuring every hour -------------------------------------------------

TIMESERIES_KINDS = ("long", "wide", "sensor_community")
TIMESERIES_DOWNLOAD_KINDS = ("luchtmeetnet", "sensorthings")
SENSOR_SOORTEN = ("referentie", "laagkosten")
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


HeaderLine = Literal["sensor", "grootheid", "eenheid"]
SensorSoort = Literal["referentie", "laagkosten"]


def _header_lines(*lines: HeaderLine) -> list[HeaderLine]:
    return list(lines)


def _equal_weights() -> dict[SensorSoort, float]:
    return {"referentie": 1.0, "laagkosten": 1.0}


class Tijd(_Strict):
    """How a file writes its times; the zone is never guessed."""

    column: str = Field("tijd", description="the column with the times (wide: the first column if unset)")
    zone: str = Field(description="'offset' (each time carries +02:00 or Z), 'UTC', or an IANA name (local time)")
    format: str | None = Field(None, description="strptime format, e.g. '%d-%m-%y %H:%M'; default ISO 8601")
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


class TijdreeksDownload(_Strict):
    """Where ``ogw-datalab fetch`` gets a time-series source (network code lives in ``ogw_datalab.fetch``)."""

    kind: Literal["luchtmeetnet", "sensorthings"]
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
        if self.kind == "luchtmeetnet" and not self.stations:
            raise ValueError("kind 'luchtmeetnet' needs 'stations' (station numbers such as NL49014)")
        if not self.grootheden:
            raise ValueError("give 'grootheden': the API's quantity names and ours, e.g. {NO2: NO2, PM25: PM25}")
        return self


class SensorTabel(_Strict):
    """A table with one row per sensor (or per sensor and period) and its location."""

    path: Path
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="our name -> file column: sensor (required), soort, fase, van, tot (times with offset or Z)",
    )
    x: str = Field(description="column with x or longitude")
    y: str = Field(description="column with y or latitude")
    crs: str | None = Field(None, description="CRS of x/y; guessed from the values when unset")
    separator: str = ","
    decimal: str = "."
    encoding: str = "utf-8-sig"

    @model_validator(mode="after")
    def _sensor_column(self) -> SensorTabel:
        if "sensor" not in self.columns:
            raise ValueError("'columns' needs 'sensor': the column with the sensor id")
        return self


class TijdreeksBron(_Strict):
    """One file (or a glob of files) of hourly point measurements."""

    kind: Literal["long", "wide", "sensor_community"]
    path: Path = Field(description="a file, or a glob pattern such as data/sensor_community/*.csv")
    tijd: Tijd
    separator: str = ","
    decimal: str = "."
    encoding: str = "utf-8-sig"
    na_values: list[str] = Field(default_factory=lambda: ["", "NaN", "nan", "NA", "null", "-"])
    interval: Literal["uur", "ruw"] = Field(
        "uur", description="'uur': hourly means on the hour; 'ruw': readings, averaged here per hour"
    )
    min_waarden_per_uur: int = Field(1, ge=1, description="ruw: readings an hourly mean needs")
    columns: dict[str, str] = Field(
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
        if self.kind == "long":
            missing = [c for c in ("sensor", "waarde") if c not in self.columns]
            if missing:
                raise ValueError(f"kind 'long' needs a column mapping for {missing} under 'columns'")
            if "grootheid" not in self.columns and self.grootheid is None:
                raise ValueError("kind 'long' needs a 'grootheid' column under 'columns' or one 'grootheid'")
        if self.kind == "wide":
            if self.kopregels.count("sensor") != 1 or len(set(self.kopregels)) != len(self.kopregels):
                raise ValueError("'kopregels' must name 'sensor' once (and 'grootheid', 'eenheid' at most once)")
            if "grootheid" not in self.kopregels and self.grootheid is None:
                raise ValueError("kind 'wide' needs 'grootheid' (or a header line 'grootheid' in 'kopregels')")
        if self.kind in ("long", "wide") and self.eenheid is None and "eenheid" not in self.columns:
            if "eenheid" not in self.kopregels:
                raise ValueError("give the unit: 'eenheid' (e.g. ug/m3), a column or a header line with it")
        if self.download is not None and (self.kind != "long" or self.sensoren is None):
            raise ValueError(
                "a source with 'download' is kind 'long' with its own 'sensoren' (the fetcher writes both)"
            )
        return self


class Fase(_Strict):
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


class Onbetrouwbaar(_Strict):
    """A period the source says not to trust, for some sensors."""

    sensoren: list[str] = Field(min_length=1, description="sensor ids or patterns")
    van: dt.date | None = Field(None, description="first day (local date); open when unset")
    tot: dt.date | None = Field(None, description="last day, inclusive (local date); open when unset")
    reden: str


class Uitschieters(_Strict):
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


class Kwaliteit(_Strict):
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


class TijdreeksAggregatie(_Strict):
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


class Tijdreeks(_Strict):
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
            if bron.kind != "sensor_community" and bron.sensoren is None and self.sensoren is None:
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


class ProjectConfig(_Strict):
    """The whole configuration file; cross-field rules (unique partner names, address keys need sources.adressen)."""

    gemeente: Gemeente
    jaar: int = Field(ge=2000, le=2100, description="year of the gebiedsindeling (buurt and wijk boundaries)")
    demo: Demo | None = Field(None, description="write the embedded demo municipality's files before a build")
    sources: Sources
    layers: dict[Annotated[str, Field(pattern=NAME)], Layer] = Field(default_factory=dict)
    partners: list[Partner] = Field(default_factory=list)
    indicatoren: Path = Field(description="the indicator catalogue (YAML)")
    opgaven: Path
    parameters: Parameters = Field(default_factory=Parameters)
    privacy: Privacy = Field(default_factory=Privacy)
    output: Output = Field(default_factory=Output)
    jaren: dict[int, Path] = Field(
        default_factory=dict,
        description="earlier CBS years, each with its own configuration file; built as Dagster partitions so that "
        "the maps show the change since then",
    )
    vergelijkbare_buurten: VergelijkbareBuurten | None = Field(
        None, description="find for every buurt the most similar buurten elsewhere (by structure)"
    )
    tijdreeksen: dict[Annotated[str, Field(pattern=NAME)], Tijdreeks] = Field(
        default_factory=dict, description="point time series (air quality, noise), aggregated per buurt and month"
    )
    config_file: Path | None = None

    @model_validator(mode="after")
    def _names_consistent(self) -> ProjectConfig:
        names = [p.name for p in self.partners]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"partner names must be unique; repeated: {doubles}")
        for partner in self.partners:
            if partner.key in ADDRESS_KEYS and self.sources.adressen is None:
                raise ValueError(missing_addresses(partner))
        park = self.parameters.park_layer
        if park is not None and (park not in self.layers or self.layers[park].geometry != "polygons"):
            raise ValueError(f"parameters.park_layer '{park}' must name a polygon layer under 'layers'")
        later = sorted(year for year in self.jaren if year >= self.jaar)
        if later:
            raise ValueError(f"jaren: {later} must be earlier than jaar {self.jaar} (the year the maps show)")
        return self

    def indeling(self, level: Literal["buurten", "wijken"]) -> int:
        """Year of the gebiedsindeling of the buurten or wijken source (default: ``jaar``)."""
        return getattr(self.sources, level).gebiedsindeling or self.jaar

    def timeseries_files(self) -> dict[str, tuple[Path, bool]]:
        """List every time-series file or glob with whether ``ogw-datalab fetch`` writes it.

        Keyed by its place in the configuration, e.g. ``tijdreeksen.lucht.bronnen.0``.
        """
        named: dict[str, tuple[Path, bool]] = {}
        for name, reeks in self.tijdreeksen.items():
            if reeks.sensoren is not None:
                named[f"tijdreeksen.{name}.sensoren"] = (reeks.sensoren.path, False)
            for i, bron in enumerate(reeks.bronnen):
                fetched = bron.download is not None
                named[f"tijdreeksen.{name}.bronnen.{i}"] = (bron.path, fetched)
                if bron.sensoren is not None:
                    named[f"tijdreeksen.{name}.bronnen.{i}.sensoren"] = (bron.sensoren.path, fetched)
        return named

    def bewaartermijn(self, partner: Partner) -> int | None:
        """Retention in days for ``partner``: its own ``bewaartermijn_dagen``, else ``privacy``'s (None: keep)."""
        return partner.bewaartermijn_dagen or self.privacy.bewaartermijn_dagen

    def all_sources(self) -> dict[str, Source]:
        """Every input file, keyed by its place in the configuration (``sources.buurten``, ``layers.bomen``)."""
        named: dict[str, Source] = {f"sources.{k}": v for k, v in self.sources if v is not None}
        named.update({f"layers.{k}": v for k, v in self.layers.items()})
        named.update({f"partners.{p.name}": p for p in self.partners})
        if self.vergelijkbare_buurten is not None and self.vergelijkbare_buurten.referentie is not None:
            named["vergelijkbare_buurten.referentie"] = self.vergelijkbare_buurten.referentie
        return named


class GemeenteAanvulling(_Strict):
    """What one gemeente of a configuration of several gemeenten has on top of the shared part.

    Layers and partners are added to the shared ones (one with the same name replaces it);
    the other keys replace the shared value for this gemeente only.
    """

    adressen: Source | None = None
    layers: dict[Annotated[str, Field(pattern=NAME)], Layer] = Field(default_factory=dict)
    partners: list[Partner] = Field(default_factory=list)
    indicatoren: Path | None = None
    opgaven: Path | None = None
    parameters: Parameters | None = None
    privacy: Privacy | None = None


class GemeentenOutput(_Strict):
    """Folders of a configuration of several gemeenten: each gemeente gets its own database and site below them."""

    inbox: Path | None = Field(None, description="a partner inbox per gemeente: <inbox>/<gemeentecode>")
    database: Path = Field(Path("data/gemeenten"), description="folder: <database>/<gemeentecode>.duckdb")
    maps: Path = Field(Path("maps"), description="folder: <maps>/<gemeentecode>/ per gemeente, the overview in <maps>")
    cache: Path = Field(Path("data/cache"), description="downloaded responses, shared by all gemeenten")

    @field_validator("database")
    @classmethod
    def _database_is_a_folder(cls, value: Path) -> Path:
        if value.suffix.lower() in (".duckdb", ".db"):
            raise ValueError(f"'{value}' is a file name; with several gemeenten give a folder (one database each)")
        return value


class GemeentenConfig(_Strict):
    """A configuration of several gemeenten: a list of codes, a region name, or ``alle``.

    It resolves (``ogw_datalab.gemeenten.gemeente_configs``) into one ordinary
    :class:`ProjectConfig` per gemeente, so that every step runs per gemeente unchanged.
    """

    gemeenten: str | list[str] = Field(
        description="'alle', a region name (a folder of the area files), or a list of gemeentecodes and region names"
    )
    jaar: int = Field(ge=2000, le=2100, description="year of the gebiedsindeling (buurt and wijk boundaries)")
    sources: Sources
    layers: dict[Annotated[str, Field(pattern=NAME)], Layer] = Field(default_factory=dict)
    partners: list[Partner] = Field(default_factory=list)
    indicatoren: Path = Field(description="the indicator catalogue (YAML)")
    opgaven: Path
    parameters: Parameters = Field(default_factory=Parameters)
    privacy: Privacy = Field(default_factory=Privacy)
    output: GemeentenOutput = Field(default_factory=GemeentenOutput)
    vergelijkbare_buurten: VergelijkbareBuurten | None = None
    per_gemeente: dict[str, GemeenteAanvulling] = Field(
        default_factory=dict, description="per gemeentecode: its own partners, layers, addresses, opgaven, ..."
    )
    config_file: Path | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_single_gemeente_keys(cls, raw: object) -> object:
        if isinstance(raw, dict):
            if "gemeente" in raw:
                raise ValueError("give either 'gemeente' (one) or 'gemeenten' (several), not both")
            if "jaren" in raw:
                raise ValueError(
                    "'jaren' (earlier years) is not yet supported with several gemeenten; build earlier years "
                    "from a configuration of their own"
                )
            if "demo" in raw:
                raise ValueError("'demo' is for the single demo gemeente")
        return raw

    @field_validator("gemeenten")
    @classmethod
    def _selection_is_codes_or_regions(cls, value: str | list[str]) -> str | list[str]:
        items = [value] if isinstance(value, str) else value
        if not items:
            raise ValueError("list at least one gemeentecode or region name, or write 'alle'")
        cleaned = [item.strip() for item in items]
        if "alle" in cleaned and len(cleaned) > 1:
            raise ValueError("'alle' stands alone")
        wrong = [i for i in cleaned if not (GEMEENTECODE.match(i.upper()) or REGION_NAME.match(i))]
        if wrong:
            raise ValueError(f"{wrong}: expected gemeentecodes (GM and four digits) or region names (lower case)")
        normalised = [i.upper() if GEMEENTECODE.match(i.upper()) else i for i in cleaned]
        return normalised[0] if isinstance(value, str) else normalised

    @model_validator(mode="after")
    def _consistent(self) -> GemeentenConfig:
        wrong = [code for code in self.per_gemeente if not GEMEENTECODE.match(code)]
        if wrong:
            raise ValueError(f"per_gemeente: {wrong} are not gemeentecodes (GM and four digits)")
        names = [p.name for p in self.partners]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"partner names must be unique; repeated: {doubles}")
        return self

    @property
    def selection(self) -> list[str]:
        """The configured gemeenten as a list (``['alle']``, region names and codes)."""
        return [self.gemeenten] if isinstance(self.gemeenten, str) else list(self.gemeenten)

    def all_sources(self) -> dict[str, Source]:
        """Every input file, shared and per gemeente (``per_gemeente.GM0484.partners.ggd``)."""
        named: dict[str, Source] = {f"sources.{k}": v for k, v in self.sources if v is not None}
        named.update({f"layers.{k}": v for k, v in self.layers.items()})
        named.update({f"partners.{p.name}": p for p in self.partners})
        if self.vergelijkbare_buurten is not None and self.vergelijkbare_buurten.referentie is not None:
            named["vergelijkbare_buurten.referentie"] = self.vergelijkbare_buurten.referentie
        for code, extra in self.per_gemeente.items():
            if extra.adressen is not None:
                named[f"per_gemeente.{code}.adressen"] = extra.adressen
            named.update({f"per_gemeente.{code}.layers.{k}": v for k, v in extra.layers.items()})
            named.update({f"per_gemeente.{code}.partners.{p.name}": p for p in extra.partners})
        return named


def missing_addresses(partner: Partner) -> str:
    """Say in one sentence that a partner's key needs BAG addresses that are not configured."""
    return (
        f"partners.{partner.name}: key '{partner.key}' places rows through BAG addresses, "
        "but sources.adressen is not configured; add the BAG addresses there or choose another key"
    )


def load_config(path: str | Path, *, check_files: bool = True) -> ProjectConfig:
    """Read, validate and resolve a project configuration file of one gemeente.

    Raises
    ------
    ConfigError
        With one line per problem, each naming the key (``sources.buurten.path``) and what is
        wrong, so a data analyst can fix the file without reading Python. A file that
        configures several gemeenten (``gemeenten:``) is refused here: see :func:`load_configuration`.
    """
    path = Path(path)
    raw = _read_yaml_mapping(path)
    if "gemeenten" in raw:
        raise ConfigError(
            f"{path}: configures several gemeenten ('gemeenten:'); each gemeente is built from its own "
            "configuration, made by ogw_datalab.gemeenten.gemeente_configs"
        )
    try:
        config = ProjectConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(f"{path}: invalid configuration\n" + _explain(error)) from None
    config = _resolve_paths(config, path.parent.resolve())
    config = config.model_copy(update={"config_file": path.resolve()})
    if check_files:
        check_source_files(config)
    return config


def load_configuration(path: str | Path, *, check_files: bool = True) -> ProjectConfig | GemeentenConfig:
    """Read a configuration of one gemeente (``gemeente:``) or of several (``gemeenten:``).

    Raises
    ------
    ConfigError
        As :func:`load_config`, naming the key and what is wrong.
    """
    path = Path(path)
    raw = _read_yaml_mapping(path)
    if "gemeenten" not in raw:
        return load_config(path, check_files=check_files)
    try:
        config = GemeentenConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(f"{path}: invalid configuration\n" + _explain(error)) from None
    config = _resolve_gemeenten_paths(config, path.parent.resolve())
    config = config.model_copy(update={"config_file": path.resolve()})
    if check_files:
        check_source_files(config)
    return config


def _read_yaml_mapping(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return raw


def load_year_config(config: ProjectConfig, year: int) -> ProjectConfig:
    """Load the configuration of an earlier year listed under ``jaren:`` and check it against ``config``.

    An earlier year is built into its own database and site (so that building it never touches
    this year's tables or maps) and must describe the same gemeente.
    """
    if year not in config.jaren:
        configured = ", ".join(str(y) for y in sorted(config.jaren)) or "none"
        raise ConfigError(f"{config.config_file}: jaren: no configuration for {year} (configured: {configured})")
    try:
        earlier = load_config(config.jaren[year], check_files=False)
    except ConfigError as error:
        raise ConfigError(f"{config.config_file}: jaren.{year}: {error}") from None
    problems = []
    if earlier.jaar != year:
        problems.append(f"its jaar is {earlier.jaar}, not {year}")
    if earlier.gemeente.code != config.gemeente.code:
        problems.append(f"its gemeente is {earlier.gemeente.code}, not {config.gemeente.code}")
    if earlier.jaren:
        problems.append("it lists jaren itself; only the current year's configuration does")
    if earlier.demo is not None and config.demo is not None and earlier.demo.folder == config.demo.folder:
        problems.append(f"its demo.folder is this year's ({config.demo.folder}); give it its own")
    for key in ("database", "maps"):
        if getattr(earlier.output, key) == getattr(config.output, key):
            problems.append(f"its output.{key} is this year's ({getattr(config.output, key)}); give it its own")
    if problems:
        raise ConfigError(f"{config.config_file}: jaren.{year} ({earlier.config_file}): " + "; ".join(problems))
    return earlier


def configuration_fingerprint(path: Path) -> str:
    """sha256 over a configuration file and the indicator catalogue and opgaven files it names.

    What an earlier year was built from: when this changes, the year is built again. Source files
    are left out on purpose (large, and a demo rewrites its own); a missing file is ``"ontbreekt"``.
    """
    if not path.is_file():
        return "ontbreekt"
    digest = hashlib.sha256(path.read_bytes())
    try:
        config = load_config(path, check_files=False)
    except ConfigError:
        return digest.hexdigest()  # its build will say what is wrong
    for named in (config.indicatoren, config.opgaven):
        digest.update(named.read_bytes() if named.is_file() else b"ontbreekt")
    return digest.hexdigest()


def check_source_files(config: ProjectConfig | GemeentenConfig) -> None:
    """Raise :class:`ConfigError` listing every configured input file that does not exist.

    A source with a ``download`` may be missing: ``ogw-datalab fetch`` writes it. A pattern
    must match at least one file.
    """
    missing = [
        f"  {key}.path: "
        + ("no file matches" if src.is_pattern else "file not found")
        + f": {src.path}"
        + (" (run 'ogw-datalab fetch' to download it)" if src.download else "")
        for key, src in config.all_sources().items()
        if not _source_exists(src)
    ]
    named = {"indicatoren": config.indicatoren, "opgaven": config.opgaven}
    if isinstance(config, GemeentenConfig):
        for code, extra in config.per_gemeente.items():
            named.update({f"per_gemeente.{code}.{k}": getattr(extra, k) for k in ("indicatoren", "opgaven")})
    for key, file in named.items():
        if file is not None and not file.is_file():
            missing.append(f"  {key}: file not found: {file}")
    if isinstance(config, ProjectConfig):
        for key, (path, fetched) in config.timeseries_files().items():
            if not _matches(path):
                what = "no file matches" if _is_glob(path) else "file not found:"
                missing.append(
                    f"  {key}.path: {what} {path}" + (" (run 'ogw-datalab fetch' to download it)" if fetched else "")
                )
    if missing:
        raise ConfigError(f"{config.config_file}: missing input files\n" + "\n".join(missing))


def _is_glob(path: Path) -> bool:
    return any(character in str(path) for character in GLOB_CHARACTERS)


def _matches(path: Path) -> bool:
    """Whether a file exists at ``path``, or, for a glob pattern, at least one file matches it."""
    if _is_glob(path):
        return bool(glob.glob(str(path), recursive=True))
    return path.exists()


def _source_exists(source: Source) -> bool:
    return _matches(source.path)


def _resolver(base: Path):
    def resolve(p: Path) -> Path:
        return p if p.is_absolute() else (base / p).resolve()

    return resolve


def _resolve_comparison(comparison: VergelijkbareBuurten | None, resolve) -> VergelijkbareBuurten | None:
    if comparison is None or comparison.referentie is None:
        return comparison
    referentie = comparison.referentie.model_copy(update={"path": resolve(comparison.referentie.path)})
    return comparison.model_copy(update={"referentie": referentie})


def _resolve_gemeenten_paths(config: GemeentenConfig, base: Path) -> GemeentenConfig:
    resolve = _resolver(base)

    def with_path(source):
        return source.model_copy(update={"path": resolve(source.path)})

    def extra(aanvulling: GemeenteAanvulling) -> GemeenteAanvulling:
        return aanvulling.model_copy(
            update={
                "adressen": with_path(aanvulling.adressen) if aanvulling.adressen else None,
                "layers": {name: with_path(layer) for name, layer in aanvulling.layers.items()},
                "partners": [with_path(p) for p in aanvulling.partners],
                "indicatoren": resolve(aanvulling.indicatoren) if aanvulling.indicatoren else None,
                "opgaven": resolve(aanvulling.opgaven) if aanvulling.opgaven else None,
            }
        )

    output = GemeentenOutput(
        database=resolve(config.output.database),
        maps=resolve(config.output.maps),
        cache=resolve(config.output.cache),
        inbox=resolve(config.output.inbox) if config.output.inbox else None,
    )
    return config.model_copy(
        update={
            "sources": config.sources.model_copy(
                update={name: with_path(src) for name, src in config.sources if src is not None}
            ),
            "layers": {name: with_path(layer) for name, layer in config.layers.items()},
            "partners": [with_path(p) for p in config.partners],
            "opgaven": resolve(config.opgaven),
            "indicatoren": resolve(config.indicatoren),
            "output": output,
            "vergelijkbare_buurten": _resolve_comparison(config.vergelijkbare_buurten, resolve),
            "per_gemeente": {code: extra(a) for code, a in config.per_gemeente.items()},
        }
    )


def _resolve_paths(config: ProjectConfig, base: Path) -> ProjectConfig:
    resolve = _resolver(base)

    def with_table(table):
        return None if table is None else table.model_copy(update={"path": resolve(table.path)})

    def with_reeks(reeks: Tijdreeks) -> Tijdreeks:
        bronnen = [
            b.model_copy(update={"path": resolve(b.path), "sensoren": with_table(b.sensoren)}) for b in reeks.bronnen
        ]
        return reeks.model_copy(update={"bronnen": bronnen, "sensoren": with_table(reeks.sensoren)})

    def with_path(source):
        return source.model_copy(update={"path": resolve(source.path)})

    sources = config.sources.model_copy(
        update={name: with_path(src) for name, src in config.sources if src is not None}
    )
    output = Output(
        database=resolve(config.output.database),
        maps=resolve(config.output.maps),
        cache=resolve(config.output.cache),
        inbox=resolve(config.output.inbox) if config.output.inbox else None,
        sleutel_variabele=config.output.sleutel_variabele,
    )
    demo = config.demo.model_copy(update={"folder": resolve(config.demo.folder)}) if config.demo else None
    return config.model_copy(
        update={
            "sources": sources,
            "layers": {name: with_path(layer) for name, layer in config.layers.items()},
            "partners": [with_path(p) for p in config.partners],
            "opgaven": resolve(config.opgaven),
            "indicatoren": resolve(config.indicatoren),
            "output": output,
            "demo": demo,
            "jaren": {year: resolve(path) for year, path in config.jaren.items()},
            "vergelijkbare_buurten": _resolve_comparison(config.vergelijkbare_buurten, resolve),
            "tijdreeksen": {name: with_reeks(reeks) for name, reeks in config.tijdreeksen.items()},
        }
    )


def _explain(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "literal_error" and where.startswith("tijdreeksen") and where.endswith("kind"):
            kinds = TIMESERIES_DOWNLOAD_KINDS if where.endswith("download.kind") else TIMESERIES_KINDS
            message = f"unknown kind {problem['input']!r}; choose one of {', '.join(kinds)}"
        elif problem["type"] == "literal_error" and where.endswith("download.kind"):
            message = f"unknown download kind {problem['input']!r}; choose one of {', '.join(DOWNLOAD_KINDS)}"
        elif problem["type"] == "literal_error" and where.endswith("kind"):
            message = f"unknown reader kind {problem['input']!r}; choose one of {', '.join(READER_KINDS)}"
        elif problem["type"] == "literal_error" and where.endswith("key"):
            message = f"unknown partner key {problem['input']!r}; choose one of {', '.join(PARTNER_KEYS)}"
        elif problem["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against the README)"
        lines.append(f"  {where}: {message}" if where else f"  {message}")
    return "\n".join(lines)


def load_yaml_model(path: Path, model: type[ModelT], key: str, what: str) -> ModelT:
    """Read a YAML file into ``model``; errors name the file and each key that is wrong."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        return model.model_validate(raw)
    except FileNotFoundError:
        raise ConfigError(f"{key}: file not found: {path}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    except ValidationError as error:
        lines = [
            f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()
        ]
        raise ConfigError(f"{path}: invalid {what}\n" + "\n".join(lines)) from None
