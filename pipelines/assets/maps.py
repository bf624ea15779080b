"""Maps layer: one choropleth page per indicator and maps/index.html linking them per opgave."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.indicators.compute_indicators import indicator_values
from ogw_datalab.maps.build_index import build_index, page_name
from ogw_datalab.maps.build_indicator_map import build_indicator_map
from ogw_datalab.opgaven import load_opgaven
from ogw_datalab.storage import write_frame

from ..resources import DataLabResource

INDICATORS = [dg.AssetKey(["indicators", t]) for t in ("vergelijking_buurt", "vergelijking_wijk", "prioriteiten")]


def _gemeente_values(con) -> dict[str, float | None]:
    rows = con.execute("SELECT indicator, waarde FROM indicators.publicatie_gemeente").fetchall()
    return {indicator: waarde for indicator, waarde in rows}


@dg.asset(key=["maps", "indicator_pages"], deps=INDICATORS, group_name="maps", kinds={"folium", "html"})
def indicator_pages(datalab: DataLabResource) -> dg.MaterializeResult:
    """Een kaartpagina (HTML) per indicator: buurten ingekleurd in klassen, legenda, en per buurt een tooltip
    met naam, code, waarde en de waarde van de hele gemeente."""
    config = datalab.load_config()
    catalogue = datalab.load_catalogue(config)
    pages: list[dict[str, Any]] = []
    with datalab.connect() as con:
        gemeente = _gemeente_values(con)
        for indicator in catalogue.indicatoren:
            path = config.output.maps / page_name(indicator)
            same_indeling = config.indeling("buurten") == config.indeling("wijken")
            build_indicator_map(
                indicator_values(con, indicator.id, wijknamen=same_indeling),
                indicator,
                gemeentenaam=config.gemeente.naam,
                gemeente_waarde=gemeente.get(indicator.id),
                path=path,
            )
            pages.append({"indicator": indicator.id, "pad": str(path), "bytes": path.stat().st_size})
        write_frame(con, "maps", "indicator_pages", pd.DataFrame(pages))
    return dg.MaterializeResult(
        metadata={
            "table": "maps.indicator_pages",
            "dagster/row_count": len(pages),
            "pages": dg.MetadataValue.json({p["indicator"]: p["pad"] for p in pages}),
            "largest_page_kb": round(max(p["bytes"] for p in pages) / 1024, 1),
        }
    )


@dg.asset(key=["maps", "index"], deps=[indicator_pages], group_name="maps", kinds={"html"})
def index_page(datalab: DataLabResource) -> dg.MaterializeResult:
    """De voorpagina maps/index.html: de opgaven met wat er knelt en links naar hun kaarten, en alle indicatoren
    met de waarde voor de hele gemeente. Dit is de pagina die beleidsmakers openen."""
    config = datalab.load_config()
    catalogue = datalab.load_catalogue(config)
    opgaven = load_opgaven(config.opgaven, catalogue, config.layers)
    with datalab.connect() as con:
        path = build_index(
            config.output.maps / "index.html",
            gemeente=config.gemeente,
            jaar=config.jaar,
            opgaven=opgaven,
            indicators=catalogue.indicatoren,
            gemeente_waarden=_gemeente_values(con),
        )
        write_frame(con, "maps", "index", pd.DataFrame([{"pad": str(path), "opgaven": len(opgaven)}]))
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(path)), "opgaven": len(opgaven)})
