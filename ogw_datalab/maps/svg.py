"""Small static pictures drawn as inline SVG: choropleth thumbnails, locator maps and dot charts.

They need no script, print sharply, weigh a few kilobytes, and carry a text alternative. Shapes are
projected from EPSG:28992 (metres, north up) into a view box ``width`` units wide.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

CHART_WIDTH = 320
CHART_HEIGHT = 58
CHART_MARGIN = 12
CHART_AXIS = 26
MARK_COLOURS = {
    "buurt": "#b35900",
    "wijk": "#0b4f8a",
    "gemeente": "#1a1a1a",
    "nederland": "#1a1a1a",
    "vergelijkbaar": "#5e3c99",
}


@dataclass(frozen=True)
class Projection:
    """From EPSG:28992 metres to SVG units: x to the right, y down, one scale for both axes."""

    minx: float
    maxy: float
    scale: float
    width: int
    height: int

    @classmethod
    def fit(cls, bounds: Sequence[float], width: int = 1000, margin: float = 0.02) -> Projection:
        """Fit ``bounds`` (minx, miny, maxx, maxy) into ``width`` units with a margin."""
        minx, miny, maxx, maxy = (float(b) for b in bounds)
        pad = max(maxx - minx, maxy - miny, 1.0) * margin
        minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
        scale = width / max(maxx - minx, 1.0)
        return cls(minx, maxy, scale, width, max(1, round((maxy - miny) * scale)))

    def project(self, coordinates: np.ndarray) -> np.ndarray:
        """Rows of (x, y) in metres -> rows of (x, y) in view-box units, rounded to whole units."""
        return np.rint(np.column_stack(((coordinates[:, 0] - self.minx), (self.maxy - coordinates[:, 1]))) * self.scale)

    @property
    def view_box(self) -> str:
        """The ``viewBox`` attribute."""
        return f"0 0 {self.width} {self.height}"


def path_data(geometry: BaseGeometry | None, projection: Projection) -> str:
    """SVG path data of a polygon or multipolygon (holes included; draw with ``fill-rule: evenodd``).

    Relative moves after the first point keep the text short; rings that collapse to fewer than three
    points at this scale are left out.
    """
    if geometry is None or geometry.is_empty:
        return ""
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        if polygon.geom_type != "Polygon":
            continue
        for ring in [polygon.exterior, *polygon.interiors]:
            points = projection.project(shapely.get_coordinates(ring))
            keep = np.ones(len(points), dtype=bool)
            keep[1:] = np.any(points[1:] != points[:-1], axis=1)
            points = points[keep].astype(int)
            if len(points) < 4:
                continue
            steps = np.diff(points[:-1], axis=0)
            parts.append(f"M{points[0, 0]} {points[0, 1]}l" + " ".join(map(str, steps.ravel().tolist())) + "z")
    return "".join(parts)


@dataclass(frozen=True)
class Shape:
    """One area on a static map."""

    d: str
    fill: str
    stroke: str = "#ffffff"
    stroke_width: float = 1.0
    href: str | None = None
    label: str | None = None
    css_class: str | None = None


def svg_map(
    shapes: Sequence[Shape],
    projection: Projection,
    *,
    label: str,
    css_class: str = "kaartje",
    extra: str = "",
    links: bool = False,
) -> str:
    """Draw an inline SVG map of ``shapes``; ``label`` is its text alternative.

    Without links the picture is one image (``role="img"``); with links each linked area is a
    link named by its ``label`` and the picture is a group of them.
    """
    body = []
    for shape in shapes:
        klass = f' class="{shape.css_class}"' if shape.css_class else ""
        path = (
            f'<path d="{shape.d}" fill="{shape.fill}" stroke="{shape.stroke}" '
            f'stroke-width="{shape.stroke_width:g}"{klass}/>'
        )
        if shape.href and links:
            name = html.escape(shape.label or "", quote=True)
            path = (
                f'<a href="{html.escape(shape.href, quote=True)}" aria-label="{name}"><title>{name}</title>{path}</a>'
            )
        body.append(path)
    return svg_picture(projection, "".join(body) + extra, label=label, css_class=css_class, group=links)


def svg_picture(projection: Projection, body: str, *, label: str, css_class: str, group: bool = False) -> str:
    """Wrap ``body`` in an ``<svg>``: one image with ``label`` as its text, or a group of links."""
    role = "group" if group else "img"
    return (
        f'<svg class="{css_class}" viewBox="{projection.view_box}" role="{role}" '
        f'aria-label="{html.escape(label, quote=True)}" fill-rule="evenodd" stroke-linejoin="round">{body}</svg>'
    )


def spread_apart(
    points: list[tuple[float, float]], distance: float, box: tuple[float, float], rounds: int = 100
) -> list[tuple[float, float]]:
    """Move points closer than ``distance`` apart away from each other until none are.

    Markers that would hide each other's number: each pair moves by half their overlap along the line between them,
    and points stay inside ``box`` (width, height) by ``distance / 2``. Points far enough apart keep their place.
    """
    moved = np.array(points, dtype=float).reshape(-1, 2)
    half = distance / 2
    for _ in range(rounds):
        overlapping = False
        for i in range(len(moved)):
            for j in range(i + 1, len(moved)):
                step = moved[j] - moved[i]
                length = float(np.hypot(*step))
                if length >= distance - 1e-6:
                    continue
                overlapping = True
                angle = 2 * np.pi * j / len(moved)  # the same place: apart in a fixed direction, the same each build
                way = step / length if length > 1e-9 else np.array([np.cos(angle), np.sin(angle)])
                moved[i] -= way * (distance - length) / 2
                moved[j] += way * (distance - length) / 2
        moved[:, 0] = np.clip(moved[:, 0], half, box[0] - half)
        moved[:, 1] = np.clip(moved[:, 1], half, box[1] - half)
        if not overlapping:
            break
    return [(float(x), float(y)) for x, y in moved]


def numbered_marker(x: float, y: float, number: int, *, radius: float) -> str:
    """Draw a white disc with a dark number (a priority buurt on a thumbnail)."""
    size = radius * 1.25
    return (
        f'<circle cx="{x:.0f}" cy="{y:.0f}" r="{radius:.0f}" fill="#ffffff" stroke="#1a1a1a" '
        f'stroke-width="{radius / 5:.1f}"/>'
        f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size:.0f}" text-anchor="middle" dominant-baseline="central" '
        f'fill="#1a1a1a" font-weight="700">{number}</text>'
    )


@dataclass(frozen=True)
class Mark:
    """A value placed on a dot chart: ``kind`` is buurt, wijk, gemeente, nederland or vergelijkbaar."""

    kind: str
    value: float


@dataclass(frozen=True)
class DotScale:
    """The horizontal scale of the dot charts of one indicator: fixed for every area, so that charts compare."""

    lo: float
    hi: float

    @classmethod
    def over(cls, values: Sequence[float]) -> DotScale:
        """Span ``values`` (every value that may be drawn: all areas, gemeente, Netherlands)."""
        present = [float(v) for v in values if v == v]
        return cls(min(present), max(present)) if present else cls(0.0, 1.0)

    def x(self, value: float) -> float:
        """Position of ``value`` in the chart."""
        inner = CHART_WIDTH - 2 * CHART_MARGIN
        if self.hi == self.lo:
            return CHART_MARGIN + inner / 2
        return CHART_MARGIN + (value - self.lo) / (self.hi - self.lo) * inner

    def background(self, values: Sequence[float], low: str, high: str) -> str:
        """Draw the axis with a thin tick per area's value, and the lowest and highest value under its ends."""
        axis = CHART_AXIS
        parts = [
            f'<line x1="{CHART_MARGIN}" y1="{axis}" x2="{CHART_WIDTH - CHART_MARGIN}" y2="{axis}" stroke="#767676"/>'
        ]
        ticks = "".join(f"M{self.x(float(v)):.1f} {axis - 7}v14" for v in values if v == v)
        parts.append(f'<path d="{ticks}" stroke="#8c8c8c" stroke-width="1.2"/>')
        parts.append(
            f'<text x="{CHART_MARGIN}" y="{CHART_HEIGHT - 4}" font-size="12" fill="#404040">{html.escape(low)}</text>'
        )
        parts.append(
            f'<text x="{CHART_WIDTH - CHART_MARGIN}" y="{CHART_HEIGHT - 4}" font-size="12" fill="#404040" '
            f'text-anchor="end">{html.escape(high)}</text>'
        )
        return "".join(parts)


def dot_chart(scale: DotScale, background: str, marks: Sequence[Mark], *, label: str) -> str:
    """Draw a strip of every area's value (``background``, see :meth:`DotScale.background`) with marks on top.

    Parameters
    ----------
    scale
        The indicator's scale.
    background
        The axis and ticks of all areas.
    marks
        The values to mark: the area itself (a disc), its wijk (a diamond), the gemeente (a line),
        the Netherlands (a dashed line) and the median of the similar buurten (a triangle above the axis).
    label
        The text alternative: every marked value and the range, in words.
    """
    order = ("nederland", "gemeente", "vergelijkbaar", "wijk", "buurt")
    drawn = "".join(
        _mark(m.kind, scale.x(m.value), CHART_AXIS) for m in sorted(marks, key=lambda m: order.index(m.kind))
    )
    return (
        f'<svg class="stip" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" '
        f'aria-label="{html.escape(label, quote=True)}">{background}{drawn}</svg>'
    )


def _mark(kind: str, x: float, axis: float) -> str:
    colour = MARK_COLOURS[kind]
    if kind == "buurt":
        return f'<circle cx="{x:.1f}" cy="{axis}" r="7.5" fill="{colour}" stroke="#ffffff" stroke-width="2"/>'
    if kind == "wijk":
        s = 7.5
        return (
            f'<path d="M{x:.1f} {axis - s}l{s} {s}l{-s} {s}l{-s} {-s}z" fill="{colour}" stroke="#ffffff" '
            'stroke-width="1.5"/>'
        )
    if kind == "vergelijkbaar":  # a triangle pointing down at the axis, from above
        return (
            f'<path d="M{x - 7:.1f} {axis - 20}h14l-7 11z" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'
            f'<line x1="{x:.1f}" y1="{axis - 9}" x2="{x:.1f}" y2="{axis + 6}" stroke="{colour}" stroke-width="2"/>'
        )
    dash = ' stroke-dasharray="3 2"' if kind == "nederland" else ""
    return (
        f'<line x1="{x:.1f}" y1="{axis - 15}" x2="{x:.1f}" y2="{axis + 15}" stroke="{colour}" stroke-width="2"{dash}/>'
    )


def legend_glyph(kind: str) -> str:
    """Draw one mark kind small, for the legend above the dot charts (hidden from screen readers)."""
    return (
        f'<svg class="teken" viewBox="0 0 24 40" aria-hidden="true" focusable="false">{_mark(kind, 12, 20)}</svg>'
        if kind != "andere"
        else '<svg class="teken" viewBox="0 0 24 40" aria-hidden="true" focusable="false">'
        '<line x1="12" y1="13" x2="12" y2="27" stroke="#8c8c8c" stroke-width="1.5"/></svg>'
    )


TIME_WIDTH = 320
TIME_HEIGHT = 150
TIME_LEFT = 34
TIME_RIGHT = 10
TIME_TOP = 10
TIME_BOTTOM = 24
SERIES_COLOURS = {"laagkosten": "#b35900", "alle": "#b35900", "referentie": "#0b4f8a"}
GUIDELINE_COLOUR = "#a50f15"


@dataclass(frozen=True)
class Series:
    """One line of a time chart: ``kind`` (referentie, laagkosten, alle) and a value per month (None: no figure)."""

    kind: str
    values: Sequence[float | None]


def nice_top(value: float) -> float:
    """Round the top of a vertical axis up to 1, 2 or 5 times a power of ten (37 -> 50, 0 -> 1)."""
    if value <= 0:
        return 1.0
    power = 10 ** np.floor(np.log10(value))
    return float(next(step * power for step in (1, 2, 5, 10) if step * power >= value))


def time_chart(
    months: Sequence[str],
    series: Sequence[Series],
    *,
    top: float,
    guideline: float | None,
    label: str,
    axis_labels: tuple[str, str, str] = ("", "", ""),
) -> str:
    """Draw a monthly time chart: one line per series (breaks where a month has no figure) and the guideline.

    Parameters
    ----------
    months
        The month labels under the axis, in order (every month of the series, also those without a figure).
    series
        The lines; laagkosten and alle are drawn as orange discs, referentie as blue squares.
    top
        The value at the top of the vertical axis (shared by every chart of the quantity, so charts compare).
    guideline
        Drawn as a red dashed line when given (the WHO guideline of the quantity).
    label
        The text alternative: every month's value in words.
    axis_labels
        The texts at 0, half and the top of the vertical axis.
    """
    inner_w = TIME_WIDTH - TIME_LEFT - TIME_RIGHT
    inner_h = TIME_HEIGHT - TIME_TOP - TIME_BOTTOM
    step = inner_w / max(len(months), 1)

    def x(i: int) -> float:
        return TIME_LEFT + step * (i + 0.5)

    def y(value: float) -> float:
        return TIME_TOP + inner_h * (1 - min(max(value / top, 0.0), 1.0))

    parts = []
    for fraction, text in zip((0.0, 0.5, 1.0), axis_labels, strict=True):
        level = y(top * fraction)
        parts.append(
            f'<line x1="{TIME_LEFT}" y1="{level:.1f}" x2="{TIME_WIDTH - TIME_RIGHT}" y2="{level:.1f}" '
            f'stroke="{"#767676" if fraction == 0 else "#d9d9d9"}"/>'
            f'<text x="{TIME_LEFT - 4}" y="{level + 4:.1f}" font-size="11" fill="#404040" text-anchor="end">'
            f"{html.escape(text)}</text>"
        )
    every = max(1, int(np.ceil(len(months) / 8)))  # at most eight month names under the axis
    for i, month in enumerate(months):
        if i % every == 0:
            parts.append(
                f'<text x="{x(i):.1f}" y="{TIME_HEIGHT - 8}" font-size="11" fill="#404040" text-anchor="middle">'
                f"{html.escape(month)}</text>"
            )
    if guideline is not None:
        level = y(guideline)
        parts.append(
            f'<line x1="{TIME_LEFT}" y1="{level:.1f}" x2="{TIME_WIDTH - TIME_RIGHT}" y2="{level:.1f}" '
            f'stroke="{GUIDELINE_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
    for line in sorted(series, key=lambda s: s.kind != "referentie"):  # low-cost drawn last, on top
        parts.append(_series(line, x, y))
    return (
        f'<svg class="tijdlijn" viewBox="0 0 {TIME_WIDTH} {TIME_HEIGHT}" role="img" '
        f'aria-label="{html.escape(label, quote=True)}">{"".join(parts)}</svg>'
    )


def _series(line: Series, x, y) -> str:
    colour = SERIES_COLOURS.get(line.kind, "#1a1a1a")
    runs: list[list[tuple[float, float]]] = [[]]
    for i, value in enumerate(line.values):
        if value is None or value != value:
            runs.append([])
        else:
            runs[-1].append((x(i), y(float(value))))
    drawn = []
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{a:.1f},{b:.1f}" for a, b in run)
            drawn.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for run in runs:
        drawn.extend(_series_mark(line.kind, a, b) for a, b in run)
    return "".join(drawn)


def _series_mark(kind: str, x: float, y: float) -> str:
    colour = SERIES_COLOURS.get(kind, "#1a1a1a")
    if kind == "referentie":
        return (
            f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{colour}" stroke="#ffffff" '
            'stroke-width="1.5"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}" stroke="#ffffff" stroke-width="1.5"/>'


def series_glyph(kind: str) -> str:
    """Draw a series mark small for a legend (hidden from screen readers); ``richtlijn`` is the guideline."""
    if kind == "richtlijn":
        body = (
            f'<line x1="1" y1="10" x2="23" y2="10" stroke="{GUIDELINE_COLOUR}" stroke-width="2" '
            'stroke-dasharray="5 3"/>'
        )
    else:
        colour = SERIES_COLOURS.get(kind, "#1a1a1a")
        body = f'<line x1="1" y1="10" x2="23" y2="10" stroke="{colour}" stroke-width="2"/>' + _series_mark(kind, 12, 10)
    return f'<svg class="teken-lijn" viewBox="0 0 24 20" aria-hidden="true" focusable="false">{body}</svg>'
