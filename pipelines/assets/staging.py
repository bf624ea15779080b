"""Staging layer: raw tables cleaned, typed and filtered to the configured gemeente."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_layers import stage_addresses, stage_layer, stage_parks
from ogw_datalab.staging.stage_partners import partner_table, stage_partner
from ogw_datalab.storage import write_frame

from ..resources import DataLabResource
from .metadata import table_metadata


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
    """BAG-adressen met genormaliseerde sleutels (postcode zonder spatie, huisnummer als getal) en een
    kenmerk is_woning; de noemer voor alles wat per woning wordt uitgedrukt."""
    config = datalab.load_config()
    with datalab.connect() as con:
        counts = stage_addresses(con, config.sources.adressen)
        metadata = table_metadata(con, "staging", "adressen", without_geometry=counts["without_geometry"])
    return dg.MaterializeResult(metadata=metadata)


def _layer_asset(name: str, *, points: bool, description: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["staging", name],
        deps=[dg.AssetKey(["raw", name])],
        group_name="staging",
        description=description,
        kinds={"duckdb"},
    )
    def _staged(datalab: DataLabResource) -> dg.MaterializeResult:
        config = datalab.load_config()
        with datalab.connect() as con:
            counts = stage_layer(con, name, getattr(config.sources, name), points=points)
            metadata = table_metadata(con, "staging", name, dropped=counts["dropped"])
        return dg.MaterializeResult(metadata=metadata)

    return _staged


staging_bomen = _layer_asset("bomen", points=True, description="Bomen als punten met een boomnummer.")
staging_groen = _layer_asset("groen", points=False, description="Groenvlakken met hun type en oppervlakte (m²).")
staging_speelplekken = _layer_asset(
    "speelplekken", points=True, description="Speelvoorzieningen (alleen de typen uit 'keep' in de configuratie)."
)
staging_huisartsen = _layer_asset("huisartsen", points=True, description="Huisartsenpraktijken als punten.")


@dg.asset(key=["staging", "parken"], deps=[staging_groen], group_name="staging", kinds={"duckdb"})
def staging_parken(datalab: DataLabResource) -> dg.MaterializeResult:
    """Parken: aangrenzende groenvlakken van een parktype samengevoegd, en alleen delen van minstens
    de ingestelde oppervlakte (standaard 1 ha, de 300-regel van 3-30-300)."""
    config = datalab.load_config()
    with datalab.connect() as con:
        stage_parks(con, config.parameters)
        metadata = table_metadata(con, "staging", "parken", min_area_ha=config.parameters.park_min_area_ha)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(key=["staging", "partners"], deps=[dg.AssetKey(["raw", "partners"])], group_name="staging", kinds={"duckdb"})
def staging_partners(datalab: DataLabResource) -> dg.MaterializeResult:
    """Partnerbestanden met onze kolomnamen: sleutels genormaliseerd, getallen als getal (ook met decimale komma)."""
    config = datalab.load_config()
    listing = []
    with datalab.connect() as con:
        for partner in config.partners:
            counts = stage_partner(con, partner)
            listing.append(
                {"partner": partner.name, "tabel": f"staging.{partner_table(partner)}", "rijen": counts["rows"]}
            )
        write_frame(con, "staging", "partners", pd.DataFrame(listing, columns=["partner", "tabel", "rijen"]))
        metadata = table_metadata(con, "staging", "partners")
    return dg.MaterializeResult(metadata=metadata)
