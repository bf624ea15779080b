"""A small PNG of a map (buurten in their class colours), for the Dagster UI: what a page shows at a glance.

Drawn with Pillow at twice the size and scaled down, so that edges are smooth without a plotting library.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import geopandas as gpd
from PIL import Image, ImageDraw
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

BACKGROUND = "#ffffff"
EDGE = "#ffffff"
OVERSAMPLE = 2


def render_preview(shapes: gpd.GeoSeries, colours: Sequence[str], width: int = 240) -> bytes:
    """PNG bytes of ``shapes`` filled with ``colours`` (one per shape), ``width`` pixels wide, north up.

    Shapes are drawn in EPSG:28992 (metres), so the proportions are true.
    """
    if len(shapes) != len(colours):
        raise ValueError(f"render_preview: {len(shapes)} shapes but {len(colours)} colours")
    if shapes.crs is not None and shapes.crs.to_epsg() != 28992:
        shapes = shapes.to_crs(28992)
    minx, miny, maxx, maxy = shapes.total_bounds
    scale = (width * OVERSAMPLE - 4) / max(maxx - minx, maxy - miny, 1.0)
    size = (int((maxx - minx) * scale) + 4, int((maxy - miny) * scale) + 4)
    image = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(image)

    def pixels(ring) -> list[tuple[float, float]]:
        return [(2 + (x - minx) * scale, 2 + (maxy - y) * scale) for x, y in ring.coords]

    for geometry, colour in zip(shapes, colours, strict=True):
        for polygon in _polygons(geometry):
            draw.polygon(pixels(polygon.exterior), fill=colour, outline=EDGE, width=OVERSAMPLE)
            for hole in polygon.interiors:
                draw.polygon(pixels(hole), fill=BACKGROUND, outline=EDGE)
    small = image.resize((max(1, size[0] // OVERSAMPLE), max(1, size[1] // OVERSAMPLE)), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.quantize(colors=64).save(out, format="PNG", optimize=True)  # a palette keeps it a few KB
    return out.getvalue()


def preview_markdown(title: str, png: bytes) -> str:
    """Markdown with the PNG inline (a data URI), as the Dagster UI shows it in an asset's metadata."""
    return f"![{title}](data:image/png;base64,{base64.b64encode(png).decode('ascii')})"


def _polygons(geometry: BaseGeometry | None) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return []  # an empty or missing geometry draws nothing
