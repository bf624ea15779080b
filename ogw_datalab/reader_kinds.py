"""The reader-kind registry: one declaration per ``soort`` a source, layer or partner may have.

The configuration's allowed kinds and the options each kind allows, the dispatch of
:func:`~ogw_datalab.readers.read_source` and the file extensions the partner inbox accepts all
follow from it; no other module lists reader kinds.

Adding a reader kind is one :class:`ReaderKind` entry in :data:`READER_KINDS` plus its reader
function, ``read(source, where, *, max_rows=None)``, which returns the file's rows indexed by
their row number in the file (see :mod:`ogw_datalab.readers.read_source`). The library's own
readers are named by module and function (:class:`LazyReader`) and imported on first use, so
that importing the configuration never imports geopandas, pyogrio or DuckDB.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    import pandas as pd

    from .config import Source

# Where a kind's geometry comes from: the GIS file's own ('file'); the file's own if it has one, else x/y or
# WKT columns ('file_or_columns', GeoParquet); only x/y or WKT columns ('columns', plain tables).
Geometry = Literal["file", "file_or_columns", "columns"]
# The decimal mark of numbers written as text: the source's 'decimaalteken', or '.' where the file stores numbers.
DecimalMark = Literal["configured", "."]
# Options for coordinates as columns: allowed on every kind whose geometry need not be the file's own.
TABLE_OPTIONS = ("x", "y", "wkt")
# Options only the kinds that list them in ReaderKind.options allow; every other option is common to all kinds.
KIND_OPTIONS = ("sleutelkolom", "veldnamen_pad", "gemeenten")
GIS_EXTENSIONS = (".gpkg", ".geojson", ".json", ".fgb")  # one-file GIS formats a partner may deliver


class ReadFile(Protocol):
    """The reader of one file."""

    def __call__(self, source: Source, where: str, *, max_rows: int | None = None) -> pd.DataFrame:
        """Read ``source``'s file (only the first ``max_rows`` rows when given), rows indexed by row number.

        ``where`` names the source and file in messages; a table's reader may count the rows it dropped in
        ``frame.attrs["rows_dropped"]``.
        """


class ReadFiles(Protocol):
    """The reader of a folder or glob pattern of files."""

    def __call__(self, source: Source, where: str) -> tuple[pd.DataFrame, dict[str, int]]:
        """Read every file ``source.pad`` names into one frame, CBS sentinels emptied; count them per column."""


@dataclass(frozen=True)
class LazyReader:
    """A reader function named by its module and name, imported when first called.

    Attributes
    ----------
    module
        The module's dotted name, e.g. ``ogw_datalab.readers.read_tables``.
    function
        The function's name in that module.
    """

    module: str
    function: str

    def load(self) -> Callable[..., Any]:
        """Import the module and return the function."""
        return getattr(importlib.import_module(self.module), self.function)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call the function."""
        return self.load()(*args, **kwargs)


def _readers(function: str) -> LazyReader:
    module, _, name = function.rpartition(".")
    return LazyReader(f"ogw_datalab.readers.{module}", name)


@dataclass(frozen=True)
class ReaderKind:
    """Everything about one reader kind.

    Attributes
    ----------
    name
        The ``soort`` in the configuration.
    description
        What it reads, in one line.
    read
        The reader of one file (:class:`ReadFile`).
    geometry
        Where rows get their geometry (see :data:`Geometry`). A kind whose geometry is the file's own
        is read by GDAL as a GIS layer; the other kinds are tables, located by ``x``/``y`` or ``wkt``.
    extensions
        The file extensions (lower case, with the dot) the partner inbox accepts for it.
    files
        How the inbox names such files to a partner, in Dutch (``CSV-bestanden``).
    read_many
        The reader of a folder or glob pattern of files (:class:`ReadFiles`); None when the kind reads
        one file only.
    decimal_mark
        Whether numbers written as text use the source's ``decimaalteken`` or ``.``.
    options
        The options of :data:`KIND_OPTIONS` this kind allows.
    """

    name: str
    description: str
    read: ReadFile
    geometry: Geometry
    extensions: tuple[str, ...]
    files: str
    read_many: ReadFiles | None = None
    decimal_mark: DecimalMark = "."
    options: tuple[str, ...] = ()

    @property
    def is_gis(self) -> bool:
        """Whether a file of this kind is read as a GIS layer (its geometry is the file's own)."""
        return self.geometry == "file"

    def allows(self, option: str) -> bool:
        """Whether a source of this kind may set ``option`` (a key of the source's configuration)."""
        if option in TABLE_OPTIONS:
            return not self.is_gis
        return option not in KIND_OPTIONS or option in self.options


def _kinds(*kinds: ReaderKind) -> dict[str, ReaderKind]:
    return {k.name: k for k in kinds}


READER_KINDS: dict[str, ReaderKind] = _kinds(
    ReaderKind(
        "cbs_wijkbuurtkaart",
        "a layer of the CBS wijk- en buurtkaart (buurten, wijken or gemeenten with their kerncijfers)",
        _readers("read_source.read_vector"),
        "file",
        GIS_EXTENSIONS,
        "GIS-bestanden",
        read_many=_readers("read_source.read_kaart_files"),
        options=("gemeenten",),
    ),
    ReaderKind(
        "bag_verblijfsobjecten",
        "BAG address points (verblijfsobjecten)",
        _readers("read_source.read_vector"),
        "file",
        GIS_EXTENSIONS,
        "GIS-bestanden",
    ),
    ReaderKind(
        "vector",
        "any point or polygon layer GDAL reads (GeoPackage, GeoJSON, shapefile, ...)",
        _readers("read_source.read_vector"),
        "file",
        GIS_EXTENSIONS,
        "GIS-bestanden",
        read_many=_readers("read_source.read_layer_files"),
    ),
    ReaderKind(
        "csv",
        "a text table, with Dutch habits (';', decimal comma, title lines above the header)",
        _readers("read_tables.read_csv_table"),
        "columns",
        (".csv", ".txt"),
        "CSV-bestanden",
        decimal_mark="configured",
    ),
    ReaderKind(
        "xlsx",
        "one sheet of a spreadsheet, its header found as in a CSV",
        _readers("read_tables.read_xlsx_table"),
        "columns",
        (".xlsx", ".xlsm"),
        "Excel-bestanden",
    ),
    ReaderKind(
        "json",
        "JSON records, nested values flattened into columns",
        _readers("read_tables.read_json_table"),
        "columns",
        (".json", ".geojson"),
        "JSON-bestanden",
        options=("sleutelkolom", "veldnamen_pad"),
    ),
    ReaderKind(
        "parquet",
        "Parquet, or GeoParquet with its geometry and CRS",
        _readers("read_tables.read_parquet_table"),
        "file_or_columns",
        (".parquet", ".geoparquet"),
        "Parquet-bestanden",
    ),
)


def reader_kind(name: object) -> ReaderKind:
    """Return the registry entry of ``name``.

    Raises
    ------
    ValueError
        When no reader kind has that name, listing the kinds there are.
    """
    if isinstance(name, str) and name in READER_KINDS:
        return READER_KINDS[name]
    raise ValueError(f"unknown reader kind {name!r}; choose one of {', '.join(READER_KINDS)}")


def kinds_allowing(option: str) -> list[str]:
    """List the reader kinds that allow ``option``, in registry order."""
    return [name for name, kind in READER_KINDS.items() if kind.allows(option)]


def many_file_kinds() -> list[str]:
    """List the reader kinds that read a folder or pattern of files, in registry order."""
    return [name for name, kind in READER_KINDS.items() if kind.read_many is not None]
