"""Read one configured source file as it is, with its geometry (if any) in EPSG:28992.

The raw layer keeps the file's own columns; renaming, cleaning and filtering happen in
staging. Every error names the source and the file.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from ..config import Source
from .locate import LocationError, geometry_from_wkt, points_from_columns, to_rd_new
from .read_areas import SENTINEL_MAX, read_cbs_areas
from .read_tables import TableError, read_csv_table, read_json_table, read_parquet_table, read_xlsx_table
from .source_files import SourceFilesError, read_vector_files

VECTOR_KINDS = ("cbs_wijkbuurtkaart", "bag_verblijfsobjecten", "vector")
TABLE_READERS = {"csv": read_csv_table, "xlsx": read_xlsx_table, "json": read_json_table, "parquet": read_parquet_table}


class SourceError(ValueError):
    """A source file cannot be read or does not hold what its configuration promises."""


def read_source(name: str, source: Source) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read ``source`` as configured under ``name``; geometry (if any) in EPSG:28992.

    Parameters
    ----------
    name
        The source's key in the configuration, e.g. ``layers.bomen`` (used in messages).
    source
        Its configuration: reader kind, path, layer, CRS, table conventions.
    """
    where = f"{name} ({source.path.name})"
    if not source.is_pattern and not source.path.exists():
        raise SourceError(f"{name}: file not found: {source.path}")
    if source.is_many_files or (source.kind == "cbs_wijkbuurtkaart" and source.gemeenten):
        return read_many(name, source)
    try:
        frame = read_vector(where, source) if source.kind in VECTOR_KINDS else read_table(where, source)
    except (LocationError, TableError) as error:
        raise SourceError(str(error)) from None
    if len(frame) == 0:
        layer = f" in layer '{source.layer}'" if source.layer else ""
        raise SourceError(f"{where}: the file holds no rows{layer}")
    if "bronrij" in frame.columns:
        raise SourceError(f"{where}: the file has a column 'bronrij', a name the pipeline reserves for row numbers")
    frame.insert(0, "bronrij", range(1, len(frame) + 1))  # 1-based data row, for messages and quarantine
    return frame


def read_many(name: str, source: Source) -> gpd.GeoDataFrame:
    """A source whose path is a folder or pattern (or a CBS kaart read for some gemeenten only).

    CBS area layers are merged by the rules of :mod:`ogw_datalab.readers.read_areas` (each
    area once); other layers keep every feature once (:func:`read_vector_files`). ``bronrij``
    numbers the rows of the merged set (unique, as for one file); ``bronbestand`` and
    ``bestandsrij`` say which file and row each came from. The files are read once per
    process; a second gemeente reading the same files gets its part from memory.
    """
    try:
        if source.kind == "cbs_wijkbuurtkaart":
            areas = read_cbs_areas(source.path, layer=source.layer, crs=source.crs, where=name)
            frame = areas.of_gemeenten(source.gemeenten) if source.gemeenten else areas.frame.copy()
        else:
            frame = read_vector_files(source.path, layer=source.layer, crs=source.crs, where=name).frame
    except (LocationError, SourceFilesError) as error:
        raise SourceError(str(error)) from None
    if len(frame) == 0:
        only = f" of gemeenten {source.gemeenten}" if source.gemeenten else ""
        raise SourceError(f"{name}: the files {source.path} hold no features{only}")
    frame.insert(0, "bronrij", range(1, len(frame) + 1))
    return frame


def read_vector(where: str, source: Source) -> gpd.GeoDataFrame:
    """Read a GeoPackage, GeoJSON or shapefile layer and reproject it to EPSG:28992."""
    try:
        frame = pyogrio.read_dataframe(source.path, layer=source.layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        layers = _layers(source.path)
        raise SourceError(
            f"{where}: cannot read layer {source.layer!r}; the file has layers {layers}: {error}"
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise SourceError(f"{where}: the file has no geometry column")
    frame.columns = [str(c).strip() if c != frame.geometry.name else c for c in frame.columns]
    if source.kind == "cbs_wijkbuurtkaart":
        frame = _cbs_secrets_empty(frame)
    return to_rd_new(frame, source.crs, where)


def _cbs_secrets_empty(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """CBS figures of -99995 or lower (secret, unreliable) as missing values, also where a partner reads the kaart."""
    for column in frame.columns:
        if column != frame.geometry.name and pd.api.types.is_numeric_dtype(frame[column]):
            secret = frame[column] <= SENTINEL_MAX
            if secret.any():
                frame[column] = frame[column].astype(float).where(~secret)
    return frame


def _layers(path: Path) -> list[str]:
    try:
        return [str(layer[0]) for layer in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError:
        return []


def read_table(where: str, source: Source) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read a CSV, XLSX, JSON or Parquet table; with x/y or WKT configured, rows become geometry."""
    frame = TABLE_READERS[source.kind](source, where)
    if isinstance(frame, gpd.GeoDataFrame):
        return to_rd_new(frame, source.crs, where)
    if source.x and source.y:
        located = points_from_columns(frame, source.x, source.y, source.decimal_mark, source.crs, where)
        return to_rd_new(located, None, where)
    if source.wkt:
        located = geometry_from_wkt(frame, source.wkt, source.crs, where)
        return to_rd_new(located, None, where)
    return frame
