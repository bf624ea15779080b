"""Read one configured source file as it is, with its geometry (if any) in EPSG:28992.

The raw layer keeps the file's own columns; renaming, typing and filtering happen in
staging. Two things are cleaned here, in every reader, and counted: CBS sentinel codes
(``-99999999`` and kin) become empty, and empty rows and note lines under a table are dropped.
Every error names the source and the file.

``bronrij`` is the row number a person sees in the file: the line number in a CSV (title
lines and the header counted, as a text editor shows it), the row number in a spreadsheet
(as Excel shows it), and the feature or record number (1-based, in file order) in GIS, JSON
and Parquet files. Dropped rows keep their numbers out of use, so every later row keeps its own.
A source of many files (a folder or pattern) numbers the rows of the merged set, and says in
``bronbestand`` and ``bestandsrij`` which file and feature each came from.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ..config import Source
from ..reader_kinds import READER_KINDS, many_file_kinds
from .clean_values import empty_sentinels
from .locate import LocationError, geometry_from_wkt, points_from_columns, to_rd_new
from .read_areas import read_cbs_areas
from .read_tables import TableError
from .source_files import SourceFilesError, read_vector_files

# The reader kinds read as GIS layers, when this module was imported (the registry is what decides).
VECTOR_KINDS = tuple(name for name, kind in READER_KINDS.items() if kind.is_gis)


class SourceError(ValueError):
    """A source file cannot be read or does not hold what its configuration promises."""


def read_source(name: str, source: Source, *, max_rows: int | None = None) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read ``source`` as configured under ``name``; geometry (if any) in EPSG:28992.

    Parameters
    ----------
    name
        The source's key in the configuration, e.g. ``lagen.bomen`` (used in messages).
    source
        Its configuration: reader kind, path, layer, CRS, table conventions.
    max_rows
        Read only the first rows (``check`` reads a sample); ``None`` reads everything. A source
        of many files is always read whole (once per process).

    The reader is the one the reader-kind registry names for ``source.soort``
    (:mod:`ogw_datalab.reader_kinds`): a GIS reader gives the rows in EPSG:28992 already; the rows
    of a table are located here by ``x``/``y`` or ``wkt`` when configured.

    Returns
    -------
    GeoDataFrame or DataFrame
        The file's columns, with ``bronrij`` first (see the module docstring).
        ``frame.attrs["cleaning"]`` records what was cleaned:
        ``{"sentinels_emptied": {column: n}, "rows_dropped": {"empty": n, "notes": n}}``.
    """
    where = f"{name} ({source.pad.name})"
    if not source.is_pattern and not source.pad.exists():
        raise SourceError(f"{name}: file not found: {source.pad}")
    if source.is_many_files or source.gemeenten:
        return read_many(name, source)
    dropped: dict[str, int] = {}
    emptied: dict[str, int] | None = None
    try:
        if source.reader_kind.is_gis:
            frame = source.reader_kind.read(source, where, max_rows=max_rows)
        else:
            frame, dropped, emptied = read_table(where, source, max_rows=max_rows)
    except (LocationError, TableError) as error:
        raise SourceError(str(error)) from None
    if len(frame) == 0:
        layer = f" in layer '{source.laag}'" if source.laag else ""
        raise SourceError(f"{where}: the file holds no rows{layer}")
    if "bronrij" in frame.columns:
        raise SourceError(f"{where}: the file has a column 'bronrij', a name the pipeline reserves for row numbers")
    if emptied is None:
        emptied = empty_sentinels(frame, decimal=source.decimal_mark)
    numbers = np.asarray(frame.index, dtype=np.int64)
    frame = frame.reset_index(drop=True)
    frame.insert(0, "bronrij", numbers)
    frame.attrs["cleaning"] = {"sentinels_emptied": emptied, "rows_dropped": {"empty": 0, "notes": 0} | dropped}
    return frame


def read_many(name: str, source: Source) -> gpd.GeoDataFrame:
    """Read a source whose path is a folder or pattern (or a CBS kaart read for some gemeenten only).

    The reader kind's ``read_many`` reads the files: CBS area layers are merged by the rules of
    :mod:`ogw_datalab.readers.read_areas` (each area once, :func:`read_kaart_files`); other
    layers keep every feature once (:func:`read_layer_files`). ``bronrij`` numbers the rows of
    the merged set (unique, as for one file); ``bronbestand`` and ``bestandsrij`` say which file
    and row each came from. The files are read once per process; a second gemeente reading the
    same files gets its part from memory. CBS sentinels are empty and counted as for one file
    (for a CBS kaart: over all its files); the kind's ``read_many`` empties them.
    """
    read_files = source.reader_kind.read_many
    if read_files is None:
        raise SourceError(
            f"{name}: a folder as pad is for soorten {', '.join(many_file_kinds())}, not '{source.soort}': {source.pad}"
        )
    try:
        frame, emptied = read_files(source, name)
    except (LocationError, SourceFilesError) as error:
        raise SourceError(str(error)) from None
    if len(frame) == 0:
        only = f" of gemeenten {source.gemeenten}" if source.gemeenten else ""
        raise SourceError(f"{name}: the files {source.pad} hold no features{only}")
    frame.insert(0, "bronrij", range(1, len(frame) + 1))
    frame.attrs["cleaning"] = {"sentinels_emptied": emptied, "rows_dropped": {"empty": 0, "notes": 0}}
    return frame


def read_kaart_files(source: Source, where: str) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Read the areas of a CBS kaart of many files, or of only ``source.gemeenten``; also the sentinels emptied."""
    areas = read_cbs_areas(source.pad, layer=source.laag, crs=source.crs, where=where)
    frame = areas.of_gemeenten(source.gemeenten) if source.gemeenten else areas.frame.copy()
    # the kaart's numbers (of these gemeenten only); its text columns are cleaned here
    emptied = areas.sentinels_of(source.gemeenten) if source.gemeenten else dict(areas.report.sentinels)
    for column, n in empty_sentinels(frame, decimal=source.decimal_mark).items():
        emptied[column] = emptied.get(column, 0) + n
    return frame, emptied


def read_layer_files(source: Source, where: str) -> tuple[gpd.GeoDataFrame, dict[str, int]]:
    """Read the point or polygon features of a folder or pattern of GIS files (each feature once).

    Read and cleaned once per process: a national layer that every gemeente of a run reads is not searched for
    sentinels each time.
    """
    merged = read_vector_files(source.pad, layer=source.laag, crs=source.crs, decimal=source.decimal_mark, where=where)
    return merged.frame, dict(merged.sentinels)


def read_vector(source: Source, where: str, *, max_rows: int | None = None) -> gpd.GeoDataFrame:
    """Read a GeoPackage, GeoJSON or shapefile layer and reproject it to EPSG:28992.

    Rows are indexed by their feature number (1-based, in file order).
    """
    try:  # the layers are listed only to explain a failure: listing opens the file once more (a GeoJSON is parsed)
        frame = pyogrio.read_dataframe(source.pad, layer=source.laag or 0, max_features=max_rows)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        layers = list_layers(source.pad)
        if source.laag is not None and layers and source.laag not in layers:
            listed = _listed(layers)
            raise SourceError(f"{where}: the file has no layer {source.laag!r}; its layers are {listed}") from None
        raise SourceError(_unreadable(where, source, layers, error)) from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise SourceError(f"{where}: the file has no geometry column")
    frame.columns = [str(c).strip() if c != frame.geometry.name else c for c in frame.columns]
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="bronrij")
    return to_rd_new(frame, source.crs, where)


def list_layers(path: Path) -> list[str]:
    """List the layer names of a GIS file ([] when GDAL cannot open it)."""
    try:
        return [str(layer[0]) for layer in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError:
        return []


def _listed(layers: list[str]) -> str:
    return ", ".join(repr(layer) for layer in layers)


def _unreadable(where: str, source: Source, layers: list[str], error: Exception) -> str:
    reason = str(error).strip().splitlines()[0] if str(error).strip() else "GDAL gave no reason"
    if not layers:
        return f"{where}: GDAL cannot read the file as a GIS file (GeoPackage, GeoJSON, shapefile, ...): {reason}"
    layer = source.laag or layers[0]
    return f"{where}: cannot read layer {layer!r} (the file has layers {_listed(layers)}): {reason}"


def read_table(
    where: str, source: Source, *, max_rows: int | None = None
) -> tuple[pd.DataFrame | gpd.GeoDataFrame, dict[str, int], dict[str, int]]:
    """Read a table (CSV, XLSX, JSON, Parquet, ...) with its kind's reader; with x/y or WKT, rows become geometry.

    Sentinels are emptied before coordinates are parsed, so a ``-99999999`` coordinate
    means "no location" instead of a point far outside the Netherlands.

    Returns
    -------
    frame, dropped, emptied
        The table (indexed by row number in the file), the rows dropped by the table reader,
        and the sentinels emptied per column.
    """
    frame: Any
    frame = source.reader_kind.read(source, where, max_rows=max_rows)
    dropped = frame.attrs.pop("rows_dropped", {})
    emptied = empty_sentinels(frame, decimal=source.decimal_mark)
    if isinstance(frame, gpd.GeoDataFrame):
        return to_rd_new(frame, source.crs, where), dropped, emptied
    if source.x and source.y:
        located = points_from_columns(frame, source.x, source.y, source.decimal_mark, source.crs, where)
        return to_rd_new(located, None, where), dropped, emptied
    if source.wkt:
        located = geometry_from_wkt(frame, source.wkt, source.crs, where)
        return to_rd_new(located, None, where), dropped, emptied
    return frame, dropped, emptied
