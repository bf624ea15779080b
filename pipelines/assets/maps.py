"""Maps layer: the static site in Dutch that policymakers open, working without internet, published together
with the database it was made from.

``maps/index.html`` (opgaven, priority buurten), one page per opgave, one page per indicator,
``colofon.html``, downloads of the published values, and ``assets/``: built by one asset, in
one folder, and swapped in whole.
"""

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.maps.build_site import build_site
from ogw_datalab.maps.preview import preview_markdown
from ogw_datalab.postgis import publish_to_postgis
from ogw_datalab.storage import write_frame

from ..partitions import GEMEENTE_JAAR
from ..resources import DataLabResource

INDICATORS = [
    dg.AssetKey(["indicators", t])
    for t in ("vergelijking_buurt", "vergelijking_wijk", "prioriteiten", "trends", "vergelijkbare_buurten")
] + [dg.AssetKey(["joined", "tijdreeksen"])]  # the site also draws the monthly series and the sensors
PAGE_COLUMNS = ["soort", "id", "titel", "pagina", "bytes"]


@dg.asset(
    key=["maps", "site"],
    deps=INDICATORS,
    partitions_def=GEMEENTE_JAAR,
    group_name="maps",
    kinds={"html", "folium", "jinja", "leaflet"},  # maps built with folium on vendored Leaflet, pages from Jinja
)
def site(datalab: DataLabResource) -> dg.MaterializeResult:
    """The whole site of this gemeente and year at once: the front page maps/index.html (the opgaven, where they
    bite, and the buurten that ask most attention), a map page per opgave (score and indicators, legend, tooltips,
    kiemen, hefbomen, search, table, downloads), a map page per indicator, the colophon and the files for offline
    use. Only when all of it is written, and every blocking check passed, are the new database and the new site
    published together; a failed build leaves both as they were."""
    project = datalab.project
    with datalab.connect() as con:
        report = build_site(
            con,
            config=project.config,
            catalogue=project.catalogue,
            opgaven=project.opgaven,
            folder=datalab.build.site,
        )
        pages = [
            {"soort": "opgave", "id": p["opgave"], **{k: p[k] for k in ("titel", "pagina", "bytes")}}
            for p in report.opgave_pages
        ] + [
            {"soort": "indicator", "id": p["indicator"], **{k: p[k] for k in ("titel", "pagina", "bytes")}}
            for p in report.indicator_pages
        ]
        write_frame(con, "maps", "pages", pd.DataFrame(pages, columns=PAGE_COLUMNS))
    datalab.publish()
    index = project.maps / "index.html"
    return dg.MaterializeResult(metadata=_metadata(project.maps, index, pages, report))


def _metadata(maps, index, pages: list[dict[str, Any]], report) -> dict[str, Any]:
    previews = [
        f"**{p['titel']}** (`{maps / p['pagina']}`): "
        + ", ".join(f"{r['buurtnaam']} ({r['score']:.0f})" for r in report.priorities.get(p["opgave"], []))
        + f"\n\n{preview_markdown(p['titel'], p['voorbeeld_png'])}"
        for p in report.opgave_pages
    ]
    return {
        "path": dg.MetadataValue.path(str(index)),
        "url": dg.MetadataValue.url(index.as_uri()),
        "table": "maps.pages",
        "dagster/row_count": len(pages),
        "opgaven": len(report.opgave_pages),
        "largest_page_kb": round(max(p["bytes"] for p in pages) / 1024, 1),
        "paths": dg.MetadataValue.json({p["id"]: str(maps / p["pagina"]) for p in pages}),
        "preview": dg.MetadataValue.md(
            "Score per buurt, and the buurten that ask most attention:\n\n" + "\n\n".join(previews)
        ),
    }


@dg.asset(
    key=["maps", "postgis"],
    deps=[dg.AssetKey(["maps", "site"])],
    partitions_def=GEMEENTE_JAAR,
    group_name="maps",
    kinds={"postgres"},
)
def postgis(datalab: DataLabResource) -> dg.MaterializeResult:
    """The published figures in the gemeente's PostGIS database, for its GIS and BI teams (QGIS, GeoServer, Power BI):
    publicatie_buurt, publicatie_wijk, publicatie_gemeente, opgave_scores, prioriteiten and the buurt and wijk outlines
    (EPSG:28992), exactly what the site publishes and nothing more. Runs after the site is published and only with a
    'postgis:' block in the configuration; this gemeente's rows are replaced in one transaction. When PostGIS cannot
    be reached or refuses, this step fails and says why, the tables there stay as they were, and the site and
    database are published all the same."""
    project = datalab.project
    settings = project.config.postgis
    if settings is None:
        return dg.MaterializeResult(metadata={"skipped": "postgis is not configured"})
    publication = publish_to_postgis(
        project.database, project.gemeente, settings, encryption_key=project.encryption_key
    )
    return dg.MaterializeResult(
        metadata={
            "where": publication.where,  # host, port and database: never the connection string
            "schema": publication.schema,
            "dagster/row_count": sum(publication.rows.values()),
            "rows": dg.MetadataValue.json(publication.rows),
            "recreated": dg.MetadataValue.json(publication.recreated),
            "seconds": round(publication.seconds, 2),
        }
    )
