"""One choropleth page per indicator: buurten coloured by class, legend, tooltips."""

from __future__ import annotations

import html
import warnings
from pathlib import Path

import branca.colormap as cm
import folium
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure

from ..files import write_text_atomic
from ..indicators.catalogue import Indicator, Klassen

# ColorBrewer sequential palettes, readable with the common forms of colour blindness.
NEED_PALETTE = ["#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"]  # YlOrBr: dark = more need
NEUTRAL_PALETTE = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"]  # PuBu
NO_VALUE_COLOUR = "#d9d9d9"
PDOK_GRIJS = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
SIMPLIFY_M = 2.0


def class_breaks(values: pd.Series, klassen: Klassen | None = None) -> list[float]:
    """Class edges (lowest value, then each class's upper bound) over the published values.

    Quantiles by default; natural breaks (Fisher-Jenks) or fixed bounds when the catalogue
    says so. Classes that would be empty collapse, so a map never shows an unused colour.
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
    return [float(e) for e in edges] if len(edges) > 1 else [float(edges[0]), float(edges[0]) + 1]


def palette_for(indicator: Indicator, n_classes: int) -> list[str]:
    """Colours from low to high value; for indicators with a direction, dark always means more need."""
    if indicator.richting == "neutraal":
        colours = NEUTRAL_PALETTE
    elif indicator.richting == "lager_is_beter":
        colours = NEED_PALETTE
    else:
        colours = NEED_PALETTE[::-1]
    index = np.linspace(0, len(colours) - 1, n_classes).round().astype(int)
    return [colours[i] for i in index]


def to_web_geometries(values: pd.DataFrame) -> gpd.GeoDataFrame:
    """Buurt polygons simplified without gaps between neighbours, in EPSG:4326 rounded to 6 decimals."""
    polygons = shapely.from_wkb([bytes(b) for b in values["geometry_wkb"]])
    simplified = shapely.coverage_simplify(polygons, SIMPLIFY_M)
    frame = gpd.GeoDataFrame(values.drop(columns=["geometry_wkb"]), geometry=simplified, crs="EPSG:28992")
    frame = frame.to_crs("EPSG:4326")
    frame["geometry"] = shapely.transform(frame.geometry.to_numpy(), lambda xy: np.round(xy, 6))
    return frame


def format_value(value: float | None, indicator: Indicator) -> str:
    if value is None or pd.isna(value):
        return "geen waarde"
    text = f"{value:,.{indicator.decimalen}f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def build_indicator_map(
    values: pd.DataFrame, indicator: Indicator, *, gemeentenaam: str, gemeente_waarde: float | None, path: str | Path
) -> Path:
    """Write the choropleth page of ``indicator`` to ``path`` and return the path."""
    frame = to_web_geometries(values)
    breaks = class_breaks(frame["waarde"], indicator.klassen)
    colours = palette_for(indicator, len(breaks) - 1)
    colormap = cm.StepColormap(
        colours, index=breaks, vmin=breaks[0], vmax=breaks[-1], caption=f"{indicator.titel} ({indicator.eenheid})"
    )
    frame["waarde_tekst"] = [
        f"onderdrukt: {reden}" if status == "onderdrukt" else format_value(v, indicator)
        for v, status, reden in zip(frame["waarde"], frame["status"], frame["reden"], strict=True)
    ]
    total = int(frame["rang"].notna().sum())
    frame["rang_tekst"] = [f"{int(r)} van {total}" if pd.notna(r) else "–" for r in frame["rang"]]
    frame["wijknaam"] = frame["wijknaam"].fillna("–")
    frame["gemeente_tekst"] = format_value(gemeente_waarde, indicator)
    frame["kleur"] = [NO_VALUE_COLOUR if pd.isna(v) else colormap(v) for v in frame["waarde"]]

    fmap = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    folium.TileLayer(
        PDOK_GRIJS, name="BRT-Achtergrondkaart (grijs)", attr="Kaartgegevens &copy; Kadaster", min_zoom=6, max_zoom=19
    ).add_to(fmap)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(fmap)
    folium.GeoJson(
        frame[
            ["buurtcode", "buurtnaam", "wijknaam", "waarde_tekst", "gemeente_tekst", "rang_tekst", "kleur", "geometry"]
        ],
        name=indicator.titel,
        style_function=lambda f: {
            "fillColor": f["properties"]["kleur"],
            "color": "#444444",
            "weight": 1,
            "fillOpacity": 0.75,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=folium.GeoJsonTooltip(
            fields=["buurtnaam", "buurtcode", "wijknaam", "waarde_tekst", "gemeente_tekst", "rang_tekst"],
            aliases=[
                "Buurt",
                "Buurtcode",
                "Wijk",
                indicator.eenheid.capitalize(),
                f"Gemeente {gemeentenaam}",
                "Rang (1 = meeste aandacht)",
            ],
        ),
    ).add_to(fmap)
    colormap.add_to(fmap)
    folium.LayerControl(collapsed=True).add_to(fmap)
    minx, miny, maxx, maxy = frame.total_bounds
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    page = fmap.get_root()
    assert isinstance(page, Figure)
    page.header.add_child(
        folium.Element(f"<title>{html.escape(indicator.titel)} – {html.escape(gemeentenaam)}</title>")
    )
    page.html.add_child(folium.Element(_title_box(indicator, gemeentenaam)))
    return write_text_atomic(path, page.render())


def _title_box(indicator: Indicator, gemeentenaam: str) -> str:
    return (
        '<div style="position:fixed;top:10px;left:60px;z-index:1000;background:white;padding:8px 12px;'
        'border:1px solid #888;max-width:420px;font-family:sans-serif">'
        f'<h1 style="font-size:18px;margin:0">{html.escape(indicator.titel)}</h1>'
        f'<p style="margin:4px 0;font-size:13px">{html.escape(indicator.beschrijving)}</p>'
        f'<p style="margin:4px 0;font-size:12px">Bron: {html.escape(indicator.bron.text())} · '
        f'<a href="index.html">Alle kaarten van {html.escape(gemeentenaam)}</a></p></div>'
    )
