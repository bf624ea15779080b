"""Indicators layer: one value per buurt and indicator, with wijk and gemeente roll-ups."""

from __future__ import annotations

import dagster as dg

from ogw_datalab.indicators.compute_indicators import compute_indicators

from ..resources import DataLabResource
from .metadata import table_metadata


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["indicators", "buurt"],
            description="Elke indicator per buurt: waarde, teller en noemer.",
            deps=[
                ["joined", "adressen_buurt"],
                ["joined", "layers"],
                ["joined", "adressen_park_afstand"],
                ["joined", "partners"],
                ["staging", "wijken"],
            ],
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["indicators", "wijk"],
            description="Elke indicator per wijk, herberekend uit de sommen van de buurten.",
            kinds={"duckdb"},
        ),
        dg.AssetSpec(
            ["indicators", "gemeente"],
            description="Elke indicator voor de hele gemeente, uit de sommen.",
            kinds={"duckdb"},
        ),
    ],
    group_name="indicators",
)
def indicator_tables(datalab: DataLabResource):
    """Bereken de indicatoren uit de catalogus waarvoor deze configuratie de bronnen heeft."""
    config = datalab.load_config()
    with datalab.connect() as con:
        counts = compute_indicators(con, config)
        for level in ("buurt", "wijk", "gemeente"):
            yield dg.MaterializeResult(
                asset_key=["indicators", level],
                metadata=table_metadata(con, "indicators", level, indicators=counts["indicators"]),
            )
