r"""Hourly, daily and monthly figures of a tijdreeks per buurt (and per wijk and gemeente), in DuckDB.

Reads ``staging.tijdreeks_<naam>`` and ``_locaties`` (see :mod:`.stage`) and ``staging.buurten``;
writes ``joined.tijdreeks_<naam>_toewijzing`` (which location period feeds which buurt) and, per
level, ``joined.tijdreeks_<naam>_uur``, ``_dag`` and ``_maand`` (buurt), ``_wijk_uur``, ...,
``_gemeente_maand``.

Notes
-----
Sensors are placed with the point assignment engine (:mod:`ogw_datalab.spatial.assign_points`;
on a shared boundary the lowest buurtcode). Per area, quantity and hour, the area value is
the weighted mean of the valid values of the sensors in it that count (``geldig`` and
``meetellen``):

.. math:: x_{b,h} = \frac{\sum_s w_s x_{s,h}}{\sum_s w_s}

with :math:`w_s` the weight of the sensor's soort. With ``soorten: apart`` reference and
low-cost sensors give separate rows (``soort`` referentie / laagkosten, each weight 1); with
``samen`` one row (``soort`` alle) with equal weights; with ``gewogen`` one row with the
configured weights. A month's mean is the mean of the area's hourly values,
:math:`\bar{x} = \sum_h x_{b,h} / n_h` (``som_uurwaarden`` / ``geldige_uren``, so that wijk
and gemeente means can be recomputed from sums); the percentile is taken over the same
hourly values. A day is complete with at least ``min_uren_dag`` hourly values, and above the
guideline when its mean exceeds the quantity's 24-hour guideline (WHO 2021: NO2 25, PM2.5 15,
PM10 45 µg/m³). A month gets figures only when at least ``min_dekking`` of its hours have a
value; otherwise ``status`` is ``te_weinig_uren`` with the reason. Days and months are local
(the tijdreeks's ``zone``); a month has 743 or 745 hours when summer time starts or ends in it.
Buurten without a sensor get no row, unless ``dichtstbijzijnde_m`` is set: then the nearest
sensor(s) within that distance of the buurt count for it, marked ``herkomst: dichtstbijzijnde``
with ``afstand_m``. Wijk and gemeente rows use only sensors inside their buurten.
"""

from __future__ import annotations

from typing import Literal

import duckdb
import numpy as np
import pandas as pd

from ..config import ProjectConfig, Tijdreeks
from ..spatial.assign_points import OUTSIDE, assign_points
from ..spatial.join_points_to_buurten import read_buurten
from ..storage import (
    bound_parameters,
    frame_to_temp_table,
    query_row,
    read_sql_file,
    run_sql_file,
    table_name,
    tijdreeks_table,
)

Niveau = Literal["buurt", "wijk", "gemeente"]
CODE_COLUMN = {"buurt": "buurtcode", "wijk": "wijkcode", "gemeente": "gemeentecode"}


def place_periods(con: duckdb.DuckDBPyConnection, name: str, reeks: Tijdreeks) -> dict[str, int]:
    """Write ``joined.tijdreeks_<naam>_toewijzing``: per location period and quantity, the buurt(en) it feeds.

    Returns
    -------
    dict
        ``perioden_in_buurt``, ``perioden_buiten_buurten`` (of the counting periods) and
        ``buurten_dichtstbijzijnde`` (buurten fed by a nearest sensor).
    """
    locaties = table_name("staging", tijdreeks_table(name, "locaties"))
    rows = con.execute(
        f"SELECT periode_id, ST_X(geometry), ST_Y(geometry) FROM {locaties} WHERE meetellen ORDER BY periode_id"
    ).fetchall()
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    x = np.array([r[1] for r in rows], dtype=float)
    y = np.array([r[2] for r in rows], dtype=float)
    codes, polygons = read_buurten(con)
    owner = assign_points(polygons, x, y) if len(ids) else np.empty(0, dtype=np.int32)
    inside = owner != OUTSIDE
    frame_to_temp_table(con, "__in_buurt", pd.DataFrame({"periode_id": ids[inside], "buurtcode": codes[owner[inside]]}))
    distance = reeks.aggregatie.dichtstbijzijnde_m
    target = table_name("joined", tijdreeks_table(name, "toewijzing"))
    run_sql_file(
        con,
        "timeseries/tijdreeks_toewijzing.sql",
        {"met_dichtstbijzijnde": distance is not None, "max_afstand_m": float(distance or 0.0)},
        identifiers={
            "metingen": table_name("staging", tijdreeks_table(name)),
            "locaties": locaties,
            "toewijzing": target,
        },
    )
    (nearest,) = query_row(con, f"SELECT count(DISTINCT buurtcode) FROM {target} WHERE herkomst = 'dichtstbijzijnde'")
    return {
        "perioden_in_buurt": int(inside.sum()),
        "perioden_buiten_buurten": int((~inside).sum()),
        "buurten_dichtstbijzijnde": int(nearest),
    }


def aggregate_tijdreeks(
    con: duckdb.DuckDBPyConnection, config: ProjectConfig, name: str, niveaus: tuple[Niveau, ...] = ("buurt",)
) -> dict[str, object]:
    """Write the hourly, daily and monthly tables of tijdreeks ``name`` per level (see the module notes).

    Needs ``staging.buurten`` and the staging tables of :func:`ogw_datalab.timeseries.stage.stage_tijdreeks`.

    Returns
    -------
    dict
        Rows per written table, areas and months with figures, months refused for too few hours.
    """
    reeks = config.tijdreeksen[name]
    summary: dict[str, object] = dict(place_periods(con, name, reeks))
    _register_settings(con, name, reeks)
    for niveau in niveaus:
        _register_areas(con, name, niveau, config.gemeente.code)
        parts = {part: _level_table(name, niveau, part) for part in ("uur", "dag", "maand")}
        aggregatie = reeks.aggregatie
        run_sql_file(
            con,
            "timeseries/tijdreeks_maand.sql",
            {
                "min_uren_dag": aggregatie.min_uren_dag,
                "min_dekking": aggregatie.min_dekking,
                "kwantiel": aggregatie.percentiel / 100.0,
                "percentiel": aggregatie.percentiel,
            },
            identifiers={
                "metingen": table_name("staging", tijdreeks_table(name)),
                "locaties": table_name("staging", tijdreeks_table(name, "locaties")),
                "code": CODE_COLUMN[niveau],
                **{part: table_name("joined", table) for part, table in parts.items()},
            },
        )
        month = table_name("joined", parts["maand"])
        rows, areas, ok, refused = query_row(
            con,
            f"SELECT count(*), count(DISTINCT {CODE_COLUMN[niveau]}), count(*) FILTER (WHERE status = 'ok'), "
            f"count(*) FILTER (WHERE status <> 'ok') FROM {month}",
        )
        summary[niveau] = {"maandrijen": rows, "gebieden": areas, "maanden_ok": ok, "maanden_te_weinig_uren": refused}
    return summary


def _level_table(name: str, niveau: Niveau, part: str) -> str:
    return tijdreeks_table(name, part if niveau == "buurt" else f"{niveau}_{part}")


def _register_settings(con: duckdb.DuckDBPyConnection, name: str, reeks: Tijdreeks) -> None:
    """Temp tables the SQL reads: weights per soort, guidelines per quantity, hours per local month."""
    aggregatie = reeks.aggregatie
    if aggregatie.soorten == "apart":
        weights = [("referentie", "referentie", 1.0), ("laagkosten", "laagkosten", 1.0)]
    elif aggregatie.soorten == "samen":
        weights = [("referentie", "alle", 1.0), ("laagkosten", "alle", 1.0)]
    else:
        weights = [(s, "alle", float(aggregatie.gewichten.get(s, 1.0))) for s in ("referentie", "laagkosten")]
    frame_to_temp_table(con, "__soortgewicht", pd.DataFrame(weights, columns=["soort", "groep", "gewicht"]))
    guidelines = pd.DataFrame(list(aggregatie.richtlijnen.items()), columns=["grootheid", "richtlijn"])
    frame_to_temp_table(con, "__richtlijn", guidelines.astype({"grootheid": str, "richtlijn": float}))
    days = con.execute(
        f"SELECT DISTINCT strftime(dag, '%Y-%m') FROM {table_name('staging', tijdreeks_table(name))}"
    ).fetchall()
    months = sorted(d[0] for d in days if d[0] is not None)
    frame_to_temp_table(
        con,
        "__maanden",
        pd.DataFrame({"maand": months, "uren_in_maand": [hours_in_month(m, reeks.zone) for m in months]}),
    )


def hours_in_month(month: str, zone: str) -> int:
    """Hours in a local month (``2016-10`` in Europe/Amsterdam has 745: the clock goes back once)."""
    start = pd.Timestamp(f"{month}-01").tz_localize(zone)
    end = (pd.Timestamp(f"{month}-01") + pd.offsets.MonthBegin(1)).tz_localize(zone)
    return int((end - start) / pd.Timedelta(hours=1))


def _register_areas(con: duckdb.DuckDBPyConnection, name: str, niveau: Niveau, gemeentecode: str) -> None:
    """``__gebied``: per location period and quantity, the area code it feeds at this level."""
    toewijzing = table_name("joined", tijdreeks_table(name, "toewijzing"))
    if niveau == "buurt":
        sql = f"SELECT periode_id, grootheid, buurtcode AS code, herkomst, afstand_m FROM {toewijzing}"
        frame = con.execute(sql).df()
    else:
        code = "b.wijkcode" if niveau == "wijk" else "$gemeentecode"
        frame = con.execute(
            f"SELECT t.periode_id, t.grootheid, {code} AS code, 'in_buurt' AS herkomst, 0.0 AS afstand_m "
            f"FROM {toewijzing} AS t JOIN staging.buurten AS b USING (buurtcode) WHERE t.herkomst = 'in_buurt'",
            {"gemeentecode": gemeentecode} if niveau == "gemeente" else None,
        ).df()
    frame_to_temp_table(con, "__gebied", frame)


def hours_in_period(van: str, tot: str, zone: str) -> int:
    """Hours in the local months ``van`` to ``tot`` inclusive (``YYYY-MM``)."""
    months = pd.period_range(van, tot, freq="M")
    if len(months) == 0:
        raise ValueError(f"month {tot} is before month {van}")
    return sum(hours_in_month(str(m), zone) for m in months)


def tijdreeks_indicator_values(
    con: duckdb.DuckDBPyConnection,
    reeks: Tijdreeks,
    name: str,
    *,
    statistiek: Literal["gemiddelde", "percentiel", "dagen_boven"],
    grootheid: str,
    soort: str,
    van: str,
    tot: str,
    percentiel: float | None = None,
) -> pd.DataFrame:
    """Compute one value per buurt for the formula types ``tijdreeks_<statistiek>``.

    Reads the hourly and daily tables of :func:`aggregate_tijdreeks`; returns ``buurtcode``, ``waarde``,
    ``teller`` and ``noemer`` for every buurt of ``staging.buurten``.

    Parameters
    ----------
    statistiek
        ``gemiddelde`` (teller: sum of hourly values, noemer: hours), ``percentiel`` (noemer: hours)
        or ``dagen_boven`` (% of complete days above the guideline; teller: such days, noemer: complete days).
    grootheid, soort
        Which quantity (``NO2``) and which sensors (``referentie``, ``laagkosten`` or ``alle``).
    van, tot
        First and last local month, ``YYYY-MM``, inclusive.
    percentiel
        For ``percentiel``: which (default the tijdreeks's ``aggregatie.percentiel``).

    Notes
    -----
    A buurt gets a value only when at least ``min_dekking`` of the hours of the whole period have
    a value (the rule of the monthly table, over the period); a buurt without sensors gets none.
    Where there is no value, ``teller`` and ``noemer`` are empty too, so that a wijk or gemeente
    recomputed from sums rests only on buurt figures that could be published.
    """
    aggregatie = reeks.aggregatie
    parameters = {
        "grootheid": grootheid,
        "soort": soort,
        "van": van,
        "tot": tot,
        "min_dekking": aggregatie.min_dekking,
        "uren_in_periode": hours_in_period(van, tot, reeks.zone),
        "kwantiel": (percentiel or aggregatie.percentiel) / 100.0,
    }
    sql = read_sql_file(f"indicators/tijdreeks_{statistiek}.sql").format(
        uur=table_name("joined", tijdreeks_table(name, "uur")), dag=table_name("joined", tijdreeks_table(name, "dag"))
    )
    return con.execute(sql, bound_parameters(sql, parameters)).df()
