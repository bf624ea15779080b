"""Disclosure control (primary, secondary, recovery attempts), comparisons and composite scores."""

from __future__ import annotations

import pandas as pd
import pytest

from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.compare import need_percentile
from ogw_datalab.indicators.opgaven import Opgave
from ogw_datalab.indicators.score_opgaven import score_buurten
from ogw_datalab.indicators.suppress import SECONDARY, suppress_complements

BRON = {"uitgever": "t", "dataset": "t", "jaar": 2024, "licentie": "CC0"}


def buurten(reasons: list[str | None], noemers: list[float], wijk: str = "WK000100") -> pd.DataFrame:
    n = len(reasons)
    return pd.DataFrame(
        {
            "indicator": "x",
            "buurtcode": [f"BU{i}" for i in range(n)],
            "wijkcode": wijk,
            "waarde": [10.0 * (i + 1) for i in range(n)],
            "teller": noemers,
            "noemer": noemers,
            "aggregatie": "verhouding",
            "reden": reasons,
        }
    )


def test_one_hidden_buurt_under_a_published_total_gets_a_complement():
    frame = buurten(["minder dan 50 inwoners in de buurt", None, None, None], [5, 40, 12, 90])
    result = suppress_complements(frame, parent="wijkcode", parent_published={("x", "WK000100")}, level="wijk")
    assert result["reden"].tolist() == [
        "minder dan 50 inwoners in de buurt",
        None,
        SECONDARY.format(level="wijk"),
        None,
    ]  # the smallest published denominator hides the least


def test_recovering_a_hidden_value_from_the_wijk_total_fails():
    frame = buurten(["berekend over minder dan 10 rijen", None, None], [6, 30, 25])
    result = suppress_complements(frame, parent="wijkcode", parent_published={("x", "WK000100")}, level="wijk")
    hidden = result["reden"].notna()
    total_teller = frame["teller"].sum()
    recovered = total_teller - frame.loc[~hidden, "teller"].sum()  # what an attacker can compute
    assert hidden.sum() >= 2 and recovered != frame.loc[0, "teller"]


def test_no_complement_when_none_or_two_are_hidden_or_the_total_is_hidden():
    none_hidden = buurten([None, None], [20, 30])
    two_hidden = buurten(["a", "b", None], [1, 2, 30])
    assert (
        suppress_complements(none_hidden, parent="wijkcode", parent_published={("x", "WK000100")}, level="wijk")[
            "reden"
        ]
        .isna()
        .all()
    )
    assert suppress_complements(two_hidden, parent="wijkcode", parent_published={("x", "WK000100")}, level="wijk")[
        "reden"
    ].tolist() == ["a", "b", None]
    alone = buurten(["a", None], [1, 30])
    assert suppress_complements(alone, parent="wijkcode", parent_published=set(), level="wijk")["reden"].tolist() == [
        "a",
        None,
    ]


def test_published_figures_that_are_not_totalled_need_no_complement():
    frame = buurten(["a", None, None], [1, 30, 40]).assign(aggregatie="geen")
    result = suppress_complements(frame, parent="wijkcode", parent_published={("x", "WK000100")}, level="wijk")
    assert result["reden"].tolist() == ["a", None, None]


def test_need_percentile_follows_the_direction():
    values = pd.Series([10.0, 20.0, 30.0, None])
    assert need_percentile(values, "lager_is_beter").tolist()[:3] == [0.0, 50.0, 100.0]
    assert need_percentile(values, "hoger_is_beter").tolist()[:3] == [100.0, 50.0, 0.0]
    assert pd.isna(need_percentile(values, "hoger_is_beter").iloc[3])


def catalogue_of(*ids: str) -> Catalogue:
    return Catalogue.model_validate(
        {
            "indicatoren": [
                {
                    "id": i,
                    "titel": i.upper(),
                    "eenheid": "%",
                    "beschrijving": "b",
                    "bron": BRON,
                    "formule": {"type": "kerncijfer", "kolom": "aantal_inwoners"},
                }
                for i in ids
            ]
        }
    )


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
    assert scores.loc["B3", "rang"] == 1 and scores.loc["B3", "drijvers"] == "B; A"
