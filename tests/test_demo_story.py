"""The demo tells the story its opgaven claim: each opgave's priority buurten are the buurten its angel names,
and they are there for the reasons the angel gives (not because of weights).

Before, "Meer groen" ranked rural polders first because 3-30-300 was 0 almost everywhere.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from ogw_datalab.demo import meetnet
from ogw_datalab.demo.geography import build_geography
from ogw_datalab.demo.write_demo import DEMO_SEED
from ogw_datalab.duckdb_connection import connect

from .labs import PROJECT

# Per opgave: the wijk or wijken whose buurten its angel names, and the words of the angel that name them.
NAMED = {
    "meer_groen": (("Centrum",), "de dichtbebouwde buurten van de kern"),
    "energietransitie": (("Waardhoven-Zuid",), "De naoorlogse portiekflats van Waardhoven-Zuid"),
    "gezond_en_veilig": (("Waardhoven-Zuid",), "de naoorlogse flatbuurten van Waardhoven-Zuid"),
    "bestaanszekerheid": (("Waardhoven-Noord",), "de eengezinswoningen van Waardhoven-Noord"),
    "gezonde_lucht": (("Centrum",), "In de kern"),
}
NETWORK_OPGAVEN = frozenset({"gezonde_lucht"})  # the air-quality network started in 2024: not in 2023
# What the demo generator built in those wijken (geography.py): the reason the angel can be true.
KIND_OF_WIJK = {"Centrum": "core", "Waardhoven-Zuid": "postwar", "Waardhoven-Noord": "family"}
# What each angel says about its buurten: (indicator, claim), where the claim compares a priority buurt with
# the median buurt ("hoger", "lager"), with every buurt outside the named wijken ("hoogst"), or is a value ("nul").
CLAIMS = {
    "meer_groen": [("woningen_binnen_300m_park_pct", "nul"), ("woningen_3_bomen_pct", "lager")],
    "energietransitie": [("energielabel_efg_pct", "hoogst")],
    "gezond_en_veilig": [("eenzaam_pct", "hoger"), ("meldingen_per_1000_inwoners", "hoger")],
    "bestaanszekerheid": [("kale_huur_gemiddeld", "hoogst"), ("energielabel_efg_pct", "hoger")],
    "gezonde_lucht": [("no2_op_straat", "hoogst"), ("no2_dagen_boven_who_pct", "hoger")],
}


def load(name: str) -> dict:
    return yaml.safe_load((PROJECT / "config" / name).read_text(encoding="utf-8"))


def angels() -> dict[str, str]:
    return {o["id"]: o["angel"] for o in load("demo_opgaven.yaml")["opgaven"]}


def assert_the_story_holds(database: Path, opgaven: frozenset[str] = frozenset(NAMED)) -> None:
    con = connect(database, read_only=True)
    try:
        wijk_of = dict(
            con.execute(
                "SELECT b.buurtcode, w.wijknaam FROM staging.buurten AS b JOIN staging.wijken AS w USING (wijkcode)"
            ).fetchall()
        )
        values = con.execute("SELECT indicator, buurtcode, waarde FROM indicators.publicatie_buurt").df()
        for opgave, (wijken, _) in NAMED.items():
            if opgave not in opgaven:
                continue
            named = {code for code, name in wijk_of.items() if name in wijken}
            priority = [
                r[0]
                for r in con.execute(
                    "SELECT buurtcode FROM indicators.prioriteiten WHERE opgave = ? ORDER BY rang", [opgave]
                ).fetchall()
            ]
            assert len(priority) == 5, (opgave, priority, wijken)
            assert set(priority) <= named, (opgave, priority, wijken)
            for indicator, claim in CLAIMS[opgave]:
                of = values[values["indicator"] == indicator].set_index("buurtcode")["waarde"].dropna()
                outside = of[~of.index.isin(named)]
                for code in priority:
                    value = of[code]
                    expected = {
                        "nul": value == 0,
                        "lager": value < of.median(),
                        "hoger": value > of.median(),
                        "hoogst": value > outside.max(),
                    }[claim]
                    assert expected, (opgave, indicator, claim, code, value, of.median(), outside.max())
        # "de wijk heeft geen eigen huisarts"
        zuid = [code for code, name in wijk_of.items() if name == "Waardhoven-Zuid"]
        gps = con.execute(
            "SELECT count(*) FROM joined.layer_huisartsen WHERE list_contains($zuid, buurtcode)", {"zuid": zuid}
        ).fetchone()
        assert gps == (0,)
    finally:
        con.close()


def test_every_angel_names_where_it_bites_and_the_generator_built_it_there():
    told = angels()
    assert set(told) == set(NAMED), (
        f"every demo opgave needs an entry in NAMED and CLAIMS of {__file__}: the wijken its angel names, the "
        "words that name them, and what it claims about its priority buurten there"
    )
    for opgave, (_, words) in NAMED.items():
        assert words in told[opgave], opgave
    geo = build_geography(np.random.default_rng(DEMO_SEED))
    for wijk in geo.wijken:
        if wijk.naam in KIND_OF_WIJK:
            assert {b.kind for b in wijk.buurten} == {KIND_OF_WIJK[wijk.naam]}, wijk.naam
    assert all(b.kind not in KIND_OF_WIJK.values() for w in geo.wijken if w.naam not in KIND_OF_WIJK for b in w.buurten)
    # "In de kern ... meten de sensoren de meeste NO2": the core sees most traffic, and five of its buurten a sensor
    assert meetnet.EXPOSURE["core"] > 2 * max(e for kind, e in meetnet.EXPOSURE.items() if kind != "core")
    centrum = {b.naam for w in geo.wijken if w.naam == "Centrum" for b in w.buurten}
    low_cost = [naam for sensor, naam in meetnet.NO2_SITES if sensor != meetnet.REFERENCE]
    assert len(set(low_cost) & centrum) == 5
    assert len(set(low_cost)) == len(low_cost)


def test_the_earlier_year_has_the_same_catalogue_and_opgaven_without_the_network():
    """2023 has no air-quality network, so no tijdreeks indicators and no 'Gezonde lucht'; the rest is the same."""
    # config/demo_2023_*.yaml are config/demo_*.yaml without the network's entries: a change to one is made to both
    current, earlier = load("demo_indicatoren.yaml"), load("demo_2023_indicatoren.yaml")
    network = {i["id"] for i in current["indicatoren"] if i["formule"]["type"].startswith("tijdreeks_")}
    assert network == {"no2_op_straat", "no2_dagen_boven_who_pct"}
    assert earlier["indicatoren"] == [i for i in current["indicatoren"] if i["id"] not in network], (
        "config/demo_2023_indicatoren.yaml differs from config/demo_indicatoren.yaml beyond the network's indicators"
    )
    opgaven, earlier_opgaven = load("demo_opgaven.yaml"), load("demo_2023_opgaven.yaml")
    assert earlier_opgaven["opgaven"] == [o for o in opgaven["opgaven"] if o["id"] not in NETWORK_OPGAVEN], (
        "config/demo_2023_opgaven.yaml differs from config/demo_opgaven.yaml beyond the network's opgaven"
    )
    assert all(i["id"] in network for o in opgaven["opgaven"] if o["id"] in NETWORK_OPGAVEN for i in o["indicatoren"])
    assert "tijdreeksen" not in load("demo_2023.yaml")
    assert "lucht" in load("demo.yaml")["tijdreeksen"]


@pytest.mark.e2e
def test_priority_buurten_are_the_buurten_the_angel_names(demo_lab):
    assert_the_story_holds(demo_lab.database)


@pytest.mark.e2e
def test_the_earlier_year_builds_from_the_same_seed_and_tells_the_same_story(demo_lab):
    current = yaml.safe_load((PROJECT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    earlier = yaml.safe_load((PROJECT / "config" / "demo_2023.yaml").read_text(encoding="utf-8"))
    assert earlier["demo"]["startgetal"] == current["demo"]["startgetal"] == DEMO_SEED
    assert earlier["demo"]["jaar"] == 2023
    database = demo_lab.folder / "data" / "jaren" / "datalab_2023.duckdb"
    assert "building Waardhoven (GM9999) 2023" in demo_lab.first.out
    assert_the_story_holds(database, frozenset(NAMED) - NETWORK_OPGAVEN)
