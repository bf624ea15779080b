"""Points and polygons of the demo gemeente: addresses, green, trees, playgrounds, GPs.

Everything is drawn in EPSG:28992 from one random generator, so the same seed gives
the same features. What a buurt gets follows from its ``kind`` (what was built there):

- the historic **core** is built densely, with few street trees and only small squares of
  green; the town's parks were laid out later, in the wijken around it, and none lies within
  300 m of the core (so the core's homes see few trees and have no park nearby);
- the **post-war** flats of Waardhoven-Zuid (1950-1964) are small and green around, the
  **family** homes of Waardhoven-Noord (1965-1982) large, the **recent** streets of
  Waardhoven-West (1992-2020) well insulated; villages have a village green, farms in the
  countryside trees around the yard;
- GP practices sit in the core, the north, the west and the villages: Waardhoven-Zuid has none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from .geography import RESIDENTIAL_KINDS, Buurt, Geography

# Addresses per buurt kind (mean) and spread of the cluster around the buurt's centre (m).
ADDRESSES = {
    "core": (1500, 200),
    "postwar": (1300, 300),
    "family": (1000, 330),
    "recent": (1150, 330),
    "industrial": (70, 400),
    "village": (520, 230),
    "rural": (90, None),
}
HOUSEHOLD_SIZE = {
    "core": 1.6,
    "postwar": 1.9,
    "family": 2.7,
    "recent": 2.4,
    "industrial": 1.9,
    "village": 2.4,
    "rural": 2.6,
}
# Building periods per kind: (first year, last year, share of the addresses).
BUILT = {
    "core": [(1880, 1939, 0.75), (1976, 1992, 0.25)],  # with the infill of the urban renewal (stadsvernieuwing)
    "postwar": [(1950, 1964, 1.0)],
    "family": [(1965, 1982, 1.0)],
    "recent": [(1992, 2020, 1.0)],
    "industrial": [(1970, 2015, 1.0)],
    "village": [(1900, 1944, 0.25), (1975, 2010, 0.75)],
    "rural": [(1850, 2000, 1.0)],
}
FLOOR_AREA_M2 = {  # mean floor area of a home
    "core": 70,
    "postwar": 62,
    "family": 125,
    "recent": 100,
    "industrial": 110,
    "village": 100,
    "rural": 140,
}
STREET_TREES_PER_ADDRESS = {  # mean; each buurt varies by a factor 0.7-1.3
    "core": 0.05,
    "postwar": 0.45,
    "family": 0.4,
    "recent": 0.3,
    "industrial": 0.1,
    "village": 0.5,
    "rural": 0.0,  # farms have trees around the yard instead (FARMYARD_TREES)
}
FARMYARD_TREES = (3, 9)  # trees around a rural address (from, to exclusive)
PARK_FREE_AROUND_CORE_M = 320  # no park edge comes this close to the core (the 300 m of 3-30-300, and a margin)
GP_PRACTICES = {  # practices per wijk; Waardhoven-Zuid has none
    "Centrum": 4,
    "Waardhoven-Noord": 3,
    "Waardhoven-West": 3,
    "Rietveen": 2,
    "Ooster-Lingen": 1,
    "Vlietdam": 1,
}
STREET_WORDS = [
    "Linden",
    "Eiken",
    "Beuken",
    "Iepen",
    "Wilgen",
    "Rozen",
    "Tulpen",
    "Merel",
    "Lijster",
    "Reiger",
    "Zwanen",
    "Molen",
    "Kerk",
    "Sluis",
    "Haven",
    "Dijk",
    "Vaart",
    "Rembrandt",
    "Vondel",
    "Bredero",
    "Populieren",
    "Kastanje",
    "Hazelaar",
    "Berken",
    "Seringen",
    "Jasmijn",
    "Kievit",
    "Zwaluw",
    "Spreeuwen",
    "Fazant",
]
STREET_KINDS = ["straat", "laan", "weg", "hof", "kade", "pad", "plein", "singel"]


def draw_green(geo: Geography, rng: np.random.Generator) -> pd.DataFrame:
    """Parks, small public green and rural grassland and woodland, as BGT begroeidterreindeel.

    Parameters
    ----------
    geo
        The demo's areas.
    rng
        The demo's random generator.

    Returns
    -------
    pandas.DataFrame
        ``bgt_fysiek_voorkomen`` and ``geometry`` (EPSG:28992) per polygon, outside the river.

    Notes
    -----
    The core gets only small squares of green (each well under 1 ha). All other public green
    (plantsoenen, town parks up to about 7 ha, the wooded parks of 25-35 ha of the buurten
    named after a park) keeps ``PARK_FREE_AROUND_CORE_M`` away from the core, so that no
    park, not even one of touching pieces, lies within 300 m of a home in the core.
    """
    rows: list[tuple[str, Polygon]] = []
    away_from_core = geo.core.buffer(PARK_FREE_AROUND_CORE_M)
    for buurt in geo.buurten:
        if buurt.kind == "core":
            for _ in range(int(rng.integers(1, 4))):
                rows.append(("groenvoorziening", _blob(buurt, rng, rng.uniform(10, 22))))
        elif buurt.kind in RESIDENTIAL_KINDS:
            for _ in range(int(rng.integers(2, 7))):
                radius = rng.uniform(15, 45)
                site = _park_site(buurt, away_from_core, radius, rng)  # touching green forms a park: keep away too
                if site is not None:
                    rows.append(("groenvoorziening", _blob(buurt, rng, radius, site)))
            if buurt.kind == "village":
                radius = rng.uniform(70, 100) if buurt.code.endswith("00") else 0.0  # the village green, once
            else:
                radius = rng.uniform(60, 150) if rng.random() < 0.7 else 0.0
            site = _park_site(buurt, away_from_core, radius, rng) if radius else None
            if site is not None:
                rows.append(("groenvoorziening", _blob(buurt, rng, radius, site)))
            if "park" in buurt.naam.lower():  # a wooded town park of 25-35 ha
                radius = rng.uniform(290, 340)
                site = _park_site(buurt, away_from_core, radius, rng, central=True)
                if site is not None:
                    rows.append(("loofbos", _blob(buurt, rng, radius, site)))
        elif buurt.kind == "rural":
            for _ in range(max(3, int(buurt.geometry.area / 1_500_000))):  # a wood or meadow per 150 ha
                kind = rng.choice(["grasland agrarisch", "loofbos", "loofbos", "gemengd bos"])
                rows.append((str(kind), _blob(buurt, rng, rng.uniform(80, 260))))
        else:
            centre = buurt.geometry.representative_point()
            rows.append(("groenvoorziening", _blob(buurt, rng, rng.uniform(15, 40), centre)))
    # A town park that straddles buurt boundaries, as real parks do.
    rows.append(("groenvoorziening", _park_between(geo)))
    frame = pd.DataFrame(rows, columns=["bgt_fysiek_voorkomen", "geometry"])
    frame["geometry"] = [g.difference(geo.river).intersection(geo.outline) for g in frame["geometry"]]
    return frame[~frame["geometry"].map(lambda g: g.is_empty or g.area < 50)].reset_index(drop=True)


def _blob(buurt: Buurt, rng: np.random.Generator, radius: float, at: shapely.Point | None = None) -> Polygon:
    """Draw an irregular polygon of about ``radius`` metres (at most 1.5 times that from ``at``) inside ``buurt``."""
    if at is None:
        at = _random_point_in(buurt.geometry, rng)
    theta = np.linspace(0, 2 * np.pi, 36, endpoint=False)
    r = radius * (1 + 0.25 * np.sin(2 * theta + rng.uniform(0, 6)) + 0.1 * rng.standard_normal(36).clip(-2, 2))
    ring = np.column_stack([at.x + r * np.cos(theta), at.y + r * 0.8 * np.sin(theta)])
    return shapely.make_valid(Polygon(ring.round(3))).intersection(buurt.geometry.buffer(50))


def _park_site(
    buurt: Buurt, away_from: Polygon, radius: float, rng: np.random.Generator, *, central: bool = False
) -> shapely.Point | None:
    """Where a park of ``radius`` can lie in ``buurt`` without reaching into ``away_from`` (None: nowhere)."""
    room = buurt.geometry.difference(away_from.buffer(1.5 * radius))
    if room.is_empty or room.area < 1:
        return None
    return room.representative_point() if central else _random_point_in(room, rng)


def _park_between(geo: Geography) -> Polygon:
    """Draw a park of about 4 ha on the boundary of Noorderhof and Bloemenbuurt, as real parks straddle boundaries."""
    a, b = geo.buurten[8].geometry, geo.buurten[9].geometry  # Noorderhof, Bloemenbuurt
    shared = a.buffer(1).intersection(b.buffer(1))
    return shared.centroid.buffer(110, quad_segs=8)


def _random_point_in(area, rng: np.random.Generator) -> shapely.Point:
    minx, miny, maxx, maxy = area.bounds
    while True:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if area.contains(shapely.Point(x, y)):
            return shapely.Point(x, y)


def draw_addresses(geo: Geography, green: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """BAG-like verblijfsobjecten, clustered where people live, never in water or parks."""
    public_green = green["bgt_fysiek_voorkomen"].isin(["groenvoorziening", "loofbos"])
    blocked = shapely.union_all([geo.river, *green["geometry"][public_green]])
    shapely.prepare(blocked)
    frames = []
    for buurt in geo.buurten:
        mean, spread = ADDRESSES[buurt.kind]
        n = max(5, int(rng.normal(mean, mean * 0.2)))
        xy = _cluster(buurt, n, spread, blocked, rng)
        frames.append(pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "buurtcode": buurt.code, "kind": buurt.kind}))
    points = pd.concat(frames, ignore_index=True)
    return _address_attributes(points, geo, rng)


def _cluster(buurt: Buurt, n: int, spread: float | None, blocked, rng: np.random.Generator) -> np.ndarray:
    area = buurt.geometry
    shapely.prepare(area)
    minx, miny, maxx, maxy = area.bounds
    centre = area.representative_point()
    found = np.empty((0, 2))
    while len(found) < n:
        if spread is None:  # rural: along a few roads, i.e. uniform over the area
            xy = np.column_stack([rng.uniform(minx, maxx, 4 * n), rng.uniform(miny, maxy, 4 * n)])
        else:
            xy = rng.normal([centre.x, centre.y], spread, size=(4 * n, 2))
        keep = shapely.contains_xy(area, xy[:, 0], xy[:, 1]) & ~shapely.contains_xy(blocked, xy[:, 0], xy[:, 1])
        found = np.vstack([found, xy[keep]])
    return found[:n].round(3)


def _address_attributes(points: pd.DataFrame, geo: Geography, rng: np.random.Generator) -> pd.DataFrame:
    n = len(points)
    village_of = {b.code: w.naam for w in geo.wijken for b in w.buurten}
    town_wijken = {w.code for w in geo.wijken[:5]} | {w.code for w in geo.wijken[8:]}
    points["woonplaats_naam"] = [
        "Waardhoven" if code[:8].replace("BU", "WK") in town_wijken else village_of[code]
        for code in points["buurtcode"]
    ]
    # Streets: blocks of about 120 m, numbered along x within the block.
    block = (points["x"] // 120).astype(int).astype(str) + "_" + (points["y"] // 120).astype(int).astype(str)
    points["block"] = block
    points = points.sort_values(["buurtcode", "block", "x", "y"], kind="stable").reset_index(drop=True)
    street_id = points.groupby(["buurtcode", "block"], sort=False).ngroup()
    points["openbare_ruimte_naam"] = [
        STREET_WORDS[s % len(STREET_WORDS)] + STREET_KINDS[(s // len(STREET_WORDS)) % len(STREET_KINDS)]
        for s in street_id
    ]
    points["huisnummer"] = points.groupby(street_id).cumcount() + 1
    pc4 = 2900 + points["buurtcode"].str[6:8].astype(int) * 3 + (street_id % 3)
    letters = [chr(65 + (s // 26) % 26) + chr(65 + s % 26) for s in street_id]
    points["postcode"] = pc4.astype(str) + pd.Series(letters, index=points.index)
    points["huisletter"] = pd.Series("A", index=points.index).where(rng.random(n) < 0.04)
    additions = pd.Series(rng.choice(["1", "2", "bis"], n), index=points.index)
    points["toevoeging"] = additions.where(rng.random(n) < 0.03)
    points["gebruiksdoel"] = _usage(points["kind"], rng)
    home_m2 = points["kind"].map(FLOOR_AREA_M2).to_numpy() / 16  # gamma(16, mean / 16): spread a quarter of the mean
    points["oppervlakte"] = np.where(
        points["gebruiksdoel"] == "woonfunctie", rng.gamma(16, home_m2).round(), rng.gamma(6, 80, n).round()
    ).astype(int)
    points["bouwjaar"] = _building_years(points["kind"], rng)
    points["status"] = "Verblijfsobject in gebruik"
    digits = geo.wijken[0].code[2:6]
    points["identificatie"] = [f"{digits}01{i:010d}" for i in range(1, n + 1)]
    points["pand_identificatie"] = [f"{digits}10{i:010d}" for i in street_id * 7 + points["huisnummer"] // 4]
    points["nummeraanduiding_hoofdadres_identificatie"] = [f"{digits}20{i:010d}" for i in range(1, n + 1)]
    return points.drop(columns=["block"])


def _building_years(kinds: pd.Series, rng: np.random.Generator) -> np.ndarray:
    """Draw a building year per address, from the periods in which its buurt's kind was built (``BUILT``)."""
    years = np.zeros(len(kinds), dtype=int)
    for kind, periods in BUILT.items():
        rows = np.flatnonzero((kinds == kind).to_numpy())
        shares = np.array([share for _, _, share in periods])
        period = rng.choice(len(periods), size=len(rows), p=shares / shares.sum())
        first = np.array([periods[p][0] for p in period])
        last = np.array([periods[p][1] for p in period])
        years[rows] = rng.integers(first, last + 1)
    return years


def _usage(kinds: pd.Series, rng: np.random.Generator) -> np.ndarray:
    draw = rng.random(len(kinds))
    usage = np.full(len(kinds), "woonfunctie", dtype=object)
    usage[(kinds == "core").to_numpy() & (draw < 0.12)] = "winkelfunctie"
    usage[(kinds == "core").to_numpy() & (draw >= 0.12) & (draw < 0.18)] = "kantoorfunctie"
    industrial = (kinds == "industrial").to_numpy()
    usage[industrial & (draw < 0.85)] = "industriefunctie"
    return usage


def draw_trees(geo: Geography, addresses: pd.DataFrame, green: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Draw the municipal tree register: street trees near addresses, trees around farmyards and in parks.

    Parameters
    ----------
    geo
        The demo's areas.
    addresses
        The addresses (``x``, ``y``, ``buurtcode``, ``kind``).
    green
        The green polygons; trees stand in the ``groenvoorziening`` ones (woods are not in a tree register).
    rng
        The demo's random generator.

    Returns
    -------
    pandas.DataFrame
        One row per tree, with the register's columns and RD ``x``, ``y``.

    Notes
    -----
    An address gets a street tree near it with probability ``STREET_TREES_PER_ADDRESS`` of its
    buurt's kind (times 0.7-1.3 per buurt), so the stony core has few trees per home; a rural
    address gets ``FARMYARD_TREES`` trees around its yard.
    """
    factor = {b.code: rng.uniform(0.7, 1.3) for b in geo.buurten}
    share = addresses["kind"].map(STREET_TREES_PER_ADDRESS).to_numpy() * addresses["buurtcode"].map(factor).to_numpy()
    near = addresses[rng.random(len(addresses)) < share]
    offset = rng.normal(0, 14, size=(len(near), 2))
    street = np.column_stack([near["x"] + offset[:, 0], near["y"] + offset[:, 1]])
    farms = addresses[addresses["kind"] == "rural"]
    per_farm = rng.integers(*FARMYARD_TREES, len(farms))
    yard = np.repeat(farms[["x", "y"]].to_numpy(), per_farm, axis=0) + rng.normal(0, 12, size=(per_farm.sum(), 2))
    parks = green[green["bgt_fysiek_voorkomen"] == "groenvoorziening"]["geometry"]
    in_parks = [_points_in(p, int(p.area / 400), rng) for p in parks]
    xy = np.vstack([street, yard, *in_parks]).round(2)
    xy = xy[shapely.contains_xy(geo.outline, xy[:, 0], xy[:, 1]) & ~shapely.contains_xy(geo.river, xy[:, 0], xy[:, 1])]
    species = np.array(
        [
            "Tilia x europaea",
            "Quercus robur",
            "Acer campestre",
            "Platanus x hispanica",
            "Betula pendula",
            "Fraxinus excelsior",
            "Ulmus 'Lobel'",
            "Prunus avium",
        ]
    )
    return pd.DataFrame(
        {
            "BOOMNUMMER": [f"WH-{i:06d}" for i in range(1, len(xy) + 1)],
            "BOOMSOORT_WETENSCHAPPELIJK": rng.choice(species, len(xy)),
            "PLANTJAAR": rng.integers(1950, 2025, len(xy)),
            "x": xy[:, 0],
            "y": xy[:, 1],
        }
    )


def _points_in(area, n: int, rng: np.random.Generator) -> np.ndarray:
    minx, miny, maxx, maxy = area.bounds
    xy = np.column_stack([rng.uniform(minx, maxx, 3 * n + 3), rng.uniform(miny, maxy, 3 * n + 3)])
    return xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])][:n]


def draw_street_furniture(addresses: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """BGT plus street furniture: playgrounds (about one per 250 homes), benches, bins."""
    homes = addresses[addresses["gebruiksdoel"] == "woonfunctie"]
    rows = []
    for kind, per in (("niet-bgt:speelvoorziening", 250), ("niet-bgt:bank", 120), ("niet-bgt:afvalbak", 90)):
        picked = homes.sample(n=max(1, len(homes) // per), random_state=int(rng.integers(1 << 31)))
        offset = rng.normal(0, 25, size=(len(picked), 2))
        rows.append(
            pd.DataFrame(
                {
                    "bgtplustype": kind,
                    "x": picked["x"].to_numpy() + offset[:, 0],
                    "y": picked["y"].to_numpy() + offset[:, 1],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def draw_gp_practices(geo: Geography, addresses: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Huisartsenpraktijken at addresses, as many per wijk as ``GP_PRACTICES`` says (none in Waardhoven-Zuid)."""
    buurten_of = {w.naam: {b.code for b in w.buurten} for w in geo.wijken}
    in_wijk = {wijk: addresses[addresses["buurtcode"].isin(buurten_of[wijk])] for wijk in GP_PRACTICES}
    picked = pd.concat(
        [in_wijk[wijk].sample(n=n, random_state=int(rng.integers(1 << 31))) for wijk, n in GP_PRACTICES.items()],
        ignore_index=True,
    )
    names = [
        "Huisartsenpraktijk " + s
        for s in (
            "De Linde",
            "Het Anker",
            "Vliethof",
            "De Brug",
            "Noorderhof",
            "De Molen",
            "Rivierzicht",
            "Kerkplein",
            "De Kade",
            "Het Baken",
            "Het Veen",
            "De Wilgen",
            "Lingerhof",
            "Dijkzicht",
            "De Waard",
            "Zuiderhof",
        )
    ]
    picked["Naam"] = names[: len(picked)]
    return picked


INITIATIVES = [
    ("Geveltuinen", "groen"),
    ("Buurtmoestuin", "groen"),
    ("Boomspiegels adopteren", "groen"),
    ("Energiecoöperatie", "energie"),
    ("Isolatiecafé", "energie"),
    ("Buurtkamer", "gezond"),
    ("Wandelgroep", "gezond"),
    ("Repair café", "bestaanszekerheid"),
    ("Voedselbank uitgiftepunt", "bestaanszekerheid"),
    ("Tiny forest", "groen"),
    ("Zonnedak school", "energie"),
    ("Eetgroep", "gezond"),
]


def draw_initiatives(addresses: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Buurtinitiatieven where change already shows (the kiemen of the opgaven), at homes in town and villages."""
    homes = addresses[addresses["kind"].isin(RESIDENTIAL_KINDS)]
    picked = homes.sample(n=3 * len(INITIATIVES), random_state=int(rng.integers(1 << 31))).reset_index(drop=True)
    names = [f"{INITIATIVES[i % len(INITIATIVES)][0]} {picked['openbare_ruimte_naam'][i]}" for i in range(len(picked))]
    themes = [INITIATIVES[i % len(INITIATIVES)][1] for i in range(len(picked))]
    return pd.DataFrame({"naam": names, "thema": themes, "x": picked["x"], "y": picked["y"]})
