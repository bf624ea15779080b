"""Every declared dependency is used, and every asset's kinds name only what the project really uses."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import tomllib
from pathlib import Path

from pipelines.definitions import defs

PROJECT = Path(__file__).resolve().parents[1]
# Used without an import of their own: through another library's option, by name, or as a program. Each names the
# file and the text that uses it, so that an entry goes stale loudly when that use goes.
USED_OTHERWISE = {
    "openpyxl": ("ogw_datalab/readers/read_tables.py", 'engine="openpyxl"'),  # pandas.read_excel
    "duckdb-extension-spatial": ("ogw_datalab/duckdb_connection.py", 'import_module(f"duckdb_extension_{name}")'),
    "duckdb-extension-httpfs": ("ogw_datalab/duckdb_connection.py", 'find_shipped_extension("httpfs")'),
    "dagster-webserver": ("Makefile", "/dg dev"),  # dg dev serves the UI with dagster-webserver
    "dagster-dg-cli": ("Makefile", "/dg dev"),
    "dagster-celery": ("deploy/celery/dagster.yaml", "module: dagster_celery.launcher"),
}
FORMATS = {"html", "parquet", "csv", "gpkg", "geojson", "json", "png"}  # kinds that name a file format
VENDORED = {"leaflet": "ogw_datalab/maps/vendor/leaflet.js"}  # kinds of a library shipped as files, not installed
LIBRARY_OF_KIND = {"jinja": "jinja2", "postgres": "psycopg"}  # a kind named after its system, not its library


def declared() -> list[str]:
    """The runtime dependencies and the celery extra, as distribution names (lower case, '-' for '_')."""
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *project["optional-dependencies"]["celery"]]
    return [_normalise(re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0]) for r in requirements]


def imported_distributions() -> set[str]:
    """The distributions whose modules the library and the Dagster layer import."""
    modules = set()
    for path in [*(PROJECT / "ogw_datalab").rglob("*.py"), *(PROJECT / "pipelines").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    providers = importlib.metadata.packages_distributions()
    return {_normalise(d) for m in modules for d in providers.get(m, [])}


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def test_every_declared_dependency_is_used():
    imported = imported_distributions()
    unused = []
    for name in declared():
        if name in imported:
            continue
        if name in USED_OTHERWISE:
            file, text = USED_OTHERWISE[name]
            assert text in (PROJECT / file).read_text(encoding="utf-8"), f"{name}: '{text}' is no longer in {file}"
            continue
        unused.append(name)
    assert unused == [], f"declared in pyproject.toml but never used: {unused}"
    assert "folium" in imported  # the map pages are built with folium (ogw_datalab/maps/web_map.py)


def test_every_kind_of_an_asset_is_true():
    graph = defs.resolve_asset_graph()
    used = set(declared()) & (imported_distributions() | set(USED_OTHERWISE))
    for key in graph.get_all_asset_keys():
        for kind in graph.get(key).kinds:
            if kind in FORMATS:
                continue
            if kind in VENDORED:
                assert (PROJECT / VENDORED[kind]).is_file(), (key, kind)
                continue
            assert LIBRARY_OF_KIND.get(kind, kind) in used, f"{key.to_user_string()}: kind '{kind}' is not used"
