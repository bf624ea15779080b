"""The buurt outlines of a site, prepared once: GeoJSON for the web maps and SVG paths for the static pictures.

Outlines are simplified as a coverage (``shapely.coverage_simplify``), so neighbours keep sharing their edges
and no slivers open between them.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from .site_data import SiteData
from .svg import Projection, path_data

WEB_SIMPLIFY_M = 2.0
"""Tolerance for the web maps' outlines: invisible at the zoom levels a buurt is looked at."""
WEB_DECIMALS = 5
"""Decimals of longitude and latitude on the web maps: about 1 m."""
PICTURE_WIDTH = 1000
"""View-box width of a whole-gemeente picture; outlines are simplified to one unit of it."""


@dataclass(frozen=True)
class SiteShapes:
    """Outlines of every buurt (in the order of :attr:`SiteData.buurten`) and wijk, ready to draw.

    Attributes
    ----------
    web
        Per buurt its GeoJSON geometry (EPSG:4326, :data:`WEB_DECIMALS` decimals).
    bounds
        ``[[south, west], [north, east]]`` of the gemeente, to fit a web map to it.
    detailed
        Per buurt its outline in EPSG:28992, simplified by :data:`WEB_SIMPLIFY_M` (for zoomed pictures).
    projection
        The whole gemeente in a view box :data:`PICTURE_WIDTH` units wide.
    paths, wijk_paths
        SVG path data per buurt and per wijkcode in :attr:`projection`.
    centres
        Per buurt a point inside it, in :attr:`projection` units (for numbered markers).
    """

    web: list[str]
    bounds: list[list[float]]
    detailed: np.ndarray
    projection: Projection
    paths: list[str]
    wijk_paths: dict[str, str]
    centres: np.ndarray


def site_shapes(data: SiteData) -> SiteShapes:
    """Prepare the outlines of ``data``'s buurten and wijken for every page."""
    original = data.buurten.geometry.to_numpy()
    detailed = shapely.coverage_simplify(original, WEB_SIMPLIFY_M)
    wgs84 = gpd.GeoSeries(detailed, crs=data.buurten.crs).to_crs("EPSG:4326").to_numpy()
    rounded = shapely.transform(wgs84, lambda xy: np.round(xy, WEB_DECIMALS))
    west, south, east, north = shapely.total_bounds(rounded)
    projection = Projection.fit(shapely.total_bounds(original), PICTURE_WIDTH)
    coarse = shapely.coverage_simplify(original, 1.0 / projection.scale)
    wijken = data.wijken.geometry.to_numpy()
    coarse_wijken = shapely.coverage_simplify(wijken, 1.0 / projection.scale) if len(wijken) else wijken
    inside = shapely.get_coordinates(shapely.point_on_surface(original))
    return SiteShapes(
        web=[str(g) for g in shapely.to_geojson(rounded)],
        bounds=[[float(south), float(west)], [float(north), float(east)]],
        detailed=detailed,
        projection=projection,
        paths=[path_data(g, projection) for g in coarse],
        wijk_paths={code: path_data(g, projection) for code, g in zip(data.wijken.index, coarse_wijken, strict=True)},
        centres=np.column_stack(((inside[:, 0] - projection.minx), (projection.maxy - inside[:, 1])))
        * projection.scale,
    )
