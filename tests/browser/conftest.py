"""One headless Chromium per page-test module (see ``chromium.py`` beside this file for what the tests share).

Per module, not per session: between two calls Playwright's sync API leaves its asyncio loop marked as running in
the test process, and a Chromium kept for the whole session would leave it so for every test after it in that
process (``asyncio.run`` refuses to start then). A launch takes about 0.4 s.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from ..services import unavailable
from .chromium import CHROMIUM, CHROMIUM_ARGS, MISSING


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        unavailable(MISSING)  # a skip locally; in CI a failure, never a silent pass
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
