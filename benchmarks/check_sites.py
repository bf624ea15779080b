"""Browser checks of every gemeente site of a build of several gemeenten (the scale benchmark's "all" run).

Each site in ``<maps>/GMxxxx/`` gets the checks the test suite gives Alphen's pages and its ten-gemeente sample
(``tests/browser``): the front page, every opgave page and the middle buurtprofiel, opened from disk in Debian's
Chromium at 390 × 844 px with every request off the machine blocked, must run without script errors or dialogs,
ask nothing of the network but map tiles, fit the width without scrolling sideways, and have no serious or
critical axe-core violation (WCAG 2.1 A and AA).

Run: ``.venv/bin/python -m benchmarks.check_sites <maps folder>`` (``make benchmark-scale`` runs it on the largest
size). Prints one line per failed page and a summary; exits 1 when a page fails.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.browser.chromium import CHROMIUM, PHONE, TILE_HOSTS, Opened, serious_violations

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def pages_of(site: Path) -> list[Path]:
    """The pages checked of one gemeente site: front page, opgave pages, the middle buurtprofiel."""
    profiles = sorted((site / "buurten").glob("*.html"))
    middle = [profiles[len(profiles) // 2]] if profiles else []
    return [site / "index.html", *sorted(site.glob("opgave_*.html")), *middle]


def problems_of(browser, path: Path) -> list[str]:
    """What is wrong with one page (empty when it passes)."""
    opened = Opened(browser, path, PHONE)
    try:
        found = [f"script error: {e}" for e in opened.errors] + [f"dialog: {d}" for d in opened.dialogs]
        found += [f"asked the network for {url}" for url in opened.outside if not any(h in url for h in TILE_HOSTS)]
        width = opened.scroll_width()
        if width > PHONE["width"]:
            found.append(f"scrolls sideways ({width} px wide)")
        return found + serious_violations(opened.page)
    finally:
        opened.page.close()


def check_sites(maps: Path) -> tuple[int, int, list[str]]:
    """Check every ``GM*`` site under ``maps``; return sites checked, pages checked and the failures."""
    sites = sorted(p for p in maps.glob("GM*") if (p / "index.html").is_file())
    failures: list[str] = []
    checked = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for site in sites:
                for path in pages_of(site):
                    checked += 1
                    failures += [f"{path.relative_to(maps)}: {problem}" for problem in problems_of(browser, path)]
        finally:
            browser.close()
    return len(sites), checked, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("maps", type=Path, help="the maps folder of a build of several gemeenten")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        print(f"check_sites needs Chromium at {CHROMIUM} (Debian's chromium)")
        return 2
    started = time.perf_counter()
    sites, pages, failures = check_sites(args.maps)
    for failure in failures:
        print(f"  FAILED {failure}")
    print(
        f"sites: {sites} gemeente sites, {pages} pages checked in Chromium at 390 px in "
        f"{time.perf_counter() - started:.0f} s; {len(failures)} problems"
    )
    return 1 if failures or sites == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
