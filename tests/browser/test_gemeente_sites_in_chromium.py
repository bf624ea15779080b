"""Every gemeente site of a configuration of several gemeenten passes the checks Alphen's pages pass: a sample of
ten gemeenten of the 2015 national files (small and large, six regions), opened from disk with the network blocked
on a phone: front page, each opgave page and a buurtprofiel draw without errors, fit 390 px without scrolling
sideways, and have no serious or critical axe-core violation."""

from __future__ import annotations

import pytest

from ..labs import REGION_SAMPLE
from .chromium import MARKS, PHONE, Tab, serious_violations

pytestmark = MARKS  # browser and e2e, skipped without Chromium, as the other page tests


@pytest.mark.parametrize("code", REGION_SAMPLE)
def test_each_gemeente_site_is_clean_accessible_and_fits_a_phone(browser, region_lab, code):
    site = region_lab.maps / code
    profiles = sorted((site / "buurten").glob("*.html"))
    pages = [site / "index.html", *sorted(site.glob("opgave_*.html")), profiles[len(profiles) // 2]]
    assert len(pages) >= 4, pages  # the national catalogue has three opgaven
    with Tab(browser, PHONE) as tab:
        for path in pages:
            tab.open(path)
            tab.check_clean()
            assert tab.scroll_width() <= PHONE["width"], path
            assert serious_violations(tab.page) == [], path
