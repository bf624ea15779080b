"""Comparisons and composite scores (disclosure control: see test_disclosure.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.compare import need_percentile
from ogw_datalab.indicators.opgaven import Opgave
from ogw_datalab.indicators.score_opgaven import score_buurten

from .factories import catalogue, indicator

BRON = {"uitgever": "t", "dataset": "t", "jaar": 2024, "licentie": "CC0"}
INWONERS = {"type": "kerncijfer", "kolom": "aantal_inwoners"}


def test_need_percentile_follows_the_direction():
    values = pd.Series([10.0, 20.0, 30.0, None])
    assert need_percentile(values, "lager_is_beter").tolist()[:3] == [0.0, 50.0, 100.0]
    assert need_percentile(values, "hoger_is_beter").tolist()[:3] == [100.0, 50.0, 0.0]
    assert pd.isna(need_percentile(values, "hoger_is_beter").iloc[3])


def catalogue_of(*ids: str) -> Catalogue:
    return catalogue(*(indicator(i, INWONERS, titel=i.upper(), eenheid="%", bron=BRON) for i in ids))


def test_composite_is_the_weighted_mean_of_need_percentiles_and_needs_enough_weight():
    published = pd.DataFrame(
        {
            "indicator": ["a"] * 4 + ["b"] * 4,
            "buurtcode": ["B1", "B2", "B3", "B4"] * 2,
            "buurtnaam": ["Een", "Twee", "Drie", "Vier"] * 2,
            "waarde": [10.0, 20.0, 30.0, 40.0, 5.0, None, 1.0, 3.0],
        }
    )
    opgave = Opgave.model_validate(
        {
            "id": "o",
            "titel": "O",
            "angel": "a",
            "indicatoren": [
                {"id": "a", "gewicht": 1, "richting": "lager_is_beter"},
                {"id": "b", "gewicht": 3, "richting": "hoger_is_beter"},
            ],
        }
    )
    scores = score_buurten(published, opgave, catalogue_of("a", "b")).set_index("buurtcode")
    # a: B1 0, B3 66.7, B4 100 (high is bad); b: B1 0 (highest is best), B3 100, B4 50.
    assert scores.loc["B1", "score"] == pytest.approx((1 * 0 + 3 * 0) / 4)
    assert scores.loc["B3", "score"] == pytest.approx((1 * 66.7 + 3 * 100) / 4, abs=0.05)
    assert scores.loc["B4", "score"] == pytest.approx((1 * 100 + 3 * 50) / 4)
    assert pd.isna(scores.loc["B2", "score"])  # only 1 of 4 weight present: below one half
    assert scores.loc["B3", "rang"] == 1
    assert scores.loc["B3", "drijvers"] == "B; A"
