"""The published pages in headless Chromium, opened from disk with every non-local request blocked.

They must draw without internet (only map tiles may try to leave), log no errors, show one
path per buurt, switch layers, show tooltips, zoom to a searched buurt, sort the table, show
data as text (never run it), and have no serious or critical WCAG 2.1 AA violation according
to axe-core. Needs Debian's chromium (``.ci/run`` installs it). Screenshots of the index and
an opgave page are saved in ``test-artifacts/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import shapely
from playwright.sync_api import sync_playwright
from shapely.geometry import box

from ogw_datalab.indicators.catalogue import Indicator
from ogw_datalab.maps.build_indicator_map import build_indicator_map
from ogw_datalab.maps.offline import copy_assets

from ..labs import PROJECT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).with_name("axe.min.js")
ARTIFACTS = PROJECT / "test-artifacts"
TILE_HOSTS = ("service.pdok.nl", "tile.openstreetmap.org")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}; .ci/run installs Debian's chromium"
    ),
]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


class Opened:
    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1400, "height": 1000})
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.route("**/*", self._block)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def _block(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _console(self, message):
        blocked_tile = "Failed to load resource" in message.text  # the tiles we block; checked via self.outside
        if message.type == "error" and not blocked_tile:
            self.errors.append(message.text)

    def check_clean(self):
        assert self.errors == [] and self.dialogs == []
        assert all(any(host in url for host in TILE_HOSTS) for url in self.outside), self.outside


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    tags = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"
    result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {{type: 'tag', values: {tags}}}}})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


TOOLTIP = """() => {
    const t = [...document.querySelectorAll('.leaflet-tooltip')].find(e => e.offsetParent !== null);
    if (!t) return null;
    const r = t.getBoundingClientRect();
    return {box: {x: r.x, y: r.y, width: r.width, height: r.height}, text: t.innerText,
            overflow: [...t.children].some(c => c.scrollWidth > c.clientWidth + 1)};
}"""


DEMO_PAGES = [
    "index.html",
    "colofon.html",
    "opgave_meer_groen.html",
    "opgave_energietransitie.html",
    "drie_dertig_driehonderd_pct.html",
]
ALPHEN_PAGES = ["index.html", "colofon.html", "opgave_gezond_en_veilig.html", "inwoners.html"]


def check_page(browser, folder: Path, name: str, buurten: int) -> None:
    opened = Opened(browser, folder / name)
    try:
        opened.check_clean()
        if name not in ("index.html", "colofon.html"):
            assert opened.page.locator("path.leaflet-interactive").count() == buurten  # one path per buurt
            assert opened.page.locator(".legenda:not([hidden])").count() == 1
        assert serious_violations(opened.page) == []
        if name in ("index.html", "opgave_meer_groen.html", "opgave_gezond_en_veilig.html"):
            ARTIFACTS.mkdir(exist_ok=True)
            opened.page.screenshot(path=str(ARTIFACTS / f"{folder.parent.name}-{name}.png"), full_page=True)
    finally:
        opened.page.close()


@pytest.mark.parametrize("name", DEMO_PAGES)
def test_demo_pages(browser, demo_lab, name):
    check_page(browser, demo_lab.maps, name, buurten=46)


@pytest.mark.parametrize("name", ALPHEN_PAGES)
def test_alphen_pages(browser, alphen_lab, name):
    check_page(browser, alphen_lab.maps, name, buurten=87)


def test_tooltips_wrap_and_stay_inside_the_map(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "opgave_gezond_en_veilig.html")  # long lists of drivers
    page = opened.page
    try:
        map_box = page.locator(".leaflet-container").bounding_box()
        seen, problems = 0, []
        for i in range(min(30, page.locator("path.leaflet-interactive").count())):
            area = page.locator("path.leaflet-interactive").nth(i).bounding_box()
            page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
            page.wait_for_timeout(100)
            tooltip = page.evaluate(TOOLTIP)  # read in one go: a tooltip can close between two calls
            if tooltip is None:
                continue
            seen += 1
            box = tooltip["box"]
            # a line wider than its box would be cut off (the arrow, a pseudo-element, does not count)
            if (
                tooltip["overflow"]
                or box["x"] < map_box["x"]
                or box["x"] + box["width"] > map_box["x"] + map_box["width"]
            ):
                problems.append(tooltip["text"].splitlines()[0])
        assert seen >= 5 and not problems, problems
        opened.check_clean()
    finally:
        page.close()


def test_layers_tooltip_search_and_sorting(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "opgave_meer_groen.html")
    page = opened.page
    try:
        fills = set()
        options = page.locator("#kaartlaag option")
        for i in range(options.count()):
            page.select_option("#kaartlaag", index=i)
            fills.add(
                tuple(
                    page.locator("path.leaflet-interactive").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
                )
            )
            assert page.locator(f"[data-legenda='{options.nth(i).get_attribute('value')}']").is_visible()
        assert len(fills) > 1
        tooltip = page.locator(".leaflet-tooltip")
        for i in range(12):  # the centre of a concave buurt's box may lie outside it, or under a marker
            area = page.locator("path.leaflet-interactive").nth(i).bounding_box()
            page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
            page.wait_for_timeout(150)
            if tooltip.count() and tooltip.first.is_visible():
                break
        assert "BU9999" in tooltip.first.inner_text() and "Gemeente" in tooltip.first.inner_text()
        zoom_before = page.evaluate("window[OGW.map].getZoom()")
        page.fill("#zoek-buurt", "Kerkbuurt")
        page.click("#zoek-knop")
        assert "Kerkbuurt" in page.locator("#zoek-status").inner_text()
        page.wait_for_function(f"window[OGW.map].getZoom() > {zoom_before}", timeout=3000)
        header = page.locator("#waarden th[data-kolom='2']")
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        scores = page.locator("#waarden tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => parseFloat(c.getAttribute('data-sort')))"
        )
        present = [s for s in scores if s == s]
        assert present == sorted(present)
        opened.check_clean()
    finally:
        page.close()


def test_names_from_data_show_as_text_and_run_nothing(browser, tmp_path):
    attack = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
    values = pd.DataFrame(
        {
            "buurtcode": ["BU00010001", "BU00010002"],
            "buurtnaam": [attack, "Gewoon"],
            "wijkcode": "WK000100",
            "wijknaam": [attack, "Wijk"],
            "waarde": [1.0, 2.0],
            "status": "gepubliceerd",
            "reden": [None, None],
            "rang": [2, 1],
            "percentiel": [0.0, 100.0],
            "verschil": [None, None],
            "vorig_jaar": [None, None],
            "geometry_wkb": shapely.to_wkb([box(100000, 450000, 101000, 451000), box(101000, 450000, 102000, 451000)]),
        }
    )
    indicator = Indicator.model_validate(
        {
            "id": "x",
            "titel": "Test",
            "eenheid": "aantal",
            "beschrijving": attack,
            "bron": {"uitgever": "t", "dataset": "t", "jaar": 2024, "licentie": "CC0"},
            "formule": {"type": "kerncijfer", "kolom": "aantal_inwoners"},
        }
    )
    copy_assets(tmp_path)
    path = build_indicator_map(values, indicator, gemeentenaam="Test", gemeente_waarde=1.5, path=tmp_path / "x.html")
    assert attack not in path.read_text(encoding="utf-8")
    opened = Opened(browser, path)
    try:
        area = opened.page.locator("path.leaflet-interactive").first.bounding_box()
        opened.page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
        opened.page.locator(".leaflet-tooltip").wait_for(state="visible", timeout=3000)
        assert "<img src=x onerror=alert(1)>" in opened.page.locator(".leaflet-tooltip").inner_text()
        opened.check_clean()
    finally:
        opened.page.close()
