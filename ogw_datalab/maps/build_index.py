"""The site's front page ``index.html`` (opgaven, priority buurten, all indicators) and ``colofon.html``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2

from ..config import Gemeente, Privacy
from ..files import write_text_atomic
from ..indicators.catalogue import Indicator
from ..indicators.opgaven import Opgave
from .build_indicator_map import format_value
from .offline import check_offline


def page_name(indicator: Indicator) -> str:
    return f"{indicator.id}.html"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ogw_datalab.maps", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )


def build_index(
    path: str | Path,
    *,
    gemeente: Gemeente,
    jaar: int,
    opgaven: list[Opgave],
    opgave_pages: dict[str, str],
    priorities: dict[str, list[dict[str, Any]]],
    indicators: list[Indicator],
    gemeente_waarden: dict[str, float | None],
    datum: dt.date | None = None,
) -> Path:
    """Write ``index.html``: every opgave with its priority buurten, and every indicator."""
    rows = [
        {
            "titel": i.titel,
            "page": page_name(i),
            "bron": i.bron.text(),
            "gemeente": f"{format_value(gemeente_waarden.get(i.id), i)} {i.eenheid}",
            "nederland": f"{format_value(i.nederland, i)} {i.eenheid}" if i.nederland is not None else "–",
        }
        for i in indicators
    ]
    text = (
        _environment()
        .get_template("index.html")
        .render(
            gemeente=gemeente,
            jaar=jaar,
            opgaven=opgaven,
            opgave_pages=opgave_pages,
            priorities=priorities,
            indicators=rows,
            datum=(datum or dt.date.today()).strftime("%d-%m-%Y"),
        )
    )
    return write_text_atomic(path, check_offline(text, str(path)))


def build_colophon(path: str | Path, *, gemeente: Gemeente, indicators: list[Indicator], privacy: Privacy) -> Path:
    """Write ``colofon.html``: every source, licence, year and method."""
    text = _environment().get_template("colofon.html").render(gemeente=gemeente, indicators=indicators, privacy=privacy)
    return write_text_atomic(path, check_offline(text, str(path)))
