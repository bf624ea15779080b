"""Models of a configuration of one gemeente: ``gemeente:``, ``parameters:``, ``privacy:``, ``uitvoer:`` and the rest.

The whole file is a :class:`ProjectConfig`; its sources are :mod:`.sources`'s models, its
time series :mod:`.timeseries`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from . import described
from .postgis import PostGIS
from .sources import ADDRESS_KEYS, Layer, Partner, Source, Sources, missing_addresses
from .strict import ENV_NAME, GEMEENTECODE, NAME, ConfigFile, StrictModel
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

    code: str = Field(description="de CBS-gemeentecode: GM en vier cijfers", examples=["GM0484"])
    naam: str = Field(description="de naam van de gemeente, zoals de site haar noemt", examples=["Alphen aan den Rijn"])

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

    old_keys: ClassVar[Mapping[str, str]] = {
        "park_layer": "park_laag",
        "park_distance_m": "park_afstand_m",
        "park_min_area_ha": "park_min_oppervlakte_ha",
        "park_types": "park_typen",
    }

    park_laag: str | None = Field(
        None, description="de vlakkenlaag (onder 'lagen') waaruit de parken worden gekozen", examples=["groen"]
    )
    park_afstand_m: float = Field(
        300.0,
        gt=0,
        description="de afstand tot een park die een woning 'bij een park' maakt, in meters",
        examples=[300],
    )
    park_min_oppervlakte_ha: float = Field(
        1.0, ge=0, description="de kleinste oppervlakte van een park, in hectare", examples=[1.0]
    )
    park_typen: list[str] = Field(
        default_factory=lambda: ["groenvoorziening", "park"],
        description="de waarden van de kolom 'type' van de parklaag die een park zijn",
        examples=[["groenvoorziening", "park"]],
    )
    onbewoonde_buurten: list[str] = Field(
        default_factory=list,
        description="buurtcodes van buurten waarvan bekend is dat er (bijna) niemand woont: daar is geen inwoner goed",
        examples=[["BU04840199"]],
    )


class Privacy(StrictModel):
    """Disclosure control: thresholds below which a figure is never published."""

    min_inwoners: int = Field(
        50, ge=0, description="geen enkel cijfer over een buurt of wijk met minder inwoners", examples=[50]
    )
    min_noemer: int = Field(
        10, ge=1, description="geen aandeel of gemiddelde over minder personen, woningen of rijen", examples=[10]
    )
    min_respondenten: int = Field(30, ge=1, description="geen enquêtecijfer over minder respondenten", examples=[30])
    bewaartermijn_dagen: int | None = Field(
        None,
        ge=1,
        description="de bewaartermijn van elke partner zonder eigen bewaartermijn_dagen, in dagen (leeg: bewaren)",
        examples=[365],
    )


class Demo(StrictModel):
    """``demo:``: where and how the embedded demo municipality's files are written before a build."""

    old_keys: ClassVar[Mapping[str, str]] = {"folder": "map", "seed": "startgetal"}

    map: Path = Field(description="de map waarin de bronbestanden van de demogemeente komen", examples=["../data/demo"])
    startgetal: int = Field(
        484,
        description="het startgetal van de toevalsgenerator: hetzelfde getal geeft dezelfde bestanden",
        examples=[484],
    )
    jaar: int = Field(2024, description="2024, of een eerder jaar van dezelfde verzonnen plaats", examples=[2023])


class VergelijkbareBuurten(StrictModel):
    """For every buurt the buurten elsewhere that are most alike in structure (CBS kerncijfers)."""

    kenmerken: list[Kenmerk] = Field(
        default_factory=lambda: list(DEFAULT_KENMERKEN),
        min_length=2,
        description="de kenmerken van de bevolking en bebouwing die vergeleken worden (CBS-kerncijfers)",
        examples=[["bevolkingsdichtheid", "aandeel_65plus", "huishoudensgrootte"]],
    )
    aantal: int = Field(10, ge=1, le=50, description="hoeveel vergelijkbare buurten per buurt", examples=[10])
    zelfde_gemeente: bool = Field(
        False, description="of buurten van de eigen gemeente van de buurt mogen meetellen", examples=[False]
    )
    min_inwoners: int = Field(
        100,
        ge=0,
        description="buurten met minder inwoners worden niet vergeleken en zijn geen vergelijking",
        examples=[100],
    )
    min_met_waarde: int = Field(
        5,
        ge=1,
        description="vergelijk een indicator alleen als minstens zoveel vergelijkbare buurten een waarde hebben",
        examples=[5],
    )
    referentie: Source | None = Field(
        None,
        description="de buurten waarin gezocht wordt (een landelijke kaart; een map of patroon); leeg: bronnen.buurten",
        examples=[{"soort": "cbs_wijkbuurtkaart", "pad": "../data/cbs_wijkbuurtkaart_2024/*/buurt.geojson"}],
    )

    @model_validator(mode="after")
    def _consistent(self) -> VergelijkbareBuurten:
        doubles = sorted({k for k in self.kenmerken if self.kenmerken.count(k) > 1})
        if doubles:
            raise ValueError(f"kenmerken listed twice: {doubles}")
        if self.min_met_waarde > self.aantal:
            raise ValueError(f"min_met_waarde ({self.min_met_waarde}) is more than aantal ({self.aantal})")
        if self.referentie is not None and self.referentie.soort != "cbs_wijkbuurtkaart":
            raise ValueError("referentie must be of soort 'cbs_wijkbuurtkaart'")
        return self


class Output(StrictModel):
    """``uitvoer:``: where a build keeps its database, site, download cache and partner inbox."""

    old_keys: ClassVar[Mapping[str, str]] = {"maps": "kaarten"}

    inbox: Path | None = Field(
        None,
        description="de map waarin partners nieuwe bestanden neerzetten (de sensor let erop)",
        examples=["../data/inbox"],
    )
    database: Path = Field(
        Path("data/datalab.duckdb"),
        description="het databasebestand (DuckDB) van de bouw",
        examples=["../data/datalab.duckdb"],
    )
    kaarten: Path = Field(Path("maps"), description="de map van de gepubliceerde site", examples=["../maps"])
    cache: Path = Field(
        Path("data/cache"),
        description="de map met gedownloade antwoorden, met controlegetal en tijd van ophalen",
        examples=["../data/cache"],
    )
    sleutel_variabele: str | None = Field(
        None,
        description="de NAAM van de omgevingsvariabele met de sleutel die de database versleutelt (nooit de sleutel)",
        examples=["OGW_DATALAB_SLEUTEL"],
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


class ProjectConfig(ConfigFile):
    """The whole configuration file; cross-field rules (unique partner names, address keys need bronnen.adressen)."""

    old_keys: ClassVar[Mapping[str, str]] = {"sources": "bronnen", "layers": "lagen", "output": "uitvoer"}

    gemeente: Gemeente = Field(
        description="de gemeente die deze configuratie bouwt",
        examples=[{"code": "GM0484", "naam": "Alphen aan den Rijn"}],
    )
    jaar: int = Field(
        ge=2000,
        le=2100,
        description="het jaar van de gebiedsindeling (de grenzen van buurten en wijken)",
        examples=[2024],
    )
    demo: Demo | None = Field(
        None,
        description="schrijf de bestanden van de ingebouwde demogemeente voor elke bouw",
        examples=[{"map": "../data/demo", "startgetal": 484}],
    )
    bronnen: Sources = Field(description=described.BRONNEN_DESCRIPTION, examples=[described.BRONNEN_EXAMPLE])
    lagen: dict[Annotated[str, Field(pattern=NAME)], Layer] = Field(
        default_factory=dict, description=described.LAGEN_DESCRIPTION, examples=[described.LAGEN_EXAMPLE]
    )
    partners: list[Partner] = Field(
        default_factory=list, description=described.PARTNERS_DESCRIPTION, examples=[described.PARTNERS_EXAMPLE]
    )
    indicatoren: Path = Field(description=described.INDICATOREN_DESCRIPTION, examples=["demo_indicatoren.yaml"])
    opgaven: Path = Field(description=described.OPGAVEN_DESCRIPTION, examples=["demo_opgaven.yaml"])
    parameters: Parameters = Field(
        default_factory=Parameters,
        description=described.PARAMETERS_DESCRIPTION,
        examples=[described.PARAMETERS_EXAMPLE],
    )
    privacy: Privacy = Field(
        default_factory=Privacy,
        description=described.PRIVACY_DESCRIPTION,
        examples=[described.PRIVACY_EXAMPLE],
    )
    uitvoer: Output = Field(
        default_factory=Output,
        description="waar een bouw zijn database, site, downloadcache en partnerinbox bewaart",
        examples=[{"database": "../data/datalab.duckdb", "kaarten": "../maps"}],
    )
    jaren: dict[int, Path] = Field(
        default_factory=dict,
        description="eerdere CBS-jaren, elk met een eigen configuratiebestand; als Dagster-partities gebouwd, zodat "
        "de kaarten de verandering sindsdien laten zien",
        examples=[{2023: "demo_2023.yaml"}],
    )
    vergelijkbare_buurten: VergelijkbareBuurten | None = Field(
        None, description=described.VERGELIJKBARE_BUURTEN_DESCRIPTION, examples=[{"aantal": 10, "min_met_waarde": 5}]
    )
    tijdreeksen: dict[Annotated[str, Field(pattern=NAME)], Tijdreeks] = Field(
        default_factory=dict, description=described.TIJDREEKSEN_DESCRIPTION, examples=[described.TIJDREEKSEN_EXAMPLE]
    )
    postgis: PostGIS | None = Field(
        None,
        description="publiceer de gepubliceerde cijfers en de grenzen van buurten en wijken ook naar PostGIS",
        examples=[{"dsn_variabele": "OGW_DATALAB_POSTGIS", "schema": "datalab"}],
    )
    config_file: SkipJsonSchema[Path | None] = None

    @model_validator(mode="after")
    def _names_consistent(self) -> ProjectConfig:
        names = [p.naam for p in self.partners]
        doubles = sorted({n for n in names if names.count(n) > 1})
        if doubles:
            raise ValueError(f"partner names must be unique; repeated: {doubles}")
        for partner in self.partners:
            if partner.sleutel in ADDRESS_KEYS and self.bronnen.adressen is None:
                raise ValueError(missing_addresses(partner))
        park = self.parameters.park_laag
        if park is not None and (park not in self.lagen or self.lagen[park].geometrie != "vlakken"):
            raise ValueError(f"parameters.park_laag '{park}' must name a polygon layer (vlakken) under 'lagen'")
        later = sorted(year for year in self.jaren if year >= self.jaar)
        if later:
            raise ValueError(f"jaren: {later} must be earlier than jaar {self.jaar} (the year the maps show)")
        return self

    def indeling(self, level: Literal["buurten", "wijken"]) -> int:
        """Year of the gebiedsindeling of the buurten or wijken source (default: ``jaar``)."""
        return getattr(self.bronnen, level).gebiedsindeling or self.jaar

    def timeseries_files(self) -> dict[str, tuple[Path, bool]]:
        """List every time-series file or glob with whether ``ogw-datalab fetch`` writes it.

        Keyed by its place in the configuration, e.g. ``tijdreeksen.lucht.bronnen.0``.
        """
        named: dict[str, tuple[Path, bool]] = {}
        for name, reeks in self.tijdreeksen.items():
            if reeks.sensoren is not None:
                named[f"tijdreeksen.{name}.sensoren"] = (reeks.sensoren.pad, False)
            for i, bron in enumerate(reeks.bronnen):
                fetched = bron.download is not None
                named[f"tijdreeksen.{name}.bronnen.{i}"] = (bron.pad, fetched)
                if bron.sensoren is not None:
                    named[f"tijdreeksen.{name}.bronnen.{i}.sensoren"] = (bron.sensoren.pad, fetched)
        return named

    def bewaartermijn(self, partner: Partner) -> int | None:
        """Retention in days for ``partner``: its own ``bewaartermijn_dagen``, else ``privacy``'s (None: keep)."""
        return partner.bewaartermijn_dagen or self.privacy.bewaartermijn_dagen

    def all_sources(self) -> dict[str, Source]:
        """Every input file, keyed by its place in the configuration (``bronnen.buurten``, ``lagen.bomen``)."""
        named: dict[str, Source] = {f"bronnen.{k}": v for k, v in self.bronnen if v is not None}
        named.update({f"lagen.{k}": v for k, v in self.lagen.items()})
        named.update({f"partners.{p.naam}": p for p in self.partners})
        if self.vergelijkbare_buurten is not None and self.vergelijkbare_buurten.referentie is not None:
            named["vergelijkbare_buurten.referentie"] = self.vergelijkbare_buurten.referentie
        return named
