"""``python -m ogw_datalab.indicators.formulas``: print the README's table of formula types."""

from . import formula_table_markdown

print(formula_table_markdown())
