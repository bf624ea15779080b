"""The formula registry: one declaration per formula type.

The catalogue's validation, the computation and the README's formula table all follow from it.

Adding a formula type is one :class:`FormulaType` entry in :data:`FORMULAS` plus one SQL file
that returns ``buurtcode, teller, noemer, waarde`` for every buurt (``staging.buurten``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import duckdb

from ..config import ProjectConfig
from . import prepare_inputs as prepare

if TYPE_CHECKING:
    from .catalogue import Formule

PrepareStep = Callable[[duckdb.DuckDBPyConnection, ProjectConfig, "Formule", str], dict[str, str]]
ParameterStep = Callable[[ProjectConfig, "Formule"], dict[str, object]]
Aggregation = Literal["som", "verhouding", "geen"]
Denominator = Literal["personen", "woningen", "rijen", "respondenten", "geen"]
ROLL_UP_TEXT = {"som": "sum", "verhouding": "recomputed from the sums", "geen": "none"}


@dataclass(frozen=True)
class FormulaType:
    """How one formula type computes a value per buurt, rolls up, and is protected.

    Attributes
    ----------
    name
        The ``type`` in the catalogue.
    value
        What the value per buurt is, in one line (README and colophon).
    inputs
        Fields of ``formule`` that must be given.
    optional
        Fields of ``formule`` it also reads (for the README).
    layer
        The kind of layer ``laag`` must name: ``points``, ``polygons``, ``any`` (``parken`` allowed too) or None.
    needs_addresses, needs_park_layer
        Whether it needs ``sources.adressen`` (homes) or ``parameters.park_layer``.
    partner_level
        For partner formulas: whether the partner is keyed at buurt level or by ``wijkcode``.
    allowed
        Per field, the only values it may take.
    prepare
        Steps that write intermediate tables before the SQL runs (see :mod:`.prepare_inputs`).
    parameters
        A step giving the values its SQL binds beyond the common ones (``$per``, ``$afstand_m``, ...).
    aggregation
        How wijk and gemeente follow from the buurten: ``som``, ``verhouding`` or ``geen``.
    scale
        Factor from teller/noemer to waarde: a number, or the name of a ``formule`` field (``per``).
    denominator
        What the denominator counts, for disclosure control (the catalogue's ``noemer`` may say otherwise).
    sql
        The SQL file: a name under ``ogw_datalab/sql/indicators/``, or a path.
    """

    name: str
    value: str
    inputs: tuple[str, ...]
    aggregation: Aggregation
    denominator: Denominator
    optional: tuple[str, ...] = ()
    layer: Literal["points", "polygons", "any"] | None = None
    needs_addresses: bool = False
    needs_park_layer: bool = False
    partner_level: Literal["buurt", "wijk"] | None = None
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prepare: tuple[PrepareStep, ...] = ()
    parameters: ParameterStep | None = None
    scale: float | str = 1.0
    sql: str | Path = ""

    def sql_text(self) -> str:
        """Return the SQL of this formula type."""
        if isinstance(self.sql, Path):
            return self.sql.read_text(encoding="utf-8")
        name = self.sql or f"{self.name}.sql"
        return resources.files("ogw_datalab").joinpath("sql", "indicators", name).read_text(encoding="utf-8")

    def schaal(self, formule: Formule) -> float:
        """Return the factor from teller / noemer to waarde for ``formule``."""
        return float(getattr(formule, self.scale)) if isinstance(self.scale, str) else float(self.scale)


def _formulas(*types: FormulaType) -> dict[str, FormulaType]:
    return {t.name: t for t in types}


FORMULAS: dict[str, FormulaType] = _formulas(
    FormulaType(
        "kerncijfer",
        "the CBS figure",
        ("kolom",),
        "som",
        "geen",
        allowed={"kolom": ("aantal_inwoners", "aantal_huishoudens")},
    ),
    FormulaType("aantal", "number of points", ("laag",), "som", "geen", layer="points"),
    FormulaType(
        "per_inwoners",
        "points × per / inhabitants",
        ("laag",),
        "verhouding",
        "personen",
        ("per",),
        "points",
        scale="per",
    ),
    FormulaType("per_km2_land", "points / km² land", ("laag",), "verhouding", "geen", layer="points"),
    FormulaType(
        "aandeel_oppervlak",
        "% of land area covered (polygons cut at buurt boundaries)",
        ("laag",),
        "verhouding",
        "geen",
        ("typen",),
        "polygons",
        prepare=(prepare.area_of_layer,),
        scale=100.0,
    ),
    FormulaType(
        "binnen_afstand",
        "% of homes with a feature within the distance",
        ("laag",),
        "verhouding",
        "woningen",
        ("afstand_m",),
        "any",
        needs_addresses=True,
        prepare=(prepare.distances_within_afstand,),
        scale=100.0,
    ),
    FormulaType(
        "gemiddelde_afstand",
        "mean distance from home to the nearest feature",
        ("laag",),
        "verhouding",
        "woningen",
        ("max_afstand_m",),
        "any",
        needs_addresses=True,
        prepare=(prepare.distances_within_max_afstand,),
    ),
    FormulaType(
        "bomen_bij_woning",
        "% of homes with at least `minimum` trees within `afstand_m`",
        ("laag",),
        "verhouding",
        "woningen",
        ("afstand_m", "minimum"),
        "points",
        needs_addresses=True,
        scale=100.0,
    ),
    FormulaType(
        "kronendak",
        "approximated canopy, % of land",
        ("laag",),
        "verhouding",
        "geen",
        ("kroon_m2",),
        "points",
        needs_park_layer=True,
        prepare=(prepare.area_of_woods,),
        scale=100.0,
    ),
    FormulaType(
        "drie_dertig_driehonderd",
        "% of homes meeting all of 3-30-300",
        ("laag",),
        "verhouding",
        "woningen",
        ("afstand_m", "minimum", "kroon_m2"),
        "points",
        needs_addresses=True,
        needs_park_layer=True,
        prepare=(prepare.area_of_woods, prepare.distances_to_parks),
        scale=100.0,
    ),
    FormulaType(
        "partner_aandeel",
        "% of the partner's rows (dwellings, when placed by address) with one of `waarden`",
        ("partner", "kolom", "waarden"),
        "verhouding",
        "rijen",
        ("van",),
        partner_level="buurt",
        scale=100.0,
    ),
    FormulaType(
        "partner_per_inwoners",
        "partner rows (reports, cases) per `per` inhabitants",
        ("partner",),
        "verhouding",
        "personen",
        ("per",),
        partner_level="buurt",
        scale="per",
    ),
    FormulaType(
        "partner_gemiddelde",
        "mean of a numeric column",
        ("partner", "kolom"),
        "verhouding",
        "rijen",
        partner_level="buurt",
    ),
    FormulaType(
        "partner_waarde",
        "the figure the partner publishes per buurt",
        ("partner", "kolom"),
        "geen",
        "geen",
        partner_level="buurt",
    ),
    FormulaType(
        "partner_wijkwaarde",
        "the partner's wijk figure, spread over the buurten by overlap (addresses, else area)",
        ("partner", "kolom"),
        "geen",
        "geen",
        partner_level="wijk",
        prepare=(prepare.wijk_values_onto_buurten,),
    ),
    FormulaType(
        "tijdreeks_gemiddelde",
        "mean of the buurt's valid hourly sensor values over the months (none without a sensor or with too few hours)",
        ("tijdreeks", "grootheid", "maand_van", "maand_tot"),
        "verhouding",
        "geen",
        optional=("soort",),
        prepare=(prepare.timeseries_tables,),
        parameters=prepare.timeseries_parameters,
    ),
    FormulaType(
        "tijdreeks_percentiel",
        "a high percentile of the buurt's valid hourly sensor values over the months",
        ("tijdreeks", "grootheid", "maand_van", "maand_tot"),
        "geen",
        "geen",
        optional=("soort", "percentiel"),
        prepare=(prepare.timeseries_tables,),
        parameters=prepare.timeseries_parameters,
    ),
    FormulaType(
        "tijdreeks_dagen_boven",
        "% of complete days whose mean exceeds the WHO 2021 24-hour guideline",
        ("tijdreeks", "grootheid", "maand_van", "maand_tot"),
        "verhouding",
        "geen",
        optional=("soort",),
        prepare=(prepare.timeseries_tables,),
        parameters=prepare.timeseries_parameters,
        scale=100.0,
    ),
)


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


def formula_table_markdown() -> str:
    """Return the README's table of formula types, generated from the registry."""
    lines = [
        "| formule `type` | inputs | value per buurt | wijk/gemeente | privacy rests on |",
        "| --- | --- | --- | --- | --- |",
    ]
    for formula in FORMULAS.values():
        inputs = [f"`{name}`" for name in formula.inputs] + [f"optional `{name}`" for name in formula.optional]
        if formula.layer == "any":
            inputs[0] += " (any layer, or `parken`)"
        elif formula.layer is not None:
            inputs[0] = f"{formula.layer[:-1]} {inputs[0]}"
        needs = ["homes (BAG)"] * formula.needs_addresses + ["park layer"] * formula.needs_park_layer
        lines.append(
            f"| `{formula.name}` | {', '.join(inputs + needs)} | {formula.value} | "
            f"{ROLL_UP_TEXT[formula.aggregation]} | {formula.denominator} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # python -m ogw_datalab.indicators.formulas: the README table
    print(formula_table_markdown())
