"""ogw-datalab: neighbourhood indicator maps for an opgavegericht data lab.

The library never imports Dagster; ``pipelines/`` is the thin Dagster layer on top.
"""

__version__ = "0.1.0"
