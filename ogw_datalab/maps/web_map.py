"""The web map of an opgave or indicator page, built with folium.

:func:`build_web_map` describes the map in Python: the backgrounds (``folium.TileLayer``), the buurten with one
colour set per layer of the page (:class:`~.map_elements.BuurtenLayer`, a ``folium.GeoJson`` with a style and
a highlight function, tooltip and popup), the kiemen (folium's ``FastMarkerCluster``) and meetpunten
(a ``FeatureGroup``) as overlays in a ``folium.LayerControl``, and the page's own behaviour as elements
(:mod:`.map_page_elements`). :func:`render_web_map` writes it as the three parts the page template places: the
links in the head, the map's element and data, and its script.

Adding a layer to a page is adding a :class:`~.build_map_pages.MapLayer` to its ``layers``
(``build_map_pages.opgave_page``); adding something else to the map is a few lines here, for example::

    folium.GeoJson(parks, name="Parken", style_function=lambda f: {"color": "#1b7837"}).add_to(kaart)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import folium
from branca.element import Figure
from folium.plugins import FastMarkerCluster

from .map_elements import (
    Background,
    BackgroundNotice,
    BuurtenLayer,
    DutchControls,
    Kaart,
    LayerPopup,
    LayerTooltip,
    PageData,
    escaped,
    number_elements,
    rendered_parts_kept_as_text,
    use_vendored_files,
)
from .map_page_elements import KIEM_MARKER, BuurtenCanvas, LayerChoice, SearchHook, SensorPoints, SortableTable

if TYPE_CHECKING:
    from .build_map_pages import MapPage
    from .shapes import SiteShapes
    from .site_data import SiteData

AREA_STYLE = {"color": "#3a3a3a", "weight": 1, "fillOpacity": 0.8}
"""The buurten's outline and opacity; their fill is the chosen layer's colour."""
HIGHLIGHT = {"weight": 3, "color": "#000000"}
"""A buurt under the mouse."""
PDOK = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/{stijl}/EPSG:3857/{{z}}/{{x}}/{{y}}.png"
KADASTER = 'Kaartgegevens &copy; <a href="https://www.kadaster.nl">Kadaster</a>'
OSM = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap-bijdragers</a>'


@dataclass(frozen=True)
class RenderedMap:
    """A folium map as the parts a page places: ``header`` in the head, ``html`` where the map goes, ``script``."""

    header: str
    html: str
    script: str


def backgrounds() -> list[folium.TileLayer]:
    """Return the background maps, the first one shown: PDOK's grey and colour maps and OpenStreetMap."""
    return [
        Background(PDOK.format(stijl="grijs"), attr=KADASTER, name="Grijze kaart (PDOK)", min_zoom=6, max_zoom=19),
        Background(
            PDOK.format(stijl="standaard"),
            attr=KADASTER,
            name="Kleurenkaart (PDOK)",
            min_zoom=6,
            max_zoom=19,
            show=False,
        ),
        Background(
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png", attr=OSM, name="OpenStreetMap", max_zoom=19, show=False
        ),
    ]


def area_properties(page: MapPage, data: SiteData) -> list[dict[str, Any]]:
    """Per buurt (in the site's order) its code, name, wijk and per layer its colour, text, rank and change."""
    buurten = data.buurten
    with_comparisons = any(any(layer.comparisons) for layer in page.layers)
    areas = zip(buurten.index, buurten["buurtnaam"], buurten["wijknaam"], buurten["wijkcode"], strict=True)
    out = []
    for i, (code, name, wijknaam, wijkcode) in enumerate(areas):
        properties = {
            "c": code,
            "n": name,
            "w": wijknaam if isinstance(wijknaam, str) else "",
            "wk": wijkcode if isinstance(wijkcode, str) else "",
            "k": [layer.colours[i] for layer in page.layers],
            "t": [layer.texts[i] for layer in page.layers],
            "r": [layer.ranks[i] for layer in page.layers],
            "d": [layer.changes[i] for layer in page.layers],
        }
        if with_comparisons:
            properties["v"] = [layer.comparisons[i] if layer.comparisons else "" for layer in page.layers]
        out.append(properties)
    return out


def build_web_map(page: MapPage, data: SiteData, shapes: SiteShapes) -> Kaart:
    """Describe the map of ``page`` with folium (see the module's documentation)."""
    kaart = Kaart(f"Kaart: {page.title}. De tabel onder de kaart geeft dezelfde waarden.", zoom_snap=0.25)
    tiles = backgrounds()
    for layer in tiles:
        layer.add_to(kaart)
    folium.FeatureGroup(name="Geen achtergrond", overlay=False, show=False).add_to(kaart)
    properties = area_properties(page, data)
    meta = {
        "layers": [{"key": layer.key, "title": layer.title, "gemeente": layer.gemeente} for layer in page.layers],
        "bounds": shapes.bounds,
        "sensoren": {"title": page.sensoren[0], "points": page.sensoren[1]} if page.sensoren else None,
    }
    features = [
        '{"type":"Feature","properties":'
        + json.dumps(p, ensure_ascii=False, separators=(",", ":"))
        + ',"geometry":'
        + geometry
        + "}"
        for p, geometry in zip(properties, shapes.web, strict=True)
    ]
    PageData(meta, features).add_to(kaart)
    buurten = BuurtenLayer(
        {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": p} for p in properties]},
        style_function=lambda feature: {**AREA_STYLE, "fillColor": feature["properties"]["k"][0]},
        highlight_function=lambda feature: HIGHLIGHT,
        control=False,
    )
    buurten.add_to(kaart)
    choice = LayerChoice(buurten, AREA_STYLE)
    LayerTooltip(choice, sticky=True).add_to(buurten)
    LayerPopup(choice, max_width=280).add_to(buurten)
    choice.add_to(kaart)
    if page.kiemen:
        FastMarkerCluster(
            page.kiemen[1], callback=KIEM_MARKER, name=escaped(page.kiemen[0]), show_coverage_on_hover=False
        ).add_to(kaart)
    sensors = None
    if page.sensoren:
        sensors = SensorPoints(name=escaped(page.sensoren[0]))
        sensors.add_to(kaart)
    folium.LayerControl(collapsed=True).add_to(kaart)
    DutchControls().add_to(kaart)
    BackgroundNotice(tiles).add_to(kaart)
    folium.FitBounds(shapes.bounds, padding=(8, 8)).add_to(kaart)
    SearchHook(buurten, choice, sensors).add_to(kaart)
    SortableTable().add_to(kaart)
    return kaart


def build_overview_map(bounds: list[list[float]], tiles: str) -> Kaart:
    """Describe the overview's map with folium: a canvas, the grey PDOK background and the buurten plugin.

    Its zoom buttons and attribution speak Dutch; it has no scale bar (on a phone the map is too narrow for it).
    """
    kaart = Kaart("Kaart van alle buurten", css_class="", prefer_canvas=True, zoom_snap=0.5)
    folium.FitBounds(bounds).add_to(kaart)
    background = folium.TileLayer(tiles, attr=KADASTER, name="Grijze kaart (PDOK)", min_zoom=6, max_zoom=19)
    background.add_to(kaart)
    DutchControls(scale=False).add_to(kaart)
    BuurtenCanvas().add_to(kaart)
    return kaart


def render_web_map(kaart: folium.Map, root: str = "") -> RenderedMap:
    """Render ``kaart`` into its parts, loading Leaflet and its plugins from ``<root>assets/``.

    The ids of the elements are counted (not random), so that a page is the same in every build.
    """
    figure = kaart.get_root()
    assert isinstance(figure, Figure), "a folium.Map is always in a Figure"
    use_vendored_files(figure, root)
    number_elements(figure)
    with rendered_parts_kept_as_text():
        for child in figure._children.values():
            child.render()
    header = "\n".join(e.render() for name, e in figure.header._children.items() if not name.startswith("meta"))
    return RenderedMap(header, figure.html.render(), _compact(figure.script.render()))


def _compact(script: str) -> str:
    """Drop the indentation and empty lines of folium's templates (a tenth of a page); no line spans a string."""
    return "\n".join(line.strip() for line in script.splitlines() if line.strip())
