"""Partner data sets of the demo gemeente, shaped like the files partners really send.

- GGD health monitor: keyed by buurtcode, in the CBS/RIVM StatLine CSV layout (50090NED).
- Housing corporation: keyed by postcode + huisnummer, a Dutch Excel-style CSV.
- Nuisance reports (meldingen openbare ruimte): keyed by RD coordinates.

The figures follow from what was built where (the buurt's ``kind``): loneliness and nuisance
are highest in the post-war flats of Waardhoven-Zuid; the corporation owns homes built from
1945 on, most of them there, and its energy labels follow the building period; rents
follow floor area and label, so the large family homes of Waardhoven-Noord pay the most.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .geography import Geography

LABELS = np.array(list("ABCDEFG"))
LONELY_PCT = {  # mean share of adults who feel lonely, per kind of buurt (each buurt varies, sd 2.5)
    "core": 46.0,
    "postwar": 56.0,
    "family": 40.0,
    "recent": 38.0,
    "industrial": 50.0,
    "village": 40.0,
    "rural": 38.0,
}
CORPORATION_SHARE = {"core": 0.6, "postwar": 0.75, "family": 0.45, "recent": 0.2, "village": 0.3}  # of homes 1945+
# Mean energy label index (0 = A ... 6 = G) of homes built up to the given year; each home varies (sd 0.9).
LABEL_BY_PERIOD = ((1944, 5.3), (1964, 4.6), (1974, 4.0), (1991, 3.0), (2005, 2.0), (9999, 0.7))
RENT_LABEL_BONUS = np.array([90, 75, 55, 35, 15, 0, 0])  # euro per month for labels A-G (better label, more points)
NUISANCE_WEIGHT = {  # relative chance that a report is made near an address of this kind
    "core": 2.0,
    "postwar": 4.0,
    "family": 1.0,
    "recent": 0.8,
    "industrial": 1.5,
    "village": 0.5,
    "rural": 0.5,
}


def health_monitor(geo: Geography, inwoners: dict[str, int], rng: np.random.Generator) -> pd.DataFrame:
    """Share of adults (18+) who feel lonely or in good health, per gemeente, wijk and buurt.

    Buurten with fewer than 100 inhabitants get empty cells, as the GGD suppresses them.
    """
    rows = []
    for buurt in geo.buurten:
        small = inwoners.get(buurt.code, 0) < 100
        lonely = LONELY_PCT[buurt.kind] + rng.normal(0, 2.5)
        rows.append(_monitor_row(buurt.code, "Buurt", None if small else lonely, None if small else 84 - lonely / 4))
    for wijk in geo.wijken:
        lonely = float(np.mean([LONELY_PCT[b.kind] for b in wijk.buurten]) + rng.normal(0, 2))
        rows.append(_monitor_row(wijk.code, "Wijk", lonely, 84 - lonely / 4))
    rows.append(_monitor_row(geo_code(geo), "Gemeente", 45.1, 73.2))
    frame = pd.DataFrame(rows)
    frame.insert(0, "ID", range(1, len(frame) + 1))
    return frame


def geo_code(geo: Geography) -> str:
    """Return the demo's gemeentecode (GM followed by the digits of its wijkcodes)."""
    return "GM" + geo.wijken[0].code[2:6]


def _monitor_row(code: str, soort: str, lonely: float | None, good_health: float | None) -> dict:
    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:8.1f}"

    return {
        "Leeftijd": "20300",
        "Marges": "MW00000",
        "WijkenEnBuurten": f"{code:<10}",
        "Perioden": "2022JJ00",
        "Gemeentenaam_1": f"{'Waardhoven':<40}",
        "SoortRegio_2": f"{soort:<10}",
        "Codering_3": f"{code:<20}",
        "ErvarenGezondheidGoedZeerGoed_4": cell(good_health),
        "Eenzaam_28": cell(lonely),
        "ErnstigZeerErnstigEenzaam_29": cell(None if lonely is None else lonely / 4.2),
    }


def corporation_dwellings(addresses: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Draw the corporation's homes (built from 1945 on, ``CORPORATION_SHARE`` per kind) with energy label and rent.

    Labels follow the building period (``LABEL_BY_PERIOD``); the rent (kale huur) follows the floor
    area and the label. A few rows carry a typing error in the postcode (its two letters swapped,
    so the PC4 stays the gemeente's) so that matching is never perfect and the quarantine has
    something to show.

    Notes
    -----
    label index = clip(round(m(bouwjaar) + e), 0, 6) with e ~ N(0, 0.9);
    rent = 250 + 4.2 * oppervlakte + bonus(label) + N(0, 35) euro, clipped to 420-1100.
    """
    share = addresses["kind"].map(CORPORATION_SHARE).fillna(0.0).to_numpy()
    homes = addresses[(addresses["gebruiksdoel"] == "woonfunctie") & (addresses["bouwjaar"] >= 1945)]
    owned = homes[rng.random(len(homes)) < share[homes.index]].reset_index(drop=True)
    period_mean = np.array([m for _, m in LABEL_BY_PERIOD])
    period = np.searchsorted([last for last, _ in LABEL_BY_PERIOD], owned["bouwjaar"].to_numpy())
    label_index = np.clip((period_mean[period] + rng.normal(0, 0.9, len(owned))).round(), 0, 6).astype(int)
    labels = LABELS[label_index]
    postcode = owned["postcode"].str[:4] + " " + owned["postcode"].str[4:]
    typo = rng.random(len(owned)) < 0.02
    postcode = postcode.mask(typo, postcode.str[:5] + postcode.str[6] + postcode.str[5])
    rent = 250 + 4.2 * owned["oppervlakte"].to_numpy() + RENT_LABEL_BONUS[label_index]
    rent = (rent + rng.normal(0, 35, len(owned))).clip(420, 1100)
    return pd.DataFrame(
        {
            "VHE-nummer": [f"VHE{100000 + i}" for i in range(len(owned))],
            "Postcode": postcode,
            "Huisnummer": owned["huisnummer"].astype(str),
            "Huisletter": owned["huisletter"].fillna(""),
            "Toevoeging": owned["toevoeging"].fillna(""),
            "Energielabel": np.where(rng.random(len(owned)) < 0.05, "", labels),
            "Bouwjaar": owned["bouwjaar"].astype(str),
            "Kale huur": [f"{r:.2f}".replace(".", ",") for r in rent],
        }
    )


def nuisance_reports(addresses: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Meldingen openbare ruimte of one year near addresses, weighted by kind of buurt; some without a location."""
    weights = addresses["kind"].map(NUISANCE_WEIGHT)
    picked = addresses.sample(n=3000, replace=True, weights=weights, random_state=int(rng.integers(1 << 31)))
    offset = rng.normal(0, 30, size=(len(picked), 2))
    x = (picked["x"] + offset[:, 0]).round(2)
    y = (picked["y"] + offset[:, 1]).round(2)
    without_location = rng.random(len(picked)) < 0.01
    days = rng.integers(0, 366, len(picked))
    categories = rng.choice(
        ["Afval", "Openbaar groen", "Straatverlichting", "Overlast", "Wegen en verkeer"],
        len(picked),
        p=[0.35, 0.2, 0.1, 0.2, 0.15],
    )
    return pd.DataFrame(
        {
            "Meldingnummer": [f"M2024-{i:05d}" for i in range(1, len(picked) + 1)],
            "Datum": (pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")).strftime("%d-%m-%Y"),
            "Categorie": categories,
            "X": np.where(without_location, "", [f"{v:.2f}".replace(".", ",") for v in x]),
            "Y": np.where(without_location, "", [f"{v:.2f}".replace(".", ",") for v in y]),
        }
    )
