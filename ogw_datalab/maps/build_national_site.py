"""The overview site of a configuration of several gemeenten.

Every buurt of every gemeente on one map, an index of the gemeenten with links to their own sites, and
downloads of all published buurt values.

It reads what each gemeente's build published (its database), never the working copies, so it shows exactly
what the gemeente sites show; a gemeente that was not built yet is listed without a site.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from ..config import GemeentenConfig
from ..duckdb_connection import connect
from ..encryption import database_key
from ..gemeenten import gemeente_configs, gemeenten_overview, read_configured_areas
from ..indicators.catalogue import load_catalogue
from ..indicators.opgaven import load_opgaven
from .build_overview import OverviewError, OverviewPages, build_overview, overview_layers, published_values

AREA_COLUMNS = {"BU_CODE": "buurtcode", "BU_NAAM": "buurtnaam", "GM_CODE": "gemeentecode", "GM_NAAM": "gemeentenaam"}


def build_national_site(config: GemeentenConfig, *, folder: Path | None = None) -> OverviewPages:
    """Write the overview of ``config`` into ``folder`` (default: ``uitvoer.kaarten``), beside the gemeente sites.

    Parameters
    ----------
    config
        A configuration of several gemeenten; each gemeente's published database is read read-only.
    folder
        Where ``index.html``, ``kaart.html``, ``assets/`` and ``downloads/`` go.

    Returns
    -------
    OverviewPages
        The pages and downloads written.
    """
    configs = gemeente_configs(config)
    areas = read_configured_areas(config)
    catalogue = load_catalogue(config.indicatoren)
    lagen = overview_layers(catalogue, load_opgaven(config.opgaven, catalogue))
    waarden, vergelijkingen = [], []
    for _code, gemeente in sorted(configs.items()):
        if gemeente.uitvoer.database.is_file():
            con = connect(gemeente.uitvoer.database, read_only=True, encryption_key=database_key(gemeente.uitvoer))
            try:
                waarden.append(published_values(con))
                vergelijkingen.append(similar_comparison(con))
            finally:
                con.close()
    if not waarden:
        raise OverviewError(
            f"none of the {len(configs)} gemeenten has a published database yet; build them first, then the overview"
        )
    values = pd.concat(waarden, ignore_index=True)
    comparison = pd.concat(vergelijkingen, ignore_index=True) if vergelijkingen else None
    known = {layer.id for layer in lagen}
    if len(values):
        values = values[values["laag"].isin(known)]
    gemeenten = gemeenten_overview(configs, areas)
    site = folder or config.uitvoer.kaarten
    gemeenten["site"] = [
        f"{Path(s).relative_to(site)}/index.html" if (Path(s) / "index.html").is_file() else None
        for s in gemeenten["site"]
    ]
    buurten = areas.frame.rename(columns=AREA_COLUMNS)
    buurten = buurten[buurten["gemeentecode"].isin(configs)][[*AREA_COLUMNS.values(), "geometry"]]
    return build_overview(
        buurten, values, lagen, gemeenten, folder=site, titel=f"{len(configs)} gemeenten", vergelijking=comparison
    )


def similar_comparison(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Return the comparison of a gemeente's buurten with similar buurten, in the overview's form.

    In that form the column ``indicator`` is called ``laag``. The result is empty for a database built before
    the comparison existed or without ``vergelijkbare_buurten``.
    """
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE schema_name = 'indicators' AND table_name = 'vergelijking_vergelijkbaar'"
    ).fetchone()
    if not exists or not exists[0]:
        return pd.DataFrame(columns=["buurtcode", "laag", "lager", "hoger", "vergelijkbaar_met_waarde"])
    return con.execute(
        "SELECT buurtcode, indicator AS laag, lager, hoger, vergelijkbaar_met_waarde "
        "FROM indicators.vergelijking_vergelijkbaar"
    ).df()
