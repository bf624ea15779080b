"""The folium maps of the site (ogw_datalab/maps/web_map.py): built from folium's classes, loading nothing from a
CDN, the same text in every build, each buurt coloured by its published class, and a layer added in a few lines."""

from __future__ import annotations

import re
from contextlib import nullcontext

import branca.element
import folium
import pytest
from folium.plugins import Fullscreen

from ogw_datalab.duckdb_connection import connect
from ogw_datalab.maps import web_map
from ogw_datalab.maps.build_map_pages import indicator_page, opgave_page
from ogw_datalab.maps.map_elements import Kaart, RenderedPart, number_elements, use_vendored_files
from ogw_datalab.maps.offline import EXTERNAL, ExternalResourceError
from ogw_datalab.maps.shapes import site_shapes
from ogw_datalab.maps.site_data import read_site_data
from ogw_datalab.maps.web_map import backgrounds, build_overview_map, build_web_map, render_web_map

from .site_fixture import tiny_project, write_tiny_tables


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tiny gemeente's site data and outlines (four buurten, one opgave with kiemen)."""
    con = connect(":memory:")
    config, catalogue, opgaven = tiny_project(tmp_path_factory.mktemp("web_map"))
    write_tiny_tables(con)
    data = read_site_data(con, config=config, catalogue=catalogue, opgaven=opgaven)
    yield data, site_shapes(data)
    con.close()


def test_opgave_map_is_folium_and_loads_only_the_vendored_files(tiny):
    data, shapes = tiny
    page = opgave_page(data, data.opgaven[0], [])
    kaart = build_web_map(page, data, shapes)
    kinds = {cls.__name__ for e in kaart._children.values() for cls in type(e).__mro__}
    assert {"TileLayer", "FeatureGroup", "LayerControl", "FitBounds", "BuurtenLayer", "FastMarkerCluster"} <= kinds
    rendered = render_web_map(kaart, root="../")
    links = re.findall(r'(?:src|href)="([^"]+)"', rendered.header)
    assert links == [
        "../assets/leaflet.js",
        "../assets/leaflet.css",
        "../assets/kaartpagina.js",
        "../assets/leaflet.markercluster.js",
        "../assets/MarkerCluster.css",
        "../assets/MarkerCluster.Default.css",
    ]
    assert "http" not in rendered.header + rendered.html
    # In the script only the background tiles are addresses on the internet.
    hosts = set(re.findall(r"https?://([\w.-]+)", rendered.script))
    assert hosts <= {"service.pdok.nl", "tile.openstreetmap.org", "www.kadaster.nl", "www.openstreetmap.org"}
    assert 'L.map("kaart"' in rendered.script
    assert '"zoomSnap": 0.25' in rendered.script
    assert f"OGWKaart.dutchControls({kaart.get_name()}, true);" in rendered.script  # with the metric scale
    assert '<div id="kaart" class="kaart" role="region"' in rendered.html


@pytest.mark.parametrize("number", [0, 1, 2])
def test_a_background_renders_as_the_folium_tile_layer_it_replaces(number):
    """The backgrounds skip folium's lookup of a URL among xyzservices' names, and write the same JavaScript."""
    background = backgrounds()[number]
    options = background.options
    made_by_folium = folium.TileLayer(
        background.tiles,
        attr=options["attribution"],
        name=background.tile_name,
        min_zoom=options["min_zoom"] or None,
        max_zoom=options["max_zoom"],
        overlay=False,
        show=background.show,
    )
    pages = []
    for layer in (background, made_by_folium):
        kaart = folium.Map(tiles=None)
        layer.add_to(kaart)
        number_elements(kaart.get_root())
        pages.append(kaart.get_root().render())
    assert pages[0] == pages[1]
    assert "L.tileLayer(" in pages[0]
    assert background.tiles in pages[0]


def test_each_buurt_gets_the_colour_of_its_class_in_the_first_layer(tiny):
    data, shapes = tiny
    page = indicator_page(data, data.catalogue.indicatoren[0], [])
    kaart = build_web_map(page, data, shapes)
    render_web_map(kaart)
    buurten = next(e for e in kaart._children.values() if type(e).__name__ == "BuurtenLayer")
    colour_of = {}
    for style, codes in buurten.style_map.items():
        key = buurten.style_map["default"] if style == "default" else style
        for code in codes if style != "default" else []:
            colour_of[code] = re.search(r'"fillColor": "(#[0-9a-f]{6})"', key).group(1)
    default = re.search(r'"fillColor": "(#[0-9a-f]{6})"', buurten.style_map["default"]).group(1)
    expected = dict(zip(data.buurten.index, page.layers[0].colours, strict=True))
    assert {code: colour_of.get(code, default) for code in expected} == expected
    assert len(set(expected.values())) > 1  # the tiny gemeente's buurten are not all in one class


def test_a_page_is_the_same_text_in_every_build(tiny):
    data, shapes = tiny
    page = opgave_page(data, data.opgaven[0], [])
    first = render_web_map(build_web_map(page, data, shapes))
    second = render_web_map(build_web_map(page, data, shapes))
    assert first == second
    assert "map_1" in first.script  # ids counted, not random


@pytest.mark.parametrize(
    "kind", ["opgave", "indicator", "indicator with an overlay whose text is a template", "overview"]
)
def test_keeping_rendered_parts_as_text_writes_the_page_branca_writes(tiny, monkeypatch, kind):
    """render_web_map keeps what folium rendered as text (RenderedPart); branca compiles it as a template again."""
    data, shapes = tiny

    def kaart():
        if kind == "overview":
            return build_overview_map([[52.0, 4.5], [52.2, 4.8]], "https://service.pdok.nl/{z}/{x}/{y}.png")
        if kind == "opgave":
            return build_web_map(opgave_page(data, data.opgaven[0], []), data, shapes)
        made = build_web_map(indicator_page(data, data.catalogue.indicatoren[0], []), data, shapes)
        if "template" in kind:  # a tooltip that folium renders with Jinja syntax in its text: compiled as before
            folium.Marker([52.1, 4.6], tooltip="{{ 6 * 7 }} {# no comment #}").add_to(made)
        return made

    kept = render_web_map(kaart(), root="../")
    assert branca.element.Element is not RenderedPart  # put back after rendering
    assert folium.map.Element is not RenderedPart
    monkeypatch.setattr(web_map, "rendered_parts_kept_as_text", nullcontext)
    assert kept == render_web_map(kaart(), root="../")


def test_a_rendered_part_renders_as_the_element_it_replaces():
    for text in ["L.map(1);\n", "a\n\n", "  x  ", "{{ 6 * 7 }}", "{% if true %}ja{% endif %}\n", "a{# b #}", "c\r\nd"]:
        assert RenderedPart(text).render() == branca.element.Element(text).render(), text


def test_a_plugin_with_cdn_files_is_refused_until_they_are_vendored(tiny):
    kaart = Kaart("Kaart")
    Fullscreen().add_to(kaart)
    with pytest.raises(ExternalResourceError, match=r"Fullscreen would load https://\S*Control\.FullScreen\.min\.js"):
        use_vendored_files(kaart.get_root(), "")


def test_a_layer_is_a_few_lines_and_stays_offline(tiny):
    """The example of docs/ontwikkelen/extending.md: one more folium layer on an opgave map."""
    data, shapes = tiny
    kaart = build_web_map(opgave_page(data, data.opgaven[0], []), data, shapes)
    folium.GeoJson(
        data.buurten.iloc[:1].to_crs("EPSG:4326")[["buurtnaam", "geometry"]],
        name="Eén buurt",
        style_function=lambda feature: {"color": "#1b7837"},
    ).add_to(kaart)
    rendered = render_web_map(kaart)
    assert '"E\\u00e9n buurt" : geo_json_' in rendered.script  # an overlay in the layer control
    assert rendered.script.count("L.geoJson(") == 2
    assert not EXTERNAL.search(rendered.header)


def test_overview_map_draws_on_a_canvas_with_its_plugin():
    rendered = render_web_map(build_overview_map([[52.0, 4.5], [52.2, 4.8]], "https://service.pdok.nl/{z}/{x}/{y}.png"))
    assert '"preferCanvas": true' in rendered.script
    assert "OGWOverzicht(map_1, window.OGW_OVERZICHT);" in rendered.script
    assert "OGWKaart.dutchControls(map_1, false);" in rendered.script  # Dutch buttons, no scale bar
    assert re.findall(r'src="([^"]+)"', rendered.header) == [
        "assets/leaflet.js",
        "assets/kaartpagina.js",
        "assets/overzicht.js",
    ]
