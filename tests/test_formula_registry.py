"""The formula registry: one complete entry per formula type drives validation, computation, the disclosure audit,
the colophon and the documented table."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import re
import sys
import typing
from collections import defaultdict
from pathlib import Path

import jsonschema
import pytest

from ogw_datalab.config import ConfigError
from ogw_datalab.indicators import formulas
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.compute_indicators import compute_indicators
from ogw_datalab.indicators.disclosure import numerator_groups, recoverable_withheld_cells
from ogw_datalab.indicators.formulas import (
    FORMULAS,
    Aggregation,
    Denominator,
    Disclosure,
    FormulaType,
    Formule,
    formula_table_markdown,
)
from ogw_datalab.indicators.formulas import phrases as say
from ogw_datalab.indicators.formulas.formula_type import register
from ogw_datalab.indicators.suppress import publish_indicators
from ogw_datalab.maps.explain import explain_formula, explain_protection, explain_roll_up

PROJECT = Path(__file__).resolve().parents[1]
COLUMNS = ["buurtcode", "teller", "noemer", "waarde"]
# A plausible value for every field of ``formule:``, to build a formula of any registered type.
SAMPLES: dict[str, object] = {
    "kolom": "aantal_inwoners",
    "laag": "bomen",
    "partner": "corporatie",
    "per": 500.0,
    "afstand_m": 250.0,
    "max_afstand_m": 2000.0,
    "typen": ["loofbos"],
    "waarden": ["ja"],
    "van": ["ja", "nee"],
    "minimum": 4,
    "kroon_m2": 40.0,
    "tijdreeks": "lucht",
    "grootheid": "NO2",
    "soort": "laagkosten",
    "maand_van": "2024-01",
    "maand_tot": "2024-03",
    "percentiel": 98.0,
}


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


def sample_formule(formula: FormulaType) -> Formule:
    """A ``formule`` of this type with every field it takes given (an allowed value where the type restricts one)."""
    values = {name: formula.allowed.get(name, (SAMPLES[name],))[0] for name in formula.fields}
    return Formule.model_validate({"type": formula.name, **values})


def sql_columns(con, sql: str) -> list[str]:
    """The names of the columns the SQL returns, read from DuckDB's parse tree (no table needs to exist)."""
    filled = sql.format_map(defaultdict(lambda: "placeholder"))  # {layer}, {afstanden}, ... as any identifier
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [filled]).fetchone()[0])
    if tree.get("error"):
        raise ValueError(tree.get("error_message", "does not parse"))
    node = tree["statements"][-1]["node"]
    while node["type"] == "SET_OPERATION_NODE":
        node = node["left"]
    return [e["alias"] or (e.get("column_names") or ["?"])[-1] for e in node["select_list"]]


def missing_parts(con, formula: FormulaType) -> list[str]:
    """Everything a registry entry lacks or gets wrong, one line each; empty when the entry is complete."""
    problems = []
    if not formula.value:
        problems.append("value: no line saying what the value per buurt is")
    unknown = [f for f in formula.fields if f not in Formule.model_fields or f == "type"]
    if unknown or len(set(formula.fields)) != len(formula.fields):
        problems.append(f"fields: {list(formula.fields)} are not distinct fields of formule (unknown: {unknown})")
    if not set(formula.allowed) <= set(formula.fields):
        problems.append(f"allowed: restricts fields the type does not take: {sorted(formula.allowed)}")
    if isinstance(formula.scale, str) and formula.scale not in formula.fields:
        problems.append(f"scale: '{formula.scale}' is not a field the type takes")
    if (formula.layer is not None) != ("laag" in formula.fields):
        problems.append("layer: a type takes 'laag' exactly when it names the kind of layer")
    if (formula.partner_level is not None) != ("partner" in formula.fields):
        problems.append("partner_level: a type takes 'partner' exactly when it says how the partner is keyed")
    if formula.copies is not None and "kolom" not in formula.fields:
        problems.append("copies: a type that copies a column takes 'kolom'")
    if formula.copies == "partner" and formula.partner_level is None:
        problems.append("copies: a type that copies a partner's column takes 'partner'")
    if formula.aggregation not in typing.get_args(Aggregation):
        problems.append(f"aggregation: {formula.aggregation!r} is none of {typing.get_args(Aggregation)}")
    if formula.denominator not in typing.get_args(Denominator):
        problems.append(f"denominator: {formula.denominator!r} is none of {typing.get_args(Denominator)}")
    if not isinstance(formula.disclosure, Disclosure):
        problems.append("disclosure: no disclosure class (how the audit reads the numerator)")
    if not unknown:
        problems += _explanation_problems(formula)
    try:
        columns = sql_columns(con, formula.sql_text())
    except (OSError, ValueError) as error:
        problems.append(f"sql: no readable SQL file ({error})")
    else:
        if columns != COLUMNS:
            problems.append(f"sql: returns {columns}, not {COLUMNS}")
    return problems


def _explanation_problems(formula: FormulaType) -> list[str]:
    formule = sample_formule(formula)
    try:
        text = formula.explanation(formule)
    except Exception as error:  # any failure is a missing part
        return [f"explanation: fails on {formule.model_dump(exclude_defaults=True)}: {error!r}"]
    technical = [word for word in ("_", "None", "?") if word in str(text)]  # 'aantal' is a word too: '_' marks a name
    if not (isinstance(text, str) and text[:1].isupper() and text.endswith(".")) or technical:
        return [f"explanation: {text!r} is no Dutch sentence for the colophon (technical: {technical})"]
    return []


def test_every_registered_type_is_complete(con):
    assert len(FORMULAS) >= 18
    problems = {name: missing_parts(con, formula) for name, formula in FORMULAS.items()}
    assert {name: p for name, p in problems.items() if p} == {}


def test_every_field_of_formule_has_a_sample():
    missing = set(Formule.model_fields) - {"type"} - set(SAMPLES)
    assert not missing, f"give each new field of Formule a plausible value in SAMPLES of {__file__}: {missing}"
    assert set(SAMPLES) <= set(Formule.model_fields), "SAMPLES names a field Formule no longer has"


@pytest.mark.parametrize(
    ("change", "part"),
    [
        ({"value": ""}, "value:"),
        ({"inputs": ("laag", "straal_m")}, "fields:"),
        ({"optional": ("laag",)}, "fields:"),
        ({"allowed": {"kolom": ("a",)}}, "allowed:"),
        ({"scale": "afstand_m"}, "scale:"),
        ({"layer": None}, "layer:"),
        ({"copies": "partner"}, "copies:"),
        ({"aggregation": "gemiddelde"}, "aggregation:"),
        ({"denominator": "huishoudens"}, "denominator:"),
        ({"disclosure": None}, "disclosure:"),
        ({"explanation": lambda f: ""}, "explanation:"),
        ({"explanation": lambda f: f"Punten per {f.per} inwoners van {f.laag}, per_inwoners."}, "explanation:"),
        ({"explanation": lambda f: f"Het aantal per {f.straal} meter."}, "explanation: fails"),
        ({"sql": "geen_bestand.sql"}, "sql: no readable SQL file"),
    ],
)
def test_an_entry_that_lacks_a_part_is_caught(con, change, part):
    broken = dataclasses.replace(FORMULAS["per_inwoners"], **change)
    problems = missing_parts(con, broken)
    assert any(p.startswith(part) for p in problems), problems
    assert missing_parts(con, FORMULAS["per_inwoners"]) == []


def test_an_sql_file_that_returns_other_columns_is_caught(con, tmp_path):
    wrong = tmp_path / "wrong.sql"
    wrong.write_text("SELECT buurtcode, teller AS t, noemer / 2 FROM staging.buurten", encoding="utf-8")
    broken = dataclasses.replace(FORMULAS["per_inwoners"], sql=wrong)
    assert missing_parts(con, broken) == [f"sql: returns ['buurtcode', 't', '?'], not {COLUMNS}"]
    wrong.write_text("SELECT buurtcode, teller, noemer, waarde FROM", encoding="utf-8")
    (problem,) = missing_parts(con, broken)
    assert problem.startswith("sql: no readable SQL file (")
    assert "syntax error" in problem


def test_an_entry_cannot_be_declared_without_its_disclosure_class_or_explanation():
    parts = {"name": "x", "value": "v", "inputs": ("laag",), "aggregation": "som", "denominator": "geen"}
    with pytest.raises(TypeError, match="disclosure"):
        FormulaType(**parts, explanation=lambda f: "Tekst.")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="explanation"):
        FormulaType(**parts, disclosure=Disclosure(counting=True))  # type: ignore[call-arg]


def test_a_type_is_registered_once():
    with pytest.raises(ValueError, match="'aantal' is registered twice"):
        register(FORMULAS["aantal"])


def mentions_a_formula_type(line: str) -> bool:
    """Whether a line of code names a formula type as a string ('aantal' and 'kerncijfer' are column names too)."""
    words = set(re.findall(r"\w+", line.lower()))
    for name in FORMULAS:
        if any(q.format(name) in line for q in ('"{}"', "'{}'")):
            if "_" in name or "type" in words or "formule" in words:
                return True
    return False


def test_no_formula_type_name_is_written_down_outside_the_registry():
    library = Path(formulas.__file__).resolve().parents[2]
    registry = library / "indicators" / "formulas" / "registry.py"
    found = [
        line.strip()
        for path in sorted(library.rglob("*.py"))
        if path != registry
        for line in path.read_text(encoding="utf-8").splitlines()
        if mentions_a_formula_type(line)
    ]
    assert found == []
    assert mentions_a_formula_type('COUNTING = frozenset({"kerncijfer", "aantal", "per_inwoners"})')
    assert not mentions_a_formula_type('table["aantal"] = table["aantal"].fillna(0)')


@pytest.fixture
def bomen_per_ha(tmp_path, monkeypatch):
    """A new formula type, added as one registry entry and one SQL file (outside the package)."""
    sql = tmp_path / "punten_per_ha_land.sql"
    sql.write_text(
        """-- Points per $per hectares of land.
WITH land AS (SELECT buurtcode, ST_Area(geometry) / 1e4 AS ha FROM staging.buurten)
SELECT l.buurtcode, count(p.bronrij) AS teller, l.ha AS noemer, $per * count(p.bronrij) / l.ha AS waarde
FROM land AS l LEFT JOIN {layer} AS p USING (buurtcode)
GROUP BY l.buurtcode, l.ha""",
        encoding="utf-8",
    )
    entry = FormulaType(
        name="punten_per_ha_land",
        value="points per `per` hectares of land",
        inputs=("laag",),
        optional=("per",),
        layer="points",
        aggregation="verhouding",
        denominator="geen",
        disclosure=Disclosure(counting=True, numerator="points"),  # the points 'aantal' counts
        scale="per",
        explanation=lambda f: f"Het aantal objecten uit de bron per {say.number(f.per)} hectare land.",
        sql=sql,
    )
    monkeypatch.setitem(formulas.FORMULAS, entry.name, entry)
    return entry


def write_catalogue(path: Path, *formules: str) -> Path:
    entries = [
        f"  - {{id: i{n}, titel: t{n}, eenheid: e, beschrijving: b, decimalen: 2,\n"
        f"     bron: {{uitgever: u, dataset: d, jaar: 2024, licentie: CC0}}, formule: {formule}}}"
        for n, formule in enumerate(formules)
    ]
    path.write_text("indicatoren:\n" + "\n".join(entries) + "\n", encoding="utf-8")
    return path


def test_a_new_formula_type_is_one_entry_and_one_sql_file_and_runs_end_to_end(
    con,
    tmp_path,
    config,
    small_town,
    bomen_per_ha,
):
    assert missing_parts(con, bomen_per_ha) == []
    # Catalogue validation against the configuration: the layer must exist and be a point layer.
    path = write_catalogue(
        tmp_path / "indicatoren.yaml",
        "{type: punten_per_ha_land, laag: bomen, per: 10}",
        "{type: aantal, laag: bomen}",
    )
    chosen = load_catalogue(path, config)
    new = chosen.indicatoren[0]
    assert (new.aggregation, new.scale, new.denominator) == ("verhouding", 10.0, "geen")
    # Computation: 30 trees on 100 ha in Zuidwest, recomputed from the sums for the wijk.
    compute_indicators(con, config, chosen)
    values = dict(con.execute("SELECT buurtcode, waarde FROM indicators.buurt WHERE indicator = 'i0'").fetchall())
    assert values == {"BU00010001": 3.0, "BU00010002": 1.0, "BU00010101": 0.5, "BU00010102": 0.7}
    wijk = dict(con.execute("SELECT wijkcode, waarde FROM indicators.wijk WHERE indicator = 'i0'").fetchall())
    assert wijk["WK000100"] == pytest.approx(10 * (30 + 10) / 200)
    # The audit reads the entry's disclosure class: its points are the ones 'aantal' counts, one unknown per buurt.
    assert [[i.id for i in group] for group in numerator_groups(chosen)] == [["i0", "i1"]]
    # Suppression: Noordwest (40 inhabitants) and Noordoost (unknown) are withheld, and so is whatever would give
    # them away; nothing withheld can be recomputed from what is published.
    publish_indicators(con, config, chosen)
    reasons = dict(
        con.execute(
            "SELECT buurtcode, reden FROM indicators.publicatie_buurt WHERE indicator = 'i0' AND reden IS NOT NULL"
        ).fetchall()
    )
    assert reasons["BU00010101"] == "minder dan 50 inwoners in de buurt"
    assert reasons["BU00010102"] == "aantal inwoners van de buurt is geheim of onbekend"
    wijk_reasons = dict(
        con.execute("SELECT wijkcode, reden FROM indicators.publicatie_wijk WHERE indicator = 'i0'").fetchall()
    )
    assert wijk_reasons["WK000101"] == "minder dan 50 inwoners in de wijk"
    # Gemeente minus Zuid would give Noord away, in this indicator and through the count 't1' of the same points.
    assert wijk_reasons["WK000100"].startswith("aanvullend onderdrukt: anders is de onderdrukte waarde van wijk")
    assert wijk_reasons["WK000100"].endswith("(ook via 't1')")
    assert recoverable_withheld_cells(con, chosen, config.privacy) == []
    # The colophon says it in Dutch, with the formula's own parameter.
    assert explain_formula(new) == "Het aantal objecten uit de bron per 10 hectare land."
    assert explain_roll_up(new).startswith("Wijk en gemeente: opnieuw berekend uit de opgetelde tellers en noemers")
    assert (
        explain_protection(new, config.privacy)
        == "Niet gepubliceerd voor een buurt of wijk met minder dan 50 inwoners."
    )
    assert (
        "| `punten_per_ha_land` | point `laag`, optional `per` | points per `per` hectares of land | "
        "recomputed from the sums | geen | count, shared as `points` |" in formula_table_markdown()
    )
    assert Formule.model_json_schema()["properties"]["type"]["enum"][-1] == "punten_per_ha_land"


def test_every_field_of_formule_reaches_the_sql_of_a_new_type_as_a_parameter(
    con, tmp_path, config, small_town, bomen_per_ha, monkeypatch
):
    # A field no built-in formula reads as a parameter: a new type can use it without an edit elsewhere.
    sql = tmp_path / "punten_per_ha_land_per_straal.sql"
    text = bomen_per_ha.sql.read_text(encoding="utf-8").replace("$per *", "$per * $max_afstand_m *")
    sql.write_text(text, encoding="utf-8")
    monkeypatch.setitem(
        formulas.FORMULAS,
        bomen_per_ha.name,
        dataclasses.replace(bomen_per_ha, sql=sql, optional=("per", "max_afstand_m")),
    )
    path = write_catalogue(
        tmp_path / "indicatoren.yaml", "{type: punten_per_ha_land, laag: bomen, per: 10, max_afstand_m: 2}"
    )
    compute_indicators(con, config, load_catalogue(path, config))
    values = dict(con.execute("SELECT buurtcode, waarde FROM indicators.buurt WHERE indicator = 'i0'").fetchall())
    assert values == {"BU00010001": 6.0, "BU00010002": 2.0, "BU00010101": 1.0, "BU00010102": 1.4}


def test_the_registry_decides_what_a_catalogue_may_ask_for(tmp_path, config, bomen_per_ha):
    path = write_catalogue(
        tmp_path / "indicatoren.yaml", "{type: punten_per_ha_land, laag: groen}", "{type: punten_per_ha, laag: bomen}"
    )
    with pytest.raises(ConfigError) as error:
        load_catalogue(path, config)
    assert "unknown formule type 'punten_per_ha'" in str(error.value)
    assert "punten_per_ha_land" in str(error.value)
    path.write_text(path.read_text(encoding="utf-8").replace("punten_per_ha,", "punten_per_ha_land,"), "utf-8")
    with pytest.raises(
        ConfigError, match=r"'groen' must be a layer of punten \(geometrie: punten\) for 'punten_per_ha_land'"
    ):
        load_catalogue(path, config)
    assert dataclasses.replace(bomen_per_ha, layer="polygons").layer == "polygons"


def test_the_schema_of_formule_names_the_types_and_the_fields_each_requires():
    schema = Formule.model_json_schema()
    assert schema["properties"]["type"]["enum"] == list(FORMULAS)
    required = {rule["if"]["properties"]["type"]["const"]: rule["then"]["required"] for rule in schema["allOf"]}
    assert required["partner_aandeel"] == ["type", "partner", "kolom", "waarden"]
    assert required["aantal"] == ["type", "laag"]
    assert set(required) == set(FORMULAS)
    (kerncijfer,) = [
        rule["then"] for rule in schema["allOf"] if rule["if"]["properties"]["type"]["const"] == "kerncijfer"
    ]
    assert kerncijfer["properties"] == {"kolom": {"enum": ["aantal_inwoners", "aantal_huishoudens"]}}


def test_a_setting_the_formula_type_does_not_use_is_refused_by_the_model_and_the_schema():
    """``afstand_m`` on a count would be read by a user as 'within 300 m' while the figure ignores it."""
    with pytest.raises(ValueError, match=r"formule type 'aantal' does not use afstand_m \(it takes: laag\)"):
        Formule(type="aantal", laag="bomen", afstand_m=300)
    assert Formule(type="binnen_afstand", laag="bomen", afstand_m=300).afstand_m == 300
    check = jsonschema.Draft202012Validator(Formule.model_json_schema())
    assert not list(check.iter_errors({"type": "binnen_afstand", "laag": "bomen", "afstand_m": 300}))
    (error,) = check.iter_errors({"type": "aantal", "laag": "bomen", "afstand_m": 300})
    assert "afstand_m" in error.message
