"""What the page tests share: Debian's Chromium, a page opened from disk with the network blocked, axe-core.

``MARKS`` are the marks of every page test (browser and e2e; skipped where Chromium is absent, except in CI, where
the ``browser`` fixture fails instead: ``.ci/run`` installs it). The fixture (one Chromium per test module) is in
``conftest.py`` beside this file.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
MISSING = f"no Chromium at {CHROMIUM}; .ci/run installs Debian's chromium"
AXE = Path(__file__).with_name("axe.min.js")
ARTIFACTS = PROJECT / "test-artifacts"
TILE_HOSTS = ("service.pdok.nl", "tile.openstreetmap.org")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
NARROW = {"width": 320, "height": 700}
MARKS = [
    pytest.mark.browser,
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason=MISSING),
]
# Every request that is not for a file: only these go through ``Opened._block`` (Playwright matches the pattern in
# the browser, so the page's own files load without a round trip to Python each).
OFF_DISK = re.compile(r"^(?!file:)")
SETTLED = "ogw-tab: everything before this has arrived"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Opened:
    """A page opened from disk: requests off the machine are blocked and recorded, errors and dialogs collected.

    Its own browser context (a fresh tab, as a reader opens one page). For many pages at one size use :class:`Tab`.
    """

    def __init__(self, browser, path: Path, viewport: dict | None = None, *, touch: bool = False):
        self.page = browser.new_page(viewport=viewport or DESKTOP, has_touch=touch, is_mobile=touch)
        self._watch()
        self.open(path)

    def _watch(self) -> None:
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.route(OFF_DISK, self._block)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))

    def open(self, path: Path) -> None:
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
        where = self.page.url
        assert self.errors == [], f"{where}: {self.errors}"  # this module's asserts are not rewritten by pytest
        assert self.dialogs == [], f"{where}: {self.dialogs}"
        assert all(any(host in url for host in TILE_HOSTS) for url in self.outside), self.outside

    def scroll_width(self) -> int:
        return self.page.evaluate("document.documentElement.scrollWidth")


class Tab(Opened):
    """One tab at one size for the checks of many pages in turn (use it in a ``with``).

    Each :meth:`open` navigates the same tab to the next page and forgets what the page before reported (its
    requests, errors and dialogs), once all of that has arrived (see :meth:`settle`), so :meth:`check_clean` judges
    the page that is open. axe-core comes with every page (a script of the tab, run before the page's own), so
    :func:`serious_violations` need not send it again. A page is checked for what :class:`Opened` checks; only the
    tab, its context and axe-core's 650 kB are not made anew for each page, which was most of a page check's time.
    """

    def __init__(self, browser, viewport: dict):
        self.context = browser.new_context(viewport=viewport)
        self.context.add_init_script(path=str(AXE))
        self.page = self.context.new_page()
        self._watch()

    def open(self, path: Path) -> None:
        if self.page.url != "about:blank":
            self.settle()
        self.outside.clear()
        self.errors.clear()
        self.dialogs.clear()
        super().open(path)

    def settle(self) -> None:
        """Wait until what the open page logged so far has arrived here: a page's messages arrive in the order it
        logged them, so a message it logs now comes after them (a late message may otherwise arrive after the next
        page has opened, and be taken for that page's)."""
        with self.page.expect_console_message(lambda message: message.text == SETTLED):
            self.page.evaluate(f"console.debug('{SETTLED}')")

    def __enter__(self) -> Tab:
        return self

    def __exit__(self, *exc) -> None:
        self.context.close()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations of the page.

    Only the violations are worked out in full (``resultTypes``): axe then gives the passed and inapplicable
    checks one example node each instead of a selector for every node, which is most of its time on a large page,
    and the page sends back only the violations. The rules that run, and so the violations found, are the same.

    Only the media are loaded before the rules that need them (``preload``), not the style sheets: of those rules
    only ``no-autoplay-audio`` (media) runs under these tags (``css-orientation-lock``, which reads the style
    sheets, is experimental and never runs), and a page opened from disk refuses axe's requests for its own style
    sheets, an error in the console that can arrive after the page was judged clean, even after the next page in
    the same tab opened (Chromium 156). With or without them, each page type gives the same rules and violations.
    """
    if not page.evaluate("typeof axe !== 'undefined'"):  # a :class:`Tab` has it already
        page.add_script_tag(path=str(AXE))
    tags = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']"
    options = (
        f"{{runOnly: {{type: 'tag', values: {tags}}}, resultTypes: ['violations'], preload: {{assets: ['media']}}}}"
    )
    violations = page.evaluate(f"async () => (await axe.run(document, {options})).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {v['nodes'][0]['target']}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
