"""The overview of a configuration of several gemeenten (a region, or the whole country): built after the gemeenten,
from what their builds published. Not partitioned: it spans every gemeente of the configuration."""

import dagster as dg

from ogw_datalab.config import GemeentenConfig
from ogw_datalab.maps.build_national_site import build_national_site

from ..resources import DataLabResource


@dg.asset(key=["maps", "overzicht"], group_name="maps", kinds={"html", "folium", "leaflet"})
def overview(datalab: DataLabResource) -> dg.MaterializeResult:
    """The regional or national overview: an index of all gemeenten with links to their own sites, one map of every
    buurt for each indicator and opgave score (simplified shapes, drawn on a canvas, offline), and all published
    buurt values as GeoPackage and GeoParquet. Only for a configuration of several gemeenten ('gemeenten:')."""
    config = datalab.config
    if not isinstance(config, GemeentenConfig):
        return dg.MaterializeResult(metadata={"skipped": "the configuration describes one gemeente"})
    pages = build_national_site(config)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(pages.index)),
            "kaart_mb": round(pages.kaart_bytes / 1e6, 2),
            "buurten": pages.buurten,
            "lagen": pages.lagen,
        }
    )
