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
                ["staging", "parken"],
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
    """Bereken elke indicator uit de catalogus (indicatoren: in de configuratie) per buurt, met de tussentabellen
    (oppervlakken, afstanden per woning) als joined.indicator_<id>_... zodat elk getal na te rekenen is."""
    config = datalab.load_config()
    catalogue = datalab.load_catalogue(config)
    with datalab.connect() as con:
        counts = compute_indicators(con, config, catalogue)
        for level in ("buurt", "wijk", "gemeente"):
            yield dg.MaterializeResult(
                asset_key=["indicators", level],
                metadata=table_metadata(con, "indicators", level, indicators=counts["indicators"]),
            )
