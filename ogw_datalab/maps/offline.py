"""Pages that work without internet: Leaflet and the site's own CSS and JavaScript come from its ``assets/`` folder.

One shared folder (not inlined copies) keeps every page small: the vendored files are
about 250 KB once, instead of on every page. Only map tiles (the PDOK or OpenStreetMap
background) are fetched from outside; without them the map shows a plain background.
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from pathlib import Path

ASSETS = "assets"
PDOK_GRIJS = "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/grijs/EPSG:3857/{z}/{x}/{y}.png"
"""The default background: PDOK's BRT-Achtergrondkaart in grey (the overview's; the map pages' are in web_map.py)."""
EXTERNAL = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", re.I)


class ExternalResourceError(RuntimeError):
    """A page would load a script, style or image from the internet."""


def check_offline(html: str, page: str) -> str:
    """Raise when ``html`` would load any script, style sheet or image from another host."""
    found = EXTERNAL.search(html)
    if found:
        raise ExternalResourceError(f"{page}: loads {found.group(1)} from the internet")
    return html


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
