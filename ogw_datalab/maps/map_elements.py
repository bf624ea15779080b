"""folium elements of the site's web maps: the map, its Dutch controls, the buurten layer and its texts.

Each class is a folium (branca) element: Python describes it, its Jinja macros write the Leaflet code. folium's
own classes are used where they do what the pages need (``GeoJson`` with a style and a highlight function,
``TileLayer``, ``FeatureGroup``, ``LayerControl``, ``FitBounds``, the ``FastMarkerCluster`` plugin); the classes
here add what folium lacks: a map element that is a labelled region of the page, controls that speak Dutch, the
notice when the background tiles fail, and tooltips and popups that follow the chosen layer
(:mod:`.map_page_elements` has the layer choice itself).

Every file a page loads comes from the site's ``assets/`` folder (:func:`use_vendored_files`), never from a CDN.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import branca.element
import folium
import folium.map
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from .offline import ExternalResourceError

VENDORED_JS = {
    "leaflet": "assets/leaflet.js",
    "markerclusterjs": "assets/leaflet.markercluster.js",
    "kaartpagina": "assets/kaartpagina.js",
    "overzicht": "assets/overzicht.js",
}
"""folium's names of the scripts the pages need, and where each is in the site (``maps/vendor`` and the pages' own
``templates/kaartpagina.js``, copied to ``assets/``)."""
VENDORED_CSS = {
    "leaflet_css": "assets/leaflet.css",
    "markerclustercss": "assets/MarkerCluster.css",
    "markerclusterdefaultcss": "assets/MarkerCluster.Default.css",
}
UNUSED = {"jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css", "awesome_markers_font_css"}
UNUSED |= {"awesome_markers_css", "awesome_rotate_css"}
"""What folium's map loads for ``folium.Icon`` and notebooks only; no page uses them."""


def elements(root: Element) -> Iterator[Element]:
    """Walk ``root`` and every element below it."""
    yield root
    for child in list(root._children.values()):
        yield from elements(child)


def use_vendored_files(root: Element, prefix: str) -> None:
    """Point every script and style sheet of ``root``'s elements at the site's ``assets/`` folder.

    folium's classes load Leaflet and their plugins from CDNs (``default_js``, ``default_css``); each element gets
    its own lists (the class lists stay as they are), with the vendored files at ``prefix`` (the way back to the
    site's folder) and without what the pages do not use.

    Raises
    ------
    ExternalResourceError
        When an element needs a file that is not vendored: vendor it in ``maps/vendor`` and name it here.
    """
    for element in elements(root):
        if not isinstance(element, JSCSSMixin):
            continue
        for attribute, vendored in (("default_js", VENDORED_JS), ("default_css", VENDORED_CSS)):
            links = []
            for name, url in getattr(element, attribute):
                if name in vendored:
                    links.append((name, prefix + vendored[name]))
                elif name not in UNUSED and url.startswith(("http:", "https:", "//")):
                    raise ExternalResourceError(f"{type(element).__name__} would load {url}; vendor it as '{name}'")
                elif name not in UNUSED:
                    links.append((name, url))
            setattr(element, attribute, links)


def number_elements(root: Element) -> None:
    """Give ``root``'s elements ids counted in order, so that two builds of a page write the same text."""
    for number, element in enumerate(elements(root)):
        element._id = f"{number:x}"


class RenderedPart(Element):
    """A part of a map that folium has rendered already, kept as its text.

    branca wraps every rendered macro (folium some rendered statements) in an ``Element`` whose text it compiles
    as a Jinja template, only to render it back later. A text without Jinja syntax renders to itself less one final
    newline (Jinja drops it), so it is kept as that; any other text is compiled as before. Same page, a quarter of
    the time a map takes to render.
    """

    def __init__(self, template: Any = None, template_name: str | None = None) -> None:
        plain = isinstance(template, str) and not any(mark in template for mark in ("{{", "{%", "{#", "\r"))
        super().__init__(None if plain else template, template_name)
        self._text = template.removesuffix("\n") if plain else None

    def render(self, **kwargs: Any) -> str:
        """Return the kept text, or render the template."""
        return self._text if self._text is not None else super().render(**kwargs)


@contextmanager
def rendered_parts_kept_as_text() -> Iterator[None]:
    """While rendering, have branca and folium wrap what they rendered in :class:`RenderedPart` s.

    The name is swapped in their modules for the whole process; a map rendered in another thread meanwhile gets one
    class or the other, and both write the same text.
    """
    modules = (branca.element, folium.map)
    for module in modules:
        setattr(module, "Element", RenderedPart)  # noqa: B010 (the name branca and folium look up when rendering)
    try:
        yield
    finally:
        for module in modules:
            setattr(module, "Element", Element)  # noqa: B010


class Kaart(folium.Map):
    """A Leaflet map in the page's ``<div id="kaart">``: a region with a label, without folium's page styles.

    No background, zoom control or attribution of its own: :class:`DutchControls` adds them in Dutch, and the
    backgrounds are ``folium.TileLayer`` s that the page chooses.

    Parameters
    ----------
    label
        The region's label, read by a screen reader.
    element_id
        The id of the map's element, styled by the site's CSS.
    css_class
        Its class (none when empty).
    **options
        Leaflet map options (snake_case, as folium writes them).
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <div id="{{ this.element_id }}"{% if this.css_class %} class="{{ this.css_class }}"{% endif %} role="region"
          aria-label="{{ this.label|e }}"></div>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.map({{ this.element_id|tojson }}, {{ this.options|tojavascript }});
        {% endmacro %}
        """
    )

    def __init__(self, label: str, *, element_id: str = "kaart", css_class: str = "kaart", **options: Any):
        super().__init__(tiles=None, zoom_control=False, **options)
        self.options.pop("zoom", None)  # the map fits its bounds (folium.FitBounds)
        self.options.pop("zoomControl", None)
        self.options["zoom_control"] = False
        self.options["attribution_control"] = False
        self.label, self.element_id, self.css_class = label, element_id, css_class


class PagePlugin(JSCSSMixin):
    """A folium plugin of the map pages: its script is ``assets/kaartpagina.js``, its template one call into it."""

    default_js = [("kaartpagina", "assets/kaartpagina.js")]


class DutchControls(PagePlugin):
    """Zoom buttons, attribution and a metric scale with Dutch texts; Dutch titles on the layer control and popups.

    Add it after the ``folium.LayerControl``, whose button it names. Without ``scale`` no scale bar (the overview,
    whose map on a phone is too narrow for a scale beside the attribution).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        OGWKaart.dutchControls({{ this._parent.get_name() }}, {{ this.scale|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, *, scale: bool = True):
        super().__init__()
        self.scale = scale


class BackgroundNotice(PagePlugin):
    """Say once, in the page's ``#kaart-melding``, when the background tiles do not load (offline)."""

    _template = Template(
        """{% macro script(this, kwargs) %}OGWKaart.backgroundNotice({{ this._parent.get_name() }}, [
        {%- for layer in this.layers %}{{ layer.get_name() }}{{ ", " if not loop.last }}{% endfor %}]);
        {% endmacro %}"""
    )

    def __init__(self, layers: list[folium.TileLayer]):
        super().__init__()
        self.layers = layers


class Background(folium.TileLayer):
    """A background map from a URL template, rendered exactly as ``folium.TileLayer`` with the same arguments.

    It skips folium's lookup of the string among xyzservices' thousand provider names (a URL is never one of them),
    which cost about a tenth of the time of a map page.
    """

    def __init__(
        self, url: str, *, attr: str, name: str, max_zoom: int, min_zoom: int | None = None, show: bool = True
    ):
        folium.map.Layer.__init__(self, name=name, overlay=False, control=True, show=show)
        self._name = "TileLayer"
        self.tile_name = name
        self.tiles = url
        self.options = {  # as folium.TileLayer.__init__ sets them, in its order
            "min_zoom": min_zoom or 0,
            "max_zoom": max_zoom,
            "max_native_zoom": max_zoom,
            "no_wrap": False,
            "attribution": attr,
            "subdomains": "abc",
            "detect_retina": False,
            "tms": False,
            "opacity": 1,
        }


def escape_script(text: str) -> str:
    """Make JSON safe inside a script element: no text from data can close it."""
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


class PageData(MacroElement):
    """The page's map data as JSON in ``<script type="application/json" id="kaartdata">``, read once by the map.

    The other elements read their part of it (``features``, ``layers``, ``sensoren``) from the script variable
    ``kaartdata``; a test reads the same JSON.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <script type="application/json" id="kaartdata">{{ this.text }}</script>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        var kaartdata = JSON.parse(document.getElementById("kaartdata").textContent);
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any], features: list[str]):
        super().__init__()
        self.data = data
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"features":[' + ",".join(features)
        self.text = escape_script(text + "]}")


class BuurtenLayer(folium.GeoJson):
    """folium's ``GeoJson`` of the buurten, drawn from :class:`PageData`'s features instead of a second copy.

    The style and highlight functions work as in folium (evaluated per feature in Python, written as a
    function of the buurtcode); the layer choice (:class:`~.map_page_elements.LayerChoice`) restyles it.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        function {{ this.get_name() }}_styler(feature) {
            switch({{ this.feature_identifier }}) {
                {%- for style, ids_list in this.style_map.items() if not style == 'default' %}
                {% for id_val in ids_list %}case {{ id_val|tojson }}: {% endfor %}
                    return {{ style }};
                {%- endfor %}
                default:
                    return {{ this.style_map['default'] }};
            }
        }
        var {{ this.get_name() }} = L.geoJson(null, {
            style: {{ this.get_name() }}_styler,
            onEachFeature: function (feature, layer) {
                layer.on({
                    mouseout: function (e) { {{ this.get_name() }}.resetStyle(e.target); },
                    mouseover: function (e) { e.target.setStyle({{ this.highlight_map['default'] }}); },
                    popupopen: function (e) { e.target.closeTooltip(); }
                });
            },
            ...{{ this.options|tojavascript }}
        });
        {{ this.get_name() }}.addData(kaartdata);
        {% endmacro %}
        """
    )

    def render(self, **kwargs: Any) -> Any:
        """Render as folium does, after checking that the highlight is one style (the template writes one)."""
        rendered = super().render(**kwargs)
        if len(self.highlight_map) > 1:  # one highlight for all buurten is what the template writes
            raise ValueError("BuurtenLayer: the highlight function must give every buurt the same style")
        return rendered


def _chosen_lines(bind: str, options: str, with_link: bool) -> Template:
    """Return the script binding a tooltip or popup that shows the chosen layer's ``lines`` of a buurt."""
    return Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.BIND(function (layer) {
            return {{ this.choice.get_name() }}.lines(layer.feature.properties, LINK);
        }, {{ this.OPTIONS|tojavascript }});
        {% endmacro %}
        """.replace("BIND", bind)
        .replace("OPTIONS", options)
        .replace("LINK", "true" if with_link else "false")
    )


class _ChosenLinesMixin:
    """What the layer's tooltip and popup share: the layer choice they ask, no field table of folium's."""

    def __init__(self, choice: MacroElement, **options: Any):
        super().__init__(fields=["c"], **options)  # type: ignore[call-arg]  # folium's GeoJsonTooltip/Popup
        self.choice = choice

    def render(self, **kwargs: Any) -> Any:
        """Render the template only: there is no field table, so neither folium's field check nor its styles."""
        return MacroElement.render(self, **kwargs)  # type: ignore[arg-type]


class LayerTooltip(_ChosenLinesMixin, folium.GeoJsonTooltip):
    """folium's ``GeoJsonTooltip``, with the lines of the chosen layer (``lines`` of ``choice``, the layer choice)."""

    _template = _chosen_lines("bindTooltip", "tooltip_options", with_link=False)


class LayerPopup(_ChosenLinesMixin, folium.GeoJsonPopup):
    """folium's ``GeoJsonPopup``, with the lines of the chosen layer and a link to the buurtprofiel."""

    _template = _chosen_lines("bindPopup", "popup_options", with_link=True)


def escaped(text: str) -> str:
    """Escape text from data for a place where Leaflet writes HTML (layer names, tooltips)."""
    return html.escape(text, quote=True)
