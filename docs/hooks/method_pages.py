"""MkDocs hook: the method pages of ``ogw_datalab/maps/methoden/`` become the docs' ``methoden/`` section.

Every published site renders the same markdown files into its own ``methoden/`` folder
(``ogw_datalab/maps/build_method_pages.py``), so that a site read offline, without these docs, still
explains its methods. One source serves both: edit the files in the package, never a copy here.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

SOURCE = Path(__file__).resolve().parents[2] / "ogw_datalab" / "maps" / "methoden"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add every ``*.md`` of the package's method folder as ``methoden/<name>.md``."""
    for path in sorted(SOURCE.glob("*.md")):
        files.append(File.generated(config, f"methoden/{path.name}", abs_src_path=str(path)))
    return files
