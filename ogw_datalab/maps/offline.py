"""Pages that work without internet: Leaflet and friends come from the site's own ``assets/`` folder.

One shared folder (not inlined copies) keeps every page small: the vendored files are
about 250 KB once, instead of on every page. Only map tiles (the PDOK or OpenStreetMap
background) are fetched from outside; without them the map shows a plain background.
"""

from __future__ import annotations

import os
import re
import shutil
from importlib import resources
from pathlib import Path

import folium
from folium.plugins import MarkerCluster

ASSETS = "assets"
PDOK_GRIJS = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
LOCAL_JS = [("leaflet", f"{ASSETS}/leaflet.js")]
LOCAL_CSS = [("leaflet_css", f"{ASSETS}/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{ASSETS}/leaflet.markercluster.js")]
CLUSTER_CSS = [
    ("markerclustercss", f"{ASSETS}/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{ASSETS}/MarkerCluster.Default.css"),
]
EXTERNAL = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", re.I)


class ExternalResourceError(RuntimeError):
    """A page would load a script, style or image from the internet."""


def local_map(**options) -> folium.Map:
    """A folium map whose Leaflet files come from ``assets/`` (no jQuery, Bootstrap or fonts from CDNs)."""
    fmap = folium.Map(**options)
    fmap.default_js = list(LOCAL_JS)
    fmap.default_css = list(LOCAL_CSS)
    return fmap


def add_basemaps(fmap: folium.Map) -> None:
    """PDOK BRT-Achtergrondkaart grijs as the default background, OpenStreetMap as the alternative."""
    folium.TileLayer(
        PDOK_GRIJS,
        name="BRT-Achtergrondkaart grijs (PDOK)",
        attr="Kaartgegevens &copy; Kadaster",
        min_zoom=6,
        max_zoom=19,
    ).add_to(fmap)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap").add_to(fmap)


def local_marker_cluster(**options) -> MarkerCluster:
    cluster = MarkerCluster(**options)
    cluster.default_js = list(CLUSTER_JS)
    cluster.default_css = list(CLUSTER_CSS)
    return cluster


def check_offline(html: str, page: str) -> str:
    """Raise when ``html`` would load any script, style sheet or image from another host."""
    found = EXTERNAL.search(html)
    if found:
        raise ExternalResourceError(f"{page}: loads {found.group(1)} from the internet")
    return html


def finish_page(html: str, page: str, body_class: str = "opgave") -> str:
    """Dutch language attribute and the page layout class on folium's document; then the offline check."""
    html = html.replace("<html>", '<html lang="nl">', 1).replace("<body>", f'<body class="{body_class}">', 1)
    return check_offline(html, page)


def copy_assets(maps_folder: str | Path) -> Path:
    """Copy the vendored files and the site's own CSS and JavaScript into ``<maps>/assets``."""
    target = Path(maps_folder) / ASSETS
    (target / "images").mkdir(parents=True, exist_ok=True)
    package = resources.files("ogw_datalab.maps")
    for folder, pattern in (("vendor", "*"), ("vendor/images", "*.png"), ("templates", "*.js"), ("templates", "*.css")):
        source = Path(str(package.joinpath(folder)))
        for file in source.glob(pattern):
            if file.is_file():
                destination = target / ("images" if folder.endswith("images") else "") / file.name
                shutil.copyfile(file, destination)
    return target


def site_build_folder(maps_folder: str | Path) -> Path:
    """Where a new version of the site is assembled: ``<maps>.bouw`` beside the published folder."""
    maps = Path(maps_folder)
    return maps.with_name(maps.name + ".bouw")


def start_site_build(maps_folder: str | Path) -> Path:
    """A fresh build folder holding a copy of the published site, so that a partial update keeps other pages."""
    maps, staging = Path(maps_folder), site_build_folder(maps_folder)
    shutil.rmtree(staging, ignore_errors=True)
    if maps.is_dir():
        shutil.copytree(maps, staging)
    else:
        staging.mkdir(parents=True)
    return staging


def publish_site(maps_folder: str | Path) -> Path:
    """Swap the completed build folder in for the published site; a failed build never gets here."""
    maps, staging = Path(maps_folder), site_build_folder(maps_folder)
    old = maps.with_name(maps.name + ".oud")
    shutil.rmtree(old, ignore_errors=True)
    if maps.exists():
        os.replace(maps, old)
    os.replace(staging, maps)
    shutil.rmtree(old, ignore_errors=True)
    return maps
