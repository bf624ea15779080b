"""Staging layer: raw tables cleaned, typed and filtered to the configured gemeente."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_layers import stage_addresses, stage_layer, stage_parks
from ogw_datalab.staging.stage_partners import stage_partner
from ogw_datalab.storage import partner_table, write_frame

from ..partitions import GEMEENTE_JAAR
from ..resources import DataLabResource
from .metadata import table_metadata
from .skipping import drop_unconfigured, skipped


def _area_asset(level: str, description: str) -> dg.AssetsDefinition:
    @dg.asset(
        partitions_def=GEMEENTE_JAAR,
        key=["staging", level],
        deps=[dg.AssetKey(["raw", level])],
        group_name="staging",
        description=description,
        kinds={"duckdb"},
    )
    def _staged(datalab: DataLabResource) -> dg.MaterializeResult:
        config = datalab.project.config
        with datalab.connect() as con:
            counts = stage_cbs_areas(con, level, config.gemeente.code, source=getattr(config.bronnen, level))
            metadata = table_metadata(
                con,
                "staging",
                level,
                gemeentecode=config.gemeente.code,
                other_gemeenten_dropped=counts["other_gemeenten"],
                rejected_geometries=counts["rejected_geometries"],
                negative_emptied=dg.MetadataValue.json(counts["negative_emptied"]),
            )
        return dg.MaterializeResult(metadata=metadata)

    return _staged


staging_buurten = _area_asset(
    "buurten",
    "The gemeente's buurten in one schema (old and new CBS column names), negative counts emptied as unknown, "
    "geometry repaired, in RD New (EPSG:28992).",
)
staging_wijken = _area_asset("wijken", "The gemeente's wijken in one schema, in RD New (EPSG:28992).")


@dg.asset(
    partitions_def=GEMEENTE_JAAR,
    key=["staging", "adressen"],
    deps=[dg.AssetKey(["raw", "adressen"])],
    group_name="staging",
    kinds={"duckdb"},
)
def staging_adressen(datalab: DataLabResource) -> dg.MaterializeResult:
    """BAG addresses with normalised keys (postcode without a space, huisnummer as a number, 16-digit BAG id) and
    is_woning: the denominator of everything expressed per home."""
    source = datalab.project.config.bronnen.adressen
    with datalab.connect() as con:
        if source is None:
            return skipped(con, "staging", "adressen", "bronnen.adressen is not configured")
        counts = stage_addresses(con, source)
        return dg.MaterializeResult(
            metadata=table_metadata(con, "staging", "adressen", without_geometry=counts["without_geometry"])
        )


@dg.asset(
    partitions_def=GEMEENTE_JAAR,
    key=["staging", "layers"],
    deps=[dg.AssetKey(["raw", "layers"])],
    group_name="staging",
    kinds={"duckdb"},
)
def staging_layers(datalab: DataLabResource) -> dg.MaterializeResult:
    """Map layers with the configured columns and 'alleen' filter: points as points, areas as (multi)polygons with
    their area in m². Rows without geometry are dropped and counted."""
    config = datalab.project.config
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for name, layer in config.lagen.items():
            counts = stage_layer(con, name, layer)
            listing.append({"laag": name, "geometrie": layer.geometrie, **counts})
        drop_unconfigured(con, "staging", "layer_", set(config.lagen))
        write_frame(con, "staging", "layers", pd.DataFrame(listing, columns=["laag", "geometrie", "rows", "dropped"]))
        metadata = table_metadata(
            con, "staging", "layers", dropped=dg.MetadataValue.json({r["laag"]: r["dropped"] for r in listing})
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    partitions_def=GEMEENTE_JAAR,
    key=["staging", "parken"],
    deps=[staging_layers],
    group_name="staging",
    kinds={"duckdb"},
)
def staging_parken(datalab: DataLabResource) -> dg.MaterializeResult:
    """Parks: touching green polygons of a park type dissolved, keeping parts of at least the configured area
    (default 1 ha, the 300 rule of 3-30-300)."""
    parameters = datalab.project.config.parameters
    with datalab.connect() as con:
        if parameters.park_laag is None:
            return skipped(con, "staging", "parken", "parameters.park_laag is not set")
        stage_parks(con, parameters)
        return dg.MaterializeResult(
            metadata=table_metadata(con, "staging", "parken", min_area_ha=parameters.park_min_oppervlakte_ha)
        )


@dg.asset(
    partitions_def=GEMEENTE_JAAR,
    key=["staging", "partners"],
    deps=[dg.AssetKey(["raw", "partners"])],
    group_name="staging",
    kinds={"duckdb"},
)
def staging_partners(datalab: DataLabResource) -> dg.MaterializeResult:
    """Partner files with our column names: keys normalised, numbers as numbers (also with a decimal comma)."""
    config = datalab.project.config
    listing: list[dict[str, Any]] = []
    emptied: dict[str, Any] = {}
    with datalab.connect() as con:
        for partner in config.partners:
            counts = stage_partner(con, partner)
            table = f"staging.{partner_table(partner.naam)}"
            listing.append({"partner": partner.naam, "tabel": table, "rijen": counts["rows"]})
            emptied[partner.naam] = counts["negative_emptied"]
        drop_unconfigured(con, "staging", "partner_", {p.naam for p in config.partners})
        write_frame(con, "staging", "partners", pd.DataFrame(listing, columns=["partner", "tabel", "rijen"]))
        metadata = table_metadata(con, "staging", "partners", negative_emptied=dg.MetadataValue.json(emptied))
    return dg.MaterializeResult(metadata=metadata)
