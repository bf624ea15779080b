"""The national overview in headless Chromium, offline: 11,700 buurten on one canvas.

Measures the time to the first frame with every buurt drawn and the time of a pan (printed,
and bounded so that a regression shows), and checks tooltips, layer switching, zoom to a
gemeente, the link to a gemeente's site and accessibility (axe-core), with every request to
another host blocked.
"""

from __future__ import annotations

import geopandas as gpd
import pytest

from .chromium import ARTIFACTS, PHONE, Opened, serious_violations

pytestmark = [pytest.mark.browser]


@pytest.fixture
def overview(national_overview):
    return national_overview  # built once per test run (tests/conftest.py)


def test_national_map_draws_fast_and_works_offline(browser, overview):
    opened = Opened(browser, overview.kaart)
    page = opened.page
    try:
        page.wait_for_function("window.OGW_KLAAR !== undefined", timeout=30_000)
        first_render_ms = page.evaluate("window.OGW_KLAAR")
        print(f"\noverview: {overview.kaart_bytes / 1e6:.2f} MB, first render {first_render_ms:.0f} ms")
        assert first_render_ms < 15_000  # about 2.5-3.5 s on the 2-core machine
        assert page.evaluate("window.OGW_KAART.vormen.length") == 11_700
        assert page.locator("canvas.leaflet-zoom-animated").count() == 1  # one canvas, no SVG path per buurt
        assert page.locator("path.leaflet-interactive").count() == 0
        pan_ms = page.evaluate(
            """() => new Promise(done => { const m = window.OGW_KAART.map, t = performance.now();
                 m.panBy([300, 150], {animate: false});
                 requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - t))); })"""
        )
        print(f"overview: pan redrawn in {pan_ms:.0f} ms")
        assert pan_ms < 3_000
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "overzicht-kaart.png"))
        opened.check_clean()
    finally:
        page.close()


def test_tooltip_layer_zoom_and_link(browser, overview):
    opened = Opened(browser, overview.kaart)
    page = opened.page
    try:
        page.wait_for_function("window.OGW_KLAAR !== undefined", timeout=30_000)
        page.fill("#zoek-gemeente", "Alphen aan den Rijn")
        page.dispatch_event("#zoek-gemeente", "change")
        assert page.locator("#zoek-status").inner_text() == "Ingezoomd op Alphen aan den Rijn."
        # Hover a point inside Ambachtenbuurt (BU04840105) and read the tooltip.
        buurten = gpd.read_file(overview.geopackage).set_index("buurtcode").to_crs("EPSG:4326")
        inside = buurten.loc["BU04840105"].geometry.representative_point()
        x, y = page.evaluate(
            "([lat, lon]) => { const p = window.OGW_KAART.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }",
            [inside.y, inside.x],
        )
        box = page.locator("#kaart").bounding_box()
        page.mouse.move(box["x"] + x, box["y"] + y)
        tooltip = page.locator(".leaflet-tooltip")
        tooltip.wait_for(state="visible", timeout=3_000)
        text = tooltip.inner_text()
        assert "Ambachtenbuurt (BU04840105)" in text
        assert "Gemeente: Alphen aan den Rijn" in text
        page.select_option("#laag", label="Inwoners van 65 jaar en ouder")
        page.mouse.move(box["x"] + x + 1, box["y"] + y)
        page.mouse.move(box["x"] + x, box["y"] + y)
        tooltip.wait_for(state="visible", timeout=3_000)
        text = tooltip.inner_text()
        assert "Inwoners van 65 jaar en ouder: 17 % van de inwoners" in text
        assert "vergelijkbare buurten" in text
        assert page.locator("[aria-label='Legenda Inwoners van 65 jaar en ouder']").is_visible()
        page.mouse.click(box["x"] + x, box["y"] + y)
        link = page.locator(".leaflet-popup-content a")
        assert link.get_attribute("href") == "GM0484/index.html"
        opened.check_clean()
    finally:
        page.close()


def test_overview_index_fits_a_phone(browser, overview):
    """Its table of gemeenten (613 px wide on a phone) scrolls inside its own box, not the page sideways."""
    opened = Opened(browser, overview.index, PHONE)
    try:
        opened.check_clean()
        assert opened.scroll_width() <= PHONE["width"]
        assert opened.page.locator(".tabelrol table").count() == 1
    finally:
        opened.page.close()


@pytest.mark.parametrize("name", ["index.html", "kaart.html"])
def test_overview_pages_accessible(browser, overview, name):
    opened = Opened(browser, overview.index.parent / name)
    try:
        if name == "kaart.html":
            opened.page.wait_for_function("window.OGW_KLAAR !== undefined", timeout=30_000)
        opened.check_clean()
        assert serious_violations(opened.page) == []
    finally:
        opened.page.close()
