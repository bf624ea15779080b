"""Joined layer: points and partner rows placed in buurten, distances to parks, in DuckDB."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.spatial.join_partners import COUNTS, join_partner, main_quarantine_reason
from ogw_datalab.spatial.join_points_to_buurten import (
    ASSIGNMENT_SUFFIX,
    join_points_to_buurten,
    link_points_to_buurten,
)
from ogw_datalab.storage import drop_relation, layer_table, write_frame

from ..partitions import GEMEENTE_JAAR
from ..resources import DataLabResource
from .metadata import table_metadata
from .skipping import drop_unconfigured, skipped

BUURTEN = dg.AssetKey(["staging", "buurten"])


@dg.asset(
    partitions_def=GEMEENTE_JAAR,
    key=["joined", "adressen_buurt"],
    deps=[dg.AssetKey(["staging", "adressen"]), BUURTEN],
    group_name="joined",
    kinds={"duckdb"},
)
def joined_adressen(datalab: DataLabResource) -> dg.MaterializeResult:
    """Every address with the buurt it lies in. An address on the boundary of two buurten belongs to the lowest
    buurtcode; addresses outside every buurt keep an empty buurtcode and are counted. joined.adressen_buurt is a
    view of staging.adressen with the buurtcode from joined.adressen_buurt_toewijzing."""
    with datalab.connect() as con:
        if datalab.project.config.bronnen.adressen is None:
            drop_relation(con, "joined", "adressen_buurt" + ASSIGNMENT_SUFFIX)
            return skipped(con, "joined", "adressen_buurt", "bronnen.adressen is not configured")
        # A view over staging.adressen and the assignment: copying every column of every address cost
        # several times the assignment itself (docs/ontwikkelen/resultaten/spatial.md).
        counts = link_points_to_buurten(con, "adressen", "adressen_buurt")
        return dg.MaterializeResult(
            metadata=table_metadata(con, "joined", "adressen_buurt", outside_buurten=counts["outside"])
        )


@dg.asset(
    partitions_def=GEMEENTE_JAAR,
    key=["joined", "layers"],
    deps=[dg.AssetKey(["staging", "layers"]), BUURTEN],
    group_name="joined",
    kinds={"duckdb"},
)
def joined_layers(datalab: DataLabResource) -> dg.MaterializeResult:
    """Every point of every point layer (trees, playgrounds, facilities) with the buurt it lies in
    (joined.layer_<name>); points outside the gemeente keep an empty buurtcode and are counted."""
    config = datalab.project.config
    points = {name for name, layer in config.lagen.items() if layer.geometrie == "punten"}
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for name in sorted(points):
            counts = join_points_to_buurten(con, layer_table(name), layer_table(name))
            listing.append({"laag": name, **counts})
        drop_unconfigured(con, "joined", "layer_", points)
        write_frame(con, "joined", "layers", pd.DataFrame(listing, columns=["laag", "rows", "in_buurt", "outside"]))
        metadata = table_metadata(
            con,
            "joined",
            "layers",
            outside_buurten=dg.MetadataValue.json({r["laag"]: r["outside"] for r in listing}),
            placed=dg.MetadataValue.json({r["laag"]: r["in_buurt"] for r in listing}),
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    partitions_def=GEMEENTE_JAAR,
    key=["joined", "partners"],
    deps=[dg.AssetKey(["staging", "partners"]), joined_adressen, BUURTEN, dg.AssetKey(["staging", "wijken"])],
    group_name="joined",
    kinds={"duckdb"},
)
def joined_partners(datalab: DataLabResource) -> dg.MaterializeResult:
    """Partner rows placed in a buurt (or wijk) by buurtcode, wijkcode, postcode, BAG id, address or coordinates.
    Rows that cannot be placed go to joined.quarantaine_partners with their row number and the reason; the match
    rate per partner is in the metadata."""
    config = datalab.project.config
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for partner in config.partners:
            counts = join_partner(con, partner, config)
            listing.append({"partner": partner.naam, "sleutel": partner.sleutel, **counts})
        drop_unconfigured(con, "joined", "partner_", {p.naam for p in config.partners})
        write_frame(con, "joined", "partners", pd.DataFrame(listing, columns=["partner", "sleutel", *COUNTS]))
        below = {  # refused: below its threshold, or nothing placed at all (a threshold of 0 only stops blocking)
            p.naam: {"min": p.min_koppelpercentage, "reden": main_quarantine_reason(con, p.naam)}
            for p, row in zip(config.partners, listing, strict=True)
            if row["match_rate"] < p.min_koppelpercentage or (row["rows"] > 0 and row["matched"] == 0)
        }
        metadata = table_metadata(
            con,
            "joined",
            "partners",
            match_rates=dg.MetadataValue.json({p["partner"]: p["match_rate"] for p in listing}),
            counts=dg.MetadataValue.json({p["partner"]: {k: p[k] for k in COUNTS} for p in listing}),
            below_threshold=dg.MetadataValue.json(below),
        )
    return dg.MaterializeResult(metadata=metadata)
