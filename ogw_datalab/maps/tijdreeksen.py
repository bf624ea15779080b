"""Tijdreeksen on the site: monthly charts on the profiles, the meetpunten on the maps, their checks in words.

Read from the tables the time-series assets write (``joined.tijdreeks_<naam>_maand`` and ``_wijk_maand``,
``staging.tijdreeks_<naam>_kwaliteit``, the sensor-location periods), never from single readings. These
figures rest on sensors, not on people, so they need no privacy threshold; a low-cost sensor, often at a
citizen's home, is shown on the maps in the centre of a square of :data:`SENSOR_RASTER_M` metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..config import Tijdreeks
from ..storage import read_sql_file, relation_kind, table_name, tijdreeks_table
from ..timeseries.publish import sensor_points
from ..timeseries.quality import FLAG_WORDING, FLAGS, QUALITY_FLAGS
from .dutch import NBSP, count_text, format_date, format_month, format_number, join_words
from .svg import Series, nice_top, series_glyph, time_chart

SENSOR_RASTER_M = 100.0
"""Low-cost sensors are drawn in the centre of a grid square of this size: a point to the metre could give away
the home a citizen's sensor hangs at. Reference stations are public places and keep their position."""
SOORT_TEXT = {"referentie": "meetstation", "laagkosten": "goedkope sensor", "alle": "sensor"}
SERIES_TEXT = {"referentie": "meetstations", "laagkosten": "goedkope sensoren", "alle": "alle sensoren"}
GROOTHEID_TEXT = {
    "NO2": "Stikstofdioxide (NO₂)",
    "PM25": "Fijnstof (PM2,5)",
    "PM10": "Fijnstof (PM10)",
    "PM1": "Fijnstof (PM1)",
}
UNIT = "µg/m³"
NO_SENSOR = {"buurt": "Geen meetpunt in of bij deze buurt.", "wijk": "Geen meetpunt in deze wijk."}


@dataclass(frozen=True)
class SensorSeries:
    """One configured tijdreeks as the site shows it.

    Attributes
    ----------
    name, reeks
        Its key under ``tijdreeksen:`` and its configuration.
    months
        Every local month with a reading (``YYYY-MM``), the horizontal axis of its charts.
    buurt, wijk
        Monthly figures per area (``code``, ``maand``, ``grootheid``, ``soort``, ``herkomst``, ``afstand_m``,
        ``gemiddelde``, ``geldige_dagen``, ``dagen_boven_richtlijn``, ``richtlijn``, ``status``, ``reden``, ...).
    points
        One point per sensor and location period (EPSG:28992; low-cost sensors snapped), with ``van``/``tot``,
        ``meetellen``, ``waarden`` and ``in_buurtcijfers``; only those near the gemeente.
    kwaliteit
        Per sensor and quantity the number of values each quality rule held back.
    """

    name: str
    reeks: Tijdreeks
    months: list[str]
    buurt: pd.DataFrame
    wijk: pd.DataFrame
    points: gpd.GeoDataFrame
    kwaliteit: pd.DataFrame
    tops: dict[str, float] = field(default_factory=dict)

    @cached_property
    def grootheden(self) -> list[str]:
        """The quantities with a monthly figure anywhere in the gemeente, in a fixed order."""
        return sorted(set(self.buurt["grootheid"]) | set(self.wijk["grootheid"]))

    def rows_of(self, niveau: str, code: str) -> pd.DataFrame:
        """Return the monthly figures of one buurt or wijk (none: an empty frame)."""
        frame = self.buurt if niveau == "buurt" else self.wijk
        return self._areas[niveau].get(code, frame.iloc[0:0])

    @cached_property
    def _areas(self) -> dict[str, dict[str, pd.DataFrame]]:
        # Split once: a site asks for every area's rows, and filtering the whole frame each time is quadratic.
        return {
            niveau: {str(code): rows for code, rows in frame.groupby("code", sort=False)}
            for niveau, frame in (("buurt", self.buurt), ("wijk", self.wijk))
        }


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether ``schema.table`` exists in the connection's own database (not in one attached beside it)."""
    return relation_kind(con, schema, table) is not None


def read_sensor_series(
    con: duckdb.DuckDBPyConnection, tijdreeksen: dict[str, Tijdreeks], buurten: gpd.GeoDataFrame, near_m: float
) -> dict[str, SensorSeries]:
    """Read every configured tijdreeks whose tables the build wrote; sensors farther than ``near_m`` are left off."""
    found = {}
    for name, reeks in tijdreeksen.items():
        if not has_table(con, "joined", tijdreeks_table(name, "maand")):
            continue
        levels = {
            niveau: con.execute(
                read_sql_file("site/tijdreeks_maand.sql").format(
                    code=code, table=table_name("joined", tijdreeks_table(name, part))
                )
            ).df()
            for niveau, code, part in (("buurt", "buurtcode", "maand"), ("wijk", "wijkcode", "wijk_maand"))
            if has_table(con, "joined", tijdreeks_table(name, part))
        }
        empty = levels["buurt"].iloc[0:0]
        months = [
            r[0]
            for r in con.execute(
                read_sql_file("site/tijdreeks_maanden.sql").format(table=table_name("staging", tijdreeks_table(name)))
            ).fetchall()
        ]
        kwaliteit = con.execute(
            read_sql_file("site/tijdreeks_kwaliteit.sql").format(
                table=table_name("staging", tijdreeks_table(name, "kwaliteit"))
            )
        ).df()
        points = sensor_points(con, name, reeks, raster_m=SENSOR_RASTER_M)
        if len(points) and len(buurten):
            tree = shapely.STRtree(buurten.geometry.to_numpy())
            near = np.unique(tree.query(points.geometry.to_numpy(), predicate="dwithin", distance=near_m)[0])
            points = points.iloc[near].reset_index(drop=True)
        series = SensorSeries(
            name=name,
            reeks=reeks,
            months=months,
            buurt=levels["buurt"],
            wijk=levels.get("wijk", empty),
            points=points,
            kwaliteit=kwaliteit,
        )
        for grootheid in series.grootheden:
            values = [
                *series.buurt.loc[series.buurt["grootheid"] == grootheid, "gemiddelde"].dropna(),
                *series.wijk.loc[series.wijk["grootheid"] == grootheid, "gemiddelde"].dropna(),
            ]
            guideline = reeks.aggregatie.richtlijnen.get(grootheid)
            series.tops[grootheid] = nice_top(max([*values, guideline or 0.0, 0.0]) * 1.05)
        found[name] = series
    return found


def grootheid_text(grootheid: str) -> str:
    """Return the Dutch name of a quantity: 'Stikstofdioxide (NO₂)'; an unknown one by its own name."""
    return GROOTHEID_TEXT.get(grootheid, grootheid)


def _number(value: float) -> str:
    return format_number(value, 1)


def series_cards(series: SensorSeries, code: str, niveau: str) -> list[dict[str, Any]]:
    """Per quantity of the tijdreeks: a time chart of the area's monthly means, its legend, notes and a table.

    Without any figure for the area, the card says so ("geen meetpunt in of bij deze buurt"); where the figures
    come from the nearest sensor outside the buurt, it says how far ("dichtstbijzijnde meetpunt op 180 m").
    """
    rows = series.rows_of(niveau, code)
    cards = []
    for grootheid in series.grootheden:
        own = rows[rows["grootheid"] == grootheid]
        title = grootheid_text(grootheid)
        if own.empty:
            cards.append({"titel": title, "chart": "", "legend": [], "notes": [NO_SENSOR[niveau]], "table": []})
            continue
        cards.append(_card(series, own, grootheid, title))
    return cards


def _card(series: SensorSeries, own: pd.DataFrame, grootheid: str, title: str) -> dict[str, Any]:
    guideline = series.reeks.aggregatie.richtlijnen.get(grootheid)
    kinds = sorted(own["soort"].unique(), key=lambda k: k != "laagkosten")
    lines, spoken, table, notes = [], [], [], []
    for kind in kinds:
        by_month = own[own["soort"] == kind].set_index("maand")
        values: list[float | None] = []
        said = []
        for month in series.months:
            if month not in by_month.index:
                values.append(None)
                said.append(f"{format_month(month)} geen meting")
                continue
            row = by_month.loc[month]
            mean = None if pd.isna(row["gemiddelde"]) else float(row["gemiddelde"])
            values.append(mean)
            said.append(f"{format_month(month)} {_number(mean) if mean is not None else 'geen cijfer'}")
            table.append(_table_row(month, kind, row, mean))
        lines.append(Series(kind, values))
        spoken.append(f"{SERIES_TEXT.get(kind, kind)}: " + "; ".join(said))
        nearest = by_month[by_month["herkomst"] == "dichtstbijzijnde"]["afstand_m"].dropna()
        if len(nearest):
            distance = format_number(round(float(nearest.min()), -1))
            notes.append(
                f"Geen meetpunt in de buurt: de cijfers van de {SERIES_TEXT.get(kind, kind)} komen van het "
                f"dichtstbijzijnde meetpunt op {distance}{NBSP}m."
            )
    top = series.tops[grootheid]
    unit = str(own["eenheid"].iloc[0]) if "eenheid" in own and isinstance(own["eenheid"].iloc[0], str) else UNIT
    label = f"{title}, gemiddelde per maand in {unit}. " + ". ".join(spoken) + "."
    legend = [(series_glyph(kind), SERIES_TEXT.get(kind, kind)) for kind in kinds]
    if guideline is not None:
        label += f" WHO-advieswaarde voor een daggemiddelde: {format_number(guideline)}."
        legend.append((series_glyph("richtlijn"), f"WHO-advieswaarde daggemiddelde ({format_number(guideline)})"))
    chart = time_chart(
        [format_month(m, short=True) for m in series.months],
        lines,
        top=top,
        guideline=guideline,
        label=label,
        axis_labels=("0", format_number(top / 2, 0 if top >= 10 else 1), format_number(top)),
    )
    return {"titel": title, "chart": chart, "legend": legend, "notes": notes, "table": table}


def _table_row(month: str, kind: str, row: pd.Series, mean: float | None) -> dict[str, str]:
    if mean is None:  # the only reason a month has no figure: too few hours with a value
        hours = f"{format_number(int(row['geldige_uren']))} van de {format_number(int(row['uren_in_maand']))}"
        reason = f"geen cijfer: te weinig uren met een meting ({hours})"
        return {"maand": format_month(month), "soort": SERIES_TEXT.get(kind, kind), "gemiddelde": "–", "dagen": reason}
    days = ""
    if not pd.isna(row["dagen_boven_richtlijn"]):
        complete = count_text(int(row["geldige_dagen"]), "volle dag", "volle dagen")
        days = f"{int(row['dagen_boven_richtlijn'])} van {complete}"
    return {
        "maand": format_month(month),
        "soort": SERIES_TEXT.get(kind, kind),
        "gemiddelde": f"{_number(mean)}{NBSP}{UNIT}",
        "dagen": days,
    }


def sensor_layer(series: list[SensorSeries]) -> tuple[str, list[list]] | None:
    """Return the sensors of some tijdreeksen as a named layer of map points, or None without any.

    Each point is ``[lat, lon, soort, [tooltip lines]]``, one per period in which a sensor counted for the buurt
    figures; where else it stood (beside a reference station to calibrate) and how many of its values each
    quality rule held back is in its tooltip.
    """
    points = []
    for one in series:
        frame = one.points
        if frame.empty:
            continue
        flags = one.kwaliteit.groupby("sensor")[list(FLAGS)].sum() if len(one.kwaliteit) else None
        wgs84 = frame.to_crs("EPSG:4326")
        for i in np.flatnonzero(frame["meetellen"].to_numpy(dtype=bool)):
            row = frame.iloc[i]
            others = frame[(frame["sensor"] == row["sensor"]) & ~frame["meetellen"].astype(bool)]
            where = wgs84.geometry.iloc[i]
            points.append([round(where.y, 5), round(where.x, 5), row["soort"], _tooltip(row, others, flags)])
    if not points:
        return None
    return "Meetpunten (sensoren)", points


def _period(van: str, tot: str) -> str:
    if van and tot:
        return f"{format_date(van)} tot en met {format_date(tot)}"
    if van:
        return f"vanaf {format_date(van)}"
    return f"tot en met {format_date(tot)}" if tot else "de hele meetperiode"


def _tooltip(row: pd.Series, others: pd.DataFrame, flags: pd.DataFrame | None) -> list[str]:
    kind = str(row["soort"])
    lines = [f"{row['sensor']} ({SOORT_TEXT.get(kind, kind)})", f"Gemeten: {_period(row['van'], row['tot'])}"]
    used = format_number(int(row["in_buurtcijfers"]))
    lines.append(f"{used} van de {format_number(int(row['waarden']))} uurwaarden gebruikt")
    if len(others):
        periods = join_words([_period(v, t) for v, t in zip(others["van"], others["tot"], strict=True)])
        lines.append(f"Stond ook elders en telde dan niet mee (bijvoorbeeld om te kalibreren): {periods}")
    if flags is not None and row["sensor"] in flags.index:
        counts = flags.loc[row["sensor"]]
        held = [f"{format_number(int(counts[f]))} {FLAG_WORDING[f].short}" for f in FLAGS if counts[f] > 0]
        # The flag counts are per sensor; with periods elsewhere they cover those too, so say so.
        label = "Niet gebruikt (alle perioden van deze sensor samen): " if len(others) else "Niet gebruikt: "
        lines.append(label + "; ".join(held) if held else "Geen waarden afgekeurd")
    if kind == "laagkosten":
        lines.append(f"Plek afgerond op {format_number(SENSOR_RASTER_M)}{NBSP}m")
    return lines


QUALITY_COLUMNS = [
    ("waarden", "Uurwaarden"),
    *((flag.name, flag.heading) for flag in QUALITY_FLAGS),
    ("buiten_meetperiode", "Elders (kalibratie)"),
    ("in_buurtcijfers", "Gebruikt"),
]
"""The columns of the colophon's table of counts per sensor: every flag in the order the rules run."""


def quality_rows(series: SensorSeries) -> list[dict[str, Any]]:
    """Per sensor and quantity the counts of every quality rule, written the Dutch way, for the colophon table."""
    rows = []
    for _, row in series.kwaliteit.iterrows():
        kind = str(row["soort"])
        rows.append(
            {
                "sensor": row["sensor"],
                "soort": SOORT_TEXT.get(kind, kind),
                "grootheid": grootheid_text(str(row["grootheid"])),
                "tellingen": [format_number(int(row[c])) if c in row.index else "–" for c, _ in QUALITY_COLUMNS],
            }
        )
    return rows
