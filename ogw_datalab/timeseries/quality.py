r"""Quality control of hourly sensor values: every rule flags, and every flag is counted per sensor.

Rules, in the order they run (a value can carry several flags; it is *geldig*, valid, when it
carries none that excludes it):

``dubbel`` / ``tegenstrijdig``
    Several values for one sensor, quantity and hour. When they differ at most
    ``dubbel_tolerantie`` from the first (sources in configured order, then file order),
    the first is kept and the others are ``dubbel``; otherwise all are ``tegenstrijdig``
    (no way to tell which is right).
``zonder_locatie``
    The hour falls in no location period of the sensor (or the sensor is in no sensor table).
``ondergrens``
    Below the quantity's floor (``ondergrens``, e.g. ``NO2: 0``): left out, or with
    ``ondergrens_actie: afkappen`` set to the floor and kept (still counted).
``opwarmen``
    Low-cost sensors only: the first ``opwarmen_uren`` hours after a (re)start of a series
    (one sensor, one quantity). A start is the series' first value, the first value after at
    least ``herstart_na_gat_uren`` hours without a value, or the first value at a new
    location (period). A quantity's gap counts even when the same box went on measuring
    another quantity: its own cell may have been off.
``onbetrouwbaar``
    In a period the source says not to trust (``onbetrouwbaar``: sensors, first and last
    local day, reason).
``uitschieter``
    Low-cost sensors only, against the nearest reference station (``soort: referentie``)
    within ``max_afstand_m`` that has a valid value of the same quantity in the same hour.
    With ``methode: verschil``: ``|x - r| > max_verschil``. With ``methode: mad``: per
    sensor, location period and quantity, with ``d = x - r``,

    .. math:: |d - m| > k \cdot 1.4826 \cdot \operatorname{median}|d - m|, \quad m = \operatorname{median}(d)

    (``k = factor``; checked only with at least ``min_paren`` hours of pairs). The sensor's
    own median difference is allowed for: a street sensor may read higher than a park
    station all the time; only departures from its usual difference are outliers.

Values outside a counting period (``meetellen: false``, e.g. calibration beside the
reference) are valid but ``buiten_meetperiode``: they never enter buurt figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from ..config import Kwaliteit, Tijdreeks
from .locations import EARLIEST, LATEST, local_day_start, matches


@dataclass(frozen=True)
class QualityFlag:
    """A quality rule's flag: its name (a column of the checked readings and of their counts) and its Dutch wordings.

    Attributes
    ----------
    name
        The flag, as a column name (``opwarmen``).
    short
        After a count, on a meetpunt's tooltip: "12 in de opwarmtijd".
    long
        After a count, in the colophon's sentence on what was held back: "12 in de opwarmtijd na het (her)starten
        van de sensor".
    heading
        The column heading of the colophon's table of counts per sensor: "Opwarmtijd".
    """

    name: str
    short: str
    long: str
    heading: str


# The flags in the order the rules run (the module docstring); every flag's wordings are here and nowhere else.
QUALITY_FLAGS = (
    QualityFlag(
        "dubbel",
        short="dubbel",
        long="dubbel aangeleverd (één exemplaar gebruikt)",
        heading="Dubbel",
    ),
    QualityFlag(
        "tegenstrijdig",
        short="tegenstrijdig dubbel",
        long="dubbel aangeleverd met verschillende waarden (geen gebruikt)",
        heading="Tegenstrijdig dubbel",
    ),
    QualityFlag(
        "zonder_locatie",
        short="zonder bekende plek",
        long="meting zonder bekende plek",
        heading="Zonder plek",
    ),
    QualityFlag(
        "ondergrens",
        short="onder de ondergrens",
        long="onder de ondergrens (onmogelijk lage waarde)",
        heading="Onder ondergrens",
    ),
    QualityFlag(
        "opwarmen",
        short="in de opwarmtijd",
        long="in de opwarmtijd na het (her)starten van de sensor",
        heading="Opwarmtijd",
    ),
    QualityFlag(
        "onbetrouwbaar",
        short="in een onbetrouwbare periode",
        long="in een periode die de bron onbetrouwbaar noemt",
        heading="Onbetrouwbare periode",
    ),
    QualityFlag(
        "uitschieter",
        short="uitschieter tegenover een meetstation",
        long="uitschieter ten opzichte van het dichtstbijzijnde referentiestation",
        heading="Uitschieter",
    ),
)
FLAGS = tuple(flag.name for flag in QUALITY_FLAGS)
FLAG_WORDING = {flag.name: flag for flag in QUALITY_FLAGS}
MAD_TO_SIGMA = 1.4826  # a normal distribution's standard deviation in units of its median absolute deviation
COUNT_COLUMNS = [
    "sensor",
    "grootheid",
    "soort",
    "waarden",
    *FLAGS,
    "buiten_meetperiode",
    "getoetst_aan_referentie",
    "geldig",
    "in_buurtcijfers",
]


def excluding_flags(kwaliteit: Kwaliteit) -> list[str]:
    """List the flags that make a value invalid (``ondergrens`` only when such values are left out)."""
    return [f for f in FLAGS if f != "ondergrens" or kwaliteit.ondergrens_actie == "weglaten"]


def check_quality(observations: pd.DataFrame, periods: pd.DataFrame, reeks: Tijdreeks) -> pd.DataFrame:
    """Flag every observation by the rules of the module docstring; add ``geldig`` and ``meetellen``.

    Parameters
    ----------
    observations
        ``sensor``, ``grootheid``, ``tijd`` (UTC), ``waarde``, ``bron``, ``bronrij`` and ``periode_id``.
    periods
        The sensor-location-period table (:func:`ogw_datalab.timeseries.locations.build_periods`).
    reeks
        The tijdreeks configuration (its ``kwaliteit`` rules and ``zone``).

    Returns
    -------
    pandas.DataFrame
        The observations with one boolean column per flag, ``waarde_bron`` (the value as read),
        ``geldig`` and ``meetellen``, sorted by sensor, quantity and time.
    """
    rules = reeks.kwaliteit
    frame = observations.sort_values(["sensor", "grootheid", "tijd", "bron", "bronrij"]).reset_index(drop=True)
    frame["waarde_bron"] = frame["waarde"]
    soort = dict(zip(periods["sensor"], periods["soort"], strict=False))
    frame["soort"] = frame["sensor"].map(soort).fillna("laagkosten")
    frame = flag_duplicates(frame, rules.dubbel_tolerantie)
    frame["zonder_locatie"] = frame["periode_id"].isna().to_numpy()
    frame = flag_floor(frame, rules)
    frame["opwarmen"] = flag_warm_up(frame, rules.opwarmen_uren, rules.herstart_na_gat_uren)
    frame["onbetrouwbaar"] = flag_untrusted(frame, reeks)
    excluded = excluding_flags(rules)
    valid_so_far = ~frame[[f for f in excluded if f != "uitschieter"]].any(axis=1)
    frame["uitschieter"], frame["getoetst_aan_referentie"] = flag_outliers(frame, valid_so_far, periods, rules)
    frame["geldig"] = ~frame[excluded].any(axis=1)
    counting = dict(zip(periods["periode_id"], periods["meetellen"], strict=False))
    frame["meetellen"] = frame["periode_id"].map(counting).fillna(False).astype(bool)
    return frame


def flag_duplicates(frame: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """``dubbel`` and ``tegenstrijdig`` (see the module docstring); ``frame`` sorted by key, source, row."""
    key = [frame["sensor"], frame["grootheid"], frame["tijd"]]
    grouped = frame.groupby(key, sort=False)["waarde"]
    size = grouped.transform("size").to_numpy()
    spread = (frame["waarde"] - grouped.transform("first")).abs()
    conflicting = (size > 1) & (spread.groupby(key, sort=False).transform("max").to_numpy() > tolerance)
    later = frame.groupby(key, sort=False).cumcount().to_numpy() > 0
    return frame.assign(dubbel=(size > 1) & ~conflicting & later, tegenstrijdig=conflicting)


def flag_floor(frame: pd.DataFrame, rules: Kwaliteit) -> pd.DataFrame:
    """``ondergrens``: values below the quantity's floor; with ``afkappen`` they are set to the floor."""
    floor = frame["grootheid"].map(rules.ondergrens).astype(float)
    below = (frame["waarde"] < floor).fillna(False).to_numpy(dtype=bool)
    frame = frame.assign(ondergrens=below)
    if rules.ondergrens_actie == "afkappen":
        frame["waarde"] = np.where(below, floor, frame["waarde"])
    return frame


def flag_warm_up(frame: pd.DataFrame, hours: int, gap_hours: int) -> np.ndarray:
    """``opwarmen``: the first ``hours`` hours after each (re)start of a low-cost sensor's series."""
    if hours == 0 or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    series = ["sensor", "grootheid"]
    on = (
        frame.loc[frame["soort"] == "laagkosten", [*series, "tijd", "periode_id"]]
        .drop_duplicates([*series, "tijd"])
        .sort_values([*series, "tijd"])
    )
    grouped = on.groupby(series)
    step = grouped["tijd"].diff().dt.total_seconds() / 3600.0
    period = on["periode_id"].astype("float").fillna(-1)
    moved = period != grouped["periode_id"].shift().astype("float").fillna(-1)
    start = step.isna() | (step - 1 >= gap_hours) | (moved & step.notna())
    started = on["tijd"].where(start).groupby([on["sensor"], on["grootheid"]]).ffill()
    warm = on.loc[(on["tijd"] - started) < pd.Timedelta(hours=hours), [*series, "tijd"]]
    flagged = frame[[*series, "tijd"]].merge(warm.assign(_warm=True), on=[*series, "tijd"], how="left")
    return flagged["_warm"].fillna(False).to_numpy(dtype=bool)


def flag_untrusted(frame: pd.DataFrame, reeks: Tijdreeks) -> np.ndarray:
    """``onbetrouwbaar``: values in a period the source says not to trust (local days, inclusive)."""
    flagged = np.zeros(len(frame), dtype=bool)
    for rule in reeks.kwaliteit.onbetrouwbaar:
        start = local_day_start(rule.van, reeks.zone) if rule.van else EARLIEST
        end = local_day_start(rule.tot + dt.timedelta(days=1), reeks.zone) if rule.tot else LATEST
        named = frame["sensor"].isin([s for s in frame["sensor"].unique() if matches(s, rule.sensoren)]).to_numpy()
        flagged |= named & (frame["tijd"] >= start).to_numpy() & (frame["tijd"] < end).to_numpy()
    return flagged


def nearest_references(periods: pd.DataFrame, max_distance_m: float) -> pd.DataFrame:
    """Rank the reference sensors by distance for each low-cost location period.

    Only references within ``max_distance_m`` whose periods overlap it in time; columns ``periode_id``,
    ``referentie`` and ``afstand_m``.
    """
    references = periods[periods["soort"] == "referentie"]
    low_cost = periods[periods["soort"] != "referentie"]
    pairs = []
    for _, period in low_cost.iterrows():
        start, end = _bounds(period)
        for _, reference in references.iterrows():
            r_start, r_end = _bounds(reference)
            if r_start >= end or start >= r_end:
                continue
            distance = float(shapely.distance(period.geometry, reference.geometry))
            if distance <= max_distance_m:
                pairs.append((period["periode_id"], reference["sensor"], distance))
    frame = pd.DataFrame(pairs, columns=["periode_id", "referentie", "afstand_m"])
    return frame.sort_values(["periode_id", "afstand_m", "referentie"]).drop_duplicates(["periode_id", "referentie"])


def _bounds(period: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp]:
    van, tot = period["van"], period["tot"]
    return (EARLIEST if pd.isna(van) else van), (LATEST if pd.isna(tot) else tot)


def flag_outliers(
    frame: pd.DataFrame, valid: pd.Series, periods: pd.DataFrame, rules: Kwaliteit
) -> tuple[np.ndarray, np.ndarray]:
    """``uitschieter`` and whether the value was compared with a reference at all (module docstring)."""
    none = np.zeros(len(frame), dtype=bool)
    if rules.uitschieters is None or frame.empty:
        return none, none.copy()
    settings = rules.uitschieters
    pairs = _reference_pairs(frame, valid, periods, settings.max_afstand_m)
    if pairs.empty:
        return none, none.copy()
    difference = pairs["waarde"] - pairs["referentiewaarde"]
    if settings.methode == "verschil":
        outlier = difference.abs() > settings.max_verschil
        checked = pd.Series(True, index=pairs.index)
    else:
        groups = [pairs["periode_id"], pairs["grootheid"]]
        median = difference.groupby(groups).transform("median")
        spread = (difference - median).abs().groupby(groups).transform("median") * MAD_TO_SIGMA
        size = difference.groupby(groups).transform("size")
        checked = (size >= settings.min_paren) & (spread > 0)
        outlier = checked & ((difference - median).abs() > settings.factor * spread)
    flagged, compared = none.copy(), none.copy()
    flagged[pairs["__row"].to_numpy()] = outlier.to_numpy(dtype=bool)
    compared[pairs["__row"].to_numpy()] = checked.to_numpy(dtype=bool)
    return flagged, compared


def _reference_pairs(frame: pd.DataFrame, valid: pd.Series, periods: pd.DataFrame, max_distance_m: float):
    """Low-cost values paired with the nearest reference that has a valid value in the same hour."""
    nearest = nearest_references(periods, max_distance_m)
    if nearest.empty:
        return pd.DataFrame()
    nearest["periode_id"] = nearest["periode_id"].astype("int64")
    nearest["rang"] = nearest.groupby("periode_id").cumcount()
    reference_values = frame.loc[valid & (frame["soort"] == "referentie"), ["sensor", "grootheid", "tijd", "waarde"]]
    reference_values = reference_values.rename(columns={"sensor": "referentie", "waarde": "referentiewaarde"})
    open_rows = frame.loc[valid & (frame["soort"] != "referentie") & frame["periode_id"].notna()]
    open_rows = open_rows[["periode_id", "grootheid", "tijd", "waarde"]].reset_index(names="__row")
    open_rows["periode_id"] = open_rows["periode_id"].astype("int64")
    paired = []
    for rank in range(int(nearest["rang"].max()) + 1):  # the nearest first; the next where it has no value
        candidates = open_rows.merge(nearest[nearest["rang"] == rank], on="periode_id")
        found = candidates.merge(reference_values, on=["referentie", "grootheid", "tijd"])
        paired.append(found)
        open_rows = open_rows[~open_rows["__row"].isin(found["__row"])]
    return pd.concat(paired, ignore_index=True)


def count_flags(frame: pd.DataFrame) -> pd.DataFrame:
    """Count the flags per sensor and quantity.

    Columns: values read, each flag, values outside counting periods, values compared with a
    reference, valid values, and values that enter buurt figures (``geldig`` and ``meetellen``).
    """
    data = frame.assign(
        buiten_meetperiode=frame["periode_id"].notna() & ~frame["meetellen"],
        in_buurtcijfers=frame["geldig"] & frame["meetellen"],
        waarden=1,
    )
    columns = ["waarden", *FLAGS, "buiten_meetperiode", "getoetst_aan_referentie", "geldig", "in_buurtcijfers"]
    counts = data.groupby(["sensor", "grootheid", "soort"], as_index=False)[columns].sum()
    return counts[COUNT_COLUMNS].astype({c: "int64" for c in columns})
