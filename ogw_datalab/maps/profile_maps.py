"""The two small maps of a buurt- or wijkprofiel: where the area lies in the gemeente, and the area up close.

Both are inline SVG (:mod:`.svg`) drawn from the outlines of :class:`~.shapes.SiteShapes`: the locator map
(:func:`locator_map`) draws the whole gemeente with the area filled and ringed; the zoom (:func:`zoom_map`) draws
the area and its neighbours only, each neighbour a link to its own profile.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from .build_map_pages import profile_href
from .shapes import SiteShapes
from .svg import Projection, Shape, path_data, svg_map, svg_picture

ZOOM_WIDTH = 400
"""View-box width of the zoomed map."""
HIGHLIGHT = "#b35900"
"""Fill and ring of the area a profile is about."""
NEIGHBOUR_FILL = "#d9d9d9"
OTHER_FILL = "#f0f0f0"


def locator_base(shapes: SiteShapes) -> str:
    """Draw every buurt of the gemeente in grey: the background of every locator map, drawn once per site."""
    return "".join(f'<path d="{d}" fill="{OTHER_FILL}" stroke="#8c8c8c" stroke-width="1"/>' for d in shapes.paths)


def locator_map(shapes: SiteShapes, base: str, highlight: str, centre: tuple[float, float], label: str) -> str:
    """Draw the whole gemeente with the area filled and ringed, so that a small buurt is found at a glance.

    Parameters
    ----------
    shapes
        The site's outlines; the map uses their whole-gemeente projection.
    base
        :func:`locator_base` of ``shapes``.
    highlight
        SVG path data of the area, in that projection.
    centre
        A point inside the area, in that projection (:func:`centre_in`); the ring is drawn around it.
    label
        The map's text alternative.
    """
    projection = shapes.projection
    radius = max(projection.width, projection.height) * 0.05
    ring = (
        f'<circle cx="{centre[0]:.0f}" cy="{centre[1]:.0f}" r="{radius:.0f}" fill="none" stroke="{HIGHLIGHT}" '
        f'stroke-width="{radius / 6:.0f}"/>'
    )
    body = base + f'<path d="{highlight}" fill="{HIGHLIGHT}" stroke="#1a1a1a" stroke-width="2"/>'
    return svg_picture(projection, body + ring, label=label, css_class="ligging-overzicht")


def centre_in(projection: Projection, geometry: shapely.Geometry) -> tuple[float, float]:
    """Return a point inside ``geometry`` (EPSG:28992) in the units of ``projection``'s view box."""
    point = shapely.point_on_surface(geometry)
    return (point.x - projection.minx) * projection.scale, (projection.maxy - point.y) * projection.scale


def zoom_map(
    shapes: SiteShapes,
    codes: Sequence[str],
    names: dict[str, str],
    focus: list[int],
    neighbours: list[int],
    name: str,
    *,
    outline: shapely.Geometry | None = None,
) -> str:
    """Draw a map zoomed to the focus buurten and their neighbours (only these); linked areas lead to a profile.

    Parameters
    ----------
    shapes
        The site's outlines; the zoom draws their detailed (EPSG:28992) ones.
    codes, names
        The buurtcodes in the order of ``shapes``, and each buurt's name.
    focus, neighbours
        Positions in ``codes`` of the buurten the map is about and of those around them.
    name
        The area, for the text alternative ("Kaartje van <name> en omgeving").
    outline
        A wijk's outline: the focus buurten are then the links and the outline is drawn over them.
    """
    detailed = shapes.detailed
    chosen = focus + neighbours
    if not chosen:
        return ""
    corners = shapely.bounds(detailed[chosen])
    bounds = (corners[:, 0].min(), corners[:, 1].min(), corners[:, 2].max(), corners[:, 3].max())
    projection = Projection.fit(bounds, ZOOM_WIDTH, margin=0.04)
    shown = np.array(sorted(chosen))
    outlines = shapely.simplify(detailed[shown], 1.0 / projection.scale)
    linked = set(neighbours) | (set(focus) if outline is not None else set())
    pictures = [
        Shape(
            path_data(geometry, projection),
            HIGHLIGHT if i in focus and outline is None else NEIGHBOUR_FILL,
            stroke="#595959",
            stroke_width=1,
            href="../" + profile_href(codes[i]) if i in linked else None,
            label=f"Buurtprofiel van {names[codes[i]]}",
        )
        for i, geometry in zip(shown.tolist(), outlines, strict=True)
    ]
    extra = ""
    if outline is not None:
        shape = path_data(shapely.simplify(outline, 0.7 / projection.scale), projection)
        extra = f'<path d="{shape}" fill="none" stroke="{HIGHLIGHT}" stroke-width="4"/>'
    return svg_map(
        pictures, projection, label=f"Kaartje van {name} en omgeving", css_class="inzoom", extra=extra, links=True
    )
