"""Models of a configuration of one gemeente: ``gemeente:``, ``parameters:``, ``privacy:``, ``output:`` and the rest.

The whole file is a :class:`ProjectConfig`; its sources are :mod:`.sources`'s models, its
time series :mod:`.timeseries`'s.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .postgis import PostGIS
from .sources import ADDRESS_KEYS, Layer, Partner, Source, Sources, missing_addresses
from .strict import ENV_NAME, GEMEENTECODE, NAME, StrictModel
from .timeseries import Tijdreeks

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


class Gemeente(StrictModel):
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


class Parameters(StrictModel):
    """``parameters:``: how parks are selected and reached, and which buurten may lack inhabitants."""

    park_layer: str | None = Field(None, description="the polygon layer parks are selected from")
    park_distance_m: float = Field(300.0, gt=0)
    park_min_area_ha: float = Field(1.0, ge=0)
    park_types: list[str] = Field(default_factory=lambda: ["groenvoorziening", "park"])
    onbewoonde_buurten: list[str] = Field(
        default_factory=list, description="buurtcodes known to be (almost) uninhabited, where no inhabitants are fine"
    )


class Privacy(StrictModel):
    """Disclosure control: thresholds below which a figure is never published."""

    min_inwoners: int = Field(50, ge=0, description="no figure at all for a buurt or wijk with fewer inhabitants")
    min_noemer: int = Field(10, ge=1, description="no rate or share over fewer persons, homes or rows")
    min_respondenten: int = Field(30, ge=1, description="no survey figure over fewer respondents")
    bewaartermijn_dagen: int | None = Field(
        None, ge=1, description="retention for every partner without its own bewaartermijn_dagen (none: keep)"
    )


class Demo(StrictModel):
    """``demo:``: where and how the embedded demo municipality's files are written before a build."""

    folder: Path = Field(description="where the demo municipality's source files are written")
    seed: int = 484
    jaar: int = Field(2024, description="2024, or an earlier year of the same fictional place")


class VergelijkbareBuurten(StrictModel):
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


class Output(StrictModel):
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


class ProjectConfig(StrictModel):
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
    postgis: PostGIS | None = Field(
        None, description="publish the published figures and the buurt and wijk outlines to PostGIS too"
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
