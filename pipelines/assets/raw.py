"""Raw layer: every configured file loaded as it is into DuckDB, geometry in EPSG:28992."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.readers import read_source
from ogw_datalab.staging.stage_partners import partner_table
from ogw_datalab.storage import write_frame

from ..resources import DataLabResource
from .metadata import table_metadata

SOURCE_DESCRIPTIONS = {
    "buurten": "CBS Wijk- en buurtkaart, laag buurten: buurtgrenzen met kerncijfers (inwoners, huishoudens, "
    "oppervlakte). "
    "https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/geografische-data/wijk-en-buurtkaart",
    "wijken": "CBS Wijk- en buurtkaart, laag wijken: wijkgrenzen en -namen.",
    "adressen": "BAG verblijfsobjecten (adressen met gebruiksdoel) als punten, bijvoorbeeld de BAG GeoPackage "
    "van PDOK. "
    "https://www.pdok.nl/introductie/-/article/basisregistratie-adressen-en-gebouwen-ba-1",
    "bomen": "Bomenregister van de gemeente: één punt per boom.",
    "groen": "Begroeide terreindelen uit de BGT (groenvoorziening, grasland, bos); basis voor parken en groenaandeel.",
    "speelplekken": "Speelvoorzieningen uit de BGT-plus (straatmeubilair).",
    "huisartsen": "Huisartsenpraktijken als punten.",
}


def raw_source_asset(name: str) -> dg.AssetsDefinition:
    @dg.asset(key=["raw", name], group_name="raw", description=SOURCE_DESCRIPTIONS[name], kinds={"duckdb"})
    def _raw(datalab: DataLabResource) -> dg.MaterializeResult:
        config = datalab.load_config()
        source = getattr(config.sources, name)
        frame = read_source(f"sources.{name}", source)
        with datalab.connect() as con:
            write_frame(con, "raw", name, frame)
            metadata = table_metadata(con, "raw", name, path=str(source.path), source_kind=source.kind)
        return dg.MaterializeResult(metadata=metadata)

    return _raw


raw_sources = [raw_source_asset(name) for name in SOURCE_DESCRIPTIONS]


@dg.asset(key=["raw", "partners"], group_name="raw", kinds={"duckdb"})
def raw_partners(datalab: DataLabResource) -> dg.MaterializeResult:
    """Partnerbestanden (woningcorporatie, GGD, politie, zorg) zoals ze binnenkomen, één tabel per partner
    (raw.partner_<naam>); raw.partners zegt welk bestand in welke tabel staat. Rijen blijven in de database."""
    config = datalab.load_config()
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        for partner in config.partners:
            frame = read_source(f"partners.{partner.name}", partner)
            rows = write_frame(con, "raw", partner_table(partner), frame)
            listing.append(
                {
                    "partner": partner.name,
                    "tabel": f"raw.{partner_table(partner)}",
                    "bestand": str(partner.path),
                    "sleutel": partner.key,
                    "rijen": rows,
                }
            )
        write_frame(
            con, "raw", "partners", pd.DataFrame(listing, columns=["partner", "tabel", "bestand", "sleutel", "rijen"])
        )
        metadata = table_metadata(
            con, "raw", "partners", rows_per_partner=dg.MetadataValue.json({p["partner"]: p["rijen"] for p in listing})
        )
    return dg.MaterializeResult(metadata=metadata)
