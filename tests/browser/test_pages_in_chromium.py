"""The published pages in headless Chromium, opened from disk with the network blocked.

They must draw without internet, request nothing but (optional) map tiles, respond to the
layer switch, the search box and table sorting, and have no serious or critical WCAG 2.1 AA
violations according to axe-core. Needs Debian's chromium (``.ci/run`` installs it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ..test_end_to_end import built  # noqa: F401

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).with_name("axe.min.js")
TILE_HOSTS = ("service.pdok.nl", "tile.openstreetmap.org")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}; .ci/run installs Debian's chromium"
    ),
]


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package drives Chromium")
    with sync_api.sync_playwright() as playwright:
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


def open_offline(browser, path: Path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside: list[str] = []

    def block(route):
        url = route.request.url
        if url.startswith("file:"):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", block)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, outside, errors


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    tags = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"
    result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {{type: 'tag', values: {tags}}}}})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.e2e
@pytest.mark.parametrize(
    "name",
    [
        "index.html",
        "colofon.html",
        "opgave_meer_groen.html",
        "opgave_energietransitie.html",
        "drie_dertig_driehonderd_pct.html",
    ],
)
def test_page_works_offline_and_passes_axe(browser, built, name):  # noqa: F811
    page, outside, errors = open_offline(browser, built[0] / "maps" / name)
    try:
        assert errors == []
        assert all(any(host in url for host in TILE_HOSTS) for url in outside), outside  # only map tiles try to leave
        if name != "index.html" and name != "colofon.html":
            assert page.locator("path.leaflet-interactive").count() >= 40  # every buurt drawn, no tiles needed
        assert serious_violations(page) == []
    finally:
        page.close()


@pytest.mark.e2e
def test_layer_switch_search_and_sorting(browser, built):  # noqa: F811
    page, _outside, _errors = open_offline(browser, built[0] / "maps" / "opgave_meer_groen.html")
    try:
        first = page.locator("path.leaflet-interactive").first
        before = first.get_attribute("fill")
        options = page.locator("#kaartlaag option")
        fills = set()
        for i in range(options.count()):
            page.select_option("#kaartlaag", index=i)
            fills.add(
                tuple(
                    page.locator("path.leaflet-interactive").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
                )
            )
            assert page.locator(f"[data-legenda='{options.nth(i).get_attribute('value')}']").is_visible()
        assert len(fills) > 1 and before is not None
        page.fill("#zoek-buurt", "Kerkbuurt")
        page.click("#zoek-knop")
        assert "Kerkbuurt" in page.locator("#zoek-status").inner_text()
        header = page.locator("#waarden th[data-kolom='2']")
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        scores = page.locator("#waarden tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => parseFloat(c.getAttribute('data-sort')))"
        )
        present = [s for s in scores if s == s]
        assert present == sorted(present)
    finally:
        page.close()
