"""The project configuration file: which gemeente, which sources, where outputs go.

A data team points the pipeline at its own municipality with one YAML file
(see ``config/demo.yaml`` and the README). Relative paths in it are resolved against
the folder that holds the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

READER_KINDS = ("cbs_wijkbuurtkaart", "bag_verblijfsobjecten", "vector", "csv")
PARTNER_KEYS = ("buurtcode", "adres", "coordinaten")
GEMEENTECODE = re.compile(r"^GM\d{4}$")


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


class Source(_Strict):
    """One input file and how to read it."""

    kind: Literal["cbs_wijkbuurtkaart", "bag_verblijfsobjecten", "vector", "csv"]
    path: Path
    layer: str | None = None
    crs: str | None = Field(None, description="CRS of the file when it does not declare one, or declares a wrong one")
    columns: dict[str, str] = Field(default_factory=dict, description="our column name -> column in the file")
    keep: dict[str, list[str]] = Field(
        default_factory=dict, description="keep only rows whose column has one of these values"
    )
    x: str | None = Field(None, description="csv only: column with x or longitude")
    y: str | None = Field(None, description="csv only: column with y or latitude")
    separator: str = ";"
    decimal: str = ","
    encoding: str = "utf-8-sig"

    @model_validator(mode="after")
    def _csv_points_need_crs(self) -> Source:
        unmapped = [c for c in self.keep if c not in self.columns]
        if unmapped:
            raise ValueError(f"'keep' refers to {unmapped}, which are not mapped under 'columns'")
        if (self.x is None) != (self.y is None):
            raise ValueError("give both 'x' and 'y' columns, or neither")
        if self.x is not None and self.crs is None:
            raise ValueError("a csv with x/y columns needs 'crs' (for example EPSG:28992 or EPSG:4326)")
        return self


class Partner(Source):
    """A partner data set (housing corporation, GGD, police, ...), joined by its key."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    key: Literal["buurtcode", "adres", "coordinaten"]
    publisher: str = ""

    @model_validator(mode="after")
    def _key_columns_present(self) -> Partner:
        needed = {"buurtcode": ["buurtcode"], "adres": ["postcode", "huisnummer"], "coordinaten": []}[self.key]
        missing = [c for c in needed if c not in self.columns]
        if missing:
            raise ValueError(f"key '{self.key}' needs a column mapping for {missing} under 'columns'")
        if self.key == "coordinaten" and self.x is None and self.kind == "csv":
            raise ValueError("key 'coordinaten' on a csv needs 'x', 'y' and 'crs'")
        return self


class Sources(_Strict):
    buurten: Source
    wijken: Source
    adressen: Source
    bomen: Source
    groen: Source
    speelplekken: Source
    huisartsen: Source


class Parameters(_Strict):
    park_distance_m: float = Field(300.0, gt=0)
    park_min_area_ha: float = Field(1.0, ge=0)
    park_types: list[str] = Field(default_factory=lambda: ["groenvoorziening", "park"])
    min_inwoners_for_rate: int = Field(50, ge=0, description="no per-inhabitant rate below this many inhabitants")
    min_noemer_for_share: int = Field(10, ge=1, description="no share whose denominator is below this count")


class Demo(_Strict):
    folder: Path = Field(description="where the demo municipality's source files are written")
    seed: int = 484


class Output(_Strict):
    database: Path = Path("data/datalab.duckdb")
    maps: Path = Path("maps")


class ProjectConfig(_Strict):
    gemeente: Gemeente
    jaar: int = Field(ge=2000, le=2100)
    demo: Demo | None = Field(None, description="write the embedded demo municipality's files before a build")
    sources: Sources
    partners: list[Partner] = Field(default_factory=list)
    opgaven: Path
    parameters: Parameters = Field(default_factory=Parameters)
    output: Output = Field(default_factory=Output)
    config_file: Path | None = None

    @model_validator(mode="after")
    def _partner_names_unique(self) -> ProjectConfig:
        names = [p.name for p in self.partners]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"partner names must be unique; repeated: {doubles}")
        return self

    def all_sources(self) -> dict[str, Source]:
        """Every input file, keyed by its name in the configuration."""
        named: dict[str, Source] = dict(self.sources)
        named.update({f"partners.{p.name}": p for p in self.partners})
        return named


def load_config(path: str | Path, *, check_files: bool = True) -> ProjectConfig:
    """Read, validate and resolve a project configuration file.

    Raises
    ------
    ConfigError
        With one line per problem, each naming the key (``sources.bomen.path``) and what is
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


def check_source_files(config: ProjectConfig) -> None:
    """Raise :class:`ConfigError` listing every configured input file that does not exist."""
    missing = [
        f"  {key}.path: file not found: {src.path}" for key, src in _keyed_sources(config) if not src.path.exists()
    ]
    if not config.opgaven.is_file():
        missing.append(f"  opgaven: file not found: {config.opgaven}")
    if missing:
        raise ConfigError(f"{config.config_file}: missing input files\n" + "\n".join(missing))


def _keyed_sources(config: ProjectConfig) -> list[tuple[str, Source]]:
    keyed = [(f"sources.{name}", src) for name, src in config.sources]
    keyed += [(f"partners[{i}] ({p.name})", p) for i, p in enumerate(config.partners)]
    return keyed


def _resolve_paths(config: ProjectConfig, base: Path) -> ProjectConfig:
    def resolve(p: Path) -> Path:
        return p if p.is_absolute() else (base / p).resolve()

    sources = config.sources.model_copy(
        update={name: src.model_copy(update={"path": resolve(src.path)}) for name, src in config.sources}
    )
    partners = [p.model_copy(update={"path": resolve(p.path)}) for p in config.partners]
    output = Output(database=resolve(config.output.database), maps=resolve(config.output.maps))
    demo = config.demo.model_copy(update={"folder": resolve(config.demo.folder)}) if config.demo else None
    return config.model_copy(
        update={
            "sources": sources,
            "partners": partners,
            "opgaven": resolve(config.opgaven),
            "output": output,
            "demo": demo,
        }
    )


def _explain(error: ValidationError) -> str:
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "literal_error" and where.endswith("kind"):
            message = f"unknown reader kind {problem['input']!r}; choose one of {', '.join(READER_KINDS)}"
        elif problem["type"] == "literal_error" and where.endswith("key"):
            message = f"unknown partner key {problem['input']!r}; choose one of {', '.join(PARTNER_KEYS)}"
        elif problem["type"] == "extra_forbidden":
            message = "unknown key (check the spelling against the README)"
        lines.append(f"  {where}: {message}")
    return "\n".join(lines)
