"""One choropleth page per indicator: buurten coloured by class, legend, tooltips."""

from __future__ import annotations

import html
import warnings
from pathlib import Path

import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure

from ..files import write_text_atomic
from ..indicators.catalogue import Indicator, Klassen
from ..indicators.compare import dutch_number, indistinct_reason
from .colours import colour_values, legend_html, legend_items
from .offline import add_basemaps, finish_page, local_map

SIMPLIFY_M = 2.0


def class_breaks(values: pd.Series, klassen: Klassen | None = None) -> list[float]:
    """Class edges (lowest value, then each class's upper bound) over the published values.

    Quantiles by default; natural breaks (Fisher-Jenks) or fixed bounds when the catalogue
    says so. Classes that would be empty collapse, so a map never shows an unused colour.
    When every value is the same, the single class is ``[v, v]`` (its legend reads "alle buurten: v").
    """
    klassen = klassen or Klassen()
    present = values.dropna().to_numpy(dtype=float)
    if len(present) == 0:
        return [0.0, 1.0]
    k = min(klassen.aantal, len(np.unique(present)))
    if klassen.methode == "vast":
        bounds = [b for b in (klassen.grenzen or []) if b < present.max()] + [float(present.max())]
    elif k < 2:
        bounds = [float(present.max())]
    else:
        scheme = mapclassify.FisherJenks if klassen.methode == "natuurlijk" else mapclassify.Quantiles
        with warnings.catch_warnings():
            # With many equal values mapclassify lowers k itself and says so; equal edges collapse below.
            warnings.filterwarnings("ignore", message="Not enough unique values", category=UserWarning)
            bounds = list(scheme(present, k=k).bins)
    edges = np.unique(np.array([present.min(), *bounds], dtype=float))
    return [float(e) for e in edges] if len(edges) > 1 else [float(edges[0]), float(edges[0])]


def to_web_geometries(values: pd.DataFrame) -> gpd.GeoDataFrame:
    """Buurt polygons simplified without gaps between neighbours, in EPSG:4326 rounded to 6 decimals."""
    polygons = shapely.from_wkb([bytes(b) for b in values["geometry_wkb"]])
    simplified = shapely.coverage_simplify(polygons, SIMPLIFY_M)
    frame = gpd.GeoDataFrame(values.drop(columns=["geometry_wkb"]), geometry=simplified, crs="EPSG:28992")
    frame = frame.to_crs("EPSG:4326")
    frame["geometry"] = shapely.transform(frame.geometry.to_numpy(), lambda xy: np.round(xy, 6))
    return frame


def escape_texts(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """HTML-escape every text that goes into a map, so that names from data show as text and run nothing.

    Escaped text also cannot close the script element the map's data is embedded in.
    """
    frame = frame.copy()
    for column in frame.columns.drop("geometry"):
        frame[column] = [html.escape(v) if isinstance(v, str) else v for v in frame[column]]
    return frame


def format_change(change: float | None, since: float | None, indicator: Indicator | None) -> str:
    """'+1,2 sinds 2023' (the change since an earlier recorded year), or a dash."""
    if change is None or pd.isna(change) or since is None or pd.isna(since):
        return "–"
    text = format_value(abs(float(change)), indicator) if indicator else f"{abs(float(change)):.1f}"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    return f"{sign}{text} sinds {int(since)}"


def format_value(value: float | None, indicator: Indicator) -> str:
    """The value in Dutch number format with the indicator's decimals, or "geen waarde"."""
    if value is None or pd.isna(value):
        return "geen waarde"
    return dutch_number(float(value), indicator.decimalen)


def rank_texts(ranks: pd.Series, values: pd.Series, reason: str | None = None) -> list[str]:
    """Per area its rank as shown: "3 van 43", "gedeeld 3e van 43" where equal values share it, or why there is none.

    Parameters
    ----------
    ranks
        Rank per area (1 = asks most attention; equal values share the lowest place), empty where there is none.
    values
        The published value per area (empty where withheld or missing).
    reason
        Why the indicator has no ranks at all (see :func:`~ogw_datalab.indicators.compare.indistinct_reason`).

    Returns
    -------
    list of str
        One text per area; a dash where the area has no value.
    """
    present = ranks.dropna().astype(int)
    counts = present.value_counts()
    texts = []
    for rank, value in zip(ranks, values, strict=True):
        if pd.isna(rank):
            texts.append(f"geen, want {reason}" if reason and pd.notna(value) else "–")
        elif counts[int(rank)] > 1:
            texts.append(f"gedeeld {int(rank)}e van {len(present)}")
        else:
            texts.append(f"{int(rank)} van {len(present)}")
    return texts


def build_indicator_map(
    values: pd.DataFrame, indicator: Indicator, *, gemeentenaam: str, gemeente_waarde: float | None, path: str | Path
) -> Path:
    """Write the choropleth page of ``indicator`` to ``path`` (published values only) and return the path."""
    frame = to_web_geometries(values)
    reason = indistinct_reason(frame["waarde"], indicator.decimalen)  # as indicators.vergelijking_buurt.rang_reden
    breaks = class_breaks(frame["waarde"], indicator.klassen)
    frame["kleur"], classes = colour_values(frame["waarde"], frame["status"], breaks, indicator.richting)
    frame["waarde_tekst"] = [
        f"onderdrukt: {reden}" if status == "onderdrukt" else format_value(v, indicator)
        for v, status, reden in zip(frame["waarde"], frame["status"], frame["reden"], strict=True)
    ]
    frame["rang_tekst"] = rank_texts(frame["rang"], frame["waarde"], reason)
    frame["wijknaam"] = frame["wijknaam"].fillna("–")
    frame["gemeente_tekst"] = format_value(gemeente_waarde, indicator)
    frame["trend_tekst"] = [
        format_change(d, y, indicator) for d, y in zip(frame["verschil"], frame["vorig_jaar"], strict=True)
    ]

    frame = escape_texts(frame)
    fmap = local_map(tiles=None, control_scale=True, width="100%", height="100%")
    add_basemaps(fmap)
    folium.GeoJson(
        frame[
            [
                "buurtcode",
                "buurtnaam",
                "wijknaam",
                "waarde_tekst",
                "gemeente_tekst",
                "rang_tekst",
                "trend_tekst",
                "kleur",
                "geometry",
            ]
        ],
        name=indicator.titel,
        style_function=lambda f: {
            "fillColor": f["properties"]["kleur"],
            "color": "#3a3a3a",
            "weight": 1,
            "fillOpacity": 0.8,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=[
                "buurtnaam",
                "buurtcode",
                "wijknaam",
                "waarde_tekst",
                "gemeente_tekst",
                "rang_tekst",
                "trend_tekst",
            ],
            aliases=[
                "Buurt",
                "Buurtcode",
                "Wijk",
                indicator.eenheid.capitalize(),
                f"Gemeente {gemeentenaam}",
                "Rang (1 = meeste aandacht)",
                "Verandering",
            ],
        ),
    ).add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    minx, miny, maxx, maxy = frame.total_bounds
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    page = fmap.get_root()
    assert isinstance(page, Figure)
    page.header.add_child(
        folium.Element(
            f"<title>{html.escape(indicator.titel)} – {html.escape(gemeentenaam)}</title>"
            '<link rel="stylesheet" href="assets/site.css">'
        )
    )
    page.html.add_child(folium.Element(_header(indicator, gemeentenaam)), index=0)
    legend = legend_items(
        classes, breaks, lambda v: format_value(v, indicator), complete=bool(frame["waarde"].notna().all())
    )
    page.html.add_child(
        folium.Element(
            '<aside aria-label="Legenda en bron"><h2>Legenda</h2>'
            + legend_html("kaart", indicator.titel, indicator.eenheid, legend)
            + f"<h2>Bron</h2><p>{html.escape(indicator.bron.text())}</p></aside>"
        )
    )
    return write_text_atomic(path, finish_page(page.render(), str(path)))


def _header(indicator: Indicator, gemeentenaam: str) -> str:
    return (
        f'<header><p class="meta"><a href="index.html">Datalab {html.escape(gemeentenaam)}</a> › indicator</p>'
        f"<h1>{html.escape(indicator.titel)}</h1><p>{html.escape(indicator.beschrijving)}</p></header>"
    )
