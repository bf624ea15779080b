"""``python -m ogw_datalab.indicators.formulas``: print the documentation's table of formula types."""

from . import formula_table_markdown

if __name__ == "__main__":  # imported, not run (a walk over the library imports every module): print nothing
    print(formula_table_markdown())
