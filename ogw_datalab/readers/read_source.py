"""Read one configured source file as it is, with its geometry in EPSG:28992.

The raw layer keeps the file's own columns; renaming, cleaning and filtering happen in
staging. Every error names the source and the file.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from ..config import Source

RD_NEW = "EPSG:28992"
VECTOR_KINDS = ("cbs_wijkbuurtkaart", "bag_verblijfsobjecten", "vector")


class SourceError(ValueError):
    """A source file cannot be read or does not hold what its configuration promises."""


def read_source(name: str, source: Source) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read ``source`` as configured under ``name``; geometry (if any) in EPSG:28992.

    Parameters
    ----------
    name
        The source's key in the configuration (used in error messages).
    source
        Its configuration: reader kind, path, layer, CRS, csv conventions.
    """
    if not source.path.exists():
        raise SourceError(f"{name}: file not found: {source.path}")
    if source.kind in VECTOR_KINDS:
        frame = read_vector(name, source)
    else:
        frame = read_csv(name, source)
    if len(frame) == 0:
        raise SourceError(
            f"{name}: {source.path} holds no rows" + (f" in layer '{source.layer}'" if source.layer else "")
        )
    return frame


def read_vector(name: str, source: Source) -> gpd.GeoDataFrame:
    """Read a GeoPackage, GeoJSON or shapefile layer and reproject it to EPSG:28992."""
    try:
        frame = pyogrio.read_dataframe(source.path, layer=source.layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        layers = _layers(source.path)
        raise SourceError(
            f"{name}: cannot read {source.path} (layer {source.layer!r}; the file has {layers}): {error}"
        ) from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise SourceError(f"{name}: {source.path} has no geometry column")
    return _to_rd_new(name, source, frame)


def _layers(path: Path) -> list[str]:
    try:
        return [str(layer[0]) for layer in pyogrio.list_layers(path)]
    except pyogrio.errors.DataSourceError:
        return []


def _to_rd_new(name: str, source: Source, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if source.crs is not None:
        frame = frame.set_crs(source.crs, allow_override=True)
    elif frame.crs is None:
        raise SourceError(f"{name}: {source.path} declares no CRS; set 'crs' for this source in the configuration")
    frame = frame.to_crs(RD_NEW)
    return frame.rename_geometry("geometry") if frame.geometry.name != "geometry" else frame


def read_csv(name: str, source: Source) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read a CSV as text columns (keeping leading zeros and padded codes as they are).

    With ``x``/``y`` configured, rows become points; rows whose coordinates are empty or
    not numbers keep a NULL geometry, so that the join can count them as unlocated.
    """
    try:
        frame = pd.read_csv(
            source.path,
            sep=source.separator,
            encoding=source.encoding,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=False,
        )
    except (UnicodeDecodeError, pd.errors.ParserError) as error:
        raise SourceError(
            f"{name}: cannot parse {source.path} as CSV with separator {source.separator!r} "
            f"and encoding {source.encoding}: {error}"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if source.x is None:
        return frame
    for column in (source.x, source.y):
        if column not in frame.columns:
            raise SourceError(f"{name}: {source.path} has no column {column!r}; columns are {list(frame.columns)}")
    x = _numbers(frame[source.x], source.decimal)
    y = _numbers(frame[source.y], source.decimal)
    points = gpd.points_from_xy(x, y)
    points[np.isnan(x) | np.isnan(y)] = None
    located = gpd.GeoDataFrame(frame, geometry=points, crs=source.crs)
    return _to_rd_new(name, source, located)


def _numbers(text: pd.Series, decimal: str) -> np.ndarray:
    cleaned = text.str.strip()
    if decimal != ".":
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(decimal, ".", regex=False)
    return pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float)
