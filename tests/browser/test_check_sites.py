"""The scale benchmark's browser pass (``benchmarks/check_sites.py``) finds what is wrong with a gemeente site."""

from __future__ import annotations

from benchmarks.check_sites import check_sites

from .chromium import MARKS

pytestmark = MARKS  # browser and e2e, skipped without Chromium, as the other page tests

CLEAN = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
<body><main><h1>{title}</h1><p>Een buurt.</p></main></body></html>"""
BROKEN = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Kapot</title></head>
<body><main><h1>Kapot</h1><div style="width: 900px">breed</div><img src="https://example.org/x.png">
<script>nietBestaand();</script></main></body></html>"""


def test_a_clean_site_passes_and_a_broken_one_is_named_with_each_problem(tmp_path):
    clean, broken = tmp_path / "GM0001", tmp_path / "GM0002"
    for site, html in ((clean, CLEAN.format(title="Schoon")), (broken, BROKEN)):
        (site / "buurten").mkdir(parents=True)
        (site / "index.html").write_text(html, encoding="utf-8")
        (site / "opgave_groen.html").write_text(CLEAN.format(title="Groen"), encoding="utf-8")
        (site / "buurten" / "BU00010001.html").write_text(CLEAN.format(title="Buurt"), encoding="utf-8")

    sites, pages, failures = check_sites(tmp_path)

    assert (sites, pages) == (2, 6)
    assert all(f.startswith("GM0002/index.html: ") for f in failures), failures
    assert any("script error" in f and "nietBestaand" in f for f in failures), failures
    assert any("scrolls sideways" in f for f in failures), failures
    assert any("asked the network for https://example.org/x.png" in f for f in failures), failures
    assert any("image-alt" in f for f in failures), failures  # axe: an image without alt text is critical
