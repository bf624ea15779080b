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

    soort: DownloadKind
    url: str = Field(description="PDOK: the collection's items URL; CBS: the table URL; bestand: the file URL")
    bbox: tuple[float, float, float, float] | None = Field(None, description="PDOK: minx, miny, maxx, maxy in RD New")
    per_pagina: int = Field(1000, ge=1, le=10_000)


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

    soort: str = Field(json_schema_extra=_reader_kinds_enum)
    pad: Path
    download: Download | None = None
    laag: str | None = None
    crs: str | None = Field(None, description="CRS when the file declares none, or a wrong one")
    kolommen: dict[str, str] = Field(default_factory=dict, description="our column name -> column in the file")
    alleen: dict[str, list[str]] = Field(
        default_factory=dict, description="keep only rows whose column has one of these values"
    )
    geometrie: Geometrie | None = Field(None, description="layers: what the features are")
    # Tables (the kinds whose geometry need not be the file's own) with coordinates or geometry as text.
    x: str | None = Field(None, description="column with x or longitude")
    y: str | None = Field(None, description="column with y or latitude")
    wkt: str | None = Field(None, description="column with geometry as WKT")
    # Dutch CSV and spreadsheet conventions.
    scheidingsteken: str = ";"
    decimaalteken: str = ","
    tekenset: str = "utf-8-sig"
    titelregels: int | None = Field(None, ge=0, description="title lines above the header (found by itself if unset)")
    kolomnamen: list[str] | None = Field(None, description="column names when the file has no usable header")
    leeg_als: list[str] = Field(default_factory=lambda: [".", "", "-", "x"], description="cells meaning 'no data'")
    werkblad: str | int = 0
    # JSON records: where they are and how nested values are named.
    records_pad: str = Field("", description="dotted path to the list or mapping of records; '' is the top level")
    sleutelkolom: str | None = Field(None, description="name for the keys when the records are a mapping")
    veldnamen_pad: str | None = Field(None, description="dotted path to field names of positional records")
    gebiedsindeling: int | None = Field(None, description="year of the area codes (buurt-/wijkcodes) in the file")
    verversing_dagen: int | None = Field(None, ge=1, description="expected update cycle: older files are stale")
    gemeenten: list[str] | None = Field(
        None,
        description="cbs_wijkbuurtkaart: read only the areas of these gemeenten (set for each gemeente when a "
        "configuration of several gemeenten is split)",
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

    geometrie: Geometrie


class Partner(Source):
    """A partner data set (housing corporation, GGD, police, ...), placed in buurten by its key."""

    old_keys: ClassVar[Mapping[str, str]] = {
        **Source.old_keys,
        "name": "naam",
        "key": "sleutel",
        "publisher": "uitgever",
    }

    naam: Annotated[str, Field(pattern=NAME)]
    sleutel: PartnerKey
    uitgever: str = ""
    min_koppelpercentage: float = Field(0.9, ge=0, le=1, description="below this match rate nothing is republished")
    bewaartermijn_dagen: int | None = Field(
        None, ge=1, description="retention: rows and files of this partner older than this are deleted"
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

    buurten: Source
    wijken: Source
    adressen: Source | None = None


def missing_addresses(partner: Partner) -> str:
    """Say in one sentence that a partner's key needs BAG addresses that are not configured."""
    return (
        f"partners.{partner.naam}: sleutel '{partner.sleutel}' places rows through BAG addresses, "
        "but bronnen.adressen is not configured; add the BAG addresses there or choose another sleutel"
    )
