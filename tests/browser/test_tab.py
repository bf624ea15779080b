"""The tab the page checks share (``chromium.Tab``) judges each page on its own and checks as much as a fresh tab.

Pages written here: one with a script error, a dialog, a request off the machine and an image without alt text,
then a clean one with a script of its own beside it. Each fault is found on its page and forgotten on the next, the
page's own files load from disk, and axe-core (brought by the tab) finds the violation a fresh tab finds. And
axe-core judges a page by its style sheet without asking for the sheet itself (a page from disk refuses that, an
error that could arrive late and be taken for the next page's).
"""

from __future__ import annotations

from .chromium import MARKS, PHONE, Opened, Tab, serious_violations

pytestmark = MARKS

HEAD = '<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>{0}</title>{1}</head>'
BROKEN = HEAD.format("Kapot", "") + (
    '<body><main><h1>Kapot</h1><img src="https://example.org/x.png">'
    "<script>alert('hallo'); nietBestaand();</script></main></body></html>"
)
CLEAN = HEAD.format("Schoon", '<script src="eigen.js"></script>') + "<body><main><h1>Schoon</h1></main></body></html>"


def test_a_tab_reports_each_fault_on_its_own_page_and_loads_the_files_of_the_next(browser, tmp_path):
    broken, clean = tmp_path / "kapot.html", tmp_path / "schoon.html"
    broken.write_text(BROKEN, encoding="utf-8")
    clean.write_text(CLEAN, encoding="utf-8")
    (tmp_path / "eigen.js").write_text("window.EIGEN = 42;", encoding="utf-8")
    fresh = Opened(browser, broken, PHONE)
    try:
        expected = serious_violations(fresh.page)
    finally:
        fresh.page.close()
    assert any(v.startswith("image-alt (critical)") for v in expected), expected
    with Tab(browser, PHONE) as tab:
        tab.open(broken)
        assert any("nietBestaand" in e for e in tab.errors), tab.errors
        assert tab.dialogs == ["hallo"]
        assert tab.outside == ["https://example.org/x.png"]
        assert serious_violations(tab.page) == expected
        tab.open(clean)
        assert (tab.errors, tab.dialogs, tab.outside) == ([], [], [])
        assert tab.page.evaluate("window.EIGEN") == 42  # its own script, from disk
        tab.check_clean()
        assert serious_violations(tab.page) == []
        tab.open(broken)
        assert tab.outside == ["https://example.org/x.png"]
        assert serious_violations(tab.page) == expected


def test_axe_judges_the_colours_of_a_style_sheet_without_asking_for_the_sheet(browser, tmp_path):
    (tmp_path / "grijs.css").write_text("p { color: #bbb; background: #fff; }", encoding="utf-8")
    grey = tmp_path / "grijs.html"
    grey.write_text(
        HEAD.format("Grijs", '<link rel="stylesheet" href="grijs.css">')
        + "<body><main><h1>Grijs</h1><p>Lichtgrijze tekst op wit</p></main></body></html>",
        encoding="utf-8",
    )
    with Tab(browser, PHONE) as tab:
        tab.open(grey)
        asked: list[str] = []
        tab.page.on("request", lambda request: asked.append(request.url))
        violations = serious_violations(tab.page)
        tab.settle()
        assert any(v.startswith("color-contrast (serious)") for v in violations), violations
        assert asked == []
        tab.check_clean()
