"""Models of the input files: ``bronnen:``, ``lagen:`` and ``partners:``, and where ``fetch`` downloads them.

Which reader kinds there are, and which options each allows, is the reader-kind registry's
(:mod:`ogw_datalab.reader_kinds`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import Field, field_validator, model_validator

from ..reader_kinds import READER_KINDS, ReaderKind, kinds_allowing, many_file_kinds, reader_kind
from .strict import GEMEENTECODE, NAME, StrictModel

PartnerKey = Literal["buurtcode", "wijkcode", "postcode", "bag_id", "adres", "coordinaten"]
PARTNER_KEYS: tuple[str, ...] = get_args(PartnerKey)
DownloadKind = Literal["pdok_ogc_features", "cbs_odata", "bestand"]
Geometrie = Literal["punten", "vlakken"]
# What a layer's geometrie is called in code (FormulaType.layer, the staging steps) -> its value in the file.
GEOMETRIE: dict[str, Geometrie] = {"points": "punten", "polygons": "vlakken"}
DOWNLOAD_KINDS: tuple[str, ...] = get_args(DownloadKind)
GLOB_CHARACTERS = ("*", "?", "[")
# Columns each partner key needs under 'kolommen' (coordinates come from x/y, wkt or the file's geometry).
KEY_COLUMNS: dict[str, list[str]] = {
    "buurtcode": ["buurtcode"],
    "wijkcode": ["wijkcode"],
    "postcode": ["postcode"],
    "bag_id": ["bag_id"],
    "adres": ["postcode", "huisnummer"],
    "coordinaten": [],
}
# Keys placed through BAG addresses, which need bronnen.adressen.
ADDRESS_KEYS = ("postcode", "bag_id", "adres")


def _reader_kinds_enum(schema: dict[str, Any]) -> None:
    """JSON Schema of ``soort``: one of the registered reader kinds."""
    schema["enum"] = list(READER_KINDS)


def _named_kinds(kinds: list[str]) -> str:
    return f"soort '{kinds[0]}'" if len(kinds) == 1 else "soorten " + ", ".join(f"'{k}'" for k in kinds)


class Download(StrictModel):
    """Where ``ogw-datalab fetch`` gets a source file from (network code lives in ``ogw_datalab.fetch``)."""

    old_keys: ClassVar[Mapping[str, str]] = {"kind": "soort", "limit": "per_pagina"}
    old_values: ClassVar[Mapping[str, Mapping[str, str]]] = {"soort": {"file": "bestand"}}

    soort: DownloadKind = Field(
        description="waar het bestand vandaan komt: pdok_ogc_features (een collectie van een PDOK OGC API Features), "
        "cbs_odata (een tabel van CBS) of bestand (een bestand op een URL)",
        examples=["pdok_ogc_features"],
    )
    url: str = Field(
        description="PDOK: de URL van de items van de collectie; CBS: de URL van de tabel; bestand: de URL van het "
        "bestand",
        examples=["https://api.pdok.nl/lv/bgt/ogc/v1/collections/begroeidterreindeel/items"],
    )
    bbox: tuple[float, float, float, float] | None = Field(
        None,
        description="PDOK: alleen de objecten in dit kader: minx, miny, maxx, maxy in RD New (EPSG:28992)",
        examples=[[100000, 455000, 110000, 465000]],
    )
    per_pagina: int = Field(1000, ge=1, le=10_000, description="PDOK: objecten per verzoek", examples=[1000])


class Source(StrictModel):
    """One input file and how to read it."""

    old_keys: ClassVar[Mapping[str, str]] = {
        "kind": "soort",
        "path": "pad",
        "layer": "laag",
        "columns": "kolommen",
        "keep": "alleen",
        "geometry": "geometrie",
        "separator": "scheidingsteken",
        "decimal": "decimaalteken",
        "encoding": "tekenset",
        "skip_rows": "titelregels",
        "header_names": "kolomnamen",
        "na_values": "leeg_als",
        "sheet": "werkblad",
        "record_path": "records_pad",
        "key_column": "sleutelkolom",
        "fields_path": "veldnamen_pad",
    }
    old_values: ClassVar[Mapping[str, Mapping[str, str]]] = {"geometrie": {"points": "punten", "polygons": "vlakken"}}

    soort: str = Field(
        json_schema_extra=_reader_kinds_enum,
        description="hoe het bestand gelezen wordt: cbs_wijkbuurtkaart, bag_verblijfsobjecten, vector (GeoJSON, "
        "GeoPackage, shapefile), csv, xlsx, json of parquet",
        examples=["vector"],
    )
    pad: Path = Field(
        description="het bestand, ten opzichte van de map van dit configuratiebestand; voor de soorten die meer "
        "bestanden lezen ook een map of een patroon (*, ?, [)",
        examples=["../data/bomen.geojson"],
    )
    download: Download | None = Field(
        None,
        description="waar 'ogw-datalab fetch' dit bestand ophaalt (de enige opdracht die het netwerk gebruikt)",
        examples=[{"soort": "bestand", "url": "https://example.org/bomen.geojson"}],
    )
    laag: str | None = Field(
        None, description="de laag in een GeoPackage of ander bestand met meer lagen", examples=["buurten"]
    )
    crs: str | None = Field(
        None,
        description="het coördinatenstelsel, als het bestand er geen noemt of een verkeerde",
        examples=["EPSG:28992"],
    )
    kolommen: dict[str, str] = Field(
        default_factory=dict,
        description="onze kolomnaam -> de kolom in het bestand",
        examples=[{"id": "BOOMNUMMER", "naam": "Naam"}],
    )
    alleen: dict[str, list[str]] = Field(
        default_factory=dict,
        description="houd alleen de rijen waarvan deze kolom (onze naam, onder 'kolommen') een van deze waarden heeft",
        examples=[{"type": ["niet-bgt:speelvoorziening"]}],
    )
    geometrie: Geometrie | None = Field(
        None, description="lagen: wat de objecten zijn, punten of vlakken", examples=["punten"]
    )
    # Tables (the kinds whose geometry need not be the file's own) with coordinates or geometry as text.
    x: str | None = Field(
        None, description="tabellen: de kolom met de x-coördinaat of de lengtegraad", examples=["lon"]
    )
    y: str | None = Field(
        None, description="tabellen: de kolom met de y-coördinaat of de breedtegraad", examples=["lat"]
    )
    wkt: str | None = Field(
        None, description="tabellen: de kolom met de geometrie als WKT-tekst", examples=["geometrie"]
    )
    # Dutch CSV and spreadsheet conventions.
    scheidingsteken: str = Field(";", description="CSV: het teken tussen de velden van een regel", examples=[";"])
    decimaalteken: str = Field(",", description="CSV: het decimaalteken van getallen", examples=[","])
    tekenset: str = Field("utf-8-sig", description="de tekenset van een tekstbestand", examples=["cp1252"])
    titelregels: int | None = Field(
        None,
        ge=0,
        description="het aantal titelregels boven de kopregel (leeg: vanzelf gevonden)",
        examples=[3],
    )
    kolomnamen: list[str] | None = Field(
        None,
        description="de kolomnamen, als het bestand geen bruikbare kopregel heeft: één per kolom, in de volgorde "
        "van het bestand",
        examples=[["buurtcode", "buurtnaam", "inkomen"]],
    )
    leeg_als: list[str] = Field(
        default_factory=lambda: [".", "", "-", "x"],
        description="celwaarden die 'geen gegevens' betekenen",
        examples=[[".", "", "-", "x"]],
    )
    werkblad: str | int = Field(
        0, description="spreadsheets: het werkblad, bij naam of nummer (0 is het eerste)", examples=["Tabel 1"]
    )
    # JSON records: where they are and how nested values are named.
    records_pad: str = Field(
        "",
        description="JSON: het pad (met punten) naar de lijst of mapping van records; leeg is het hoogste niveau",
        examples=["data.items"],
    )
    sleutelkolom: str | None = Field(
        None, description="JSON: de kolomnaam voor de sleutels als de records een mapping zijn", examples=["code"]
    )
    veldnamen_pad: str | None = Field(
        None,
        description="JSON: het pad (met punten) naar de veldnamen van records die lijsten zijn",
        examples=["meta.velden"],
    )
    gebiedsindeling: int | None = Field(
        None,
        description="het jaar van de gebiedsindeling (buurt- en wijkcodes) in het bestand; leeg: 'jaar'",
        examples=[2023],
    )
    verversing_dagen: int | None = Field(
        None,
        ge=1,
        description="hoe vaak het bestand ververst wordt, in dagen: een ouder bestand heet verouderd",
        examples=[365],
    )
    gemeenten: list[str] | None = Field(
        None,
        description="cbs_wijkbuurtkaart: lees alleen de gebieden van deze gemeenten (gezet voor elke gemeente als "
        "een configuratie van meer gemeenten wordt gesplitst)",
        examples=[["GM0484"]],
    )

    @field_validator("soort", mode="before")
    @classmethod
    def _registered_kind(cls, value: object) -> object:
        return reader_kind(value).name

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
    def reader_kind(self) -> ReaderKind:
        """The registry entry of this source's ``soort`` (:mod:`ogw_datalab.reader_kinds`)."""
        return reader_kind(self.soort)

    @property
    def decimal_mark(self) -> str:
        """Decimal mark of numbers as text: the configured one where the kind says so (CSV); else the kind's own."""
        mark = self.reader_kind.decimal_mark
        return self.decimaalteken if mark == "configured" else mark

    @model_validator(mode="after")
    def _consistent(self) -> Source:
        unmapped = [c for c in self.alleen if c not in self.kolommen]
        if unmapped:
            raise ValueError(f"'alleen' refers to {unmapped}, which are not mapped under 'kolommen'")
        if (self.x is None) != (self.y is None):
            raise ValueError("give both 'x' and 'y' columns, or neither")
        kind = self.reader_kind
        if (self.x or self.wkt) and not kind.allows("x"):
            tables = ", ".join(kinds_allowing("x"))
            raise ValueError(f"'x'/'y' and 'wkt' are for tables ({tables}), not soort '{self.soort}'")
        if (self.sleutelkolom or self.veldnamen_pad) and not kind.allows("sleutelkolom"):
            raise ValueError(
                f"'sleutelkolom' and 'veldnamen_pad' are for {_named_kinds(kinds_allowing('sleutelkolom'))}"
            )
        if self.gemeenten is not None and not kind.allows("gemeenten"):
            raise ValueError(f"'gemeenten' is for {_named_kinds(kinds_allowing('gemeenten'))}")
        if self.is_pattern:
            if kind.read_many is None:
                raise ValueError(f"a pattern as pad is for soorten {', '.join(many_file_kinds())}, not '{self.soort}'")
            if self.download is not None or self.verversing_dagen is not None:
                raise ValueError("'download' and 'verversing_dagen' need one file as pad, not a pattern")
        return self

    @property
    def is_pattern(self) -> bool:
        """Whether ``pad`` is a glob pattern (``*``, ``?``, ``[``) naming several files."""
        return any(character in str(self.pad) for character in GLOB_CHARACTERS)

    @property
    def is_many_files(self) -> bool:
        """Whether ``pad`` names several files: a pattern, or an existing folder."""
        return self.is_pattern or self.pad.is_dir()


class Layer(Source):
    """A point or polygon layer of open data (trees, green, playgrounds, facilities, ...)."""

    geometrie: Geometrie = Field(description="wat de objecten van de laag zijn: punten of vlakken", examples=["punten"])


class Partner(Source):
    """A partner data set (housing corporation, GGD, police, ...), placed in buurten by its key."""

    old_keys: ClassVar[Mapping[str, str]] = {
        **Source.old_keys,
        "name": "naam",
        "key": "sleutel",
        "publisher": "uitgever",
    }

    naam: Annotated[str, Field(pattern=NAME)] = Field(
        description="de naam van de partnerdataset: kleine letters, cijfers en _", examples=["ggd"]
    )
    sleutel: PartnerKey = Field(
        description="hoe een rij in een buurt komt: buurtcode, wijkcode, postcode, bag_id, adres (postcode en "
        "huisnummer) of coordinaten",
        examples=["buurtcode"],
    )
    uitgever: str = Field("", description="wie de gegevens levert (voor de colofon)", examples=["GGD Hollands Midden"])
    min_koppelpercentage: float = Field(
        0.9,
        ge=0,
        le=1,
        description="het aandeel rijen dat in een buurt moet komen (0 tot 1); daaronder wordt niets gepubliceerd",
        examples=[0.9],
    )
    bewaartermijn_dagen: int | None = Field(
        None,
        ge=1,
        description="bewaartermijn: rijen en bestanden van deze partner die ouder zijn, worden verwijderd",
        examples=[365],
    )

    @model_validator(mode="after")
    def _key_columns_present(self) -> Partner:
        missing = [c for c in KEY_COLUMNS[self.sleutel] if c not in self.kolommen]
        if missing:
            raise ValueError(f"sleutel '{self.sleutel}' needs a column mapping for {missing} under 'kolommen'")
        if self.sleutel == "coordinaten" and self.reader_kind.geometry == "columns" and not (self.x or self.wkt):
            raise ValueError(f"sleutel 'coordinaten' on a {self.soort} file needs 'x' and 'y' (with 'crs') or 'wkt'")
        return self


class Sources(StrictModel):
    """``bronnen:``: the files of the buurten, the wijken and (optionally) the addresses of homes."""

    buurten: Source = Field(
        description="het bestand met de buurten (CBS wijk- en buurtkaart)",
        examples=[{"soort": "cbs_wijkbuurtkaart", "pad": "../data/wijkenbuurten_2024.gpkg", "laag": "buurten"}],
    )
    wijken: Source = Field(
        description="het bestand met de wijken (CBS wijk- en buurtkaart)",
        examples=[{"soort": "cbs_wijkbuurtkaart", "pad": "../data/wijkenbuurten_2024.gpkg", "laag": "wijken"}],
    )
    adressen: Source | None = Field(
        None,
        description="de adressen van de woningen (BAG-verblijfsobjecten): voor indicatoren per woning en partners "
        "met adressen",
        examples=[{"soort": "bag_verblijfsobjecten", "pad": "../data/bag-light.gpkg", "laag": "verblijfsobject"}],
    )


def missing_addresses(partner: Partner) -> str:
    """Say in one sentence that a partner's key needs BAG addresses that are not configured."""
    return (
        f"partners.{partner.naam}: sleutel '{partner.sleutel}' places rows through BAG addresses, "
        "but bronnen.adressen is not configured; add the BAG addresses there or choose another sleutel"
    )
