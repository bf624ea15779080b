"""The site's front page, ``index.html``: opgaven with links to their indicator maps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import jinja2

from ..config import Gemeente
from ..files import write_text_atomic
from ..indicators.catalogue import Indicator
from ..opgaven import Opgave
from .build_indicator_map import format_value


def page_name(indicator: Indicator) -> str:
    return f"{indicator.id}.html"


def build_index(
    path: str | Path,
    *,
    gemeente: Gemeente,
    jaar: int,
    opgaven: list[Opgave],
    indicators: list[Indicator],
    gemeente_waarden: dict[str, float | None],
    datum: dt.date | None = None,
) -> Path:
    """Write ``index.html`` listing every opgave and every indicator page."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ogw_datalab.maps", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )
    rows = [
        {
            "titel": i.titel,
            "page": page_name(i),
            "bron": i.bron.text(),
            "gemeente": f"{format_value(gemeente_waarden.get(i.id), i)} {i.eenheid}",
        }
        for i in indicators
    ]
    text = env.get_template("index.html").render(
        gemeente=gemeente,
        jaar=jaar,
        opgaven=opgaven,
        indicators=rows,
        pages={i.id: page_name(i) for i in indicators},
        titles={i.id: i.titel for i in indicators},
        datum=(datum or dt.date.today()).strftime("%d-%m-%Y"),
    )
    return write_text_atomic(path, text)
