"""The demo gemeente's areas: outline, river, wijken and buurten (EPSG:28992).

Buurten are unions of Voronoi cells around seed points: a compact, densely built town core
on a river, three residential wijken of different eras around it (post-war flats in the
south, family homes of the 1970s in the north, recent streets in the west), an industrial
estate, three villages each inside a rural ring, and rural sectors reaching to the border.
Each buurt's ``kind`` says what was built there; the features and partner figures follow
from it (see ``features.py`` and ``partners.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import LineString, MultiPoint, Point, Polygon
from shapely.ops import unary_union

GEMEENTECODE = "GM9999"
GEMEENTENAAM = "Waardhoven"
NEIGHBOUR_GEMEENTECODE = "GM9998"
NEIGHBOUR_GEMEENTENAAM = "Buurdorp"
CENTRE = (121_000.0, 452_000.0)  # RD New; a fictional place drawn over the Green Heart


@dataclass
class Buurt:
    """One buurt of the demo: its code, name, wijk, what was built there (``kind``) and its shape."""

    code: str
    naam: str
    wijkcode: str
    kind: str  # one of KINDS
    seeds: list[tuple[float, float]] = field(default_factory=list)
    geometry: Polygon = field(default_factory=Polygon)


@dataclass
class Wijk:
    """One wijk of the demo and its buurten."""

    code: str
    naam: str
    buurten: list[Buurt] = field(default_factory=list)


@dataclass
class Geography:
    """The whole demo gemeente: outline, river, wijken with their buurten, and a neighbour's buurten."""

    outline: Polygon
    river: Polygon
    wijken: list[Wijk]
    neighbour_buurten: list[Buurt]
    villages: dict[str, tuple[float, float]]

    @property
    def buurten(self) -> list[Buurt]:
        """Every buurt of the gemeente, wijk by wijk."""
        return [b for w in self.wijken for b in w.buurten]

    @property
    def core(self) -> Polygon:
        """The town core: the union of the buurten of kind ``core``."""
        return shapely.union_all([b.geometry for b in self.buurten if b.kind == "core"])


KINDS = ("core", "postwar", "family", "recent", "industrial", "village", "rural")
TOWN_KINDS = ("core", "postwar", "family", "recent")  # the residential wijken of the town Waardhoven
RESIDENTIAL_KINDS = (*TOWN_KINDS, "village")  # town and villages: where shops, GPs and the corporation are

TOWN_WIJKEN = [
    # wijk suffix, name, kind, buurt names, ring radius (m), angle range (degrees)
    (
        "01",
        "Centrum",
        "core",
        [
            "Binnenstad",
            "Havenkwartier",
            "Kerkbuurt",
            "Stationsbuurt",
            "Vlietoever",
            "Marktveld",
            "Oude Wal",
            "Molenbuurt",
        ],
        520,
        (0, 360),
    ),
    (
        "02",
        "Waardhoven-Noord",
        "family",
        ["Noorderhof", "Bloemenbuurt", "Vogelwijk", "Parkzicht", "Lindehof", "Noorderpark"],
        1650,
        (35, 145),
    ),
    (
        "03",
        "Waardhoven-Zuid",
        "postwar",
        ["Zuiderhof", "Bomenbuurt", "Schildersbuurt", "Rivierzicht", "Dichtersbuurt", "Zuiderpark"],
        1650,
        (215, 325),
    ),
    (
        "04",
        "Waardhoven-West",
        "recent",
        ["Westerkwartier", "Populierenhof", "Sluisbuurt", "Westerpark", "Kadewijk-West"],
        1750,
        (150, 210),
    ),
    ("05", "Bedrijvenpark De Kade", "industrial", ["De Kade-Noord", "De Kade-Zuid", "Havenweg"], 2000, (-28, 28)),
]
VILLAGES = [
    ("06", "Rietveen", (-5200.0, 2300.0), ["Rietveen-Dorp", "Rietveen-Oost", "Rietveen-Zuid"]),
    ("07", "Ooster-Lingen", (4300.0, 2900.0), ["Ooster-Lingen-Kern", "Lingerhof", "Molenkamp"]),
    ("08", "Vlietdam", (800.0, -3900.0), ["Vlietdam-Dorp", "Vlietdam-Haven", "Dijkzicht"]),
]
RURAL_WIJKEN = [
    ("09", "Buitengebied Noord", [("Noorderpolder", (0, 60)), ("Hoge Veld", (60, 120)), ("Westerpolder", (120, 180))]),
    (
        "10",
        "Buitengebied Zuid",
        [("Zuiderpolder", (180, 240)), ("Lage Weiden", (240, 300)), ("Oosterpolder", (300, 360))],
    ),
]


def build_geography(rng: np.random.Generator) -> Geography:
    """Draw the whole demo gemeente deterministically from ``rng``."""
    outline = _outline(rng)
    river = _river(outline)
    wijken = _town_wijken(rng) + _village_wijken(rng) + _rural_wijken(rng)
    _assign_voronoi_cells(wijken, outline)
    villages = {name: (CENTRE[0] + dx, CENTRE[1] + dy) for _, name, (dx, dy), _ in VILLAGES}
    return Geography(outline, river, wijken, _neighbour_buurten(outline), villages)


def _outline(rng: np.random.Generator) -> Polygon:
    theta = np.linspace(0, 2 * np.pi, 160, endpoint=False)
    phase = rng.uniform(0, 2 * np.pi, 2)
    wobble = 1 + 0.07 * np.sin(3 * theta + phase[0]) + 0.04 * np.sin(7 * theta + phase[1])
    x = CENTRE[0] + 7600 * wobble * np.cos(theta)
    y = CENTRE[1] + 6000 * wobble * np.sin(theta)
    return Polygon(np.column_stack([x, y]).round(3))


def _river(outline: Polygon) -> Polygon:
    x = np.linspace(CENTRE[0] - 9000, CENTRE[0] + 9000, 400)
    y = CENTRE[1] + 450 * np.sin((x - CENTRE[0]) / 1700) - 150
    return LineString(np.column_stack([x, y])).buffer(35, quad_segs=4).intersection(outline)


def _ring(radius: float, angles: tuple[float, float], n: int) -> list[tuple[float, float]]:
    start, stop = np.radians(angles[0]), np.radians(angles[1])
    if np.isclose(stop - start, 2 * np.pi):
        theta = np.linspace(start, stop, n, endpoint=False)
    else:
        theta = np.linspace(start, stop, n + 2)[1:-1]
    return [(CENTRE[0] + radius * np.cos(t), CENTRE[1] + radius * np.sin(t)) for t in theta]


def _town_wijken(rng: np.random.Generator) -> list[Wijk]:
    wijken = []
    for suffix, naam, kind, names, radius, angles in TOWN_WIJKEN:
        wijk = Wijk(f"WK{GEMEENTECODE[2:]}{suffix}", naam)
        if kind == "core":
            seeds = [CENTRE] + _ring(radius, angles, len(names) - 1)
        else:
            seeds = _ring(radius, angles, len(names))
        for i, (name, seed) in enumerate(zip(names, seeds, strict=True)):
            jitter = rng.normal(0, 60, 2)
            buurt = Buurt(f"BU{wijk.code[2:]}{i:02d}", name, wijk.code, kind)
            buurt.seeds = [(seed[0] + jitter[0], seed[1] + jitter[1])]
            wijk.buurten.append(buurt)
        wijken.append(wijk)
    return wijken


def _village_wijken(rng: np.random.Generator) -> list[Wijk]:
    wijken = []
    for suffix, naam, (dx, dy), names in VILLAGES:
        wijk = Wijk(f"WK{GEMEENTECODE[2:]}{suffix}", naam)
        cx, cy = CENTRE[0] + dx, CENTRE[1] + dy
        for i, name in enumerate(names):
            angle = 2 * np.pi * i / len(names) + rng.uniform(0, 0.4)
            seed = (cx + 300 * np.cos(angle), cy + 300 * np.sin(angle))
            wijk.buurten.append(Buurt(f"BU{wijk.code[2:]}{i:02d}", name, wijk.code, "village", [seed]))
        ring = [(cx + 1300 * np.cos(t), cy + 1300 * np.sin(t)) for t in np.linspace(0, 2 * np.pi, 8, endpoint=False)]
        wijk.buurten.append(
            Buurt(f"BU{wijk.code[2:]}{len(names):02d}", f"Verspreide huizen {naam}", wijk.code, "rural", ring)
        )
        wijken.append(wijk)
    return wijken


def _rural_wijken(_rng: np.random.Generator) -> list[Wijk]:
    far_seeds = _ring(3500, (0, 360), 18) + _ring(5600, (0, 360), 14) + _ring(7600, (0, 360), 16)
    villages = [(CENTRE[0] + dx, CENTRE[1] + dy) for _, _, (dx, dy), _ in VILLAGES]
    far_seeds = [s for s in far_seeds if min(np.hypot(s[0] - vx, s[1] - vy) for vx, vy in villages) > 2000]
    wijken = []
    for suffix, naam, sectors in RURAL_WIJKEN:
        wijk = Wijk(f"WK{GEMEENTECODE[2:]}{suffix}", naam)
        for i, (name, (lo, hi)) in enumerate(sectors):
            seeds = [s for s in far_seeds if lo <= _angle_of(s) < hi]
            wijk.buurten.append(Buurt(f"BU{wijk.code[2:]}{i:02d}", name, wijk.code, "rural", seeds))
        wijken.append(wijk)
    return wijken


def _angle_of(point: tuple[float, float]) -> float:
    return float(np.degrees(np.arctan2(point[1] - CENTRE[1], point[0] - CENTRE[0])) % 360)


def _assign_voronoi_cells(wijken: list[Wijk], outline: Polygon) -> None:
    buurten = [b for w in wijken for b in w.buurten]
    owners = [(b.code, Point(s)) for b in buurten for s in b.seeds if outline.contains(Point(s))]
    cells = list(shapely.voronoi_polygons(MultiPoint([p for _, p in owners]), extend_to=outline.buffer(20_000)).geoms)
    cells_of: dict[str, list[Polygon]] = {b.code: [] for b in buurten}
    for code, seed in owners:
        cells_of[code].append(next(c for c in cells if c.contains(seed)))
    for buurt in buurten:
        shape = unary_union(cells_of[buurt.code]).intersection(outline) if cells_of[buurt.code] else Polygon()
        buurt.geometry = shapely.set_precision(shape, 0.001)
    for wijk in wijken:
        wijk.buurten = [b for b in wijk.buurten if not b.geometry.is_empty]


def _neighbour_buurten(outline: Polygon) -> list[Buurt]:
    """Two buurten of a neighbouring gemeente, so that readers must filter on gemeentecode."""
    east = outline.bounds[2]
    boxes = [
        shapely.box(east, CENTRE[1] - 2000, east + 3000, CENTRE[1]),
        shapely.box(east, CENTRE[1], east + 3000, CENTRE[1] + 2000),
    ]
    code = NEIGHBOUR_GEMEENTECODE[2:]
    return [
        Buurt(f"BU{code}01{i:02d}", name, f"WK{code}01", "village", geometry=box.difference(outline))
        for i, (name, box) in enumerate(zip(["Buurdorp-West", "Buurdorp-Noord"], boxes, strict=True))
    ]
