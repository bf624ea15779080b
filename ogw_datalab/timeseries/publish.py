"""What the site needs of a tijdreeks, short of rendering: monthly series, the sensor point layer, colofon text.

Pages (time charts, the point layer) are drawn elsewhere; these functions only select and word.
"""

from __future__ import annotations

from typing import Literal

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..config import Tijdreeks
from ..storage import table_name, tijdreeks_table
from .quality import FLAG_WORDING, FLAGS

Niveau = Literal["buurt", "wijk", "gemeente"]
CODE = {"buurt": "buurtcode", "wijk": "wijkcode", "gemeente": "gemeentecode"}


def monthly_series(con: duckdb.DuckDBPyConnection, name: str, niveau: Niveau = "buurt") -> pd.DataFrame:
    """Return the monthly figures of every area for a time chart, with the reason where a month has none.

    Columns: the area code, ``maand``, ``grootheid``, ``eenheid``, ``soort``, ``herkomst``,
    ``gemiddelde``, ``percentiel``, ``dagen_boven_richtlijn``, ``geldige_dagen``, ``sensoren``,
    ``status`` and ``reden``; ordered by area, quantity, soort and month.
    """
    part = "maand" if niveau == "buurt" else f"{niveau}_maand"
    code = CODE[niveau]
    return con.execute(
        f"SELECT {code}, maand, grootheid, eenheid, soort, herkomst, gemiddelde, percentiel, dagen_boven_richtlijn, "
        f"geldige_dagen, sensoren, status, reden FROM {table_name('joined', tijdreeks_table(name, part))} "
        f"ORDER BY {code}, grootheid, soort, maand"
    ).df()


def sensor_points(
    con: duckdb.DuckDBPyConnection, name: str, reeks: Tijdreeks, *, raster_m: float | None = None
) -> gpd.GeoDataFrame:
    """Return the sensors as points, one per location period, with its local valid period and its counts.

    Columns: ``sensor``, ``soort``, ``fase``, ``meetellen``, ``van`` and ``tot`` (first and last
    local day, empty when open), ``buurtcode`` (where the period counts), ``waarden`` and ``in_buurtcijfers``
    (values that entered buurt figures); geometry in EPSG:28992.

    Parameters
    ----------
    raster_m
        Snap low-cost sensors to the centre of a grid cell of this size before publishing: citizen
        sensors often hang at a home, whose address a point to the metre would give away. Reference
        stations are public places and keep their position.
    """
    locaties = table_name("staging", tijdreeks_table(name, "locaties"))
    metingen = table_name("staging", tijdreeks_table(name))
    toewijzing = table_name("joined", tijdreeks_table(name, "toewijzing"))
    frame = con.execute(
        f"""SELECT l.periode_id, l.sensor, l.soort, l.fase, l.meetellen, l.van, l.tot,
                   (SELECT min(t.buurtcode) FROM {toewijzing} AS t
                    WHERE t.periode_id = l.periode_id AND t.herkomst = 'in_buurt') AS buurtcode,
                   count(m.sensor) AS waarden,
                   count(m.sensor) FILTER (WHERE m.geldig AND m.meetellen) AS in_buurtcijfers,
                   ST_AsWKB(l.geometry) AS wkb
            FROM {locaties} AS l LEFT JOIN {metingen} AS m USING (periode_id)
            GROUP BY ALL ORDER BY l.sensor, l.van NULLS FIRST"""
    ).df()
    frame = frame[frame["waarden"] > 0].reset_index(drop=True)
    for column, shift in (("van", pd.Timedelta(0)), ("tot", pd.Timedelta(seconds=1))):  # tot: the last day
        moments = (pd.to_datetime(frame[column]) - shift).dt.tz_localize("UTC").dt.tz_convert(reeks.zone)
        frame[column] = moments.dt.strftime("%Y-%m-%d").fillna("")
    points = shapely.from_wkb([bytes(w) for w in frame.pop("wkb")])
    if raster_m:
        low_cost = (frame["soort"] == "laagkosten").to_numpy()
        x, y = shapely.get_x(points), shapely.get_y(points)
        snapped = shapely.points((np.floor(x / raster_m) + 0.5) * raster_m, (np.floor(y / raster_m) + 0.5) * raster_m)
        points = np.where(low_cost, snapped, points)
    return gpd.GeoDataFrame(frame.drop(columns=["periode_id"]), geometry=list(points), crs="EPSG:28992")


def colofon_tekst(reeks: Tijdreeks, kwaliteit: pd.DataFrame) -> list[str]:
    """Word, in Dutch, what the sensor figures can and cannot tell, and how many values each rule held back.

    Parameters
    ----------
    reeks
        The tijdreeks configuration (its rules are named in the text).
    kwaliteit
        The flag counts per sensor (``staging.tijdreeks_<naam>_kwaliteit``).
    """
    aggregatie, regels = reeks.aggregatie, reeks.kwaliteit
    totals = kwaliteit[["waarden", *FLAGS, "buiten_meetperiode", "in_buurtcijfers"]].sum()
    held = [f"{_count(totals[f])} {FLAG_WORDING[f].long}" for f in FLAGS if totals[f] > 0]
    guidelines = ", ".join(f"{_quantity(g)} {v:g} µg/m³".replace(".", ",") for g, v in aggregatie.richtlijnen.items())
    lines = [
        "Goedkope sensoren meten op straat, dicht bij de bron, en laten zien waar en wanneer de lucht slechter is: "
        "verschillen tussen plekken, het verloop over de dag en de maand, pieken. Ze zijn minder nauwkeurig dan de "
        "meetstations van de GGD en het RIVM (een enkel uur kan flink afwijken), ze verlopen in de tijd en reageren op "
        "vocht en temperatuur. Een maandgemiddelde van zo'n sensor zegt daarom iets over de buurt, maar toetst niet "
        "aan de wettelijke grenswaarden: daarvoor tellen alleen de officiële meetstations.",
        f"Een buurt krijgt alleen een maandcijfer als minstens {aggregatie.min_dekking:.0%} van de uren een meting "
        f"heeft; een dag telt mee met minstens {aggregatie.min_uren_dag} uurwaarden. Buurten zonder sensor krijgen "
        "geen cijfer"
        + (
            f", behalve wanneer een sensor binnen {aggregatie.dichtstbijzijnde_m:g} meter staat (dat staat er dan bij)."
            if aggregatie.dichtstbijzijnde_m
            else "."
        ),
        f"De advieswaarden voor een daggemiddelde zijn die van de WHO (2021): {guidelines}. "
        "Referentiestations en goedkope sensoren worden "
        + {"apart": "apart getoond.", "samen": "samen genomen, elk even zwaar.", "gewogen": "gewogen samen genomen."}[
            aggregatie.soorten
        ],
        f"Van de {_count(totals['waarden'])} uurwaarden zijn er {_count(totals['in_buurtcijfers'])} gebruikt. "
        + ("Niet gebruikt: " + "; ".join(held) + ". " if held else "")
        + (
            f"Verder {_count(totals['buiten_meetperiode'])} uurwaarden uit periodes waarin sensoren elders stonden, "
            "bijvoorbeeld naast een meetstation om te kalibreren."
            if totals["buiten_meetperiode"]
            else ""
        )
        + (f" De opwarmtijd na een herstart is {regels.opwarmen_uren} uur." if regels.opwarmen_uren else ""),
    ]
    return [line.strip() for line in lines]


def _count(value: float) -> str:
    """Format a whole number with a Dutch thousands separator ('49.779')."""
    return f"{int(value):,}".replace(",", ".")


def _quantity(name: str) -> str:
    """Return the quantity as people write it ('PM2,5', not 'PM25')."""
    return {"PM25": "PM2,5", "pm25": "PM2,5"}.get(name, name)
