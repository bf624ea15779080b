"""Figures moved between gebiedsindelingen by overlap, never by code: hand-built and real 2015 vs 2024 wijken."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from ogw_datalab.spatial.reallocate import Areas, address_weights, area_weights, reallocate_counts, reallocate_rates
from ogw_datalab.storage import write_frame


def areas_table(con, name: str, codes: list[str], polygons: list) -> str:
    write_frame(con, "staging", name, gpd.GeoDataFrame({"code": codes}, geometry=polygons, crs="EPSG:28992"))
    return f"staging.{name}"


def test_counts_split_by_area_and_rates_averaged(con):
    # Old: two halves (west, east). New: a left strip of 1/4 and the remaining 3/4.
    old = areas_table(con, "oud", ["W", "O"], [box(0, 0, 50, 100), box(50, 0, 100, 100)])
    new = areas_table(con, "nieuw", ["A", "B"], [box(0, 0, 25, 100), box(25, 0, 100, 100)])
    weights = area_weights(con, old, new)
    counts = reallocate_counts(pd.Series({"W": 100.0, "O": 40.0}), weights)
    assert counts.to_dict() == pytest.approx({"A": 50.0, "B": 90.0})
    assert counts.sum() == pytest.approx(140.0)  # nothing lost or created
    rates = reallocate_rates(pd.Series({"W": 10.0, "O": 40.0}), weights)
    assert rates.to_dict() == pytest.approx({"A": 10.0, "B": (10.0 * 25 + 40.0 * 50) / 75})


def test_addresses_weigh_where_people_live():
    old = Areas(codes=np.array(["W", "O"], dtype=object), polygons=np.array([box(0, 0, 50, 100), box(50, 0, 100, 100)]))
    new = Areas(codes=np.array(["A", "B"], dtype=object), polygons=np.array([box(0, 0, 25, 100), box(25, 0, 100, 100)]))
    # All of W's 10 addresses lie in its eastern part, inside B.
    x = np.array([40.0] * 10 + [60.0] * 4)
    y = np.linspace(5, 95, 14)
    weights = address_weights(old, new, x, y)
    counts = reallocate_counts(pd.Series({"W": 100.0, "O": 40.0}), weights, weight="adressen")
    assert counts.to_dict() == pytest.approx({"B": 140.0})


def test_real_2015_wijken_reallocated_to_2024_wijken_keep_their_total(con, shared_data):
    old = gpd.read_file(shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "wijk.geojson").to_crs(28992)
    old = old[old["GM_CODE"] == "GM0484"]
    new = gpd.read_file(shared_data / "cbs_wijken_2024_nl" / "wijken_2024.geojson").to_crs(28992)
    new = new[new["gemeentecode"] == "GM0484"]
    source = areas_table(con, "wijken_2015", list(old["WK_CODE"]), list(old.geometry.make_valid()))
    target = areas_table(con, "wijken_2024", list(new["wijkcode"]), list(new.geometry.make_valid()))
    weights = area_weights(con, source, target)
    inhabitants_2015 = old.set_index("WK_CODE")["AANT_INW"].astype(float)
    moved = reallocate_counts(inhabitants_2015, weights)
    assert len(old) == len(new) == 16
    assert moved.sum() == pytest.approx(inhabitants_2015.sum(), rel=1e-9)  # 107,396 kept, spread over 2024
    # The same codes name other areas: a code-on-code join would put 2015 figures on the wrong wijken.
    same_code = set(old["WK_CODE"]) & set(new["wijkcode"])
    assert same_code
    grown = new.set_index("wijkcode")["aantal_inwoners"]
    # Reallocated 2015 inhabitants track 2024 inhabitants closely (growth, not a reshuffle).
    assert np.corrcoef(moved.reindex(grown.index).fillna(0), grown.fillna(0))[0, 1] > 0.9
