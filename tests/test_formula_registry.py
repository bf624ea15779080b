"""The formula registry: one entry per formula type drives validation, computation and the documented table."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from pathlib import Path

import pytest

from ogw_datalab.config import ConfigError
from ogw_datalab.indicators import formulas
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.compute_indicators import compute_indicators
from ogw_datalab.indicators.formulas import FORMULAS, FormulaType, formula_table_markdown

from .test_indicators import catalogue, config, small_town  # noqa: F401 (fixtures)

PROJECT = Path(__file__).resolve().parents[1]


def test_the_documented_table_is_the_registry(tmp_path):
    """The developers' table of formula types is generated from the registry by ``make docs`` and included."""
    spec = importlib.util.spec_from_file_location("docs_pages", PROJECT / "docs" / "scripts" / "generate_pages.py")
    assert spec is not None
    assert spec.loader is not None
    pages = sys.modules.setdefault("docs_pages", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(pages)
    pages.write_pages(tmp_path)
    assert (tmp_path / "formuletabel.md").read_text(encoding="utf-8") == formula_table_markdown() + "\n"
    page = (PROJECT / "docs" / "ontwikkelen" / "extending.md").read_text(encoding="utf-8")
    assert '--8<-- "docs/_generated/formuletabel.md"' in page


def test_every_registered_type_has_its_sql_file_and_its_inputs_are_catalogue_fields():
    fields = {"kolom", "laag", "partner", "per", "afstand_m", "max_afstand_m", "typen", "waarden", "van"}
    fields |= {"minimum", "kroon_m2", "tijdreeks", "grootheid", "soort", "maand_van", "maand_tot", "percentiel"}
    for formula in FORMULAS.values():
        assert "SELECT" in formula.sql_text(), formula.name
        assert set(formula.inputs) | set(formula.optional) <= fields, formula.name


@pytest.fixture
def speelplekken_per_ha(tmp_path, monkeypatch):
    """A new formula type, added as one registry entry and one SQL file (outside the package)."""
    sql = tmp_path / "punten_per_ha_land.sql"
    sql.write_text(
        """-- Points per hectare of land.
WITH land AS (SELECT buurtcode, ST_Area(geometry) / 1e4 AS ha FROM staging.buurten)
SELECT l.buurtcode, count(p.bronrij) AS teller, l.ha AS noemer, count(p.bronrij) / l.ha AS waarde
FROM land AS l LEFT JOIN {layer} AS p USING (buurtcode)
GROUP BY l.buurtcode, l.ha""",
        encoding="utf-8",
    )
    entry = FormulaType(
        "punten_per_ha_land", "points per hectare", ("laag",), "verhouding", "geen", layer="points", sql=sql
    )
    monkeypatch.setitem(formulas.FORMULAS, entry.name, entry)
    return entry


def test_a_new_formula_type_is_one_entry_and_one_sql_file_and_computes_end_to_end(
    con,
    config,
    small_town,
    speelplekken_per_ha,  # noqa: F811
):
    chosen = catalogue({"type": "punten_per_ha_land", "laag": "bomen"})
    assert chosen.indicatoren[0].aggregatie == "verhouding"
    assert chosen.indicatoren[0].noemer_soort == "geen"
    compute_indicators(con, config, chosen)
    values = dict(con.execute("SELECT buurtcode, waarde FROM indicators.buurt ORDER BY 1").fetchall())
    assert values == {"BU00010001": 0.3, "BU00010002": 0.1, "BU00010101": 0.1, "BU00010102": 0.1}  # 30 trees on 100 ha
    wijk = dict(con.execute("SELECT wijkcode, waarde FROM indicators.wijk").fetchall())
    assert wijk["WK000100"] == pytest.approx((30 + 10) / 200)  # recomputed from sums, not averaged
    assert (
        "| `punten_per_ha_land` | point `laag` | points per hectare | recomputed from the sums"
        in formula_table_markdown()
    )


def test_the_registry_decides_what_a_catalogue_may_ask_for(tmp_path, config, speelplekken_per_ha):  # noqa: F811
    path = tmp_path / "indicatoren.yaml"
    path.write_text(
        """indicatoren:
  - {id: a, titel: t, eenheid: e, beschrijving: b, bron: {uitgever: u, dataset: d, jaar: 2024, licentie: CC0},
     formule: {type: punten_per_ha_land, laag: groen}}
  - {id: b, titel: t, eenheid: e, beschrijving: b, bron: {uitgever: u, dataset: d, jaar: 2024, licentie: CC0},
     formule: {type: punten_per_ha, laag: bomen}}
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_catalogue(path, config)
    assert "unknown formule type 'punten_per_ha'" in str(error.value)
    assert "punten_per_ha_land" in str(error.value)
    path.write_text(path.read_text(encoding="utf-8").replace("punten_per_ha,", "punten_per_ha_land,"), "utf-8")
    with pytest.raises(ConfigError, match=r"'groen' must be a point layer for 'punten_per_ha_land'"):
        load_catalogue(path, config)
    assert dataclasses.replace(speelplekken_per_ha, layer="polygons").layer == "polygons"
