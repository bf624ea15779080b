"""JSON Schemas of the files a user writes: the configuration, the indicator catalogue and the opgaven.

Generated from the pydantic models (their Dutch ``description`` and ``examples`` are what the editor shows), and
committed in ``config/`` so that an editor with the YAML language server completes and checks a file whose first
line names its schema (``# yaml-language-server: $schema=ogw-datalab.schema.json``). ``ogw-datalab schema``
prints them; a test keeps the committed files equal to the models, and ``make schemas`` writes all three again
(after a change to a model, a formula type or a reader kind).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from .config import GemeentenConfig, ProjectConfig
from .files import write_text_atomic
from .indicators.catalogue import Catalogue
from .indicators.opgaven import Opgaven

SchemaKind = Literal["configuratie", "indicatoren", "opgaven"]
# The file of each schema, in config/ beside the YAML files that name it.
SCHEMA_FILES: dict[str, str] = {
    "configuratie": "ogw-datalab.schema.json",
    "indicatoren": "ogw-datalab-indicatoren.schema.json",
    "opgaven": "ogw-datalab-opgaven.schema.json",
}
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def json_schema(kind: SchemaKind) -> dict[str, Any]:
    """Return the JSON Schema of a configuration file, an indicator catalogue or an opgaven file.

    The configuration's schema takes either gemeente (one gemeente, :class:`ProjectConfig`) or ``gemeenten``
    (several, :class:`GemeentenConfig`): a file that writes ``gemeenten`` is checked as the second.
    """
    if kind == "indicatoren":
        return _schema(Catalogue, "ogw-datalab: indicatorcatalogus", "De indicatoren: elk getal op een kaart.")
    if kind == "opgaven":
        return _schema(Opgaven, "ogw-datalab: opgaven", "De opgaven: waar het knelt en welke indicatoren dat tonen.")
    one, several = ProjectConfig.model_json_schema(), GemeentenConfig.model_json_schema()
    definitions = {**one.pop("$defs", {}), **several.pop("$defs", {})}
    definitions |= {"ProjectConfig": one, "GemeentenConfig": several}
    return {
        "$schema": DIALECT,
        "title": "ogw-datalab: configuratie",
        "description": "De configuratie van één gemeente ('gemeente:') of van meer gemeenten ('gemeenten:').",
        "type": "object",
        "if": {"required": ["gemeenten"]},
        "then": {"$ref": "#/$defs/GemeentenConfig"},
        "else": {"$ref": "#/$defs/ProjectConfig"},
        "$defs": dict(sorted(definitions.items())),
    }


def schema_text(kind: SchemaKind) -> str:
    """Return the schema as the committed file writes it: indented JSON, UTF-8 as it is, one newline at the end."""
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False) + "\n"


def write_schema_files(folder: Path) -> list[Path]:
    """Write every schema into its file in ``folder`` (each replaced whole, or left as it was)."""
    return [write_text_atomic(folder / name, schema_text(kind)) for kind, name in SCHEMA_FILES.items()]  # type: ignore[arg-type]


def _schema(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    schema = model.model_json_schema()
    return {"$schema": DIALECT, **schema, "title": title, "description": description}


if __name__ == "__main__":  # make schemas: python -m ogw_datalab.schemas config
    for written in write_schema_files(Path(sys.argv[1])):
        print(f"written: {written}")
