"""Indicator maths on hand-built buurten: every formula type, minimum denominators, roll-ups from sums."""

from __future__ import annotations

import pytest
import yaml

from ogw_datalab.config import ConfigError, load_config
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.compute_indicators import compute_indicators

from .factories import DEMO, formula_catalogue, indicator


def values(con, level: str, key: str, indicator: str) -> dict:
    return dict(
        con.execute(f"SELECT {key}, waarde FROM indicators.{level} WHERE indicator = ?", [indicator]).fetchall()
    )


def test_rates_per_buurt_wherever_the_denominator_is_known(small_town, config):
    counts = compute_indicators(small_town, config, formula_catalogue({"type": "per_inwoners", "laag": "bomen"}))
    assert counts == {"rows": 4, "indicators": 1}
    trees = values(small_town, "buurt", "buurtcode", "i0")
    # Noordwest (40 inhabitants) gets its rate here; publishing it is for disclosure control to refuse.
    assert trees == {"BU00010001": 30.0, "BU00010002": 25.0, "BU00010101": 125.0, "BU00010102": None}


def test_roll_up_recomputes_rates_from_sums(small_town, config):
    compute_indicators(
        small_town,
        config,
        formula_catalogue(
            {"type": "per_inwoners", "laag": "bomen"}, {"type": "kerncijfer", "kolom": "aantal_inwoners"}
        ),
    )
    trees = values(small_town, "wijk", "wijkcode", "i0")
    assert trees["WK000100"] == pytest.approx(1000 * 40 / 1400)  # not the mean of 30 and 25
    assert trees["WK000101"] == pytest.approx(1000 * 5 / 40)  # Noordoost has no known inhabitants
    assert values(small_town, "gemeente", "gemeentecode", "i0")["GM0001"] == pytest.approx(1000 * 45 / 1440)
    # A count is summed only where every buurt is known: Noordoost's inhabitants are secret.
    assert values(small_town, "wijk", "wijkcode", "i1") == {"WK000100": 1400, "WK000101": None}
    assert values(small_town, "gemeente", "gemeentecode", "i1")["GM0001"] is None
    reasons = small_town.execute("SELECT reden FROM indicators.gemeente WHERE indicator = 'i1'").fetchone()[0]
    assert reasons == "geen totaal: 1 buurt heeft geen bekende waarde"


def test_distance_shares_and_means(small_town, config):
    compute_indicators(
        small_town,
        config,
        formula_catalogue(
            {"type": "binnen_afstand", "laag": "parken", "afstand_m": 300},
            {"type": "gemiddelde_afstand", "laag": "parken", "max_afstand_m": 5000},
            {"type": "bomen_bij_woning", "laag": "bomen", "afstand_m": 30, "minimum": 3},
        ),
    )
    assert values(small_town, "buurt", "buurtcode", "i0")["BU00010001"] == 100.0
    assert values(small_town, "buurt", "buurtcode", "i0")["BU00010002"] == 0.0
    assert values(small_town, "gemeente", "gemeentecode", "i0")["GM0001"] == pytest.approx(40.0)
    # Homes at (100, 100..103) are 100 m from the park's west edge (x = 200).
    assert values(small_town, "buurt", "buurtcode", "i1")["BU00010001"] == pytest.approx(100.0)
    assert values(small_town, "buurt", "buurtcode", "i2") == {
        "BU00010001": 100.0,
        "BU00010002": 0.0,
        "BU00010101": None,
        "BU00010102": None,
    }


def test_area_share_cuts_polygons_at_buurt_boundaries(small_town, config):
    compute_indicators(
        small_town,
        config,
        formula_catalogue(
            {"type": "aandeel_oppervlak", "laag": "groen"},
            {"type": "aandeel_oppervlak", "laag": "groen", "typen": ["loofbos"]},
        ),
    )
    everything = values(small_town, "buurt", "buurtcode", "i0")
    # OPP_LAND is 100 ha per buurt: 500 x 500 m of wood in each bottom buurt = 25 %.
    assert everything["BU00010001"] == pytest.approx(25.0)
    assert everything["BU00010002"] == pytest.approx(25.0)
    assert everything["BU00010101"] == pytest.approx(1.0)  # 100 x 100 m of grass
    assert values(small_town, "buurt", "buurtcode", "i1")["BU00010101"] == 0.0


def test_catalogue_refuses_inputs_that_are_not_configured(tmp_path, config):
    path = tmp_path / "indicatoren.yaml"
    entry = indicator("x", {"type": "per_inwoners", "laag": "lantaarnpalen"})
    path.write_text(yaml.safe_dump({"indicatoren": [entry]}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"indicatoren\.0 \(x\)\.formule\.laag: no layer 'lantaarnpalen'"):
        load_catalogue(path, config)
    entry["formule"] = {"type": "partner_aandeel", "partner": "corporatie_woningen", "kolom": "energielabel"}
    path.write_text(yaml.safe_dump({"indicatoren": [entry]}), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"formule type 'partner_aandeel' needs \['waarden'\]"):
        load_catalogue(path, config)


def test_demo_catalogue_loads_against_the_demo_config():
    config = load_config(DEMO, check_files=False)
    demo = load_catalogue(config.indicatoren, config)
    assert len(demo.ids) >= 10
    assert "drie_dertig_driehonderd_pct" in demo.ids
