"""Joined layer: points and partner rows placed in buurten, distances to parks, in DuckDB."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.spatial.join_partners import join_partner
from ogw_datalab.spatial.join_points_to_buurten import compute_distance_to_parks, join_points_to_buurten
from ogw_datalab.storage import write_frame

from ..resources import DataLabResource
from .metadata import table_metadata

BUURTEN = dg.AssetKey(["staging", "buurten"])


def _points_asset(points: str, description: str) -> dg.AssetsDefinition:
    target = f"{points}_buurt"

    @dg.asset(
        key=["joined", target],
        deps=[dg.AssetKey(["staging", points]), BUURTEN],
        group_name="joined",
        description=description,
        kinds={"duckdb"},
    )
    def _joined(datalab: DataLabResource) -> dg.MaterializeResult:
        with datalab.connect() as con:
            counts = join_points_to_buurten(con, points, target)
            metadata = table_metadata(con, "joined", target, outside_buurten=counts["outside"])
        return dg.MaterializeResult(metadata=metadata)

    return _joined


joined_adressen = _points_asset(
    "adressen",
    "Elk adres met de buurt waarin het ligt; adressen buiten alle buurten houden een lege buurtcode en worden geteld.",
)
joined_bomen = _points_asset("bomen", "Elke boom met de buurt waarin hij staat.")
joined_speelplekken = _points_asset("speelplekken", "Elke speelvoorziening met haar buurt.")


@dg.asset(
    key=["joined", "adressen_park_afstand"],
    deps=[joined_adressen, dg.AssetKey(["staging", "parken"])],
    group_name="joined",
    kinds={"duckdb"},
)
def joined_adressen_park_afstand(datalab: DataLabResource) -> dg.MaterializeResult:
    """Per adres de afstand tot het dichtstbijzijnde park binnen de ingestelde afstand (standaard 300 m)."""
    config = datalab.load_config()
    with datalab.connect() as con:
        counts = compute_distance_to_parks(con, config.parameters.park_distance_m)
        metadata = table_metadata(
            con,
            "joined",
            "adressen_park_afstand",
            within_distance=counts["within"],
            distance_m=config.parameters.park_distance_m,
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=["joined", "partners"],
    deps=[dg.AssetKey(["staging", "partners"]), joined_adressen, BUURTEN],
    group_name="joined",
    kinds={"duckdb"},
)
def joined_partners(datalab: DataLabResource) -> dg.MaterializeResult:
    """Partnerrijen gekoppeld aan een buurt via buurtcode, adres of coördinaten. Wat niet te koppelen is gaat
    met de reden naar joined.partner_quarantaine; het koppelpercentage staat per partner in de metadata."""
    config = datalab.load_config()
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for partner in config.partners:
            counts = join_partner(con, partner)
            listing.append({"partner": partner.name, "sleutel": partner.key, **counts})
        write_frame(
            con,
            "joined",
            "partners",
            pd.DataFrame(listing, columns=["partner", "sleutel", "rows", "matched", "quarantined", "match_rate"]),
        )
        metadata = table_metadata(
            con,
            "joined",
            "partners",
            match_rates=dg.MetadataValue.json({p["partner"]: p["match_rate"] for p in listing}),
        )
    return dg.MaterializeResult(metadata=metadata)
