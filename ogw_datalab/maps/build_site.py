"""The whole static site of one build, assembled in one folder: opgave pages, indicator pages, front page,
colophon, downloads and the shared assets.

The site is one unit: :func:`build_site` always writes every page into an empty folder, so a
published site never mixes pages of two builds (publishing the folder is the caller's step).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..config import ProjectConfig
from ..indicators.catalogue import Catalogue
from ..indicators.compute_indicators import indicator_values
from ..indicators.opgaven import Opgave
from .build_index import build_colophon, build_index
from .build_index import page_name as indicator_page_name
from .build_indicator_map import build_indicator_map
from .build_opgave_page import (
    build_opgave_page,
    buurt_shapes,
    kiemen_points,
    left_out_sentence,
    opgave_layers,
    write_downloads,
)
from .build_opgave_page import page_name as opgave_page_name
from .offline import copy_assets
from .preview import render_preview

COMPLETE_MARKER = ".compleet"


@dataclass
class SiteReport:
    """What :func:`build_site` wrote: one entry per page, with its size, and a PNG preview per opgave.

    Attributes
    ----------
    folder
        The folder the site was written into.
    opgave_pages, indicator_pages
        Per page: its id, title, file name and size in bytes (opgave pages also ``voorbeeld_png``).
    priorities
        Per opgave id the priority buurten (name, score, drivers) as on the front page.
    """

    folder: Path
    opgave_pages: list[dict[str, Any]] = field(default_factory=list)
    indicator_pages: list[dict[str, Any]] = field(default_factory=list)
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
        ``prioriteiten`` and ``trends`` written.
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
    report = SiteReport(folder=folder)
    wijknamen = config.indeling("buurten") == config.indeling("wijken")
    gemeente = _gemeente_values(con)
    report.indicator_pages = _indicator_pages(con, config, catalogue, folder, gemeente, wijknamen)
    report.opgave_pages = _opgave_pages(con, config, catalogue, opgaven, folder, wijknamen)
    report.priorities = _priorities(con, opgaven)
    build_index(
        folder / "index.html",
        gemeente=config.gemeente,
        jaar=config.jaar,
        opgaven=opgaven,
        opgave_pages={o.id: opgave_page_name(o) for o in opgaven},
        priorities=report.priorities,
        indicators=catalogue.indicatoren,
        gemeente_waarden=gemeente,
    )
    build_colophon(
        folder / "colofon.html", gemeente=config.gemeente, indicators=catalogue.indicatoren, privacy=config.privacy
    )
    (folder / COMPLETE_MARKER).write_text("", encoding="utf-8")
    return report


def _gemeente_values(con: duckdb.DuckDBPyConnection) -> dict[str, float | None]:
    rows = con.execute("SELECT indicator, waarde FROM indicators.publicatie_gemeente").fetchall()
    return {indicator: waarde for indicator, waarde in rows}


def _indicator_pages(
    con: duckdb.DuckDBPyConnection,
    config: ProjectConfig,
    catalogue: Catalogue,
    folder: Path,
    gemeente: dict[str, float | None],
    wijknamen: bool,
) -> list[dict[str, Any]]:
    pages = []
    for indicator in catalogue.indicatoren:
        path = build_indicator_map(
            indicator_values(con, indicator.id, wijknamen=wijknamen),
            indicator,
            gemeentenaam=config.gemeente.naam,
            gemeente_waarde=gemeente.get(indicator.id),
            path=folder / indicator_page_name(indicator),
        )
        pages.append({"indicator": indicator.id, "titel": indicator.titel, "pagina": path.name, "bytes": _size(path)})
    return pages


def _opgave_pages(
    con: duckdb.DuckDBPyConnection,
    config: ProjectConfig,
    catalogue: Catalogue,
    opgaven: list[Opgave],
    folder: Path,
    wijknamen: bool,
) -> list[dict[str, Any]]:
    shapes = buurt_shapes(con, wijknamen=wijknamen)
    pages = []
    for opgave in opgaven:
        frame, layers, table = opgave_layers(con, opgave, catalogue, shapes)
        path = build_opgave_page(
            folder / opgave_page_name(opgave),
            opgave=opgave,
            gemeentenaam=config.gemeente.naam,
            frame=frame,
            layers=layers,
            table=table,
            catalogue=catalogue,
            kiemen=kiemen_points(con, opgave),
            downloads=write_downloads(folder, opgave, table, frame),
            left_out=left_out_sentence(con, opgave),
        )
        pages.append(
            {
                "opgave": opgave.id,
                "titel": opgave.titel,
                "pagina": path.name,
                "bytes": _size(path),
                "voorbeeld_png": render_preview(frame.geometry, frame["score_c"].tolist()),
            }
        )
    return pages


def _priorities(con: duckdb.DuckDBPyConnection, opgaven: list[Opgave]) -> dict[str, list[dict[str, Any]]]:
    top = con.execute(
        "SELECT opgave, buurtcode, buurtnaam, score, drijvers FROM indicators.prioriteiten "
        "ORDER BY opgave, rang, buurtcode"
    ).df()
    return {
        o.id: [{str(k): v for k, v in row.items()} for row in top[top["opgave"] == o.id].to_dict("records")]
        for o in opgaven
    }


def _size(path: Path) -> int:
    return path.stat().st_size


def is_complete(folder: Path) -> bool:
    """Whether ``folder`` holds a site that :func:`build_site` finished."""
    return (folder / COMPLETE_MARKER).is_file()
