"""The site of a gemeente configured by ``ogw-datalab init`` (Enschede, 70 buurten) passes the checks every page gets.

Opened from disk with the network blocked, on a phone the front page, the colofon, every opgave and indicator page, a
wijkprofiel and a buurtprofiel (on a desktop one page of each kind) draw without errors, fit the phone without
scrolling sideways, and have no serious or critical axe-core violation."""

from __future__ import annotations

import pytest

from ..init_labs import init_lab  # noqa: F401 - the session fixture
from .chromium import DESKTOP, MARKS, PHONE, Tab, serious_violations

pytestmark = MARKS  # browser and e2e, skipped without Chromium, as the other page tests


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["telefoon", "desktop"])
def test_the_site_init_configured_is_clean_in_chromium_offline(browser, init_lab, viewport):  # noqa: F811
    site = init_lab.site("GM0153")
    profiles = sorted((site / "buurten").glob("*.html"))
    wijken = sorted((site / "wijken").glob("*.html"))
    indicators = sorted(p for p in site.glob("*.html") if p.stem not in ("index", "colofon"))
    opgaven = [p for p in indicators if p.stem.startswith("opgave_")]
    assert len(opgaven) >= 3
    pages = [site / "index.html", site / "colofon.html", *indicators, wijken[0], profiles[len(profiles) // 2]]
    if viewport is DESKTOP:  # the layout of every page is the phone's concern; the desktop sees one of each kind
        pages = [site / "index.html", opgaven[0], site / "inwoners.html", profiles[0]]
    with Tab(browser, viewport) as tab:
        for path in pages:
            tab.open(path)
            tab.check_clean()
            if viewport is PHONE:
                assert tab.scroll_width() <= PHONE["width"], path
            assert serious_violations(tab.page) == [], path
