"""Writing the site's pages from the Jinja templates in ``templates/``.

Each page is checked to load nothing from the internet before it is written.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

import jinja2

from ..config import Gemeente
from .offline import check_offline


@functools.cache
def environment() -> jinja2.Environment:
    """Return the template environment: HTML-escaped by default, an unknown name is an error."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ogw_datalab.maps", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are package files; no need to stat them for every page
    )


class Pages:
    """Renders templates into one site folder, with what every page needs (gemeente, year, date, root).

    Parameters
    ----------
    folder
        The site folder.
    gemeente
        The gemeente the site is about.
    jaar
        The year of the gebiedsindeling.
    datum
        The date the data was processed (default: today).
    postcode
        A postcode of the gemeente when the search index holds postcodes (the search box then names it), or None.
    """

    def __init__(
        self, folder: Path, *, gemeente: Gemeente, jaar: int, datum: dt.date | None = None, postcode: str | None = None
    ):
        self.folder = folder
        self.common = {
            "gemeente": gemeente,
            "jaar": jaar,
            "datum": (datum or dt.date.today()).strftime("%d-%m-%Y"),
            "postcode": postcode,
        }
        self.sizes: dict[str, int] = {}

    def render(self, template: str, relative: str, **context: Any) -> Path:
        """Render ``template`` to ``<folder>/<relative>``; links inside start from ``root`` (``../`` in subfolders).

        Raises
        ------
        ExternalResourceError
            When the page would load a script, style or image from the internet.
        """
        root = "../" * relative.count("/")
        text = environment().get_template(template).render(root=root, **self.common, **context)
        check_offline(text, relative)
        path = self.folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")  # the folder is a fresh build folder, published whole when complete
        self.sizes[relative] = len(text.encode("utf-8"))
        return path
