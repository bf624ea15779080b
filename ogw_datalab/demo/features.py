"""Points and polygons of the demo gemeente: addresses, green, trees, playgrounds, GPs.

Everything is drawn in EPSG:28992 from one random generator, so the same seed gives
the same features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import Polygon

from .geography import Buurt, Geography

# Addresses per buurt kind (mean) and spread of the cluster around the buurt's centre (m).
ADDRESSES = {
    "core": (1150, 260),
    "town": (1250, 330),
    "industrial": (70, 400),
    "village": (520, 230),
    "rural": (90, None),
}
HOUSEHOLD_SIZE = {"core": 1.7, "town": 2.3, "industrial": 1.9, "village": 2.5, "rural": 2.6}
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
    """Parks, small public green and rural grassland/woodland as BGT begroeidterreindeel."""
    rows = []
    for buurt in geo.buurten:
        centre = buurt.geometry.representative_point()
        if buurt.kind in ("core", "town", "village"):
            n_small = int(rng.integers(2, 7))
            for _ in range(n_small):
                rows.append(("groenvoorziening", _blob(buurt, rng, rng.uniform(15, 45))))
            if rng.random() < {"core": 0.35, "town": 0.7, "village": 0.4}[buurt.kind]:
                rows.append(("groenvoorziening", _blob(buurt, rng, rng.uniform(60, 150))))
            if "park" in buurt.naam.lower():  # a wooded town park of 20-35 ha
                rows.append(
                    ("loofbos", _blob(buurt, rng, rng.uniform(260, 340), buurt.geometry.representative_point()))
                )
        elif buurt.kind == "rural":
            for _ in range(int(rng.integers(3, 8))):
                kind = rng.choice(["grasland agrarisch", "grasland agrarisch", "loofbos", "gemengd bos"])
                rows.append((str(kind), _blob(buurt, rng, rng.uniform(80, 260))))
        else:
            rows.append(("groenvoorziening", _blob(buurt, rng, rng.uniform(15, 40), centre)))
    # A town park that straddles buurt boundaries, as real parks do.
    rows.append(("groenvoorziening", _park_between(geo)))
    frame = pd.DataFrame(rows, columns=["bgt_fysiek_voorkomen", "geometry"])
    frame["geometry"] = [g.difference(geo.river).intersection(geo.outline) for g in frame["geometry"]]
    return frame[~frame["geometry"].map(lambda g: g.is_empty or g.area < 50)].reset_index(drop=True)


def _blob(buurt: Buurt, rng: np.random.Generator, radius: float, at: shapely.Point | None = None) -> Polygon:
    """An irregular polygon of about ``radius`` metres inside ``buurt``."""
    if at is None:
        at = _random_point_in(buurt.geometry, rng)
    theta = np.linspace(0, 2 * np.pi, 36, endpoint=False)
    r = radius * (1 + 0.25 * np.sin(2 * theta + rng.uniform(0, 6)) + 0.1 * rng.standard_normal(36).clip(-2, 2))
    ring = np.column_stack([at.x + r * np.cos(theta), at.y + r * 0.8 * np.sin(theta)])
    return shapely.make_valid(Polygon(ring.round(3))).intersection(buurt.geometry.buffer(50))


def _park_between(geo: Geography) -> Polygon:
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
    points["oppervlakte"] = np.where(
        points["gebruiksdoel"] == "woonfunctie", rng.gamma(9, 12, n).round(), rng.gamma(6, 80, n).round()
    ).astype(int)
    built = {
        "core": (1890, 1975),
        "town": (1960, 2020),
        "industrial": (1970, 2015),
        "village": (1920, 2010),
        "rural": (1850, 2000),
    }
    points["bouwjaar"] = [int(rng.integers(*built[k])) for k in points["kind"]]
    points["status"] = "Verblijfsobject in gebruik"
    digits = geo.wijken[0].code[2:6]
    points["identificatie"] = [f"{digits}01{i:010d}" for i in range(1, n + 1)]
    points["pand_identificatie"] = [f"{digits}10{i:010d}" for i in street_id * 7 + points["huisnummer"] // 4]
    points["nummeraanduiding_hoofdadres_identificatie"] = [f"{digits}20{i:010d}" for i in range(1, n + 1)]
    return points.drop(columns=["block"])


def _usage(kinds: pd.Series, rng: np.random.Generator) -> np.ndarray:
    draw = rng.random(len(kinds))
    usage = np.full(len(kinds), "woonfunctie", dtype=object)
    usage[(kinds == "core").to_numpy() & (draw < 0.12)] = "winkelfunctie"
    usage[(kinds == "core").to_numpy() & (draw >= 0.12) & (draw < 0.18)] = "kantoorfunctie"
    industrial = (kinds == "industrial").to_numpy()
    usage[industrial & (draw < 0.85)] = "industriefunctie"
    return usage


def draw_trees(geo: Geography, addresses: pd.DataFrame, green: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Street trees near homes (how leafy varies per buurt) and trees in parks."""
    greenness = {b.code: rng.uniform(0.05, 0.6) for b in geo.buurten}
    share = addresses["buurtcode"].map(greenness).to_numpy()
    near = addresses[rng.random(len(addresses)) < share]
    offset = rng.normal(0, 14, size=(len(near), 2))
    street = np.column_stack([near["x"] + offset[:, 0], near["y"] + offset[:, 1]])
    parks = green[green["bgt_fysiek_voorkomen"] == "groenvoorziening"]["geometry"]
    in_parks = [_points_in(p, int(p.area / 400), rng) for p in parks]  # woods are not in a tree register
    xy = np.vstack([street, *in_parks]).round(2)
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


def draw_gp_practices(addresses: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Huisartsenpraktijken at addresses in the town and the villages."""
    candidates = addresses[addresses["kind"].isin(["core", "town", "village"])]
    picked = candidates.sample(n=16, random_state=int(rng.integers(1 << 31))).reset_index(drop=True)
    names = [
        "Huisartsenpraktijk " + s
        for s in (
            "De Linde",
            "Het Anker",
            "Vliethof",
            "De Brug",
            "Rivierzicht",
            "Noorderhof",
            "De Molen",
            "Kerkplein",
            "Het Veen",
            "De Kade",
            "Lingerhof",
            "Dijkzicht",
            "De Waard",
            "Zuiderhof",
            "Het Baken",
            "De Wilgen",
        )
    ]
    picked["Naam"] = names
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
    homes = addresses[addresses["kind"].isin(["core", "town", "village"])]
    picked = homes.sample(n=3 * len(INITIATIVES), random_state=int(rng.integers(1 << 31))).reset_index(drop=True)
    names = [f"{INITIATIVES[i % len(INITIATIVES)][0]} {picked['openbare_ruimte_naam'][i]}" for i in range(len(picked))]
    themes = [INITIATIVES[i % len(INITIATIVES)][1] for i in range(len(picked))]
    return pd.DataFrame({"naam": names, "thema": themes, "x": picked["x"], "y": picked["y"]})
