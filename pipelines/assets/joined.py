"""Joined layer: points and partner rows placed in buurten, distances to parks, in DuckDB."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.spatial.join_partners import join_partner
from ogw_datalab.spatial.join_points_to_buurten import join_points_to_buurten
from ogw_datalab.storage import layer_table, write_frame

from ..resources import DataLabResource
from .metadata import table_metadata
from .skipping import drop_unconfigured, skipped

BUURTEN = dg.AssetKey(["staging", "buurten"])


@dg.asset(
    key=["joined", "adressen_buurt"],
    deps=[dg.AssetKey(["staging", "adressen"]), BUURTEN],
    group_name="joined",
    kinds={"duckdb"},
)
def joined_adressen(datalab: DataLabResource) -> dg.MaterializeResult:
    """Elk adres met de buurt waarin het ligt. Een adres op de grens van twee buurten hoort bij de laagste
    buurtcode; adressen buiten alle buurten houden een lege buurtcode en worden geteld."""
    with datalab.connect() as con:
        if datalab.load_config().sources.adressen is None:
            return skipped(con, "joined", "adressen_buurt", "sources.adressen is not configured")
        counts = join_points_to_buurten(con, "adressen", "adressen_buurt")
        return dg.MaterializeResult(
            metadata=table_metadata(con, "joined", "adressen_buurt", outside_buurten=counts["outside"])
        )


@dg.asset(
    key=["joined", "layers"], deps=[dg.AssetKey(["staging", "layers"]), BUURTEN], group_name="joined", kinds={"duckdb"}
)
def joined_layers(datalab: DataLabResource) -> dg.MaterializeResult:
    """Elk punt van elke puntlaag (bomen, speelplekken, voorzieningen) met de buurt waarin het ligt
    (joined.layer_<naam>); punten buiten de gemeente houden een lege buurtcode en worden geteld."""
    config = datalab.load_config()
    points = {name for name, layer in config.layers.items() if layer.geometry == "points"}
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for name in sorted(points):
            counts = join_points_to_buurten(con, layer_table(name), layer_table(name))
            listing.append({"laag": name, **counts})
        drop_unconfigured(con, "joined", "layer_", points)
        write_frame(con, "joined", "layers", pd.DataFrame(listing, columns=["laag", "rows", "in_buurt", "outside"]))
        metadata = table_metadata(
            con, "joined", "layers", outside_buurten=dg.MetadataValue.json({r["laag"]: r["outside"] for r in listing})
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=["joined", "partners"],
    deps=[dg.AssetKey(["staging", "partners"]), joined_adressen, BUURTEN, dg.AssetKey(["staging", "wijken"])],
    group_name="joined",
    kinds={"duckdb"},
)
def joined_partners(datalab: DataLabResource) -> dg.MaterializeResult:
    """Partnerrijen gekoppeld aan een buurt (of wijk) via buurtcode, wijkcode, postcode, BAG-id, adres of
    coördinaten. Wat niet te koppelen is gaat met rijnummer en reden naar joined.quarantaine_partners;
    het koppelpercentage staat per partner in de metadata."""
    config = datalab.load_config()
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for partner in config.partners:
            counts = join_partner(con, partner, config)
            listing.append({"partner": partner.name, "sleutel": partner.key, **counts})
        drop_unconfigured(con, "joined", "partner_", {p.name for p in config.partners})
        columns = ["partner", "sleutel", "rows", "matched", "quarantined", "match_rate", "other_levels_or_gemeenten"]
        write_frame(con, "joined", "partners", pd.DataFrame(listing, columns=columns))
        metadata = table_metadata(
            con,
            "joined",
            "partners",
            match_rates=dg.MetadataValue.json({p["partner"]: p["match_rate"] for p in listing}),
        )
    return dg.MaterializeResult(metadata=metadata)
