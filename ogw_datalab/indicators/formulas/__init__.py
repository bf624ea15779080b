"""Formula types: the catalogue's ``formule:`` and the registry of the computations it can name.

- :mod:`.formula_type`: what an entry declares (:class:`FormulaType`, :class:`Disclosure`) and the
  catalogue model :class:`Formule`;
- :mod:`.registry`: the entries, one per formula type;
- :mod:`.prepare`: the preparation steps entries name (intermediate tables their SQL reads);
- :mod:`.phrases`: Dutch phrases the entries' explanations share.

Adding a formula type is one entry in :mod:`.registry` plus one SQL file under
``ogw_datalab/sql/indicators/`` that returns ``buurtcode, teller, noemer, waarde`` for every buurt.
``python -m ogw_datalab.indicators.formulas`` prints the documentation's table of formula types
(docs/ontwikkelen/extending.md).
"""

from . import registry as _registry  # noqa: F401 (fills FORMULAS)
from .formula_type import (
    FORMULAS,
    Aggregation,
    Denominator,
    Disclosure,
    FormulaType,
    Formule,
    example_formule,
    formula_table_markdown,
    formula_type,
)

__all__ = [
    "FORMULAS",
    "Aggregation",
    "Denominator",
    "Disclosure",
    "Formule",
    "FormulaType",
    "example_formule",
    "formula_table_markdown",
    "formula_type",
]
