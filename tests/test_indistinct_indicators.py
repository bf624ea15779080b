"""Indicators that cannot tell buurten apart: no rank, a legend that says so, left out of the score; ties share a rank.

An indicator with the same published value in every buurt (or only two values) used to get "Rang 1 van 91",
a one-class legend "0 – 1" and a weight in the opgave score.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from ogw_datalab import checks
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.compare import compare_indicators, compare_level, indistinct_reason
from ogw_datalab.indicators.opgaven import Opgave
from ogw_datalab.indicators.score_opgaven import left_out_indicators, score_buurten, score_opgaven
from ogw_datalab.maps.build_indicator_map import build_indicator_map, rank_texts
from ogw_datalab.maps.build_opgave_page import build_opgave_page, buurt_shapes, left_out_sentence, opgave_layers
from ogw_datalab.maps.offline import copy_assets
from ogw_datalab.storage import write_frame

BRON = {"uitgever": "t", "dataset": "t", "jaar": 2024, "licentie": "CC0"}
CODES = ["BU00010001", "BU00010002", "BU00010003", "BU00010004"]
NAMES = ["Zuidwest", "Zuidoost", "Noordwest", "Noordoost"]


def catalogue_of(*specs: tuple[str, str, int]) -> Catalogue:
    """A catalogue of (id, richting, decimalen) indicators."""
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
                    "richting": richting,
                    "decimalen": decimalen,
                }
                for i, richting, decimalen in specs
            ]
        }
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
    assert compared["rang"].isna().all() and compared["percentiel"].isna().all()
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


@pytest.mark.parametrize(("richting", "ranks"), [("lager_is_beter", [1, 2, 2, 4]), ("hoger_is_beter", [4, 2, 2, 1])])
def test_equal_values_share_the_lowest_of_their_places(richting, ranks):
    frame = published({"x": [5.0, 3.0, 3.0, 1.0]})
    compared = compare_level(frame, "buurtcode", catalogue_of(("x", richting, 0)), {"x": 3.0})
    assert compared["rang"].tolist() == ranks
    assert compared["rang_gedeeld"].tolist() == [False, True, True, False]
    assert compared["rang_reden"].isna().all()


def test_rank_texts_say_gedeeld_where_tied_and_why_there_is_no_rank():
    ranks = pd.Series([1, 2, 2, 4, None], dtype="Int64")
    values = pd.Series([5.0, 3.0, 3.0, 1.0, None])
    assert rank_texts(ranks, values) == ["1 van 4", "gedeeld 2e van 4", "gedeeld 2e van 4", "4 van 4", "–"]
    none = pd.Series([None] * 3, dtype="Int64")
    reason = "alle buurten hebben dezelfde waarde: 0"
    assert rank_texts(none, pd.Series([0.0, 0.0, None]), reason) == [f"geen, want {reason}"] * 2 + ["–"]


def map_values(values: list[float | None]) -> pd.DataFrame:
    """What ``indicator_values`` returns for the four 1 km buurten, ranked as the comparison ranks them."""
    frame = published({"x": values})
    compared = compare_level(frame, "buurtcode", catalogue_of(("x", "hoger_is_beter", 0)), {"x": 0.0})
    return frame.assign(
        wijknaam="Wijk",
        rang=compared["rang"],
        percentiel=compared["percentiel"],
        verschil=None,
        vorig_jaar=None,
        geometry_wkb=shapely.to_wkb([box(100000 + 1000 * i, 450000, 101000 + 1000 * i, 451000) for i in range(4)]),
    ).drop(columns=["indicator"])


@pytest.mark.parametrize(
    ("values", "legend"),
    [([0.0, 0.0, 0.0, 0.0], "alle buurten: 0"), ([0.0, 0.0, 0.0, None], "alle buurten met een waarde: 0")],
)
def test_the_legend_of_an_indicator_with_one_value_says_so_instead_of_a_class(tmp_path, values, legend):
    indicator = catalogue_of(("x", "hoger_is_beter", 0)).by_id("x")
    path = build_indicator_map(
        map_values(values), indicator, gemeentenaam="T", gemeente_waarde=0.0, path=tmp_path / "x.html"
    )
    page = path.read_text(encoding="utf-8")
    assert f"</span>{legend}</li>" in page
    assert "0 – 1" not in page and "van 3" not in page and "van 4" not in page
    assert "geen, want alle buurten hebben dezelfde waarde: 0" in page


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
    assert not outcome.passed and outcome.description.startswith("2 of 3 indicators cannot tell the buurten apart")
    assert outcome.metadata["indicators (id, reason)"] == [
        ["b", "alle buurten hebben dezelfde waarde: 0"],
        ["c", "de buurten hebben maar 2 verschillende waarden: 1,0 en 2,0"],
    ]
    write_frame(con, "indicators", "publicatie_buurt", published({"a": [10.0, 20.0, 30.0, 40.0]}))
    assert checks.indicators_tell_buurten_apart(con, catalogue_of(("a", "lager_is_beter", 0))).passed


def test_the_opgave_page_says_which_indicator_is_left_out_and_why(con, tmp_path):
    catalogue = catalogue_of(("a", "lager_is_beter", 0), ("b", "hoger_is_beter", 0))
    opgave = Opgave.model_validate(
        {
            "id": "o",
            "titel": "O",
            "angel": "Waar het knelt.",
            "indicatoren": [
                {"id": "a", "gewicht": 1, "richting": "lager_is_beter"},
                {"id": "b", "gewicht": 2, "richting": "hoger_is_beter"},
            ],
        }
    )
    values = published({"a": [10.0, 20.0, 20.0, 40.0], "b": [0.0, 0.0, 0.0, 0.0]})
    buurten = gpd.GeoDataFrame(
        {"buurtcode": CODES, "buurtnaam": NAMES, "wijkcode": "WK000100"},
        geometry=[box(100000 + 1000 * i, 450000, 101000 + 1000 * i, 451000) for i in range(4)],
        crs="EPSG:28992",
    )
    write_frame(con, "staging", "buurten", buurten)
    write_frame(con, "staging", "wijken", pd.DataFrame({"wijkcode": ["WK000100"], "wijknaam": ["Wijk"]}))
    write_frame(con, "indicators", "publicatie_buurt", values)
    write_frame(con, "indicators", "publicatie_wijk", values.drop(columns=["buurtcode", "buurtnaam"]).iloc[:0])
    gemeente = pd.DataFrame({"indicator": ["a", "b"], "gemeentecode": "GM0001", "waarde": [22.5, 0.0]})
    write_frame(con, "indicators", "publicatie_gemeente", gemeente.assign(status="gepubliceerd", reden=None))
    con.execute(
        "CREATE TABLE indicators.trends (indicator VARCHAR, buurtcode VARCHAR, verschil DOUBLE, vorig_jaar INT)"
    )
    compare_indicators(con, catalogue)
    score_opgaven(con, [opgave], catalogue)

    frame, layers, table = opgave_layers(con, opgave, catalogue, buurt_shapes(con, wijknamen=True))
    copy_assets(tmp_path)
    page = build_opgave_page(
        tmp_path / "opgave_o.html",
        opgave=opgave,
        gemeentenaam="T",
        frame=frame,
        layers=layers,
        table=table,
        catalogue=catalogue,
        kiemen=None,
        downloads={},
        left_out=left_out_sentence(con, opgave),
    ).read_text(encoding="utf-8")
    assert (
        "Niet in de score, omdat ze de buurten niet van elkaar onderscheiden: "
        "B (alle buurten hebben dezelfde waarde: 0)." in page
    )
    assert "</span>alle buurten: 0</li>" in page  # the legend of layer b
    assert "gedeeld 2e van 4" in page  # a: 40 asks most attention, the two 20s share the second place
    assert con.execute("SELECT count(*) FROM indicators.vergelijking_buurt WHERE rang IS NOT NULL").fetchone() == (4,)
