"""Maps layer: the static site in Dutch that policymakers open, working without internet.

``maps/index.html`` (opgaven, priority buurten), one page per opgave, one page per
indicator, ``colofon.html``, downloads of the published values, and ``assets/``.
"""

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.indicators.compute_indicators import indicator_values
from ogw_datalab.indicators.opgaven import load_opgaven
from ogw_datalab.maps.build_index import build_colophon, build_index, page_name
from ogw_datalab.maps.build_indicator_map import build_indicator_map
from ogw_datalab.maps.build_opgave_page import (
    build_opgave_page,
    buurt_shapes,
    kiemen_points,
    opgave_layers,
    write_downloads,
)
from ogw_datalab.maps.build_opgave_page import page_name as opgave_page_name
from ogw_datalab.maps.offline import copy_assets, publish_site, site_build_folder, start_site_build
from ogw_datalab.maps.preview import preview_markdown, render_preview
from ogw_datalab.storage import write_frame

from ..resources import DataLabResource

INDICATORS = [
    dg.AssetKey(["indicators", t]) for t in ("vergelijking_buurt", "vergelijking_wijk", "prioriteiten", "trends")
]


def _gemeente_values(con) -> dict[str, float | None]:
    rows = con.execute("SELECT indicator, waarde FROM indicators.publicatie_gemeente").fetchall()
    return {indicator: waarde for indicator, waarde in rows}


def _pages_metadata(table: str, key: str, pages: list[dict[str, Any]]) -> dict[str, Any]:
    """The table, the number of pages, the largest page and the path of every page (by ``key``)."""
    return {
        "table": f"maps.{table}",
        "dagster/row_count": len(pages),
        "largest_page_kb": round(max(p["bytes"] for p in pages) / 1024, 1),
        "paths": dg.MetadataValue.json({p[key]: p["pad"] for p in pages}),
    }


@dg.asset(key=["maps", "indicator_pages"], deps=INDICATORS, group_name="maps", kinds={"folium", "html"})
def indicator_pages(datalab: DataLabResource) -> dg.MaterializeResult:
    """Een kaartpagina per indicator: buurten ingekleurd in klassen, legenda, en per buurt een tooltip
    met naam, code, waarde (of 'onderdrukt' met de reden), de waarde van de gemeente en de rang."""
    config = datalab.load_config()
    catalogue = datalab.load_catalogue(config)
    site = start_site_build(config.output.maps)  # published only when the front page is done
    copy_assets(site)
    pages: list[dict[str, Any]] = []
    same_indeling = config.indeling("buurten") == config.indeling("wijken")
    with datalab.connect() as con:
        gemeente = _gemeente_values(con)
        for indicator in catalogue.indicatoren:
            path = site / page_name(indicator)
            build_indicator_map(
                indicator_values(con, indicator.id, wijknamen=same_indeling),
                indicator,
                gemeentenaam=config.gemeente.naam,
                gemeente_waarde=gemeente.get(indicator.id),
                path=path,
            )
            pages.append(
                {"indicator": indicator.id, "pad": str(config.output.maps / path.name), "bytes": path.stat().st_size}
            )
        write_frame(con, "maps", "indicator_pages", pd.DataFrame(pages))
    return dg.MaterializeResult(metadata=_pages_metadata("indicator_pages", "indicator", pages))


class OpgavePagesConfig(dg.Config):
    opgaven: list[str] = []  # only these opgaven (empty: all); the inbox sensor passes the affected ones


@dg.asset(
    key=["maps", "opgave_pages"],
    deps=[*INDICATORS, ["maps", "indicator_pages"]],
    group_name="maps",
    kinds={"folium", "html"},
)
def opgave_pages(config: OpgavePagesConfig, datalab: DataLabResource) -> dg.MaterializeResult:
    """Een pagina per opgave: de score en elke indicator op één kaart (één laag tegelijk), legenda, tooltips,
    kiemen, hefbomen, een zoekvak, een toegankelijke tabel en downloads (CSV, GeoJSON) van de gepubliceerde waarden."""
    project = datalab.load_config()
    catalogue = datalab.load_catalogue(project)
    opgaven = [
        o
        for o in load_opgaven(project.opgaven, catalogue, project.layers)
        if not config.opgaven or o.id in config.opgaven
    ]
    site = site_build_folder(project.output.maps)
    pages: list[dict[str, Any]] = []
    with datalab.connect() as con:
        shapes = buurt_shapes(con, wijknamen=project.indeling("buurten") == project.indeling("wijken"))
        for opgave in opgaven:
            frame, layers, table = opgave_layers(con, opgave, catalogue, shapes)
            downloads = write_downloads(site, opgave, table, frame)
            path = site / opgave_page_name(opgave)
            build_opgave_page(
                path,
                opgave=opgave,
                gemeentenaam=project.gemeente.naam,
                frame=frame,
                layers=layers,
                table=table,
                catalogue=catalogue,
                kiemen=kiemen_points(con, opgave),
                downloads=downloads,
            )
            pages.append(
                {
                    "opgave": opgave.id,
                    "titel": opgave.titel,
                    "pad": str(project.output.maps / path.name),
                    "bytes": path.stat().st_size,
                    "voorbeeld_png": render_preview(frame.geometry, frame["score_c"].tolist()),
                }
            )
        write_frame(con, "maps", "opgave_pages", pd.DataFrame(pages))
    previews = [f"**{p['titel']}** (`{p['pad']}`)\n\n{preview_markdown(p['titel'], p['voorbeeld_png'])}" for p in pages]
    return dg.MaterializeResult(
        metadata={
            **_pages_metadata("opgave_pages", "opgave", pages),
            "preview": dg.MetadataValue.md("Score per buurt:\n\n" + "\n\n".join(previews)),
        }
    )


@dg.asset(key=["maps", "index"], deps=[indicator_pages, opgave_pages], group_name="maps", kinds={"html"})
def index_page(datalab: DataLabResource) -> dg.MaterializeResult:
    """De voorpagina maps/index.html: de opgaven met wat er knelt, de buurten die de meeste aandacht vragen en
    links naar hun kaarten, en alle indicatoren met de waarde voor gemeente en Nederland; plus colofon.html.
    Dit is de pagina die beleidsmakers openen, ook zonder internet."""
    config = datalab.load_config()
    catalogue = datalab.load_catalogue(config)
    opgaven = load_opgaven(config.opgaven, catalogue, config.layers)
    with datalab.connect() as con:
        top = con.execute(
            "SELECT opgave, buurtnaam, score, drijvers FROM indicators.prioriteiten ORDER BY opgave, rang, buurtcode"
        ).df()
        priorities: dict[str, list[dict[str, Any]]] = {
            o.id: [{str(k): v for k, v in row.items()} for row in top[top["opgave"] == o.id].to_dict("records")]
            for o in opgaven
        }
        path = build_index(
            site_build_folder(config.output.maps) / "index.html",
            gemeente=config.gemeente,
            jaar=config.jaar,
            opgaven=opgaven,
            opgave_pages={o.id: opgave_page_name(o) for o in opgaven},
            priorities=priorities,
            indicators=catalogue.indicatoren,
            gemeente_waarden=_gemeente_values(con),
        )
        build_colophon(
            site_build_folder(config.output.maps) / "colofon.html",
            gemeente=config.gemeente,
            indicators=catalogue.indicatoren,
            privacy=config.privacy,
        )
        path = publish_site(config.output.maps) / path.name  # the whole new site at once
        write_frame(con, "maps", "index", pd.DataFrame([{"pad": str(path), "opgaven": len(opgaven)}]))
        images = dict(con.execute("SELECT opgave, voorbeeld_png FROM maps.opgave_pages").fetchall())
    preview = "\n\n".join(
        [
            f"**{o.titel}**: "
            + ", ".join(f"{r['buurtnaam']} ({r['score']:.0f})" for r in priorities[o.id])
            + (f"\n\n{preview_markdown(o.titel, images[o.id])}" if o.id in images else "")
            for o in opgaven
        ]
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "url": dg.MetadataValue.url(path.as_uri()),
            "opgaven": len(opgaven),
            "preview": dg.MetadataValue.md(f"Buurten die de meeste aandacht vragen:\n\n{preview}"),
        }
    )
