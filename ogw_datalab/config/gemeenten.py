"""Models of a configuration of several gemeenten (``gemeenten:``): the shared part and each gemeente's own.

:mod:`ogw_datalab.gemeenten` resolves it into one :class:`~.project.ProjectConfig` per gemeente.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from .postgis import PostGIS
from .project import Parameters, Privacy, VergelijkbareBuurten
from .sources import Layer, Partner, Source, Sources
from .strict import GEMEENTECODE, NAME, REGION_NAME, StrictModel


class GemeenteAanvulling(StrictModel):
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


class GemeentenOutput(StrictModel):
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


class GemeentenConfig(StrictModel):
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
    postgis: PostGIS | None = Field(
        None, description="publish every gemeente's figures and outlines to one PostGIS schema too (by gemeentecode)"
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
