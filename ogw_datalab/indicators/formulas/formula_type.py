"""What a formula type is, and the catalogue's ``formule:`` that names one.

A :class:`FormulaType` declares everything about one type of computation: the fields of ``formule:`` it
takes, what it needs configured, its preparation steps and SQL file, how it rolls up, what disclosure
control rests on (:class:`Disclosure`) and its sentence in Dutch for the colophon. :class:`Formule` is
the catalogue's ``formule:``, checked against the type it names. The types themselves are the entries of
:mod:`.registry`, kept in :data:`FORMULAS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ...config import ProjectConfig

Aggregation = Literal["som", "verhouding", "geen"]
Denominator = Literal["personen", "woningen", "rijen", "respondenten", "geen"]
PrepareStep = Callable[[duckdb.DuckDBPyConnection, ProjectConfig, "Formule", str], dict[str, str]]
ParameterStep = Callable[[ProjectConfig, "Formule"], dict[str, object]]
Explanation = Callable[["Formule"], str]
ROLL_UP_TEXT = {"som": "sum", "verhouding": "recomputed from the sums", "geen": "none"}


@dataclass(frozen=True, kw_only=True)
class Disclosure:
    """What a formula type's numerator is, as the disclosure audit reads it (:mod:`..disclosure`).

    Attributes
    ----------
    counting
        True when the numerator counts units (persons, homes, rows, points): a sum of counts is a
        whole number and its protection width is ``min_noemer`` units. False when it measures (m² of
        area, metres, a partner column): the width is ``min_noemer`` times the gemeente's mean
        numerator per unit of denominator.
    share
        True when the numerator is part of what the denominator counts: ``0 <= teller <= noemer``.
    cap
        A buurt value cut off at this value (a canopy of 100 %): a value at the cap bounds the
        numerator from below only.
    numerator
        Formula types with the same ``numerator`` count the same thing (points of a layer: counted,
        per 1,000 inhabitants, per km²), so that on the same inputs their numerators are one unknown
        per buurt. None: the type's numerator is its own.
    """

    counting: bool
    share: bool = False
    cap: float | None = None
    numerator: str | None = None

    def text(self) -> str:
        """Say in a few English words how the audit reads the numerator (the documentation's table)."""
        words = ["count" if self.counting else "measure"]
        if self.share:
            words.append("part of the denominator")
        if self.cap is not None:
            words.append(f"capped at {self.cap:g}")
        if self.numerator is not None:
            words.append(f"shared as `{self.numerator}`")
        return ", ".join(words)


@dataclass(frozen=True, kw_only=True)
class FormulaType:
    """One formula type: how it computes a value per buurt, rolls up, is protected and explained.

    Attributes
    ----------
    name
        The ``type`` in the catalogue.
    value
        What the value per buurt is, in one English line (the documentation's table).
    inputs
        Fields of ``formule`` that must be given.
    optional
        Fields of ``formule`` it also reads (they have defaults).
    aggregation
        How wijk and gemeente follow from the buurten: ``som``, ``verhouding`` or ``geen``.
    denominator
        What the denominator counts, for disclosure control (the catalogue's ``noemer`` may say otherwise).
    disclosure
        How the disclosure audit reads the numerator (see :class:`Disclosure`).
    explanation
        The sentence in Dutch the colophon gives, with the formula's own parameters filled in.
    scale
        Factor from teller/noemer to waarde: a number, or the name of a ``formule`` field (``per``).
    layer
        The kind of layer ``laag`` must name: ``points``, ``polygons``, ``any`` (``parken`` allowed too) or None.
    needs_addresses, needs_park_layer
        Whether it needs ``bronnen.adressen`` (homes) or ``parameters.park_laag``.
    may_be_public
        Whether it counts a layer's objects (or spreads them over the land) and nothing about persons, so that an
        indicator of it may be ``openbaar``: published in every buurt. Not a rate per inhabitants: with the count
        known, it gives the inhabitants of a small buurt.
    partner_level
        For partner formulas: whether the partner is keyed at buurt level or by ``wijkcode``.
    copies
        Set when the value per buurt is the column ``kolom`` as published, of the CBS kaart (``kaart``) or of
        the partner's file (``partner``): similar buurten in other gemeenten can then be read from the kaart.
    allowed
        Per field, the only values it may take.
    prepare
        Steps that write intermediate tables before the SQL runs (see :mod:`.prepare`).
    parameters
        A step giving the values its SQL binds beyond the common ones (``$per``, ``$afstand_m``, ...).
    sql
        The SQL file: a name under ``ogw_datalab/sql/indicators/`` (default ``<name>.sql``), or a path.
        It returns ``buurtcode, teller, noemer, waarde`` for every buurt of ``staging.buurten``.
    """

    name: str
    value: str
    inputs: tuple[str, ...]
    optional: tuple[str, ...] = ()
    aggregation: Aggregation
    denominator: Denominator
    disclosure: Disclosure
    explanation: Explanation
    scale: float | str = 1.0
    layer: Literal["points", "polygons", "any"] | None = None
    needs_addresses: bool = False
    needs_park_layer: bool = False
    may_be_public: bool = False
    partner_level: Literal["buurt", "wijk"] | None = None
    copies: Literal["kaart", "partner"] | None = None
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prepare: tuple[PrepareStep, ...] = ()
    parameters: ParameterStep | None = None
    sql: str | Path = ""

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields of ``formule`` this type takes: its inputs, then its optional fields."""
        return self.inputs + self.optional

    def sql_text(self) -> str:
        """Return the SQL of this formula type."""
        if isinstance(self.sql, Path):
            return self.sql.read_text(encoding="utf-8")
        name = self.sql or f"{self.name}.sql"
        return resources.files("ogw_datalab").joinpath("sql", "indicators", name).read_text(encoding="utf-8")

    def scale_for(self, formule: Formule) -> float:
        """Return the factor from teller / noemer to waarde for ``formule``."""
        return float(getattr(formule, self.scale)) if isinstance(self.scale, str) else float(self.scale)


FORMULAS: dict[str, FormulaType] = {}
"""The registry: every formula type by its name, in the documentation's order (filled by :mod:`.registry`)."""


def register(*types: FormulaType) -> None:
    """Add formula types to :data:`FORMULAS`.

    Raises
    ------
    ValueError
        When a name is registered already.
    """
    for formula in types:
        if formula.name in FORMULAS:
            raise ValueError(f"formula type {formula.name!r} is registered twice")
        FORMULAS[formula.name] = formula


def formula_type(name: str) -> FormulaType:
    """Return the registered formula type ``name``.

    Raises
    ------
    KeyError
        Naming the registered types.
    """
    try:
        return FORMULAS[name]
    except KeyError:
        raise KeyError(f"unknown formula type {name!r}; choose one of {', '.join(FORMULAS)}") from None


def _schema_of_types(schema: dict[str, Any]) -> None:
    """Name the registered types in the JSON Schema of ``formule``, with the fields each requires or restricts."""
    schema["properties"]["type"]["enum"] = list(FORMULAS)
    schema["properties"]["type"]["examples"] = [example_formule()["type"]]
    schema["allOf"] = [
        {
            "if": {"properties": {"type": {"const": f.name}}},
            "then": {
                "required": ["type", *f.inputs],
                "propertyNames": {"enum": ["type", *f.fields]},
                **({"properties": {k: {"enum": list(v)} for k, v in f.allowed.items()}} if f.allowed else {}),
            },
        }
        for f in FORMULAS.values()
    ]


class Formule(BaseModel):
    """``formule:`` of an indicator: which formula type, on which inputs.

    A field the type does not take (:attr:`FormulaType.fields`) is refused, so that no setting is silently ignored.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_schema_of_types)

    type: str = Field(description="een formuletype van het register")  # examples: from the registry
    kolom: str | None = Field(
        None, description="een kerncijfer of een kolom van een partner", examples=["aantal_inwoners"]
    )
    laag: str | None = Field(None, description="de naam van een laag, of 'parken'", examples=["bomen"])
    partner: str | None = Field(None, description="de naam van een partner", examples=["ggd"])
    per: float = Field(1000.0, gt=0, description="per hoeveel inwoners", examples=[1000])
    afstand_m: float = Field(300.0, gt=0, description="de afstand van een woning, in meters", examples=[300])
    max_afstand_m: float = Field(5000.0, gt=0, description="de zoekstraal rond een woning, in meters", examples=[5000])
    typen: list[str] | None = Field(None, description="alleen vlakken van deze typen", examples=[["park"]])
    waarden: list[str] | None = Field(
        None, description="de waarden van een partnerkolom die in de teller tellen", examples=[["E", "F", "G"]]
    )
    van: list[str] | None = Field(
        None, description="de waarden die in de noemer tellen (leeg: alle)", examples=[["A", "B", "C"]]
    )
    minimum: int = Field(3, ge=1, description="het aantal bomen dat een woning moet zien", examples=[3])
    kroon_m2: float = Field(50.0, gt=0, description="de aangenomen kroonoppervlakte per boom, in m²", examples=[50])
    tijdreeks: str | None = Field(
        None, description="een naam onder 'tijdreeksen' in de configuratie", examples=["lucht"]
    )
    grootheid: str | None = Field(None, description="de grootheid van een tijdreeks", examples=["NO2"])
    soort: Literal["referentie", "laagkosten", "alle"] = Field(
        "alle", description="welke sensoren van de tijdreeks", examples=["referentie"]
    )
    maand_van: str | None = Field(
        None, pattern=r"^\d{4}-\d{2}$", description="de eerste maand, JJJJ-MM", examples=["2024-01"]
    )
    maand_tot: str | None = Field(
        None, pattern=r"^\d{4}-\d{2}$", description="de laatste maand, JJJJ-MM", examples=["2024-12"]
    )
    percentiel: float | None = Field(None, gt=0, lt=100, description="welk percentiel", examples=[90])

    @model_validator(mode="after")
    def _inputs_for_type(self) -> Formule:
        if self.type not in FORMULAS:
            raise ValueError(f"unknown formule type {self.type!r}; choose one of {', '.join(FORMULAS)}")
        formula = self.formula
        missing = [name for name in formula.inputs if getattr(self, name) in (None, [])]
        if missing:
            raise ValueError(f"formule type '{self.type}' needs {missing}")
        for name, allowed in formula.allowed.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"formule type '{self.type}': {name} must be one of {list(allowed)}")
        unused = sorted(self.model_fields_set - {"type", *formula.fields})
        if unused:  # a setting the type ignores would let the catalogue say what the figure is not
            takes = ", ".join(formula.fields) or "nothing but type"
            raise ValueError(f"formule type '{self.type}' does not use {', '.join(unused)} (it takes: {takes})")
        return self

    @property
    def formula(self) -> FormulaType:
        """The registry entry of this formula's type."""
        return formula_type(self.type)

    @property
    def aggregation(self) -> Aggregation:
        """How wijk and gemeente values follow from the buurten (``som``, ``verhouding`` or ``geen``)."""
        return self.formula.aggregation

    @property
    def scale(self) -> float:
        """Factor from teller / noemer to waarde."""
        return self.formula.scale_for(self)

    @property
    def denominator(self) -> Denominator:
        """What the type's denominator counts, for disclosure control."""
        return self.formula.denominator

    def explain(self) -> str:
        """Say in one Dutch sentence what the value per buurt is, with this formula's parameters."""
        return self.formula.explanation(self)


def formula_table_markdown() -> str:
    """Return the documentation's table of formula types, generated from the registry."""
    lines = [
        "| formule `type` | inputs | value per buurt | wijk/gemeente | privacy rests on "
        "| audit reads the numerator as |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for formula in FORMULAS.values():
        inputs = [f"`{name}`" for name in formula.inputs] + [f"optional `{name}`" for name in formula.optional]
        if formula.layer == "any":
            inputs[0] += " (any layer, or `parken`)"
        elif formula.layer is not None:
            inputs[0] = f"{formula.layer[:-1]} {inputs[0]}"
        needs = ["homes (BAG)"] * formula.needs_addresses + ["park layer"] * formula.needs_park_layer
        audited = "not added up: nothing to audit" if formula.aggregation == "geen" else formula.disclosure.text()
        lines.append(
            f"| `{formula.name}` | {', '.join(inputs + needs)} | {formula.value} | "
            f"{ROLL_UP_TEXT[formula.aggregation]} | {formula.denominator} | {audited} |"
        )
    return "\n".join(lines)


def example_formule() -> dict[str, Any]:
    """Return an example ``formule`` for the JSON Schema (the names of the types stay in the registry).

    It is the first registered type that is valid with the first example of each input it needs.
    """
    for formula in FORMULAS.values():
        inputs = {name: (Formule.model_fields[name].examples or [None])[0] for name in formula.inputs}
        example = {"type": formula.name} | inputs
        try:
            Formule.model_validate(example)
        except ValidationError:
            continue
        return example
    return {}
