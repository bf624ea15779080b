"""The method pages: one markdown source, rendered into every site and into the documentation.

Every method page must be reachable from the colophon of a site read offline, without the documentation beside
it; the links inside the pages must work in the site as they do in the docs; and a figure that is a model
estimate must say so wherever it is shown (map page, profile, colophon, "lees mij"), pointing to the page that
explains what a model estimate is. Checked on the real builds of the demo and of Alphen.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.maps import build_method_pages
from ogw_datalab.maps.build_method_pages import FOLDER, METHOD_EXTENSIONS, method_pages, render_method
from ogw_datalab.maps.build_site import build_site

from .site_fixture import tiny_project, write_similar_tables, write_tijdreeks, write_tiny_tables

PROJECT = Path(__file__).resolve().parents[1]
SOURCE = PROJECT / "ogw_datalab" / "maps" / "methoden"
ESTIMATE_LINK = "methoden/modelschattingen.html"


class Links(HTMLParser):
    """Every ``href`` of a page, and every ``id``."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.hrefs.append(attributes["href"])
        if attributes.get("id"):
            self.ids.add(attributes["id"])


def links_of(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def broken_links(site: Path, page: Path) -> list[str]:
    """Links of ``page`` within the site that lead to no file, or to no element with that id."""
    broken = []
    for href in links_of(page).hrefs:
        parts = urlsplit(href)
        if parts.scheme or href.startswith("mailto:"):
            continue
        target = (page.parent / parts.path).resolve() if parts.path else page
        if not target.is_file() or not target.is_relative_to(site.resolve()):
            broken.append(f"{page.relative_to(site)}: {href} (no file)")
        elif parts.fragment and parts.fragment not in links_of(target).ids:
            broken.append(f"{page.relative_to(site)}: {href} (no id '{parts.fragment}')")
    return broken


def test_the_index_lists_every_page_in_the_folder_under_its_own_title():
    listed = [p.name for p in method_pages()]
    assert sorted(listed) == sorted(p.stem for p in SOURCE.glob("*.md") if p.stem != "index")
    assert len(listed) == 7
    for page in method_pages():
        title, _ = render_method(page.name)
        assert title == page.title


def test_the_docs_navigation_and_extensions_match_the_site():
    config = yaml.safe_load((PROJECT / "mkdocs.yml").read_text(encoding="utf-8"))
    section = next(item["Methoden"] for item in config["nav"] if isinstance(item, dict) and "Methoden" in item)
    in_nav = [next(iter(e.values())) if isinstance(e, dict) else e for e in section]
    assert in_nav == [f"{FOLDER}/index.md", *(f"{FOLDER}/{p.name}.md" for p in method_pages())]
    titles = [next(iter(e)) for e in section if isinstance(e, dict)]
    assert titles == [p.title for p in method_pages()]
    loaded = {e if isinstance(e, str) else next(iter(e)) for e in config["markdown_extensions"]}
    assert set(METHOD_EXTENSIONS) <= loaded


def test_links_between_method_pages_become_site_links_and_links_into_the_docs_plain_text():
    _, html = render_method("modelschattingen")
    assert 'href="onderdrukking.html"' in html
    assert 'href="gebiedsindeling.html"' in html
    assert ".md" not in "".join(re.findall(r'href="([^"]*)"', html))
    assert "<span>Indicatoren en opgaven</span>" in html  # ../handleiding/...: the site holds no handleiding
    _, overview = render_method("index")
    assert overview.count('class="tabelrol"') == 1
    assert 'aria-label="Tabel: pagina"' in overview


def test_a_page_missing_from_the_index_or_titled_otherwise_is_refused(tmp_path, monkeypatch):
    for page in SOURCE.glob("*.md"):
        (tmp_path / page.name).write_text(page.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(build_method_pages, "_source_folder", lambda: tmp_path)
    build_method_pages.method_pages.cache_clear()
    try:
        (tmp_path / "nieuw.md").write_text("# Nieuw\n", encoding="utf-8")
        with pytest.raises(ValueError, match="but the folder holds"):
            method_pages()
        (tmp_path / "nieuw.md").unlink()
        scores = tmp_path / "scores.md"
        scores.write_text(scores.read_text(encoding="utf-8").replace("# Scores en", "# Score en"), encoding="utf-8")
        with pytest.raises(ValueError, match="scores.md: its first heading must be '# Scores en prioriteitsbuurten'"):
            method_pages()
    finally:
        build_method_pages.method_pages.cache_clear()


@pytest.mark.e2e
@pytest.mark.parametrize("lab", ["demo", "alphen"])
def test_every_method_page_is_linked_from_the_colophon_and_every_link_resolves(request, lab):
    site = request.getfixturevalue(f"{lab}_lab").maps
    colophon = links_of(site / "colofon.html").hrefs
    for page in method_pages():
        assert page.href in colophon, f"{lab}: colofon.html does not link {page.href}"
        assert (site / page.href).is_file()
    assert f"{FOLDER}/index.html" in colophon
    pages = [site / "colofon.html", *sorted((site / FOLDER).glob("*.html"))]
    assert len(pages) == 1 + 1 + len(method_pages())
    assert [problem for page in pages for problem in broken_links(site, page)] == []
    for page in pages[1:]:
        text = page.read_text(encoding="utf-8")
        assert "--8<--" not in text
        assert "!!!" not in text
        assert ".md" not in "".join(links_of(page).hrefs)
        assert 'href="../colofon.html"' in text  # back to the site's own sources and thresholds


def test_the_colophon_links_each_section_to_its_method(tmp_path, con):
    config, catalogue, opgaven = tiny_project(tmp_path, tijdreeks=True, vergelijkbaar=True)
    write_tiny_tables(con)
    write_tijdreeks(con, config, tmp_path)
    write_similar_tables(con)
    site = build_site(con, config=config, catalogue=catalogue, opgaven=opgaven, folder=tmp_path / "site").folder
    text = (site / "colofon.html").read_text(encoding="utf-8")
    for section, name in (
        ("privacy", "onderdrukking"),
        ("methoden", "scores"),
        ("methoden", "gebiedsindeling"),
        ("sensoren", "sensoren"),
        ("vergelijkbaar", "vergelijkbare-buurten"),
    ):
        start = text.index(f'<section aria-labelledby="{section}">')
        body = text[start : text.index("</section>", start)]
        assert f'href="{FOLDER}/{name}.html"' in body, f"section {section} does not link {name}"
    assert broken_links(site, site / "colofon.html") == []


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("lab", "catalogue", "estimated"),
    [
        ("demo", "demo_indicatoren.yaml", {"eenzaam_pct"}),
        ("alphen", "alphen_indicatoren.yaml", {"eenzaam_pct", "goede_gezondheid_pct", "eenzaam_65plus_pct"}),
    ],
)
def test_a_model_estimate_says_so_wherever_it_is_shown(request, lab, catalogue, estimated):
    site = request.getfixturevalue(f"{lab}_lab").maps
    indicators = load_catalogue(PROJECT / "config" / catalogue).indicatoren
    assert {i.id for i in indicators if i.modelschatting} == estimated
    profile = next((site / "buurten").glob("*.html")).read_text(encoding="utf-8")
    colophon = (site / "colofon.html").read_text(encoding="utf-8")
    for indicator in indicators:
        sentence = " ".join(indicator.modelschatting.split()) if indicator.modelschatting else None
        page = (site / f"{indicator.id}.html").read_text(encoding="utf-8")
        readme = (site / "downloads" / f"indicator_{indicator.id}-leesmij.txt").read_text(encoding="utf-8")
        entry = colophon[colophon.index(f'id="{indicator.id}"') :]
        entry = entry[: entry.index("</article>")]
        if sentence is None:
            assert "Modelschatting" not in page
            assert "Modelschatting" not in readme
            assert "Modelschatting" not in entry
            continue
        header = page[page.index("<header") : page.index("</header>")]
        assert sentence in " ".join(header.split())
        assert f'href="{ESTIMATE_LINK}"' in header
        assert sentence in " ".join(entry.split())
        assert f'href="{ESTIMATE_LINK}"' in entry
        assert f"Modelschatting: {sentence}" in " ".join(readme.split())
        card = profile[profile.index(f'id="c-{indicator.id}"') :]
        card = card[: card.index("</article>")]
        assert sentence in " ".join(card.split())
        assert f'href="../{ESTIMATE_LINK}"' in card
    assert (site / ESTIMATE_LINK).is_file()


def test_an_opgave_page_says_it_in_the_legend_of_the_estimated_layer(demo_lab):
    page = (demo_lab.maps / "opgave_gezond_en_veilig.html").read_text(encoding="utf-8")
    legends = re.findall(r'<div class="legenda" data-legenda="[^"]+"[^>]*>(.*?)</div>', page, re.S)
    marked = [legend for legend in legends if "Modelschatting" in legend]
    assert len(marked) == 1
    assert "Volwassenen die zich eenzaam voelen" in marked[0]
    assert f'href="{ESTIMATE_LINK}"' in marked[0]
