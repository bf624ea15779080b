"""Indicators that cannot tell buurten apart: no rank, a legend that says so, left out of the score; ties share a rank.

An indicator with the same published value in every buurt (or only two values) used to get "Rang 1 van 91",
a one-class legend "0 – 1" and a weight in the opgave score.
"""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from ogw_datalab import checks
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.compare import compare_indicators, compare_level, indistinct_reason
from ogw_datalab.indicators.opgaven import Opgave
from ogw_datalab.indicators.score_opgaven import left_out_indicators, score_buurten, score_opgaven
from ogw_datalab.maps.build_site import build_site
from ogw_datalab.maps.colours import class_breaks, colour_values, legend_items
from ogw_datalab.storage import write_frame

from .factories import catalogue, indicator
from .site_fixture import tiny_project, write_tiny_tables

BRON = {"uitgever": "t", "dataset": "t", "jaar": 2024, "licentie": "CC0"}
CODES = ["BU00010001", "BU00010002", "BU00010003", "BU00010004"]
NAMES = ["Zuidwest", "Zuidoost", "Noordwest", "Noordoost"]


def catalogue_of(*specs: tuple[str, str, int]) -> Catalogue:
    """A catalogue of (id, richting, decimalen) indicators."""
    inwoners = {"type": "kerncijfer", "kolom": "aantal_inwoners"}
    return catalogue(
        *(
            indicator(i, inwoners, titel=i.upper(), eenheid="%", bron=BRON, richting=richting, decimalen=decimalen)
            for i, richting, decimalen in specs
        )
    )


def published(values: dict[str, list[float | None]]) -> pd.DataFrame:
    """Published buurt values of several indicators over the four buurten (None = withheld)."""
    rows = [
        {
            "indicator": indicator,
            "buurtcode": code,
            "buurtnaam": name,
            "wijkcode": "WK000100",
            "waarde": value,
            "status": "onderdrukt" if value is None else "gepubliceerd",
            "reden": "minder dan 50 inwoners in de buurt" if value is None else None,
        }
        for indicator, column in values.items()
        for code, name, value in zip(CODES, NAMES, column, strict=True)
    ]
    return pd.DataFrame(rows)


def test_an_indicator_with_one_value_everywhere_gets_no_rank_but_the_reason():
    frame = published({"nul": [0.0, 0.0, 0.0, None]})
    compared = compare_level(frame, "buurtcode", catalogue_of(("nul", "hoger_is_beter", 0)), {"nul": 0.0})
    assert compared["rang"].isna().all()
    assert compared["percentiel"].isna().all()
    assert compared["rang_reden"].tolist()[:3] == ["alle buurten hebben dezelfde waarde: 0"] * 3
    assert pd.isna(compared["rang_reden"].iloc[3])  # withheld: no value, so nothing to explain here


def test_two_distinct_values_cannot_rank_buurten_either():
    frame = published({"twee": [0.0, 0.0, 8.4, 0.0]})
    compared = compare_level(frame, "buurtcode", catalogue_of(("twee", "hoger_is_beter", 1)), {"twee": 2.1})
    assert compared["rang"].isna().all()
    assert set(compared["rang_reden"]) == {"de buurten hebben maar 2 verschillende waarden: 0,0 en 8,4"}


def test_values_are_compared_as_published():
    assert indistinct_reason(pd.Series([0.04, 0.01, 0.0]), 1) == "alle buurten hebben dezelfde waarde: 0,0"
    assert indistinct_reason(pd.Series([1.0, 2.0, 3.0, None]), 0) is None
    assert indistinct_reason(pd.Series([None, None], dtype=float), 0) is None  # nothing published: nothing to rank


def test_too_few_values_are_called_so_not_all_the_same():
    # Ede: one of 71 buurten had a published share; "alle buurten hebben dezelfde waarde: 33" hid the other 70
    assert indistinct_reason(pd.Series([33.0] + [None] * 70), 0) == "maar 1 van de 71 buurten heeft een waarde: 33"
    two = pd.Series([33.0, None, 40.0, None])
    assert indistinct_reason(two, 0, gebieden="wijken") == "maar 2 van de 4 wijken hebben een waarde: 33 en 40"
    assert indistinct_reason(pd.Series([5.0]), 0) == "alle buurten hebben dezelfde waarde: 5"  # one buurt in all


@pytest.mark.parametrize(("richting", "ranks"), [("lager_is_beter", [1, 2, 2, 4]), ("hoger_is_beter", [4, 2, 2, 1])])
def test_equal_values_share_the_lowest_of_their_places(richting, ranks):
    frame = published({"x": [5.0, 3.0, 3.0, 1.0]})
    compared = compare_level(frame, "buurtcode", catalogue_of(("x", richting, 0)), {"x": 3.0})
    assert compared["rang"].tolist() == ranks
    assert compared["rang_gedeeld"].tolist() == [False, True, True, False]
    assert compared["rang_reden"].isna().all()


@pytest.mark.parametrize(
    ("values", "legend"),
    [([0.0, 0.0, 0.0, 0.0], "alle buurten: 0"), ([0.0, 0.0, 0.0, None], "alle buurten met een waarde: 0")],
)
def test_the_legend_of_an_indicator_with_one_value_says_so_instead_of_a_class(values, legend):
    items = legend_items(["#aaa"], [0.0, 0.0], lambda v: f"{v:.0f}", values=values)
    assert items[0] == ("#aaa", legend)
    assert not any("0 – " in text for _, text in items)


def test_legend_classes_of_counts_do_not_share_an_edge():
    counts = [0.0, 1.0, 2.0, 4.0, 4.0, 5.0, 9.0, 17.0, 17.0]
    bounds = [0.0, 4.0, 9.0, 17.0]  # natural breaks of these counts: each edge is a class's highest value
    colours, classes = colour_values(counts, [None] * len(counts), bounds, "neutraal")
    items = legend_items(classes, bounds, lambda v: f"{v:.0f}", values=counts, colours=colours, step=1.0)
    assert [text for _, text in items] == ["0 – 4", "5 – 9", "10 – 17"]  # was "0 – 4", "4 – 9", "9 – 17"
    ranges = dict(items)
    for value, colour in zip(counts, colours, strict=True):  # each count lies in the range its colour names
        low, high = (float(x) for x in ranges[colour].split(" – "))
        assert low <= value <= high, (value, ranges[colour])
    # Published with one decimal: the next class starts a tenth higher.
    shares = [10.0, 12.5, 12.5, 30.0, 40.0, 41.2]
    items = legend_items(["#a", "#b"], [10.0, 12.5, 41.2], lambda v: f"{v:.1f}", values=shares, step=0.1)
    assert [text for _, text in items][:2] == ["10.0 – 12.5", "12.6 – 41.2"]
    # An edge between published values (a quantile) is named as it is.
    items = legend_items(["#a", "#b"], [0.0, 4.5, 17.0], lambda v: f"{v:.1f}", values=[0.0, 4.0, 5.0, 17.0], step=1.0)
    assert [text for _, text in items][:2] == ["0.0 – 4.5", "4.5 – 17.0"]


def test_the_score_leaves_out_an_indicator_that_cannot_tell_buurten_apart():
    values = published({"a": [10.0, 20.0, 30.0, 40.0], "b": [0.0, 0.0, 0.0, 0.0]})
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
    catalogue = catalogue_of(("a", "lager_is_beter", 0), ("b", "hoger_is_beter", 0))
    scores = score_buurten(values, opgave, catalogue).set_index("buurtcode")
    # Only a counts: its need percentiles 0, 33.3, 66.7, 100. With b's tie (50 for all, weight 3) the scores
    # would have been squeezed towards 50 and B1 would score 37.5.
    assert scores["score"].tolist() == [100.0, 66.7, 33.3, 0.0]
    assert set(scores["drijvers"]) == {"A"}
    left_out = left_out_indicators(values, opgave, catalogue)
    assert left_out[["indicator", "titel", "reden"]].values.tolist() == [
        ["b", "B", "alle buurten hebben dezelfde waarde: 0"]
    ]


def test_the_check_names_the_indicators_that_cannot_tell_buurten_apart(con):
    catalogue = catalogue_of(("a", "lager_is_beter", 0), ("b", "hoger_is_beter", 0), ("c", "neutraal", 1))
    values = published({"a": [10.0, 20.0, 30.0, 40.0], "b": [0.0, 0.0, 0.0, None], "c": [1.0, 2.0, 1.0, 2.0]})
    write_frame(con, "indicators", "publicatie_buurt", values)
    outcome = checks.indicators_tell_buurten_apart(con, catalogue)
    assert not outcome.passed
    assert outcome.description.startswith("2 of 3 indicators cannot tell the buurten apart")
    assert outcome.description.endswith(  # the command line prints it: say which
        ": b (alle buurten hebben dezelfde waarde: 0); c (de buurten hebben maar 2 verschillende waarden: 1,0 en 2,0)"
    )
    assert outcome.metadata["indicators (id, reason)"] == [
        ["b", "alle buurten hebben dezelfde waarde: 0"],
        ["c", "de buurten hebben maar 2 verschillende waarden: 1,0 en 2,0"],
    ]
    write_frame(con, "indicators", "publicatie_buurt", published({"a": [10.0, 20.0, 30.0, 40.0]}))
    assert checks.indicators_tell_buurten_apart(con, catalogue_of(("a", "lager_is_beter", 0))).passed


def test_the_site_says_which_indicator_is_left_out_of_the_score_and_why(tmp_path, con):
    """Zorglocaties is 0 in every buurt with a value: no rank, a one-line legend, left out of the score (said so)."""
    config, catalogue, opgaven = tiny_project(tmp_path)
    write_tiny_tables(con)
    values = con.execute("SELECT * FROM indicators.publicatie_buurt ORDER BY indicator, buurtcode").df()
    groen, locaties = values["indicator"] == "groen_pct", values["indicator"] == "locaties"
    values.loc[groen, ["waarde", "status", "reden"]] = [
        [10.0, "gepubliceerd", None],
        [20.0, "gepubliceerd", None],
        [20.0, "gepubliceerd", None],
        [40.0, "gepubliceerd", None],
    ]
    values.loc[locaties & values["waarde"].notna(), "waarde"] = 0.0
    write_frame(con, "indicators", "publicatie_buurt", values)
    compare_indicators(con, catalogue)
    score_opgaven(con, opgaven, catalogue)

    report = build_site(con, config=config, catalogue=catalogue, opgaven=opgaven, folder=tmp_path / "site")
    page = (report.folder / "opgave_groen.html").read_text(encoding="utf-8")
    reason = "alle buurten hebben dezelfde waarde: 0"
    assert f"Niet in de score, omdat ze de buurten niet van elkaar onderscheiden: Zorglocaties ({reason})." in page
    assert "</span>alle buurten met een waarde: 0</li>" in page  # the legend of the Zorglocaties layer
    data = json.loads(re.search(r'<script type="application/json" id="kaartdata">(.*?)</script>', page, re.S).group(1))
    ranks = {f["properties"]["c"]: f["properties"]["r"] for f in data["features"]}
    assert ranks["BU00010001"][2] == f"geen rang, want {reason}"
    assert ranks["BU00010102"][2] == ""  # withheld: no value, nothing to explain
    # groen (higher is better): 10 asks most attention, the two 20s share the second place
    assert ranks["BU00010002"][1].startswith("Rang 2 van 4 (gedeeld)")
    assert ranks["BU00010101"][1].startswith("Rang 2 van 4 (gedeeld)")
    profile = (report.folder / "buurten" / "BU00010001.html").read_text(encoding="utf-8")
    assert f"Geen rang, want {reason}" in profile
    colofon = (report.folder / "colofon.html").read_text(encoding="utf-8")
    assert "krijgt geen rang en telt niet mee in de score" in colofon


def test_two_values_are_two_classes_so_the_map_shows_where_each_is():
    """Ede's fire stations: 10 buurten with one, 61 without. Quantiles made one class "0 – 1" of them, one colour
    for every buurt, so the map did not show where the stations are."""
    counts = pd.Series([1.0] * 10 + [0.0] * 61)
    bounds = class_breaks(counts)
    assert bounds == [0.0, 0.0, 1.0]
    colours, classes = colour_values(counts.tolist(), [None] * len(counts), bounds, "neutraal")
    assert len(set(colours)) == 2
    assert colours[0] != colours[-1]
    items = legend_items(classes, bounds, lambda v: f"{v:.0f}", values=counts.tolist(), colours=colours, step=1.0)
    assert [text for _, text in items] == ["0", "1"]
    # Up to as many values as classes: one each; more: the classing's own edges
    assert class_breaks(pd.Series([0.0, 1.0, 2.0, 3.0, 4.0, 0.0])) == [0.0, 0.0, 1.0, 2.0, 3.0, 4.0]
    assert len(class_breaks(pd.Series([float(v) for v in range(40)]))) == 6
