"""The method pages in every site: ``methoden/<naam>.html``, rendered from the markdown in ``maps/methoden/``.

A site is often read offline, on an intranet, without the documentation beside it; its colophon must still be
able to say how disclosure control, the scores, 3-30-300, similar buurten, reallocation between years, sensor
quality control and model estimates work. The same markdown files are the documentation's ``methoden/`` section
(``docs/hooks/method_pages.py``), so one text serves both.

The pages use only the markdown of :data:`METHOD_EXTENSIONS` (tables, headings, lists, links), which the docs
render alike. A link to another method page (``scores.md#rang-en-percentiel``) becomes a link to its page in the
site; a link elsewhere in the documentation (``../handleiding/privacy.md``) becomes plain text, since a site holds
no documentation; links to the web stay. Tables scroll inside their own box on a phone.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

from .pages import Pages

FOLDER = "methoden"
"""The site's folder of method pages (and the docs' section of the same name)."""
METHOD_EXTENSIONS = ("tables", "attr_list", "toc")
"""The markdown extensions the method pages may use: the docs (``mkdocs.yml``) load them too."""
INDEX = "index"
# A row of the index's table: | [Title](name.md) | what it is about |
INDEX_ROW = re.compile(r"^\|\s*\[(?P<title>[^\]]+)\]\((?P<name>[a-z0-9-]+)\.md\)\s*\|\s*(?P<about>.+?)\s*\|\s*$")
TITLE = re.compile(r"^#\s+(?P<title>.+?)\s*$", re.M)


@dataclass(frozen=True)
class MethodPage:
    """One method page: its file name without ``.md``, its title and what it is about (one line, from the index)."""

    name: str
    title: str
    about: str

    @property
    def href(self) -> str:
        """The page's path in the site, from the site's folder."""
        return f"{FOLDER}/{self.name}.html"


def _source_folder() -> Path:
    return Path(str(resources.files("ogw_datalab.maps").joinpath(FOLDER)))


def method_source(name: str) -> str:
    """Read the markdown of the method page ``name`` (``index`` for the overview)."""
    return (_source_folder() / f"{name}.md").read_text(encoding="utf-8")


@cache
def method_pages() -> tuple[MethodPage, ...]:
    """List the method pages in the order of the index's table, with their titles and what each is about.

    Raises
    ------
    ValueError
        When the index lists a page that does not exist, or a page is not listed in the index, or a page's
        first heading differs from its title in the index.
    """
    listed = [m.groupdict() for line in method_source(INDEX).splitlines() if (m := INDEX_ROW.match(line))]
    files = sorted(p.stem for p in _source_folder().glob("*.md") if p.stem != INDEX)
    names = [row["name"] for row in listed]
    if sorted(names) != files:
        raise ValueError(f"{FOLDER}/index.md lists {sorted(names)}, but the folder holds {files}")
    pages = []
    for row in listed:
        found = TITLE.search(method_source(row["name"]))
        if found is None or found["title"] != row["title"]:
            raise ValueError(f"{FOLDER}/{row['name']}.md: its first heading must be '# {row['title']}' (the index's)")
        pages.append(MethodPage(row["name"], row["title"], row["about"]))
    return tuple(pages)


def method_page(name: str) -> MethodPage:
    """Return the method page ``name`` (a KeyError names the pages there are)."""
    for page in method_pages():
        if page.name == name:
            return page
    raise KeyError(f"no method page {name!r}; the pages are {[p.name for p in method_pages()]}")


class _SiteLinks(Treeprocessor):
    """Point links at the site's own method pages, unwrap links into the documentation, wrap tables."""

    def __init__(self, md: markdown.Markdown, names: frozenset[str]) -> None:
        super().__init__(md)
        self.names = names

    def run(self, root: etree.Element) -> None:
        for link in list(root.iter("a")):
            self._link(link)
        for parent in list(root.iter()):  # listed first: the boxes added below are not visited again
            for index, child in enumerate(list(parent)):
                if child.tag == "table":
                    parent[index] = _scrolling(child)

    def _link(self, link: etree.Element) -> None:
        href = link.get("href", "")
        parts = urlsplit(href)
        if parts.scheme or not href or href.startswith("#"):
            return  # the web, or an anchor on this page
        stem = parts.path.removesuffix(".md")
        if "/" not in parts.path and parts.path.endswith(".md") and stem in self.names:
            link.set("href", f"{stem}.html" + (f"#{parts.fragment}" if parts.fragment else ""))
            return
        link.tag = "span"  # elsewhere in the documentation, which a site does not hold
        link.attrib.clear()


def _scrolling(table: etree.Element) -> etree.Element:
    """Wrap a table in the site's scrolling box, named by its first header cell (for screen readers)."""
    header = next((cell for cell in table.iter("th")), None)
    label = "".join(header.itertext()).strip() if header is not None else "tabel"
    box = etree.Element(
        "div", {"class": "tabelrol", "role": "region", "tabindex": "0", "aria-label": f"Tabel: {label}"}
    )
    box.append(table)
    return box


class _SiteLinksExtension(Extension):
    def __init__(self, names: frozenset[str]) -> None:
        super().__init__()
        self.names = names

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (python-markdown's name)
        md.treeprocessors.register(_SiteLinks(md, self.names), "ogw_site_links", 5)


def render_method(name: str) -> tuple[str, Markup]:
    """Render the method page ``name`` as HTML for the site: its title, and its body without the title."""
    names = frozenset([INDEX, *(p.name for p in method_pages())])
    source = method_source(name)
    found = TITLE.search(source)
    if found is None:
        raise ValueError(f"{FOLDER}/{name}.md has no '# Title' heading")
    body = source[: found.start()] + source[found.end() :]
    return found["title"], _converted(body, names)


@lru_cache(maxsize=64)
def _converted(body: str, names: frozenset[str]) -> Markup:
    """Convert a method page's markdown to HTML; the same text in every site a process builds is converted once."""
    converter = markdown.Markdown(extensions=[*METHOD_EXTENSIONS, _SiteLinksExtension(names)])
    return Markup(converter.convert(body))  # noqa: S704 (our own package files, not data)


def build_method_pages(pages: Pages) -> list[Path]:
    """Write ``methoden/index.html`` and every method page into the site, in the site's own template."""
    written = []
    listed = method_pages()
    for name in (INDEX, *(p.name for p in listed)):
        title, body = render_method(name)
        written.append(
            pages.render(
                "methode.html", f"{FOLDER}/{name}.html", titel=title, inhoud=body, methoden=listed, huidige=name
            )
        )
    return written


def method_links() -> dict[str, object]:
    """Give the colophon what it links: each method page by name, all of them in order, and the overview."""
    listed = method_pages()
    return {"methode": {p.name: p for p in listed}, "methoden": listed, "methoden_index": f"{FOLDER}/{INDEX}.html"}
