"""The documentation site: its generated reference follows the models, and it works from disk without a network.

``make docs`` runs ``docs/scripts/generate_pages.py`` and then ``mkdocs build --strict``. The reference of the
configuration, the catalogue and the opgaven file is generated from the pydantic models, so every key a file may
have must be in it, with its default; the tables of formula types and reader kinds come from their registries.
The built site must load nothing from another host (its search's Web Worker shim is vendored), so a data team can
read it offline, from ``site/index.html``.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from ogw_datalab.config import GemeentenConfig, ProjectConfig
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.formulas import FORMULAS
from ogw_datalab.indicators.opgaven import Opgaven
from ogw_datalab.reader_kinds import READER_KINDS

PROJECT = Path(__file__).resolve().parents[1]
EXTERNAL = re.compile(r"""<(?:script|link|img)\b[^>]*\b(?:src|href)\s*=\s*["']((?:https?:)?//[^"']+)""", re.I)


def generator():
    """The script ``make docs`` runs (docs/scripts is not a package)."""
    if "generate_pages" not in sys.modules:
        path = PROJECT / "docs" / "scripts" / "generate_pages.py"
        spec = importlib.util.spec_from_file_location("generate_pages", path)
        assert spec is not None
        assert spec.loader is not None
        sys.modules["generate_pages"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["generate_pages"])
    return sys.modules["generate_pages"]


def section_of(text: str, anchor: str) -> str:
    start = text.index(f"{{#{anchor}}}")
    end = text.find("\n### ", start)
    return text[start : end if end >= 0 else len(text)]


def test_the_reference_has_every_key_of_every_model_in_its_section(tmp_path):
    pages = generator()
    text = (tmp_path / "configuratie.md").read_text(encoding="utf-8") if pages.write_pages(tmp_path) else ""
    for root in (ProjectConfig, GemeentenConfig, Catalogue, Opgaven):
        for section in pages.sections(root):
            body = section_of(text, pages.anchor(section.model))
            for key, _, _ in pages.model_fields(section.model):
                assert f"| `{key}` |" in body, f"{section.model.__name__}.{key} is missing from the reference"
    assert "config_file" not in text  # set by the loader, never written
    privacy = section_of(text, "privacy")
    assert re.search(r"\| `min_inwoners` \| geheel getal \(≥ 0\) \| `50` \|", privacy)
    assert "| `modelschatting` | tekst of leeg | leeg |" in section_of(text, "indicator")
    kinds = ", ".join(f"`{k}`" for k in READER_KINDS)
    assert f"een van {kinds}" in section_of(text, "source")


def test_a_new_nested_model_gets_its_own_section_linked_from_where_it_is_used():
    pages = generator()

    class Binnen(BaseModel):
        """Een deel dat in een lijst en per naam voorkomt."""

        drempel: float = Field(2.5, gt=0, description="een drempel")
        soort: Literal["a", "b"] = "a"

    class Buiten(BaseModel):
        """Het hele bestand."""

        delen: list[Binnen] = Field(default_factory=list)
        per_naam: dict[str, Binnen] = Field(default_factory=dict)
        jaren: dict[int, Path] = Field(default_factory=dict, description="per jaar een bestand")

    found = pages.sections(Buiten)
    assert [(s.model, s.paths) for s in found] == [(Buiten, []), (Binnen, ["delen[]", "per_naam.<naam>"])]
    inner = pages.section_markdown(found[1], "###", set())
    assert inner.startswith("### `delen[]` {#binnen}")
    assert "Ook bij: `per_naam.<naam>`." in inner
    assert "| `drempel` | getal (> 0) | `2.5` | een drempel |" in inner
    assert "| `soort` | een van `a`, `b` | `a` |  |" in inner
    outer = pages.section_markdown(found[0], "###", set())
    assert "| `delen` | lijst van [Binnen](#binnen) | geen |  |" in outer
    assert "| `jaren` | per jaar: pad | geen | per jaar een bestand |" in outer


def test_the_tables_of_formula_types_and_reader_kinds_have_a_row_per_registry_entry(tmp_path):
    pages = generator()
    pages.write_pages(tmp_path)
    formulas = (tmp_path / "formuletypen.md").read_text(encoding="utf-8")
    rows = [line for line in formulas.splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(FORMULAS)
    kinds = (tmp_path / "soorten.md").read_text(encoding="utf-8")
    assert [line.split("`")[1] for line in kinds.splitlines() if line.startswith("| `")] == list(READER_KINDS)
    assert "Het aandeel woningen dat aan de hele 3-30-300-regel voldoet" in formulas  # the colophon's own sentence


def test_the_site_builds_strictly_and_asks_nothing_of_the_network(tmp_path):
    generator().write_pages()  # what make docs does first (docs/_generated is git-ignored)
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "-d", str(site)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pages = [p for p in site.rglob("*.html") if p.name != "404.html"]
    assert len(pages) >= 12
    loads = {m for page in pages for m in EXTERNAL.findall(page.read_text(encoding="utf-8"))}
    assert loads == set()
    assert (site / "search" / "search_index.js").is_file()  # the index as a script: search works from file://
    assert (site / "assets" / "iframe-worker" / "shim.js").is_file()
    for name in ("onderdrukking", "scores", "drie-dertig-driehonderd", "modelschattingen"):
        assert (site / "methoden" / f"{name}.html").is_file()
