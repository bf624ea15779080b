"""Partner data sets of the demo gemeente, shaped like the files partners really send.

- GGD health monitor: keyed by buurtcode, in the CBS/RIVM StatLine CSV layout (50090NED).
- Housing corporation: keyed by postcode + huisnummer, a Dutch Excel-style CSV.
- Nuisance reports (meldingen openbare ruimte): keyed by RD coordinates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .geography import Geography

LABELS = np.array(list("ABCDEFG"))


def health_monitor(geo: Geography, inwoners: dict[str, int], rng: np.random.Generator) -> pd.DataFrame:
    """Share of adults (18+) who feel lonely or in good health, per gemeente, wijk and buurt.

    Buurten with fewer than 100 inhabitants get empty cells, as the GGD suppresses them.
    """
    rows = []
    lonely_base = {"core": 52.0, "town": 45.0, "industrial": 50.0, "village": 40.0, "rural": 38.0}
    for buurt in geo.buurten:
        small = inwoners.get(buurt.code, 0) < 100
        lonely = lonely_base[buurt.kind] + rng.normal(0, 5)
        rows.append(_monitor_row(buurt.code, "Buurt", None if small else lonely, None if small else 84 - lonely / 4))
    for wijk in geo.wijken:
        lonely = float(np.mean([lonely_base[b.kind] for b in wijk.buurten]) + rng.normal(0, 2))
        rows.append(_monitor_row(wijk.code, "Wijk", lonely, 84 - lonely / 4))
    rows.append(_monitor_row(geo_code(geo), "Gemeente", 45.1, 73.2))
    frame = pd.DataFrame(rows)
    frame.insert(0, "ID", range(1, len(frame) + 1))
    return frame


def geo_code(geo: Geography) -> str:
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
    """About 30 % of the homes in town and villages, with energy label and rent.

    A few rows carry a typing error in the postcode (its two letters swapped, so the PC4 stays
    the gemeente's) so that matching is never perfect and the quarantine has something to show.
    """
    homes = addresses[
        (addresses["gebruiksdoel"] == "woonfunctie") & addresses["kind"].isin(["core", "town", "village"])
    ]
    owned = homes[rng.random(len(homes)) < 0.3].reset_index(drop=True)
    age = (2024 - owned["bouwjaar"]).to_numpy()
    label_index = np.clip((age / 14 + rng.normal(0, 1.2, len(owned))).round(), 0, 6).astype(int)
    labels = LABELS[label_index]
    postcode = owned["postcode"].str[:4] + " " + owned["postcode"].str[4:]
    typo = rng.random(len(owned)) < 0.02
    postcode = postcode.mask(typo, postcode.str[:5] + postcode.str[6] + postcode.str[5])
    rent = rng.normal(690, 120, len(owned)).clip(420, 1100)
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
    """Meldingen openbare ruimte of one year, near addresses; some without a location."""
    busy = addresses[addresses["kind"].isin(["core", "town", "industrial"])]
    near_busy = busy.sample(n=2600, replace=True, random_state=int(rng.integers(1 << 31)))
    anywhere = addresses.sample(n=400, random_state=int(rng.integers(1 << 31)))
    picked = pd.concat([near_busy, anywhere], ignore_index=True)
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
