"""The project configuration file: which gemeente, which sources, where outputs go.

A data team points the pipeline at its own municipality with one YAML file
(see ``config/demo.yaml`` and the README). Relative paths in it are resolved against
the folder that holds the file.
"""

from __future__ import annotations

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
# Columns each partner key needs under 'columns' (coordinates come from x/y, wkt or the file's geometry).
KEY_COLUMNS = {
    "buurtcode": ["buurtcode"],
    "wijkcode": ["wijkcode"],
    "postcode": ["postcode"],
    "bag_id": ["bag_id"],
    "adres": ["postcode", "huisnummer"],
    "coordinaten": [],
}
TABLE_KINDS = ("csv", "xlsx", "json", "parquet")


ModelT = TypeVar("ModelT", bound=BaseModel)


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or invalid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Gemeente(_Strict):
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
        return self


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
    buurten: Source
    wijken: Source
    adressen: Source | None = None


class Parameters(_Strict):
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
    folder: Path = Field(description="where the demo municipality's source files are written")
    seed: int = 484
    jaar: int = Field(2024, description="2024, or an earlier year of the same fictional place")


class Output(_Strict):
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


class ProjectConfig(_Strict):
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
    config_file: Path | None = None

    @model_validator(mode="after")
    def _names_consistent(self) -> ProjectConfig:
        names = [p.name for p in self.partners]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"partner names must be unique; repeated: {doubles}")
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

    def bewaartermijn(self, partner: Partner) -> int | None:
        """Retention in days for ``partner``: its own ``bewaartermijn_dagen``, else ``privacy``'s (None: keep)."""
        return partner.bewaartermijn_dagen or self.privacy.bewaartermijn_dagen

    def all_sources(self) -> dict[str, Source]:
        """Every input file, keyed by its place in the configuration (``sources.buurten``, ``layers.bomen``)."""
        named: dict[str, Source] = {f"sources.{k}": v for k, v in self.sources if v is not None}
        named.update({f"layers.{k}": v for k, v in self.layers.items()})
        named.update({f"partners.{p.name}": p for p in self.partners})
        return named


def load_config(path: str | Path, *, check_files: bool = True) -> ProjectConfig:
    """Read, validate and resolve a project configuration file.

    Raises
    ------
    ConfigError
        With one line per problem, each naming the key (``sources.buurten.path``) and what is
        wrong, so a data analyst can fix the file without reading Python.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    try:
        config = ProjectConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(f"{path}: invalid configuration\n" + _explain(error)) from None
    config = _resolve_paths(config, path.parent.resolve())
    config = config.model_copy(update={"config_file": path.resolve()})
    if check_files:
        check_source_files(config)
    return config


def load_year_config(config: ProjectConfig, year: int) -> ProjectConfig:
    """The configuration of an earlier year listed under ``jaren:``, checked against ``config``.

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


def check_source_files(config: ProjectConfig) -> None:
    """Raise :class:`ConfigError` listing every configured input file that does not exist.

    A source with a ``download`` may be missing: ``ogw-datalab fetch`` writes it.
    """
    missing = [
        f"  {key}.path: file not found: {src.path}"
        + (" (run 'ogw-datalab fetch' to download it)" if src.download else "")
        for key, src in config.all_sources().items()
        if not src.path.exists()
    ]
    for key in ("indicatoren", "opgaven"):
        if not getattr(config, key).is_file():
            missing.append(f"  {key}: file not found: {getattr(config, key)}")
    if missing:
        raise ConfigError(f"{config.config_file}: missing input files\n" + "\n".join(missing))


def _resolve_paths(config: ProjectConfig, base: Path) -> ProjectConfig:
    def resolve(p: Path) -> Path:
        return p if p.is_absolute() else (base / p).resolve()

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
        }
    )


def _explain(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "literal_error" and where.endswith("download.kind"):
            message = f"unknown download kind {problem['input']!r}; choose one of {', '.join(DOWNLOAD_KINDS)}"
        elif problem["type"] == "literal_error" and where.endswith("kind"):
            message = f"unknown reader kind {problem['input']!r}; choose one of {', '.join(READER_KINDS)}"
        elif problem["type"] == "literal_error" and where.endswith("key"):
            message = f"unknown partner key {problem['input']!r}; choose one of {', '.join(PARTNER_KEYS)}"
        elif problem["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against the README)"
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)


def load_yaml_model(path: Path, model: type[ModelT], key: str, what: str) -> ModelT:
    """Read a YAML file into ``model``; errors name the file and each key that is wrong."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
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
