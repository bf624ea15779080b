"""folium elements of the map pages' own behaviour: the layer choice, the search, the sensors and the table.

Each is a folium plugin (:class:`~.map_elements.PagePlugin`): its code is in ``assets/kaartpagina.js``, shared
by every page, and its template connects it to the map's other elements.

One choropleth layer at a time: the page's layers share one :class:`~.map_elements.BuurtenLayer` (the
geometry once, every layer's colours and texts in its properties), and :class:`LayerChoice` shows the layer
chosen in the page's ``<select id="kaartlaag">`` with its legend, its tooltip lines and its colours in the print
map. A separate ``GeoJson`` per layer would repeat the outlines on every layer: the demo's opgave page with six
layers would be 62 % larger (docs/ontwikkelen/resultaten/folium.md).
"""

from __future__ import annotations

from typing import Any

import folium
from folium.template import Template

from .map_elements import BuurtenLayer, PagePlugin


class LayerChoice(PagePlugin):
    """Show one layer of the buurten at a time, with its legend (``[data-legenda]``) and print colours.

    Its ``lines(properties, withLink)`` writes the tooltip (and, with the link to the buurtprofiel, the popup)
    of a buurt in the chosen layer: the buurt's wijk, the layer's value, the gemeente's, rank, change and the
    comparison with similar buurten, each line only where there is something to say.

    Parameters
    ----------
    buurten
        The layer whose colours change.
    style
        The buurten's style besides their colour (the same as ``buurten``'s style function).
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = OGWKaart.layerChoice(
        {{ this.buurten.get_name() }}, kaartdata, {{ this.style|tojson }});
        {% endmacro %}"""
    )

    def __init__(self, buurten: BuurtenLayer, style: dict[str, Any]):
        super().__init__()
        self._name = "LayerChoice"
        self.buurten, self.style = buurten, style


class SearchHook(PagePlugin):
    """Zoom to what the search box (``assets/zoeken.js``) found, and open a buurt named in the address (``#BU…``).

    Also exposes ``window.OGW`` (the map, the buurten, the layer choice and the sensors) for the browser tests.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        OGWKaart.searchHook({{ this._parent.get_name() }}, {{ this.buurten.get_name() }}, {{ this.choice.get_name() }},
        {{ this.sensors.get_name() if this.sensors else "null" }});
        {% endmacro %}"""
    )

    def __init__(self, buurten: BuurtenLayer, choice: LayerChoice, sensors: folium.FeatureGroup | None):
        super().__init__()
        self._name = "SearchHook"
        self.buurten, self.choice, self.sensors = buurten, choice, sensors


class SensorPoints(PagePlugin, folium.FeatureGroup):
    """The meetpunten of ``kaartdata.sensoren``: circles coloured by soort, reference stations larger.

    A ``folium.FeatureGroup`` (an overlay in the layer control) filled from the page data, where a test reads
    the points.
    """

    _template = Template(
        """{% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.featureGroup({{ this.options|tojavascript }});
        OGWKaart.sensorPoints({{ this.get_name() }}, kaartdata.sensoren.points);
        {% endmacro %}"""
    )


KIEM_MARKER = "OGWKaart.kiem"
"""The kiemen's markers (folium's ``FastMarkerCluster`` callback): a pin with the kiem's name as its text."""


class SortableTable(PagePlugin):
    """Sort the page's table ``#waarden`` by the column whose header button is clicked (empty cells last)."""

    _template = Template(
        """{% macro script(this, kwargs) %}OGWKaart.sortableTable(document.getElementById("waarden"));{% endmacro %}"""
    )


class BuurtenCanvas(PagePlugin):
    """Every buurt of the overview (``window.OGW_OVERZICHT``) on one canvas, one layer at a time.

    Its script is ``assets/overzicht.js``: the buurten arrive as short integer steps rather than GeoJSON (a
    tenth of the size for 11,700 buurten) and are drawn on Leaflet's canvas renderer, with the layer choice,
    tooltips, popups leading to the gemeente's site and the zoom to a gemeente beside the map.
    """

    default_js = [("overzicht", "assets/overzicht.js")]
    _template = Template(
        """{% macro script(this, kwargs) %}OGWOverzicht({{ this._parent.get_name() }}, window.OGW_OVERZICHT);
        {% endmacro %}"""
    )
