"""The small PNG previews of the maps that the Dagster UI shows in an asset's metadata."""

from __future__ import annotations

import base64
import io

import geopandas as gpd
import pytest
from PIL import Image
from shapely.geometry import Polygon, box

from ogw_datalab.maps.preview import preview_markdown, render_preview

RED, BLUE = "#d95f0e", "#045a8d"


def two_buurten() -> gpd.GeoSeries:
    """A 1 km square, and east of it a 1 km square with a 200 m hole in the middle (in RD New)."""
    with_hole = Polygon(box(1000, 0, 2000, 1000).exterior.coords, [box(1400, 400, 1600, 600).exterior.coords])
    return gpd.GeoSeries([box(0, 0, 1000, 1000), with_hole], crs="EPSG:28992").translate(155_000, 463_000)


def pixel(image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    r, g, b = image.convert("RGB").getpixel((x, y))  # type: ignore[misc]
    return r, g, b


def close_to(colour: tuple[int, int, int], hex_colour: str) -> bool:
    wanted = tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return all(abs(a - b) <= 12 for a, b in zip(colour, wanted, strict=True))


def test_preview_fills_each_buurt_with_its_colour_keeps_holes_and_proportions():
    image = Image.open(io.BytesIO(render_preview(two_buurten(), [RED, BLUE], width=240)))
    assert image.format == "PNG"
    assert image.width == 240
    assert abs(image.height - 121) <= 2
    assert close_to(pixel(image, 60, 60), RED)
    assert close_to(pixel(image, 180, 25), BLUE)
    assert pixel(image, 180, 60) == (255, 255, 255)  # the hole


def test_preview_reprojects_web_geometries_to_metres_first():
    rd = Image.open(io.BytesIO(render_preview(two_buurten(), [RED, BLUE])))
    web = Image.open(io.BytesIO(render_preview(two_buurten().to_crs(4326), [RED, BLUE])))
    assert abs(rd.width - web.width) <= 1
    assert abs(rd.height - web.height) <= 2


def test_preview_needs_a_colour_per_buurt_and_is_small_inline_markdown():
    with pytest.raises(ValueError, match="2 shapes but 1 colours"):
        render_preview(two_buurten(), [RED])
    png = render_preview(two_buurten(), [RED, BLUE])
    markdown = preview_markdown("Score", png)
    assert markdown.startswith("![Score](data:image/png;base64,")
    assert base64.b64decode(markdown.split(",", 1)[1].rstrip(")")) == png
    assert len(png) < 10_000
