"""Staging layer: raw tables cleaned, typed and filtered to the configured gemeente."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_layers import stage_addresses, stage_layer, stage_parks
from ogw_datalab.staging.stage_partners import stage_partner
from ogw_datalab.storage import partner_table, write_frame

from ..resources import DataLabResource
from .metadata import table_metadata
from .skipping import drop_unconfigured, skipped


def _area_asset(level: str, description: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["staging", level],
        deps=[dg.AssetKey(["raw", level])],
        group_name="staging",
        description=description,
        kinds={"duckdb"},
    )
    def _staged(datalab: DataLabResource) -> dg.MaterializeResult:
        config = datalab.load_config()
        with datalab.connect() as con:
            counts = stage_cbs_areas(con, level, config.gemeente.code)
            metadata = table_metadata(
                con,
                "staging",
                level,
                gemeentecode=config.gemeente.code,
                other_gemeenten_dropped=counts["other_gemeenten"],
                rejected_geometries=counts["rejected_geometries"],
            )
        return dg.MaterializeResult(metadata=metadata)

    return _staged


staging_buurten = _area_asset(
    "buurten",
    "Buurten van de gemeente in één vast schema (oude en nieuwe CBS-kolomnamen), geheime CBS-waarden "
    "(-99999999) als leeg, geometrie gerepareerd, in RD New (EPSG:28992).",
)
staging_wijken = _area_asset("wijken", "Wijken van de gemeente in één vast schema, in RD New (EPSG:28992).")


@dg.asset(key=["staging", "adressen"], deps=[dg.AssetKey(["raw", "adressen"])], group_name="staging", kinds={"duckdb"})
def staging_adressen(datalab: DataLabResource) -> dg.MaterializeResult:
    """BAG-adressen met genormaliseerde sleutels (postcode zonder spatie, huisnummer als getal, BAG-id van
    16 cijfers) en een kenmerk is_woning; de noemer voor alles wat per woning wordt uitgedrukt."""
    source = datalab.load_config().sources.adressen
    with datalab.connect() as con:
        if source is None:
            return skipped(con, "staging", "adressen", "sources.adressen is not configured")
        counts = stage_addresses(con, source)
        return dg.MaterializeResult(
            metadata=table_metadata(con, "staging", "adressen", without_geometry=counts["without_geometry"])
        )


@dg.asset(key=["staging", "layers"], deps=[dg.AssetKey(["raw", "layers"])], group_name="staging", kinds={"duckdb"})
def staging_layers(datalab: DataLabResource) -> dg.MaterializeResult:
    """Kaartlagen met de geconfigureerde kolommen en 'keep'-filter: punten als punt, vlakken als (multi)polygoon
    met oppervlakte in m². Rijen zonder geometrie vallen weg en worden geteld."""
    config = datalab.load_config()
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for name, layer in config.layers.items():
            counts = stage_layer(con, name, layer)
            listing.append({"laag": name, "geometrie": layer.geometry, **counts})
        drop_unconfigured(con, "staging", "layer_", set(config.layers))
        write_frame(con, "staging", "layers", pd.DataFrame(listing, columns=["laag", "geometrie", "rows", "dropped"]))
        metadata = table_metadata(
            con, "staging", "layers", dropped=dg.MetadataValue.json({r["laag"]: r["dropped"] for r in listing})
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(key=["staging", "parken"], deps=[staging_layers], group_name="staging", kinds={"duckdb"})
def staging_parken(datalab: DataLabResource) -> dg.MaterializeResult:
    """Parken: aangrenzende groenvlakken van een parktype samengevoegd, en alleen delen van minstens
    de ingestelde oppervlakte (standaard 1 ha, de 300-regel van 3-30-300)."""
    parameters = datalab.load_config().parameters
    with datalab.connect() as con:
        if parameters.park_layer is None:
            return skipped(con, "staging", "parken", "parameters.park_layer is not set")
        stage_parks(con, parameters)
        return dg.MaterializeResult(
            metadata=table_metadata(con, "staging", "parken", min_area_ha=parameters.park_min_area_ha)
        )


@dg.asset(key=["staging", "partners"], deps=[dg.AssetKey(["raw", "partners"])], group_name="staging", kinds={"duckdb"})
def staging_partners(datalab: DataLabResource) -> dg.MaterializeResult:
    """Partnerbestanden met onze kolomnamen: sleutels genormaliseerd, getallen als getal (ook met decimale komma)."""
    config = datalab.load_config()
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for partner in config.partners:
            counts = stage_partner(con, partner)
            table = f"staging.{partner_table(partner.name)}"
            listing.append({"partner": partner.name, "tabel": table, "rijen": counts["rows"]})
        drop_unconfigured(con, "staging", "partner_", {p.name for p in config.partners})
        write_frame(con, "staging", "partners", pd.DataFrame(listing, columns=["partner", "tabel", "rijen"]))
        metadata = table_metadata(con, "staging", "partners")
    return dg.MaterializeResult(metadata=metadata)
