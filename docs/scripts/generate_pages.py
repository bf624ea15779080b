"""Write the documentation's generated parts into ``docs/_generated/`` (``make docs`` runs this before mkdocs).

- ``configuratie.md``: every key of the configuration, the indicator catalogue and the opgaven file, read from
  the pydantic models (key, type, default, description; every nested model its own section), so the reference
  follows the models and cannot drift from them;
- ``formuletypen.md``: every formula type of the registry (``ogw_datalab/indicators/formulas``), with its inputs,
  its sentence in Dutch (the colophon's), how wijk and gemeente follow and what privacy rests on;
- ``soorten.md``: every reader kind of the registry (``ogw_datalab/reader_kinds.py``);
- ``formuletabel.md``: the registry's own table of formula types, in English (``formula_table_markdown``), for the
  developers' page on extending.

The pages ``docs/handleiding/*.md`` include these files (``--8<--``, pymdownx.snippets). Run:
``.venv/bin/python docs/scripts/generate_pages.py [folder]``.
"""

from __future__ import annotations

import datetime as dt
import inspect
import sys
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import annotated_types
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "_generated"
# Set by the loader, never written in a file.
INTERNAL_FIELDS = {"config_file"}

BASIC = {str: "tekst", int: "geheel getal", float: "getal", bool: "`true` of `false`", Path: "pad", dt.date: "datum"}


@dataclass
class Section:
    """One model's section of the reference: where in the file it is used, and its fields."""

    model: type[BaseModel]
    paths: list[str] = field(default_factory=list)


def anchor(model: type[BaseModel]) -> str:
    """Return the section's anchor: the class name in lower case (stable when keys are renamed)."""
    return model.__name__.lower()


def _unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` (returning its metadata)."""
    metadata: list[Any] = []
    while typing.get_origin(annotation) is typing.Annotated:
        annotation, *extra = typing.get_args(annotation)
        metadata += extra
    return annotation, metadata


def _is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


def _union_args(annotation: Any) -> list[Any] | None:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return list(typing.get_args(annotation))
    return None


def nested_models(annotation: Any, path: str) -> Iterator[tuple[type[BaseModel], str]]:
    """Every model inside ``annotation`` with the path at which it appears in the file."""
    annotation, _ = _unwrap(annotation)
    if _is_model(annotation):
        yield annotation, path
        return
    union = _union_args(annotation)
    if union is not None:
        for arg in union:
            yield from nested_models(arg, path)
        return
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is list and args:
        yield from nested_models(args[0], f"{path}[]")
    elif origin is dict and len(args) == 2:
        key, _ = _unwrap(args[0])
        yield from nested_models(args[1], f"{path}.<{'jaar' if key is int else 'naam'}>")


def type_text(annotation: Any, prop: dict[str, Any]) -> str:
    """Say the type of a field in Dutch words, with links to the sections of nested models."""
    annotation, metadata = _unwrap(annotation)
    if "enum" in prop and annotation is str:  # a list of values set by the model (the reader kinds)
        return "een van " + ", ".join(f"`{v}`" for v in prop["enum"])
    union = _union_args(annotation)
    if union is not None:
        parts = [type_text(a, {}) for a in union if a is not type(None)]
        text = " of ".join(parts)
        return text + (" of leeg" if type(None) in union else "")
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "een van " + ", ".join(f"`{v}`" for v in args)
    if origin is list:
        return f"lijst van {type_text(args[0], {})}" if args else "lijst"
    if origin is tuple:
        return f"{len(args)} getallen" if all(a in (int, float) for a in args) else "reeks"
    if origin is dict:
        key, _ = _unwrap(args[0])
        return f"per {'jaar' if key is int else 'naam'}: {type_text(args[1], {})}"
    if _is_model(annotation):
        return f"[{annotation.__name__}](#{anchor(annotation)})"
    text = BASIC.get(annotation, getattr(annotation, "__name__", str(annotation)))
    return text + _constraints(metadata)


def _constraints(metadata: list[Any]) -> str:
    words = []
    for item in metadata:
        for name, sign in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<")):
            if isinstance(item, getattr(annotated_types, name.capitalize())):
                words.append(f"{sign} {getattr(item, name)}")
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            words.append(f"patroon `{pattern}`")
    return f" ({', '.join(words)})" if words else ""


def default_text(info: FieldInfo) -> str:
    """Write the default of a field as it would be written in YAML; required fields say so."""
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
    elif info.default is PydanticUndefined:
        return "**verplicht**"
    else:
        value = info.default
    if value is None:
        return "leeg"
    if isinstance(value, BaseModel):
        return "zie de sectie"
    if isinstance(value, Path):
        value = str(value)
    if value in ([], {}):
        return "geen"
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1000).strip()
    return f"`{text.removesuffix('...').strip()}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def model_fields(model: type[BaseModel]) -> list[tuple[str, FieldInfo, dict[str, Any]]]:
    """List the fields a file may have: those of the model's JSON Schema (by key), less the loader's own."""
    properties = model.model_json_schema()["properties"]
    found = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key in properties and key not in INTERNAL_FIELDS:
            found.append((key, info, properties[key]))
    return found


def sections(root: type[BaseModel], prefix: str = "") -> list[Section]:
    """List the root model and every model nested in it, breadth first, each once (with every path to it)."""
    found: dict[type[BaseModel], Section] = {root: Section(root, [prefix] if prefix else [])}
    queue = [(root, prefix)]
    while queue:
        model, path = queue.pop(0)
        for key, info, _ in model_fields(model):
            for nested, where in nested_models(info.annotation, f"{path}.{key}" if path else key):
                if nested not in found:
                    found[nested] = Section(nested)
                    queue.append((nested, where))
                if where not in found[nested].paths:
                    found[nested].paths.append(where)
    return list(found.values())


def first_paragraph(model: type[BaseModel]) -> str:
    """Return the first paragraph of the model's docstring (what the section is about)."""
    doc = inspect.getdoc(model) or ""
    return " ".join(doc.split("\n\n")[0].split())


def section_markdown(section: Section, level: str, seen: set[type[BaseModel]]) -> str:
    """One model as a heading, where it is used, and a table of its keys."""
    model = section.model
    title = f"`{section.paths[0]}`" if section.paths else model.__name__
    lines = [f"{level} {title} {{#{anchor(model)}}}", ""]
    about = first_paragraph(model)
    if about:
        lines += [about, ""]
    if len(section.paths) > 1:
        lines += ["Ook bij: " + ", ".join(f"`{p}`" for p in section.paths[1:]) + ".", ""]
    lines += ["| sleutel | type | standaard | omschrijving |", "| --- | --- | --- | --- |"]
    for key, info, prop in model_fields(model):
        lines.append(
            f"| `{key}` | {_cell(type_text(info.annotation, prop) + _constraints(info.metadata))} "
            f"| {_cell(default_text(info))} "
            f"| {_cell(info.description or '')} |"
        )
    seen.add(model)
    return "\n".join(lines) + "\n"


def reference_markdown() -> str:
    """Write the whole reference: one part per kind of file, its models as sections (each model once)."""
    from ogw_datalab.config import GemeentenConfig, ProjectConfig
    from ogw_datalab.indicators.catalogue import Catalogue
    from ogw_datalab.indicators.opgaven import Opgaven

    parts = [
        ("Configuratie van één gemeente", ProjectConfig, "config/demo.yaml, config/alphen.yaml"),
        ("Configuratie van meerdere gemeenten", GemeentenConfig, "config/nederland_2015.yaml"),
        ("Indicatorencatalogus", Catalogue, "config/demo_indicatoren.yaml"),
        ("Opgavenbestand", Opgaven, "config/demo_opgaven.yaml"),
    ]
    seen: set[type[BaseModel]] = set()
    out = []
    for title, root, example in parts:
        out += [f"## {title}", "", f"Voorbeeld: `{example}`.", ""]
        for section in sections(root):
            if section.model in seen:
                out += [f"`{section.paths[0]}`: zie [{section.model.__name__}](#{anchor(section.model)}).", ""]
                continue
            out.append(section_markdown(section, "###", seen))
    return "\n".join(out)


def formula_types_markdown() -> str:
    """Tabulate the registry's formula types in Dutch: inputs, the colophon's sentence, roll-up, privacy."""
    from ogw_datalab.config import Privacy
    from ogw_datalab.indicators import formulas
    from ogw_datalab.maps.explain import explain_formula, explain_protection, explain_roll_up

    lines = [
        "| formule `type` | invoer | wat de waarde per buurt is (zoals het colofon het zegt) | wijk en gemeente "
        "| privacy |",
        "| --- | --- | --- | --- | --- |",
    ]
    for formula in formulas.FORMULAS.values():
        indicator = sample_indicator(formula)
        optional = getattr(formula, "optional", ())
        inputs = [f"`{name}`" for name in formula.inputs] + [f"`{name}` (mag)" for name in optional]
        if formula.layer == "any":
            inputs[0] += " (elke laag, of `parken`)"
        elif formula.layer is not None:
            inputs[0] += " (een punten-laag)" if formula.layer == "points" else " (een vlakken-laag)"
        needs = ["woningen (BAG-adressen)"] * formula.needs_addresses + ["parklaag"] * formula.needs_park_layer
        lines.append(
            f"| `{formula.name}` | {', '.join(inputs + needs)} | {_cell(explain_formula(indicator))} "
            f"| {_cell(explain_roll_up(indicator))} | {_cell(explain_protection(indicator, Privacy()))} |"
        )
    return "\n".join(lines) + "\n"


SAMPLE_INPUTS: dict[str, Any] = {
    "kolom": "‹kolom›",
    "laag": "‹laag›",
    "partner": "‹partner›",
    "waarden": ["‹waarde›"],
    "tijdreeks": "‹tijdreeks›",
    "grootheid": "NO2",
    "maand_van": "2024-03",
    "maand_tot": "2024-05",
}


def sample_indicator(formula: Any) -> Any:
    """Make an indicator of this formula type with placeholders for its inputs (its sentence names them)."""
    from ogw_datalab.indicators.catalogue import Indicator

    formule: dict[str, Any] = {"type": formula.name}
    for name in formula.inputs:
        allowed = formula.allowed.get(name)
        formule[name] = allowed[0] if allowed else SAMPLE_INPUTS[name]
    if formula.name.startswith("tijdreeks"):
        formule.setdefault("soort", "laagkosten")
    bron = {"uitgever": "-", "dataset": "-", "jaar": 2024, "licentie": "-"}
    return Indicator.model_validate(
        {"id": "voorbeeld", "titel": "-", "eenheid": "-", "beschrijving": "-", "bron": bron, "formule": formule}
    )


def formula_table_english() -> str:
    """Return the registry's own table of formula types (English, for developers: how the audit reads each)."""
    from ogw_datalab.indicators.formulas import formula_table_markdown

    return formula_table_markdown() + "\n"


def reader_kinds_markdown() -> str:
    """Tabulate the registry's reader kinds: what each reads, its geometry, what the inbox accepts."""
    from ogw_datalab.reader_kinds import READER_KINDS

    geometry = {
        "file": "die van het bestand",
        "file_or_columns": "die van het bestand, anders `x`/`y` of `wkt`",
        "columns": "kolommen `x`/`y` of `wkt`",
    }
    lines = [
        "| soort | leest | geometrie | in de inbox | een map of patroon als pad | eigen opties |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for kind in READER_KINDS.values():
        lines.append(
            f"| `{kind.name}` | {_cell(kind.description)} | {geometry[kind.geometry]} | "
            f"{', '.join(f'`{e}`' for e in kind.extensions)} | {'ja' if kind.read_many else 'nee'} | "
            f"{', '.join(f'`{o}`' for o in kind.options) or '–'} |"
        )
    return "\n".join(lines) + "\n"


def write_pages(folder: Path = OUT) -> list[Path]:
    """Write the generated parts into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (
        ("configuratie.md", reference_markdown()),
        ("formuletypen.md", formula_types_markdown()),
        ("soorten.md", reader_kinds_markdown()),
        ("formuletabel.md", formula_table_english()),
    ):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for path in write_pages(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
