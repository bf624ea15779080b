"""Models of a configuration of several gemeenten (``gemeenten:``): the shared part and each gemeente's own.

:mod:`ogw_datalab.gemeenten` resolves it into one :class:`~.project.ProjectConfig` per gemeente.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, ClassVar

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from . import described
from .postgis import PostGIS
from .project import Parameters, Privacy, VergelijkbareBuurten
from .sources import Layer, Partner, Source, Sources
from .strict import GEMEENTECODE, NAME, REGION_NAME, ConfigFile, StrictModel


class GemeenteAanvulling(StrictModel):
    """What one gemeente of a configuration of several gemeenten has on top of the shared part.

    Layers and partners are added to the shared ones (one with the same name replaces it);
    the other keys replace the shared value for this gemeente only.
    """

    old_keys: ClassVar[Mapping[str, str]] = {"layers": "lagen"}

    adressen: Source | None = Field(
        None,
        description="de adressen van de woningen van deze gemeente (BAG-verblijfsobjecten)",
        examples=[{"soort": "bag_verblijfsobjecten", "pad": "../data/bag_alphen.gpkg", "laag": "verblijfsobject"}],
    )
    lagen: dict[Annotated[str, Field(pattern=NAME)], Layer] = Field(
        default_factory=dict,
        description="lagen van deze gemeente, bij de gedeelde (een laag met dezelfde naam vervangt de gedeelde)",
        examples=[described.LAGEN_EXAMPLE],
    )
    partners: list[Partner] = Field(
        default_factory=list,
        description="partners van deze gemeente, bij de gedeelde (een partner met dezelfde naam vervangt de gedeelde)",
        examples=[described.PARTNERS_EXAMPLE],
    )
    indicatoren: Path | None = Field(
        None, description="een eigen indicatorcatalogus voor deze gemeente", examples=["alphen_indicatoren.yaml"]
    )
    opgaven: Path | None = Field(
        None, description="een eigen bestand met opgaven voor deze gemeente", examples=["alphen_opgaven.yaml"]
    )
    parameters: Parameters | None = Field(
        None, description="eigen parameters voor deze gemeente", examples=[described.PARAMETERS_EXAMPLE]
    )
    privacy: Privacy | None = Field(
        None, description="eigen privacydrempels voor deze gemeente", examples=[described.PRIVACY_EXAMPLE]
    )


class GemeentenOutput(StrictModel):
    """Folders of a configuration of several gemeenten: each gemeente gets its own database and site below them."""

    old_keys: ClassVar[Mapping[str, str]] = {"maps": "kaarten"}

    inbox: Path | None = Field(
        None,
        description="map met een partnerinbox per gemeente: <inbox>/<gemeentecode>",
        examples=["../data/inbox"],
    )
    database: Path = Field(
        Path("data/gemeenten"),
        description="map met een database per gemeente: <database>/<gemeentecode>.duckdb",
        examples=["../data/nederland"],
    )
    kaarten: Path = Field(
        Path("maps"),
        description="map met een site per gemeente in <kaarten>/<gemeentecode>/ en het overzicht in <kaarten>",
        examples=["../maps/nederland"],
    )
    cache: Path = Field(
        Path("data/cache"),
        description="de map met gedownloade antwoorden, gedeeld door alle gemeenten",
        examples=["../data/cache"],
    )

    @field_validator("database")
    @classmethod
    def _database_is_a_folder(cls, value: Path) -> Path:
        if value.suffix.lower() in (".duckdb", ".db"):
            raise ValueError(f"'{value}' is a file name; with several gemeenten give a folder (one database each)")
        return value


class GemeentenConfig(ConfigFile):
    """A configuration of several gemeenten: a list of codes, a region name, or ``alle``.

    It resolves (``ogw_datalab.gemeenten.gemeente_configs``) into one ordinary
    :class:`ProjectConfig` per gemeente, so that every step runs per gemeente unchanged.
    """

    old_keys: ClassVar[Mapping[str, str]] = {"sources": "bronnen", "layers": "lagen", "output": "uitvoer"}

    gemeenten: str | list[str] = Field(
        description="'alle', een regio (een map van de gebiedsbestanden) of een lijst van gemeentecodes en regio's",
        examples=["alle", ["GM0484", "utrecht"]],
    )
    jaar: int = Field(
        ge=2000,
        le=2100,
        description="het jaar van de gebiedsindeling (de grenzen van buurten en wijken)",
        examples=[2015],
    )
    bronnen: Sources = Field(description=described.BRONNEN_DESCRIPTION, examples=[described.BRONNEN_EXAMPLE])
    lagen: dict[Annotated[str, Field(pattern=NAME)], Layer] = Field(
        default_factory=dict, description=described.LAGEN_DESCRIPTION, examples=[described.LAGEN_EXAMPLE]
    )
    partners: list[Partner] = Field(
        default_factory=list, description=described.PARTNERS_DESCRIPTION, examples=[described.PARTNERS_EXAMPLE]
    )
    indicatoren: Path = Field(
        description=described.INDICATOREN_DESCRIPTION, examples=["nederland_2015_indicatoren.yaml"]
    )
    opgaven: Path = Field(description=described.OPGAVEN_DESCRIPTION, examples=["nederland_2015_opgaven.yaml"])
    parameters: Parameters = Field(
        default_factory=Parameters,
        description=described.PARAMETERS_DESCRIPTION,
        examples=[described.PARAMETERS_EXAMPLE],
    )
    privacy: Privacy = Field(
        default_factory=Privacy, description=described.PRIVACY_DESCRIPTION, examples=[described.PRIVACY_EXAMPLE]
    )
    uitvoer: GemeentenOutput = Field(
        default_factory=GemeentenOutput,
        description="de mappen van de databases en sites per gemeente, de downloadcache en de partnerinboxen",
        examples=[{"database": "../data/nederland", "kaarten": "../maps/nederland"}],
    )
    vergelijkbare_buurten: VergelijkbareBuurten | None = Field(
        None, description=described.VERGELIJKBARE_BUURTEN_DESCRIPTION, examples=[{"aantal": 10}]
    )
    per_gemeente: dict[str, GemeenteAanvulling] = Field(
        default_factory=dict,
        description="per gemeentecode wat die gemeente bij het gedeelde deel heeft: partners, lagen, adressen, opgaven",
        examples=[{"GM0484": {"opgaven": "alphen_opgaven.yaml"}}],
    )
    postgis: PostGIS | None = Field(
        None,
        description="publiceer de cijfers en de grenzen van elke gemeente ook naar één PostGIS-schema (per "
        "gemeentecode)",
        examples=[{"dsn_variabele": "OGW_DATALAB_POSTGIS", "schema": "datalab"}],
    )
    config_file: SkipJsonSchema[Path | None] = None

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
        names = [p.naam for p in self.partners]
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
        named: dict[str, Source] = {f"bronnen.{k}": v for k, v in self.bronnen if v is not None}
        named.update({f"lagen.{k}": v for k, v in self.lagen.items()})
        named.update({f"partners.{p.naam}": p for p in self.partners})
        if self.vergelijkbare_buurten is not None and self.vergelijkbare_buurten.referentie is not None:
            named["vergelijkbare_buurten.referentie"] = self.vergelijkbare_buurten.referentie
        for code, extra in self.per_gemeente.items():
            if extra.adressen is not None:
                named[f"per_gemeente.{code}.adressen"] = extra.adressen
            named.update({f"per_gemeente.{code}.lagen.{k}": v for k, v in extra.lagen.items()})
            named.update({f"per_gemeente.{code}.partners.{p.naam}": p for p in extra.partners})
        return named
