"""PDOK OGC API Features: all items of a collection (optionally within a bbox) into a GeoPackage.

Format (PDOK, OGC API Features Part 1 and 2): ``GET {collection}/items?f=json&limit=..``
returns a GeoJSON FeatureCollection with ``numberReturned`` and ``links``; the page
after it is the link with ``rel: next`` (PDOK pages with a cursor, at most 1,000 items).
``crs`` asks for coordinates in another CRS (answered with a ``Content-Crs`` header) and
``bbox`` with ``bbox-crs`` limits the area, see https://api.pdok.nl.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely.geometry

from ..files import replace_atomic
from .http_cache import FetchError, HttpCache

RD_NEW_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
MAX_PAGES = 100_000


def fetch_pdok_features(
    items_url: str,
    out_path: str | Path,
    *,
    cache: HttpCache,
    bbox: tuple[float, float, float, float] | None = None,
    limit: int = 1000,
) -> int:
    """Download every feature of ``items_url`` in EPSG:28992 and write them to a GeoPackage.

    Returns the number of features written.
    """
    params: dict[str, object] = {"f": "json", "limit": limit, "crs": RD_NEW_URI}
    if bbox is not None:
        params |= {"bbox": ",".join(f"{v:.3f}" for v in bbox), "bbox-crs": RD_NEW_URI}
    features: list[dict] = []
    next_url: str | None = items_url
    seen: set[str] = set()
    page_params: dict[str, object] | None = params
    for _ in range(MAX_PAGES):
        if next_url is None:
            break
        response = cache.get(next_url, page_params, expect_json=True)
        seen.add(response.url)
        page = response.json()
        _check_page(page, response.url, response.headers)
        features.extend(page["features"])
        next_url = _next_link(page)
        page_params = None  # a next link carries every parameter itself
        if next_url is not None and next_url in seen:
            raise FetchError(f"{items_url}: the service returned the same next link twice ({next_url})")
    frame = _to_frame(features, items_url)
    replace_atomic(Path(out_path), lambda tmp: frame.to_file(tmp, driver="GPKG", layer="features", engine="pyogrio"))
    return len(frame)


def _check_page(page: object, url: str, headers: dict[str, str]) -> None:
    if not isinstance(page, dict) or page.get("type") != "FeatureCollection" or "features" not in page:
        raise FetchError(f"{url}: not a GeoJSON FeatureCollection; is this an OGC API Features items URL?")
    crs = headers.get("Content-Crs") or headers.get("content-crs")
    if crs and "28992" not in crs:
        raise FetchError(f"{url}: asked for EPSG:28992 but the service answered in {crs}")


def _next_link(page: dict) -> str | None:
    for link in page.get("links", []):
        if link.get("rel") == "next" and link.get("href"):
            return str(link["href"])
    return None


def _to_frame(features: list[dict], url: str) -> gpd.GeoDataFrame:
    if not features:
        raise FetchError(f"{url}: the service returned no features (check the collection and the bbox)")
    geometry = [shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None for f in features]
    properties = [dict(f.get("properties") or {}, id=f.get("id")) for f in features]
    return gpd.GeoDataFrame(properties, geometry=geometry, crs="EPSG:28992")
