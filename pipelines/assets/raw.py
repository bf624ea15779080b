"""Raw layer: every configured file loaded as it is into DuckDB, geometry in EPSG:28992."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.readers import read_source
from ogw_datalab.storage import layer_table, partner_table, write_frame

from ..resources import DataLabResource
from .metadata import table_metadata
from .skipping import drop_unconfigured, skipped

SOURCE_DESCRIPTIONS = {
    "buurten": "CBS Wijk- en buurtkaart, laag buurten: buurtgrenzen met kerncijfers (inwoners, huishoudens, "
    "oppervlakte). https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/geografische-data/wijk-en-buurtkaart",
    "wijken": "CBS Wijk- en buurtkaart, laag wijken: wijkgrenzen en -namen.",
    "adressen": "BAG verblijfsobjecten (adressen met gebruiksdoel) als punten, bijvoorbeeld de BAG GeoPackage "
    "van PDOK. https://www.pdok.nl/introductie/-/article/basisregistratie-adressen-en-gebouwen-ba-1. "
    "Optioneel: zonder adressen vallen de indicatoren per woning weg.",
}


def raw_source_asset(name: str) -> dg.AssetsDefinition:
    @dg.asset(key=["raw", name], group_name="raw", description=SOURCE_DESCRIPTIONS[name], kinds={"duckdb"})
    def _raw(datalab: DataLabResource) -> dg.MaterializeResult:
        source = getattr(datalab.load_config().sources, name)
        with datalab.connect() as con:
            if source is None:
                return skipped(con, "raw", name, f"sources.{name} is not configured")
            write_frame(con, "raw", name, read_source(f"sources.{name}", source))
            return dg.MaterializeResult(
                metadata=table_metadata(con, "raw", name, path=str(source.path), source_kind=source.kind)
            )

    return _raw


raw_sources = [raw_source_asset(name) for name in SOURCE_DESCRIPTIONS]


@dg.asset(key=["raw", "layers"], group_name="raw", kinds={"duckdb"})
def raw_layers(datalab: DataLabResource) -> dg.MaterializeResult:
    """Kaartlagen van de gemeente en open data (bomen, groen, speelplekken, voorzieningen) zoals ze in het bestand
    staan, één tabel per laag (raw.layer_<naam>), geometrie in RD New. raw.layers zegt welk bestand waar staat."""
    config = datalab.load_config()
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for name, layer in config.layers.items():
            rows = write_frame(con, "raw", layer_table(name), read_source(f"layers.{name}", layer))
            listing.append(
                {"laag": name, "tabel": f"raw.{layer_table(name)}", "bestand": str(layer.path), "rijen": rows}
            )
        drop_unconfigured(con, "raw", "layer_", set(config.layers))
        write_frame(con, "raw", "layers", pd.DataFrame(listing, columns=["laag", "tabel", "bestand", "rijen"]))
        metadata = table_metadata(
            con, "raw", "layers", rows_per_layer=dg.MetadataValue.json({r["laag"]: r["rijen"] for r in listing})
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(key=["raw", "partners"], group_name="raw", kinds={"duckdb"})
def raw_partners(datalab: DataLabResource) -> dg.MaterializeResult:
    """Partnerbestanden (woningcorporatie, GGD, politie, zorg) zoals ze binnenkomen, één tabel per partner
    (raw.partner_<naam>); raw.partners zegt welk bestand in welke tabel staat. Rijen blijven in de database."""
    config = datalab.load_config()
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for partner in config.partners:
            frame = read_source(f"partners.{partner.name}", partner)
            rows = write_frame(con, "raw", partner_table(partner.name), frame)
            listing.append(
                {
                    "partner": partner.name,
                    "tabel": f"raw.{partner_table(partner.name)}",
                    "bestand": str(partner.path),
                    "sleutel": partner.key,
                    "rijen": rows,
                }
            )
        drop_unconfigured(con, "raw", "partner_", {p.name for p in config.partners})
        columns = ["partner", "tabel", "bestand", "sleutel", "rijen"]
        write_frame(con, "raw", "partners", pd.DataFrame(listing, columns=columns))
        metadata = table_metadata(
            con, "raw", "partners", rows_per_partner=dg.MetadataValue.json({p["partner"]: p["rijen"] for p in listing})
        )
    return dg.MaterializeResult(metadata=metadata)
