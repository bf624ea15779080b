"""Turn coordinates into geometry in EPSG:28992, and check that they land in the Netherlands.

Real files declare EPSG:28992, EPSG:4326 or EPSG:3857, sometimes wrongly, and sometimes
swap latitude and longitude. A file whose features mostly fall outside the Netherlands
after reprojection is refused with a diagnosis, instead of silently joining nothing.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from .column_names import suggestion

RD_NEW = "EPSG:28992"
# Generous boxes around the Netherlands (land and coastal waters) per CRS: minx, miny, maxx, maxy.
NL_BOXES = {
    "EPSG:28992": (-7_000.0, 289_000.0, 300_000.0, 629_000.0),
    "EPSG:4326": (3.2, 50.7, 7.3, 53.7),
    "EPSG:3857": (356_000.0, 6_570_000.0, 813_000.0, 7_100_000.0),
}


class LocationError(ValueError):
    """Coordinates are missing, unparseable or fall outside the Netherlands."""


def guess_crs(x: np.ndarray, y: np.ndarray) -> str | None:
    """Guess the CRS (of those seen in Dutch open data) whose Dutch box holds most of the points."""
    present = ~(np.isnan(x) | np.isnan(y))
    if not present.any():
        return None
    shares = {crs: _share_inside(x[present], y[present], box) for crs, box in NL_BOXES.items()}
    best = max(shares, key=lambda crs: shares[crs])
    return best if shares[best] > 0.5 else None


def _share_inside(x: np.ndarray, y: np.ndarray, box: tuple[float, float, float, float]) -> float:
    inside = (x >= box[0]) & (x <= box[2]) & (y >= box[1]) & (y <= box[3])
    return float(inside.mean()) if len(x) else 0.0


def points_from_columns(
    frame: pd.DataFrame, x: str, y: str, decimal: str, crs: str | None, where: str
) -> gpd.GeoDataFrame:
    """Points from text columns ``x`` and ``y``; rows without valid numbers get no geometry.

    With ``crs`` unset, the CRS is guessed from the value ranges (RD New, WGS84 or Web
    Mercator); a guess of WGS84 with x and y in latitude/longitude order is an error.
    """
    for key, column in (("x", x), ("y", y)):
        if column not in frame.columns:
            raise LocationError(
                f"{where}: {key} names {column!r}, which the file lacks{suggestion(column, frame.columns)}"
            )
    xs, ys = parse_numbers(frame[x], decimal), parse_numbers(frame[y], decimal)
    if crs is None:
        crs = guess_crs(xs, ys)
        if crs is None:
            raise LocationError(
                f"{where}: cannot tell the CRS of columns {x!r}/{y!r} from their values; set 'crs' "
                f"(EPSG:28992 for RD metres, EPSG:4326 for degrees){_swap_hint(xs, ys)}"
            )
    geometry = gpd.points_from_xy(xs, ys)
    geometry[np.isnan(xs) | np.isnan(ys)] = None
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs)


def geometry_from_wkt(frame: pd.DataFrame, column: str, crs: str | None, where: str) -> gpd.GeoDataFrame:
    """Geometry from a WKT text column; unparseable cells are an error naming the row (the frame's index)."""
    if column not in frame.columns:
        raise LocationError(f"{where}: wkt names {column!r}, which the file lacks{suggestion(column, frame.columns)}")
    text = frame[column].fillna("").astype(str).str.strip()
    geometry = np.array([None] * len(text), dtype=object)
    for i, (row, value) in enumerate(zip(frame.index, text, strict=True)):
        if not value:
            continue
        try:
            geometry[i] = shapely.from_wkt(value)
        except shapely.errors.GEOSException as error:
            raise LocationError(f"{where}: row {row}, column {column!r}: not valid WKT ({error})") from None
    return gpd.GeoDataFrame(frame, geometry=list(geometry), crs=crs)


def parse_numbers(text: pd.Series, decimal: str) -> np.ndarray:
    """Numbers from text in the file's decimal convention (thousands separators dropped)."""
    cleaned = text.astype("string").str.strip()
    if decimal == ",":
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def to_rd_new(frame: gpd.GeoDataFrame, crs_override: str | None, where: str) -> gpd.GeoDataFrame:
    """Reproject to EPSG:28992 after checking that the features lie in the Netherlands."""
    if crs_override is not None:
        frame = frame.set_crs(crs_override, allow_override=True)
    if frame.crs is None:
        guessed = _guess_from_geometry(frame)
        if guessed is None:
            raise LocationError(f"{where}: the file declares no CRS; set 'crs' for this source")
        frame = frame.set_crs(guessed)
    check_in_netherlands(frame, where)
    frame = frame.to_crs(RD_NEW)
    return frame.rename_geometry("geometry") if frame.geometry.name != "geometry" else frame


def _guess_from_geometry(frame: gpd.GeoDataFrame) -> str | None:
    points = frame.geometry.dropna()
    points = points[~points.is_empty].representative_point()
    return guess_crs(points.x.to_numpy(), points.y.to_numpy())


def check_in_netherlands(frame: gpd.GeoDataFrame, where: str) -> None:
    """Refuse a layer whose features mostly fall outside the Netherlands, saying why that may be."""
    located = frame.geometry.dropna()
    located = located[~located.is_empty]
    if located.empty:
        return
    sample = located.iloc[:: max(1, len(located) // 2000)].representative_point()
    in_wgs84 = gpd.GeoSeries(sample, crs=frame.crs).to_crs("EPSG:4326")
    lon, lat = in_wgs84.x.to_numpy(), in_wgs84.y.to_numpy()
    share = _share_inside(lon, lat, NL_BOXES["EPSG:4326"])
    if share > 0.5:
        return
    declared = CRS.from_user_input(frame.crs).to_string()
    raw = sample.x.to_numpy(), sample.y.to_numpy()
    guessed = guess_crs(*raw)
    hint = _swap_hint(*raw)
    if not hint and guessed and guessed != declared:
        hint = f"; the values look like {guessed}: set 'crs: {guessed}' for this source"
    raise LocationError(
        f"{where}: {100 - share * 100:.0f}% of the features fall outside the Netherlands when read as "
        f"{declared}{hint or '; check the CRS declaration and the coordinate columns'}"
    )


def _swap_hint(x: np.ndarray, y: np.ndarray) -> str:
    present = ~(np.isnan(x) | np.isnan(y))
    for crs, box in NL_BOXES.items():
        if _share_inside(y[present], x[present], box) > 0.5:
            return f"; with x and y swapped they fit {crs}: swap the 'x' and 'y' columns"
    return ""
