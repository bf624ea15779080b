"""The whole static site of one build, assembled in one folder.

Front page, a map page per opgave and per indicator, a profile per buurt and per wijk, the colophon and the
method pages it links to, downloads, the search index and the shared assets.

The site is one unit: :func:`build_site` always writes every page into an empty folder, so a
published site never mixes pages of two builds (publishing the folder is the caller's step).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..config import ProjectConfig
from ..files import write_text_atomic
from ..indicators.catalogue import Catalogue
from ..indicators.opgaven import Opgave
from .build_colophon import build_colophon
from .build_index import build_index
from .build_map_pages import indicator_page, opgave_page, score_layer, write_map_page
from .build_method_pages import build_method_pages
from .build_profiles import build_profiles
from .downloads import DownloadShapes, download_shapes, indicator_columns, opgave_columns, write_download_set
from .offline import copy_assets
from .pages import Pages
from .preview import render_preview
from .shapes import SiteShapes, site_shapes
from .site_data import SiteData, example_postcode, read_site_data

COMPLETE_MARKER = ".compleet"
SEARCH_INDEX = "zoekindex.js"


@dataclass
class SiteReport:
    """What :func:`build_site` wrote: one entry per page, with its size, and a PNG preview per opgave.

    Attributes
    ----------
    folder
        The folder the site was written into.
    opgave_pages, indicator_pages
        Per page: its id, title, file name and size in bytes (opgave pages also ``voorbeeld_png``).
    profile_pages
        Per buurt- or wijkprofiel: ``soort`` (buurt, wijk), id, title, path in the site and size in bytes.
    priorities
        Per opgave id the priority buurten (name, score, drivers) as on the front page.
    """

    folder: Path
    opgave_pages: list[dict[str, Any]] = field(default_factory=list)
    indicator_pages: list[dict[str, Any]] = field(default_factory=list)
    profile_pages: list[dict[str, Any]] = field(default_factory=list)
    priorities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def index(self) -> Path:
        """The front page."""
        return self.folder / "index.html"


def build_site(
    con: duckdb.DuckDBPyConnection,
    *,
    config: ProjectConfig,
    catalogue: Catalogue,
    opgaven: list[Opgave],
    folder: Path,
) -> SiteReport:
    """Write every page of the site into ``folder`` (emptied first) from the publication tables of ``con``.

    Parameters
    ----------
    con
        A connection to the build's database, with ``indicators.publicatie_*``, ``vergelijking_*``,
        ``opgave_scores``, ``prioriteiten`` and ``trends`` written.
    config, catalogue, opgaven
        The validated project of this build.
    folder
        Where the site is assembled; a marker file ``.compleet`` is written last, so that a
        publishing step can refuse a folder that this build did not fill completely.

    Returns
    -------
    SiteReport
        The pages written, their sizes and previews.
    """
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    copy_assets(folder)
    data = read_site_data(con, config=config, catalogue=catalogue, opgaven=opgaven)
    shapes = site_shapes(data)
    pages = Pages(folder, gemeente=config.gemeente, jaar=config.jaar, postcode=example_postcode(data.postcodes))
    write_search_index(folder, data)
    report = SiteReport(folder=folder)
    outlines = download_shapes(data)
    report.indicator_pages = _indicator_pages(pages, data, shapes, outlines)
    report.opgave_pages = _opgave_pages(pages, data, shapes, outlines)
    report.profile_pages = build_profiles(pages, data, shapes)
    report.priorities = _priorities(data)
    build_index(pages, data, shapes)
    build_method_pages(pages)
    build_colophon(pages, data, config.privacy)
    (folder / COMPLETE_MARKER).write_text("", encoding="utf-8")
    return report


def _indicator_pages(
    pages: Pages, data: SiteData, shapes: SiteShapes, outlines: DownloadShapes
) -> list[dict[str, Any]]:
    written = []
    for indicator in data.catalogue.indicatoren:
        downloads = write_download_set(
            pages.folder,
            name=f"indicator_{indicator.id}",
            title=f"{indicator.titel} ({indicator.eenheid}) per buurt",
            columns=indicator_columns(data, indicator),
            shapes=outlines,
            sources=[indicator.bron.text()],
            gemeente=data.gemeente.naam,
        )
        path = write_map_page(pages, indicator_page(data, indicator, downloads), data, shapes)
        written.append(
            {"indicator": indicator.id, "titel": indicator.titel, "pagina": path.name, "bytes": pages.sizes[path.name]}
        )
    return written


def _opgave_pages(pages: Pages, data: SiteData, shapes: SiteShapes, outlines: DownloadShapes) -> list[dict[str, Any]]:
    written = []
    for opgave in data.opgaven:
        downloads = write_download_set(
            pages.folder,
            name=f"opgave_{opgave.id}",
            title=f"Opgave {opgave.titel}: score en indicatoren per buurt",
            columns=opgave_columns(data, opgave),
            shapes=outlines,
            sources=sorted({data.catalogue.by_id(i.id).bron.text() for i in opgave.indicatoren}),
            gemeente=data.gemeente.naam,
        )
        path = write_map_page(pages, opgave_page(data, opgave, downloads), data, shapes)
        written.append(
            {
                "opgave": opgave.id,
                "titel": opgave.titel,
                "pagina": path.name,
                "bytes": pages.sizes[path.name],
                "voorbeeld_png": render_preview(data.buurten.geometry, score_layer(data, opgave).colours),
            }
        )
    return written


def _priorities(data: SiteData) -> dict[str, list[dict[str, Any]]]:
    top = data.priorities
    return {
        o.id: [
            {str(k): v for k, v in row.items()}
            for row in top[top["opgave"] == o.id][["buurtcode", "buurtnaam", "score", "drijvers"]].to_dict("records")
        ]
        for o in data.opgaven
    }


def write_search_index(folder: Path, data: SiteData) -> Path:
    """Write ``zoekindex.js``: every buurt (code, name, wijk), wijk and PC6 postcode, for ``assets/zoeken.js``.

    A script rather than JSON, because a page opened from disk may load a script but not fetch a file.
    """
    index = {
        "buurten": [
            [code, row["buurtnaam"], row["wijknaam"] if isinstance(row["wijknaam"], str) else ""]
            for code, row in data.buurten.iterrows()
        ],
        "wijken": [[code, row["wijknaam"]] for code, row in data.wijken.iterrows()],
        "postcodes": data.postcodes,
    }
    text = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return write_text_atomic(folder / SEARCH_INDEX, f"window.OGW_ZOEK = {text};\n")


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` holds a site that :func:`build_site` finished."""
    return (folder / COMPLETE_MARKER).is_file()
