"""Sensor location periods and every quality rule, on small hand-built series with known answers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from ogw_datalab.config import Tijdreeks
from ogw_datalab.timeseries.locations import PeriodError, assign_periods, build_periods
from ogw_datalab.timeseries.quality import check_quality, count_flags

X0, Y0 = 121_000.0, 487_000.0  # central Amsterdam, RD New


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def reeks(**settings) -> Tijdreeks:
    base = {
        "bronnen": [
            {
                "soort": "long",
                "pad": "x.csv",
                "tijd": {"zone": "UTC"},
                "kolommen": {"sensor": "s", "waarde": "w"},
                "grootheid": "NO2",
                "eenheid": "ug/m3",
            }
        ],
        "sensoren": {"pad": "s.csv", "kolommen": {"sensor": "id"}, "x": "x", "y": "y"},
        "kwaliteit": {"opwarmen_uren": 0, "uitschieters": None},
    }
    for key, value in settings.items():
        base[key] = base.get(key, {}) | value if isinstance(value, dict) else value
    return Tijdreeks.model_validate(base)


def sensor_rows(sensors: dict[str, tuple[float, float]], soorten: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    names = list(sensors)
    return gpd.GeoDataFrame(
        {
            "sensor": names,
            "soort": [(soorten or {}).get(n) for n in names],
            "fase": None,
            "van": pd.NaT,
            "tot": pd.NaT,
        },
        geometry=[Point(sensors[n]) for n in names],
        crs="EPSG:28992",
    )


def observations(rows: list[tuple[str, str, float]], grootheid: str = "NO2", bron: list[int] | None = None):
    frame = pd.DataFrame(rows, columns=["sensor", "tijd", "waarde"])
    frame["tijd"] = pd.to_datetime(frame["tijd"], utc=True)
    frame["grootheid"] = grootheid
    frame["eenheid"] = "µg/m³"
    frame["bron"] = bron or [0] * len(frame)
    frame["bronrij"] = range(1, len(frame) + 1)
    return frame


def run(settings: Tijdreeks, rows: gpd.GeoDataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    periods = build_periods(settings, rows, "t")
    obs = obs.assign(periode_id=assign_periods(obs, periods))
    return check_quality(obs, periods, settings)


def hours(start: str, n: int) -> list[str]:
    return [str(t) for t in pd.date_range(start, periods=n, freq="h", tz="UTC")]


# --- location periods ---------------------------------------------------------------------------------------------


def test_a_fase_moves_sensors_to_the_reference_for_whole_local_days():
    settings = reeks(
        fasen=[
            {"naam": "kalibratie", "sensoren": ["waag_*"], "van": "2016-06-02", "tot": "2016-06-10", "locatie": "ggd"}
        ]
    )
    rows = sensor_rows({"waag_1": (X0, Y0), "ggd": (X0 - 2500, Y0 - 1500)}, {"ggd": "referentie"})
    periods = build_periods(settings, rows, "t")
    waag = periods[periods["sensor"] == "waag_1"].reset_index(drop=True)
    assert list(waag["fase"]) == ["meting", "kalibratie", "meting"]
    assert list(waag["meetellen"]) == [True, False, True]
    assert waag["tot"].iloc[0] == utc("2016-06-01 22:00")  # 2 June 00:00 CEST
    assert waag["tot"].iloc[1] == utc("2016-06-10 22:00")  # 10 June inclusive
    assert waag.geometry.iloc[1].equals(Point(X0 - 2500, Y0 - 1500))
    assert waag.geometry.iloc[2].equals(Point(X0, Y0))
    assert dict(zip(periods["sensor"], periods["soort"], strict=False)) == {"ggd": "referentie", "waag_1": "laagkosten"}
    obs = observations(
        [("waag_1", "2016-06-01 21:00", 1), ("waag_1", "2016-06-01 22:00", 2), ("waag_1", "2016-06-10 22:00", 3)]
    )
    ids = assign_periods(obs, periods)
    assert list(periods.set_index("periode_id").loc[ids.to_numpy(), "fase"]) == ["meting", "kalibratie", "meting"]


def test_overlapping_fasen_and_patterns_that_match_nothing_are_refused():
    rows = sensor_rows({"waag_1": (X0, Y0)})
    two = [
        {"naam": "a", "sensoren": ["waag_1"], "van": "2016-06-02", "tot": "2016-06-10"},
        {"naam": "b", "sensoren": ["waag_*"], "van": "2016-06-10", "tot": "2016-06-12"},
    ]
    with pytest.raises(PeriodError, match="fasen 'a' and 'b' overlap for sensor 'waag_1'"):
        build_periods(reeks(fasen=two), rows, "t")
    with pytest.raises(PeriodError, match="t.fasen.a: 'wag_\\*' matches no sensor"):
        build_periods(reeks(fasen=[two[0] | {"sensoren": ["wag_*"]}]), rows, "t")
    with pytest.raises(PeriodError, match="sensor 'waag_1' has soort 'GGD'; use referentie or laagkosten"):
        build_periods(reeks(), sensor_rows({"waag_1": (X0, Y0)}, {"waag_1": "GGD"}), "t")


def test_sensor_table_rows_with_overlapping_periods_are_refused():
    rows = pd.concat([sensor_rows({"s": (X0, Y0)}), sensor_rows({"s": (X0 + 10, Y0)})], ignore_index=True)
    rows["van"] = [utc("2016-01-01"), utc("2016-03-01")]
    rows["tot"] = [utc("2016-04-01"), pd.NaT]
    with pytest.raises(PeriodError, match="sensor 's' has rows whose periods overlap"):
        build_periods(reeks(), gpd.GeoDataFrame(rows, crs="EPSG:28992"), "t")


# --- quality rules --------------------------------------------------------------------------------------------------


def test_duplicates_within_tolerance_keep_the_first_source_and_conflicts_drop_all():
    obs = observations(
        [
            ("a", "2016-07-01 00:00", 10.05),  # second source, listed first
            ("a", "2016-07-01 00:00", 10.0),
            ("a", "2016-07-01 01:00", 10.0),
            ("a", "2016-07-01 01:00", 12.0),
            ("a", "2016-07-01 02:00", 11.0),
        ],
        bron=[1, 0, 0, 1, 0],
    )
    checked = run(reeks(kwaliteit={"dubbel_tolerantie": 0.1}), sensor_rows({"a": (X0, Y0)}), obs)
    kept = checked[checked["geldig"]]
    assert list(zip(kept["tijd"].dt.hour, kept["waarde"], kept["bron"], strict=True)) == [(0, 10.0, 0), (2, 11.0, 0)]
    assert checked["dubbel"].sum() == 1
    assert checked["tegenstrijdig"].sum() == 2


def test_floor_leaves_values_out_or_clips_them():
    obs = observations([("a", "2016-07-01 00:00", -3.0), ("a", "2016-07-01 01:00", 4.0)])
    rows = sensor_rows({"a": (X0, Y0)})
    dropped = run(reeks(kwaliteit={"ondergrens": {"NO2": 0}}), rows, obs)
    assert list(dropped["ondergrens"]) == [True, False]
    assert list(dropped["geldig"]) == [False, True]
    clipped = run(reeks(kwaliteit={"ondergrens": {"NO2": 0}, "ondergrens_actie": "afkappen"}), rows, obs)
    assert list(clipped["waarde"]) == [0.0, 4.0]
    assert list(clipped["waarde_bron"]) == [-3.0, 4.0]
    assert list(clipped["ondergrens"]) == [True, False]
    assert clipped["geldig"].all()


def test_warm_up_after_first_value_and_after_a_long_enough_gap_only_for_low_cost_sensors():
    times = hours("2016-07-01 00:00", 10) + hours("2016-07-01 13:00", 6)  # 3 hours missing: a restart
    times += hours("2016-07-01 21:00", 3)  # 2 hours missing: no restart
    obs = observations([(s, t, 20.0) for s in ("laag", "ref") for t in times])
    settings = reeks(kwaliteit={"opwarmen_uren": 4, "herstart_na_gat_uren": 3})
    checked = run(settings, sensor_rows({"laag": (X0, Y0), "ref": (X0, Y0)}, {"ref": "referentie"}), obs)
    warm = checked[checked["opwarmen"]]
    assert set(warm["sensor"]) == {"laag"}
    assert list(warm["tijd"].dt.hour) == [0, 1, 2, 3, 13, 14, 15, 16]


def test_warm_up_after_a_move_to_a_new_location():
    settings = reeks(
        kwaliteit={"opwarmen_uren": 2},
        fasen=[{"naam": "kal", "sensoren": ["laag"], "van": "2016-07-02", "tot": "2016-07-02", "locatie": "ref"}],
    )
    obs = observations([("laag", t, 20.0) for t in hours("2016-07-01 20:00", 6)])  # 2 July starts at 22:00Z
    checked = run(settings, sensor_rows({"laag": (X0, Y0), "ref": (X0 + 500, Y0)}, {"ref": "referentie"}), obs)
    assert list(checked.loc[checked["opwarmen"], "tijd"].dt.hour) == [20, 21, 22, 23]


def test_untrusted_period_runs_over_whole_local_days():
    rule = {"sensoren": ["waag_*"], "van": "2016-07-26", "tot": "2016-07-27", "reden": "RH-sensor kapot"}
    times = ["2016-07-25 21:00", "2016-07-25 22:00", "2016-07-27 21:00", "2016-07-27 22:00"]
    obs = observations([("waag_1", t, 20.0) for t in times] + [("ggd", times[1], 20.0)])
    checked = run(reeks(kwaliteit={"onbetrouwbaar": [rule]}), sensor_rows({"waag_1": (X0, Y0), "ggd": (X0, Y0)}), obs)
    flagged = checked.set_index(["sensor", "tijd"])["onbetrouwbaar"]
    assert list(flagged.loc["waag_1"]) == [False, True, True, False]
    assert not flagged.loc["ggd"].any()


def outlier_case():
    rows = sensor_rows(
        {"laag": (X0, Y0), "dichtbij": (X0 + 100, Y0), "verder": (X0 + 2000, Y0), "ver_weg": (X0 + 40_000, Y0)},
        {"dichtbij": "referentie", "verder": "referentie"},
    )
    rows.loc[rows["sensor"] == "ver_weg", "soort"] = None
    return rows


def test_outliers_by_difference_use_the_nearest_reference_with_a_value():
    rows = outlier_case()
    obs = observations(
        [
            ("dichtbij", "2016-07-01 00:00", 20.0),
            ("verder", "2016-07-01 00:00", 85.0),
            ("laag", "2016-07-01 00:00", 80.0),  # 60 above the nearest reference: outlier
            ("verder", "2016-07-01 01:00", 30.0),
            ("laag", "2016-07-01 01:00", 75.0),  # nearest has no value; 45 above the next one: fine
            ("ver_weg", "2016-07-01 00:00", 500.0),  # no reference within 10 km: not checked
        ]
    )
    settings = reeks(kwaliteit={"uitschieters": {"methode": "verschil", "max_verschil": 50}})
    checked = run(settings, rows, obs).set_index(["sensor", "tijd"])
    assert checked.loc[("laag", utc("2016-07-01 00:00")), "uitschieter"]
    assert not checked.loc[("laag", utc("2016-07-01 01:00")), "uitschieter"]
    assert checked.loc[("laag", utc("2016-07-01 01:00")), "getoetst_aan_referentie"]
    assert not checked.loc[("ver_weg", utc("2016-07-01 00:00")), ["uitschieter", "getoetst_aan_referentie"]].any()
    assert not checked.loc[("dichtbij", utc("2016-07-01 00:00")), "getoetst_aan_referentie"]  # references are not


def test_outliers_by_robust_spread_allow_a_constant_difference():
    rng = np.random.default_rng(7)
    times = hours("2016-07-01 00:00", 100)
    reference = 20 + 5 * np.sin(np.arange(100) / 5)
    low_cost = reference + 8 + rng.normal(0, 1, 100)  # a street sensor: always about 8 higher
    low_cost[50] = reference[50] + 30
    rows = outlier_case()
    obs = observations(
        [("dichtbij", t, v) for t, v in zip(times, reference, strict=True)]
        + [("laag", t, v) for t, v in zip(times, low_cost, strict=True)]
    )
    settings = reeks(kwaliteit={"uitschieters": {"methode": "mad", "factor": 5, "min_paren": 48}})
    checked = run(settings, rows, obs)
    flagged = checked[checked["uitschieter"]]
    assert list(flagged["tijd"]) == [utc(times[50])]
    too_few = reeks(kwaliteit={"uitschieters": {"methode": "mad", "min_paren": 101}})
    unchecked = run(too_few, rows, obs)
    assert not unchecked["uitschieter"].any()
    assert not unchecked["getoetst_aan_referentie"].any()


def test_flags_are_counted_per_sensor_and_values_outside_counting_periods_kept_apart():
    settings = reeks(
        kwaliteit={"ondergrens": {"NO2": 0}},
        fasen=[{"naam": "kal", "sensoren": ["a"], "van": "2016-07-01", "tot": "2016-07-01", "locatie": "r"}],
    )
    obs = observations(
        [
            ("a", "2016-06-30 20:00", -1.0),
            ("a", "2016-06-30 22:00", 5.0),  # 1 July local: calibration, not counting
            ("a", "2016-07-01 22:00", 6.0),
            ("zonder", "2016-07-01 22:00", 6.0),
            ("r", "2016-07-01 22:00", 6.0),
        ]
    )
    counts = count_flags(run(settings, sensor_rows({"a": (X0, Y0), "r": (X0, Y0)}, {"r": "referentie"}), obs))
    a = counts.set_index("sensor").loc["a"]
    assert (a["waarden"], a["ondergrens"], a["buiten_meetperiode"], a["geldig"], a["in_buurtcijfers"]) == (
        3,
        1,
        1,
        2,
        1,
    )
    zonder = counts.set_index("sensor").loc["zonder"]
    assert (zonder["zonder_locatie"], zonder["geldig"], zonder["in_buurtcijfers"]) == (1, 0, 0)
