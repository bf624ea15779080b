"""Raw layer: every configured file loaded as it is into DuckDB, geometry in EPSG:28992."""

from pathlib import Path
from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.audit import record_source_files
from ogw_datalab.indicators.read_reference import SCHEMA, TABLE, load_reference_buurten
from ogw_datalab.readers import read_source
from ogw_datalab.readers.clean_values import describe_cleaning
from ogw_datalab.storage import layer_table, partner_table, write_frame

from ..partitions import GEMEENTE_JAAR
from ..resources import DataLabResource
from .metadata import table_metadata
from .skipping import drop_unconfigured, skipped

SOURCE_DESCRIPTIONS = {
    "buurten": "CBS Wijk- en buurtkaart, layer buurten: buurt boundaries with kerncijfers (inhabitants, households, "
    "area). https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/geografische-data/wijk-en-buurtkaart",
    "wijken": "CBS Wijk- en buurtkaart, layer wijken: wijk boundaries and names.",
    "adressen": "BAG verblijfsobjecten (addresses with their use) as points, for example PDOK's BAG GeoPackage. "
    "https://www.pdok.nl/introductie/-/article/basisregistratie-adressen-en-gebouwen-ba-1. "
    "Optional: without addresses the indicators per home are left out.",
}


def cleaning_metadata(frame) -> dict:
    """What the reader emptied or dropped (CBS secret values, blank and note rows), as counts and one sentence."""
    cleaning = frame.attrs.get("cleaning", {})
    return {"cleaning": dg.MetadataValue.json(cleaning), "cleaning_summary": describe_cleaning(cleaning)}


def record_versions(con, datalab: DataLabResource, run_id: str, keys: list[str]) -> dict:
    """Record which version (sha256) of each file this build read, in raw.bronbestanden (the audit trail)."""
    rows = record_source_files(con, datalab.project.config, build=run_id, keys=keys)
    many = {row["bron"] for row in rows if sum(r["bron"] == row["bron"] for r in rows) > 1}
    names = [f"{r['bron']}: {Path(r['pad']).name}" if r["bron"] in many else r["bron"] for r in rows]
    return {"sha256": dg.MetadataValue.json({name: row["sha256"] for name, row in zip(names, rows, strict=True)})}


def raw_source_asset(name: str) -> dg.AssetsDefinition:
    @dg.asset(
        partitions_def=GEMEENTE_JAAR,
        key=["raw", name],
        group_name="raw",
        description=SOURCE_DESCRIPTIONS[name],
        kinds={"duckdb"},
    )
    def _raw(context: dg.AssetExecutionContext, datalab: DataLabResource) -> dg.MaterializeResult:
        source = getattr(datalab.project.config.bronnen, name)
        with datalab.connect() as con:
            if source is None:
                return skipped(con, "raw", name, f"bronnen.{name} is not configured")
            frame = read_source(f"bronnen.{name}", source)
            write_frame(con, "raw", name, frame)
            versions = record_versions(con, datalab, context.run.run_id, [f"bronnen.{name}"])
            return dg.MaterializeResult(
                metadata=table_metadata(
                    con,
                    "raw",
                    name,
                    path=str(source.pad),
                    source_kind=source.soort,
                    **cleaning_metadata(frame),
                    **versions,
                )
            )

    return _raw


raw_sources = [raw_source_asset(name) for name in SOURCE_DESCRIPTIONS]


@dg.asset(partitions_def=GEMEENTE_JAAR, key=["raw", "layers"], group_name="raw", kinds={"duckdb"})
def raw_layers(context: dg.AssetExecutionContext, datalab: DataLabResource) -> dg.MaterializeResult:
    """Map layers of the gemeente and open data (trees, green, playgrounds, facilities) as they are in their files,
    one table per layer (raw.layer_<name>), geometry in RD New. raw.layers says which file went where."""
    config = datalab.project.config
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        cleaning = {}
        for name, layer in config.lagen.items():
            frame = read_source(f"lagen.{name}", layer)
            cleaning[name] = describe_cleaning(frame.attrs.get("cleaning", {}))
            rows = write_frame(con, "raw", layer_table(name), frame)
            listing.append(
                {"laag": name, "tabel": f"raw.{layer_table(name)}", "bestand": str(layer.pad), "rijen": rows}
            )
        drop_unconfigured(con, "raw", "layer_", set(config.lagen))
        write_frame(con, "raw", "layers", pd.DataFrame(listing, columns=["laag", "tabel", "bestand", "rijen"]))
        metadata = table_metadata(
            con,
            "raw",
            "layers",
            rows_per_layer=dg.MetadataValue.json({r["laag"]: r["rijen"] for r in listing}),
            cleaning=dg.MetadataValue.json(cleaning),
            **record_versions(con, datalab, context.run.run_id, [f"lagen.{n}" for n in config.lagen]),
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(partitions_def=GEMEENTE_JAAR, key=["raw", "partners"], group_name="raw", kinds={"duckdb"})
def raw_partners(context: dg.AssetExecutionContext, datalab: DataLabResource) -> dg.MaterializeResult:
    """Partner files (housing corporation, GGD, police, care) as they arrive, one table per partner
    (raw.partner_<name>); raw.partners says which file is in which table. Rows never leave the database."""
    config = datalab.project.config
    listing: list[dict[str, Any]] = []
    with datalab.connect() as con:
        cleaning = {}
        for partner in config.partners:
            frame = read_source(f"partners.{partner.naam}", partner)
            cleaning[partner.naam] = describe_cleaning(frame.attrs.get("cleaning", {}))
            rows = write_frame(con, "raw", partner_table(partner.naam), frame)
            listing.append(
                {
                    "partner": partner.naam,
                    "tabel": f"raw.{partner_table(partner.naam)}",
                    "bestand": str(partner.pad),
                    "sleutel": partner.sleutel,
                    "rijen": rows,
                }
            )
        drop_unconfigured(con, "raw", "partner_", {p.naam for p in config.partners})
        columns = ["partner", "tabel", "bestand", "sleutel", "rijen"]
        write_frame(con, "raw", "partners", pd.DataFrame(listing, columns=columns))
        metadata = table_metadata(
            con,
            "raw",
            "partners",
            rows_per_partner=dg.MetadataValue.json({p["partner"]: p["rijen"] for p in listing}),
            cleaning=dg.MetadataValue.json(cleaning),
            **record_versions(con, datalab, context.run.run_id, [f"partners.{p.naam}" for p in config.partners]),
        )
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(partitions_def=GEMEENTE_JAAR, key=[SCHEMA, TABLE], group_name="raw", kinds={"duckdb", "parquet"})
def raw_similar_reference(datalab: DataLabResource) -> dg.MaterializeResult:
    """The CBS wijk- en buurtkaart searched for similar buurten ('vergelijkbare_buurten.referentie', by default
    sources.buurten; usually the whole country): every buurt once, without its outline, with the kerncijfers the
    comparison uses and the file and row it came from. The kaart is read once and kept as a Parquet file under
    output.cache, named by the content of its files, so that the 374 gemeenten of a national run each copy it
    instead of reading 24 region files again. Skipped without 'vergelijkbare_buurten'."""
    config = datalab.project.config
    with datalab.connect() as con:
        loaded = load_reference_buurten(con, config)
        if loaded is None:
            return skipped(con, SCHEMA, TABLE, "vergelijkbare_buurten is not configured")
        return dg.MaterializeResult(
            metadata=table_metadata(
                con,
                SCHEMA,
                TABLE,
                source=loaded.bron,
                path=loaded.pad,
                cache_file=dg.MetadataValue.path(str(loaded.cache)),
                columns=dg.MetadataValue.json(loaded.kolommen),
            )
        )
