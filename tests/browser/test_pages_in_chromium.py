"""The published pages in headless Chromium, opened from disk with every non-local request blocked.

They must draw without internet (only map tiles may try to leave), log no errors, reflow to 320 px
without scrolling sideways, give the map the full width on a phone, speak Dutch (Leaflet's controls
too), show one background map at a time, search forgivingly by keyboard, lead from the map to a
buurtprofiel and back, print on A4 with the map, show data as text (never run it), and have no serious
or critical WCAG 2.1 AA violation according to axe-core at phone and desktop size. Needs Debian's
chromium (``.ci/run`` installs it). Screenshots land in ``test-artifacts/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from ogw_datalab.duckdb_connection import connect
from ogw_datalab.maps.build_site import build_site

from ..site_fixture import tiny_project, write_similar_tables, write_tijdreeks, write_tiny_tables
from .chromium import ARTIFACTS, DESKTOP, MARKS, NARROW, PHONE, Opened, Tab, serious_violations

A4_POINTS = (595.92, 841.92)
pytestmark = MARKS


# The open tooltip, read in one go (a tooltip can close between two calls); one that is fading out after its buurt
# was left (opacity 0, removed 200 ms later) is not it.
TOOLTIP = """() => {
    const t = [...document.querySelectorAll('.leaflet-tooltip')]
        .find(e => e.offsetParent !== null && e.style.opacity !== '0');
    if (!t) return null;
    const r = t.getBoundingClientRect();
    return {box: {x: r.x, y: r.y, width: r.width, height: r.height}, text: t.innerText,
            overflow: [...t.children].some(c => c.scrollWidth > c.clientWidth + 1)};
}"""
# A map tile from ``host`` that the browser asked for and did not get: its request passed ``Opened._block``.
FAILED_TILE = """host => [...document.querySelectorAll('img.leaflet-tile')]
    .some(t => t.src.includes(host) && t.complete && t.naturalWidth === 0)"""


def tooltip_after_hover(page, timeout_ms: float) -> dict | None:
    """The tooltip (see TOOLTIP) as soon as one is open after the mouse moved, or None when none opens in time
    (the mouse is over no buurt: the centre of a concave buurt's box may lie outside it)."""
    try:
        return page.wait_for_function(TOOLTIP, timeout=timeout_ms).json_value()
    except PlaywrightTimeoutError:
        return None


def all_pages(site: Path) -> list[Path]:
    return (
        sorted(site.glob("*.html"))
        + sorted(site.glob("methoden/*.html"))
        + sorted(site.glob("wijken/*.html"))
        + sorted(site.glob("buurten/*.html"))
    )


def page_types(site: Path, buurten: list[str]) -> list[Path]:
    """Every page that is not a profile (the method pages too), and profiles of the given buurten and two wijken."""
    return [
        *sorted(site.glob("*.html")),
        *sorted(site.glob("methoden/*.html")),
        *sorted(site.glob("wijken/*.html"))[:2],
        *[site / "buurten" / f"{code}.html" for code in buurten],
    ]


# a central buurt, a buurt with withheld values and kiemen, a village
DEMO_PROFILES = ["BU99990100", "BU99990500", "BU99990601"]
ALPHEN_PROFILES = ["BU04840106", "BU04840305", "BU04849680"]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["telefoon", "desktop"])
@pytest.mark.parametrize("lab", ["demo", "alphen"])
def test_every_page_type_is_clean_accessible_and_fits(browser, request, lab, viewport):
    built = request.getfixturevalue(f"{lab}_lab")
    pages = page_types(built.maps, DEMO_PROFILES if lab == "demo" else ALPHEN_PROFILES)
    assert all(p.is_file() for p in pages)
    problems = []
    with Tab(browser, viewport) as tab:
        for path in pages:
            tab.open(path)
            tab.check_clean()
            name = str(path.relative_to(built.maps))
            if tab.scroll_width() > viewport["width"]:
                problems.append(f"{name}: scrolls sideways ({tab.scroll_width()} px)")
            problems += [f"{name} ({viewport['width']} px): {v}" for v in serious_violations(tab.page)]
    assert problems == []


@pytest.mark.parametrize("lab", ["demo", "alphen"])
def test_no_page_scrolls_sideways_at_320_px(browser, request, lab):
    built = request.getfixturevalue(f"{lab}_lab")
    pages = all_pages(built.maps)
    assert len([p for p in pages if p.parent.name == "buurten"]) >= 46
    opened = Opened(browser, pages[0], NARROW)
    wide = []
    try:
        for path in pages:
            opened.open(path)
            if opened.scroll_width() > NARROW["width"]:
                wide.append((str(path.relative_to(built.maps)), opened.scroll_width()))
        opened.check_clean()
    finally:
        opened.page.close()
    assert wide == []


def test_phone_map_takes_the_width_with_the_controls_below_and_zoom_allowed(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "opgave_meer_groen.html", PHONE)
    page = opened.page
    try:
        viewport = page.locator('meta[name="viewport"]').get_attribute("content")
        assert "user-scalable" not in viewport
        assert "maximum-scale" not in viewport
        kaart = page.locator("#kaart").bounding_box()
        assert kaart["width"] >= 0.9 * PHONE["width"]
        assert kaart["height"] >= 300
        assert page.locator(".zijbalk").bounding_box()["y"] >= kaart["y"] + kaart["height"]  # legend below the map
        # What the map says comes first, as on a desktop and in the page's reading order (it came after the legend,
        # the hefbomen and the downloads, some 1,900 px down: a review)
        summary = page.locator(".kerncijfers-blok").bounding_box()
        assert summary["y"] + summary["height"] <= kaart["y"]
        # The table's first figure, the score, is in view beside the buurt without swiping
        assert page.locator("#waarden thead th").nth(1).inner_text().startswith("Score")
        assert_first_figure_in_view(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "telefoon-opgave.png"))
        opened.check_clean()
    finally:
        page.close()
    opened = Opened(browser, demo_lab.maps / "kale_huur_gemiddeld.html", PHONE)  # "corporatiewoningen" in its title
    try:
        assert_first_figure_in_view(opened.page)
        opened.check_clean()
    finally:
        opened.page.close()


def assert_first_figure_in_view(page) -> None:
    """The buurt and the page's own figure (its header and every row's value, right-aligned) fit the phone's width."""
    header = page.locator("#waarden thead th").nth(1).bounding_box()
    assert header["x"] + header["width"] <= PHONE["width"]
    right = page.locator("#waarden tbody tr td:nth-child(2)").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().right)"
    )
    assert right
    assert max(right) <= PHONE["width"]


def test_leaflet_speaks_dutch_metric_and_shows_one_background_at_a_time(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "opgave_meer_groen.html")
    page = opened.page
    try:
        assert page.locator(".leaflet-control-zoom-in").get_attribute("title") == "Inzoomen"
        assert page.locator(".leaflet-control-zoom-out").get_attribute("title") == "Uitzoomen"
        assert page.locator(".leaflet-control-layers-toggle").get_attribute("title") == "Achtergrondkaart en lagen"
        scales = page.locator(".leaflet-control-scale-line")
        assert scales.count() == 1
        assert re.fullmatch(r"\d+ k?m", scales.inner_text().strip())
        page.wait_for_function(FAILED_TILE, arg="achtergrondkaart/wmts/v2_0/grijs", timeout=3000)
        assert opened.outside
        assert all("achtergrondkaart/wmts/v2_0/grijs" in url for url in opened.outside)
        page.locator("#kaart-melding").wait_for(state="visible", timeout=3000)  # says why the background is plain
        assert "zonder-achtergrond" in page.locator("#kaart").get_attribute("class")
        attribution = page.locator(".leaflet-control-attribution").inner_text()
        assert attribution.startswith("Leaflet | Kaartgegevens © Kadaster")
        opened.outside.clear()
        page.hover(".leaflet-control-layers")
        page.get_by_label("OpenStreetMap").check()
        page.wait_for_function(FAILED_TILE, arg="tile.openstreetmap.org", timeout=3000)
        assert opened.outside
        assert all("tile.openstreetmap.org" in url for url in opened.outside)
        backgrounds = page.evaluate(
            "() => { let n = 0; OGW.map.eachLayer(l => { if (l instanceof L.TileLayer) n += 1; }); return n; }"
        )
        assert backgrounds == 1
        opened.check_clean()
    finally:
        page.close()


def test_search_finds_part_of_a_name_without_accents_by_keyboard(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "opgave_meer_groen.html")
    page = opened.page
    try:
        zoom_before = page.evaluate("OGW.map.getZoom()")
        page.click("#zoek-buurt")
        page.keyboard.type("bínn")  # part of the name, with an accent the name does not have
        options = page.locator("#zoek-lijst [role=option]")
        options.first.wait_for(state="visible", timeout=3000)
        assert "Binnenstad" in options.first.inner_text()
        assert page.locator("#zoek-buurt").get_attribute("aria-expanded") == "true"
        page.keyboard.press("ArrowDown")
        assert page.locator("#zoek-buurt").get_attribute("aria-activedescendant") == "zoek-optie-0"
        page.keyboard.press("Enter")
        assert "Ingezoomd op Binnenstad" in page.locator("#zoek-status").inner_text()
        assert page.locator("#zoek-status a").get_attribute("href") == "buurten/BU99990100.html"
        page.wait_for_function(f"OGW.map.getZoom() > {zoom_before}", timeout=3000)
        page.fill("#zoek-buurt", "")
        page.keyboard.type("0100")  # a code
        assert "Binnenstad" in options.first.inner_text()
        page.fill("#zoek-buurt", "")
        page.keyboard.type("noord")  # a word inside names: Waardhoven-Noord, Noorderhof, ...
        assert options.count() >= 3
        index = (demo_lab.maps / "zoekindex.js").read_text(encoding="utf-8")
        postcode, buurtcode = re.search(r'"(\d{4}[A-Z]{2})":"(BU\d{8})"', index).groups()
        page.fill("#zoek-buurt", "")
        page.keyboard.type(f"{postcode[:4]} {postcode[4:].lower()}")
        assert "postcode in" in options.first.inner_text()
        page.keyboard.press("Enter")
        assert buurtcode in page.locator("#zoek-status a").get_attribute("href")
        opened.check_clean()
    finally:
        page.close()


def test_search_on_the_front_page_opens_the_buurtprofiel(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "index.html")
    page = opened.page
    try:
        page.click("#zoek-buurt")
        page.keyboard.type("kerkb")
        page.locator("#zoek-lijst [role=option]").first.wait_for(state="visible", timeout=3000)
        page.keyboard.press("Enter")
        page.wait_for_url("**/buurten/BU99990102.html")
        assert page.locator("h1").inner_text() == "Kerkbuurt"
        opened.check_clean()
    finally:
        page.close()


def test_a_tap_on_a_phone_opens_the_popup_and_no_tooltip_over_it(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "opgave_meer_groen.html", PHONE, touch=True)
    page = opened.page
    try:
        page.evaluate("OGW.map.setZoom(OGW.map.getZoom() + 1)")
        page.locator("#kaart").scroll_into_view_if_needed()  # below the key figures, as a reader scrolls to it
        popup = page.locator(".leaflet-popup-content")
        for i in range(20):
            area = page.locator("path.leaflet-interactive").nth(i).bounding_box()
            if not area or area["width"] < 30 or area["y"] < 0 or area["y"] + area["height"] / 2 > PHONE["height"]:
                continue
            page.touchscreen.tap(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
            if popup.count():
                break
        popup.wait_for(state="visible", timeout=3000)
        assert "Buurtprofiel van " in popup.inner_text()
        page.wait_for_function("!document.querySelector('.leaflet-tooltip')", timeout=3000)  # it went
        opened.check_clean()
    finally:
        page.close()


def test_click_on_the_map_leads_to_the_buurtprofiel_and_back(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "opgave_meer_groen.html")
    page = opened.page
    try:
        opened.page.evaluate("OGW.map.setZoom(OGW.map.getZoom() + 1)")  # buurten big enough to hit, not markers
        popup = page.locator(".leaflet-popup-content a")
        for i in range(20):
            area = page.locator("path.leaflet-interactive").nth(i).bounding_box()
            if not area or area["width"] < 30:
                continue
            page.mouse.click(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
            if popup.count():
                break
        assert popup.count() == 1
        assert popup.inner_text().startswith("Buurtprofiel van ")
        assert page.locator(".leaflet-popup-close-button").get_attribute("aria-label") == "Sluiten"
        name = popup.inner_text().removeprefix("Buurtprofiel van ")
        popup.click()
        page.wait_for_url("**/buurten/BU*.html")
        assert page.locator("h1").inner_text() == name
        page.go_back()
        page.wait_for_url("**/opgave_meer_groen.html")
        page.locator("path.leaflet-interactive").first.wait_for(state="attached")
        page.go_forward()
        page.locator("a[href$='opgave_meer_groen.html#" + page.url.rsplit("/", 1)[1][:-5] + "']").click()
        page.locator(".leaflet-popup-content").wait_for(state="visible", timeout=3000)
        assert name in page.locator(".leaflet-popup-content").inner_text()  # the map opens at that buurt
        opened.check_clean()
    finally:
        page.close()


def test_layers_tooltip_and_sorting(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "opgave_meer_groen.html")
    page = opened.page
    try:
        fills, prints = set(), set()
        options = page.locator("#kaartlaag option")
        for i in range(options.count()):
            page.select_option("#kaartlaag", index=i)
            fills.add(
                tuple(
                    page.locator("path.leaflet-interactive").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
                )
            )
            prints.add(
                tuple(page.locator(".printkaart-svg path").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))"))
            )
            assert page.locator(f"[data-legenda='{options.nth(i).get_attribute('value')}']").is_visible()
        assert len(fills) > 1
        assert len(prints) == len(fills)
        page.select_option("#kaartlaag", index=0)
        tooltip = None
        for i in range(12):  # the centre of a concave buurt's box may lie outside it, or under a marker
            area = page.locator("path.leaflet-interactive").nth(i).bounding_box()
            page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
            tooltip = tooltip_after_hover(page, 150)
            if tooltip is not None:
                break
        assert tooltip is not None
        text = tooltip["text"]
        assert re.search(r"Rang \d+ van \d+ .*\(1 = vraagt de meeste aandacht\)", text)
        assert "van 100" in text
        header = page.locator("#waarden th[data-kolom='1']")  # the score beside the buurt: in view on a phone
        assert header.inner_text().startswith("Score")
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending"
        scores = page.locator("#waarden tbody tr td:nth-child(2)").evaluate_all(
            "cells => cells.map(c => parseFloat(c.getAttribute('data-sort')))"
        )
        present = [s for s in scores if s == s]
        assert present == sorted(present)
        assert len(present) >= 40
        opened.check_clean()
    finally:
        page.close()


def test_tooltips_wrap_and_stay_inside_the_map(browser, demo_lab):
    opened = Opened(browser, demo_lab.maps / "opgave_gezond_en_veilig.html")  # long lists of drivers
    page = opened.page
    try:
        map_box = page.locator(".leaflet-container").bounding_box()
        seen, problems = 0, []
        for i in range(min(30, page.locator("path.leaflet-interactive").count())):
            area = page.locator("path.leaflet-interactive").nth(i).bounding_box()
            page.mouse.move(area["x"] + area["width"] / 2, area["y"] + area["height"] / 2)
            tooltip = tooltip_after_hover(page, 100)
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
        assert seen >= 5, problems
        assert not problems, problems
        opened.check_clean()
    finally:
        page.close()


def pdf_pages(pdf: bytes) -> list[tuple[float, float]]:
    """Width and height in points of every page of a PDF that Chromium wrote."""
    boxes = re.findall(rb"/Type\s*/Page\b.*?/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf, flags=re.S)
    return [(float(w), float(h)) for w, h in boxes]


@pytest.mark.parametrize(
    ("name", "picture", "most"),
    [("opgave_meer_groen.html", ".printkaart-svg", 4), ("buurten/BU99990100.html", ".inzoom", 4)],
)
def test_pages_print_on_a4_with_the_map_and_without_controls(browser, demo_lab, name, picture, most):
    opened = Opened(browser, demo_lab.maps / name)
    page = opened.page
    try:
        page.emulate_media(media="print")
        box = page.locator(picture).bounding_box()
        assert box is not None
        assert box["width"] > 200
        assert box["height"] > 150
        assert box["y"] < 1000  # on the first sheet (A4 is about 1,050 CSS pixels tall inside the margins)
        for control in (".zoeken", "#kaartlaag", ".leaflet-control-container", ".downloads", ".skip"):
            hidden = page.locator(control)
            assert hidden.count() == 0 or not hidden.first.is_visible(), control
        if picture == ".printkaart-svg":
            assert page.locator(".legenda:not([hidden])").is_visible()
            assert page.locator("#waarden").is_visible()
        assert "Bronnen:" in page.locator(".voet").inner_text()
        pdf = page.pdf(format="A4", print_background=True)
        sheets = pdf_pages(pdf)
        assert 1 <= len(sheets) <= most, len(sheets)
        assert all(abs(w - A4_POINTS[0]) < 1 and abs(h - A4_POINTS[1]) < 1 for w, h in sheets)  # A4 portrait
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / f"print-{name.replace('/', '-')}.pdf").write_bytes(pdf)
        opened.check_clean()
    finally:
        page.close()


def test_names_from_data_show_as_text_and_run_nothing(browser, tmp_path):
    attack = "<img src=x onerror=alert(1)></script><script>alert(2)</script>"
    config, catalogue, opgaven = tiny_project(tmp_path)
    con = connect(":memory:")
    write_tiny_tables(con, names=[attack, "Zuidoost", "Noordwest", "Noordoost"])
    site = build_site(con, config=config, catalogue=catalogue, opgaven=opgaven, folder=tmp_path / "site").folder
    con.close()
    opened = Opened(browser, site / "opgave_groen.html")
    page = opened.page
    try:
        area = page.locator("path.leaflet-interactive").first.bounding_box()
        page.mouse.move(area["x"] + area["width"] / 4, area["y"] + area["height"] / 4)
        page.locator(".leaflet-tooltip").wait_for(state="visible", timeout=3000)
        assert "<img src=x onerror=alert(1)>" in page.locator(".leaflet-tooltip").inner_text()
        page.click("#zoek-buurt")
        page.keyboard.type("img")
        assert "<img src=x" in page.locator("#zoek-lijst [role=option]").first.inner_text()
        opened.open(site / "buurten" / "BU00010001.html")
        assert "<img src=x" in page.locator("h1").inner_text()
        opened.check_clean()
    finally:
        page.close()


@pytest.fixture(scope="module")
def sensor_site(tmp_path_factory):
    """The tiny site with a sensor time series and vergelijkbare buurten (see tests/site_fixture.py)."""
    folder = tmp_path_factory.mktemp("sensoren")
    config, catalogue, opgaven = tiny_project(folder, tijdreeks=True, vergelijkbaar=True)
    con = connect(":memory:")
    write_tiny_tables(con)
    write_tijdreeks(con, config, folder)
    write_similar_tables(con)
    site = build_site(con, config=config, catalogue=catalogue, opgaven=opgaven, folder=folder / "site").folder
    con.close()
    return site


@pytest.mark.parametrize("viewport", [NARROW, PHONE], ids=["320", "telefoon"])
def test_time_chart_and_sensor_layer_render_offline_on_a_phone(browser, sensor_site, viewport):
    opened = Opened(browser, sensor_site / "buurten" / "BU00010001.html", viewport)
    page = opened.page
    try:
        charts = page.locator("svg.tijdlijn")
        assert charts.count() == 2  # NO2 and PM2.5
        box = charts.first.bounding_box()
        assert box["width"] > 0.6 * viewport["width"]
        assert box["x"] + box["width"] <= viewport["width"]
        assert page.locator("svg.tijdlijn circle").count() == 3  # June and July NO2, July PM2.5
        assert opened.scroll_width() <= viewport["width"]
        page.locator(".reeks summary").first.click()
        assert "30,0" in page.locator(".reeks table").first.inner_text()
        opened.check_clean()
        assert serious_violations(page) == []
    finally:
        page.close()
    opened = Opened(browser, sensor_site / "no2_gemiddelde.html", viewport)
    page = opened.page
    try:
        page.wait_for_selector("path.sensor")
        assert page.locator("path.sensor").count() == 2
        marker = page.locator("path.sensor").first.bounding_box()
        page.mouse.move(marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] / 2)
        tooltip = page.locator(".leaflet-tooltip")
        tooltip.wait_for(state="visible", timeout=3000)
        assert "uurwaarden gebruikt" in tooltip.inner_text()
        assert opened.scroll_width() <= viewport["width"]
        opened.check_clean()
    finally:
        page.close()


def test_demo_buurtprofiel_shows_the_sensor_chart_offline_on_a_phone(browser, demo_lab):
    """Binnenstad has one low-cost NO2 sensor of the demo's network (and no PM sensor): its monthly chart draws from
    disk at 390 px, the table alternative reads the built figures, nothing scrolls sideways and axe finds nothing
    serious; the opgave Gezonde lucht shows every sensor of the network as a point."""
    con = connect(demo_lab.database, read_only=True)
    months = con.execute(
        "SELECT gemiddelde, geldige_dagen, dagen_boven_richtlijn FROM joined.tijdreeks_lucht_maand "
        "WHERE buurtcode = 'BU99990100' AND grootheid = 'NO2' ORDER BY maand"
    ).fetchall()
    con.close()
    assert len(months) == 3  # March, April, May 2024
    opened = Opened(browser, demo_lab.maps / "buurten" / "BU99990100.html", PHONE)
    page = opened.page
    try:
        charts = page.locator("svg.tijdlijn")
        assert charts.count() == 1
        box = charts.first.bounding_box()
        assert box["width"] > 0.6 * PHONE["width"]
        assert box["x"] + box["width"] <= PHONE["width"]
        assert page.locator("svg.tijdlijn circle").count() == 3
        assert page.get_by_text("Geen meetpunt in of bij deze buurt.").count() == 2  # PM10 and PM2.5
        page.locator(".reeks summary").first.click()
        table = page.locator(".reeks table").first.inner_text()
        for mean, days, above in months:
            assert f"{mean:.1f}".replace(".", ",") + "\xa0µg/m³" in table
            assert f"{above} van {days} volle dagen" in table
        assert opened.scroll_width() <= PHONE["width"]
        opened.check_clean()
        assert serious_violations(page) == []
    finally:
        page.close()
    opened = Opened(browser, demo_lab.maps / "opgave_gezonde_lucht.html", PHONE)
    page = opened.page
    try:
        page.wait_for_selector("path.sensor")
        assert page.locator("path.sensor").count() == 15  # 10 low-cost NO2, the GGD station, 4 PM sensors
        assert opened.scroll_width() <= PHONE["width"]
        opened.check_clean()
    finally:
        page.close()
