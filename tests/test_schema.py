"""The JSON Schemas in config/: equal to the models, named by every YAML file there, and they check those files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import jsonschema
import pytest
import yaml
from pydantic import BaseModel, TypeAdapter

from ogw_datalab.config import GemeentenConfig, ProjectConfig
from ogw_datalab.config.renames import model_classes
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.opgaven import Opgaven
from ogw_datalab.schemas import SCHEMA_FILES, schema_text

from .labs import run_cli

PROJECT = Path(__file__).resolve().parents[1]
CONFIG = PROJECT / "config"
OLD = Path(__file__).resolve().parent / "old_keys"
HEADER = "# yaml-language-server: $schema="


def kind_of(path: Path) -> str:
    """Which schema a file in config/ follows, by its name."""
    for kind in ("indicatoren", "opgaven"):
        if path.stem.endswith(f"_{kind}"):
            return kind
    return "configuratie"


def as_the_editor_reads(path: Path) -> Any:
    """The YAML file as JSON: every key a string (``jaren: {2023: ...}``), dates as text."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((CONFIG / SCHEMA_FILES[kind]).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems(kind: str, data: Any) -> list[str]:
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator(kind).iter_errors(data))


@pytest.mark.parametrize("kind", list(SCHEMA_FILES))
def test_the_committed_schema_is_the_models_and_ogw_datalab_schema_prints_it(kind):
    assert (CONFIG / SCHEMA_FILES[kind]).read_text(encoding="utf-8") == schema_text(kind), (
        f"config/{SCHEMA_FILES[kind]} differs from the models: write it again with make schemas"
    )
    printed = run_cli("schema", "--soort", kind)
    assert (printed.code, printed.out) == (0, schema_text(kind))


def test_make_schemas_writes_each_committed_file_from_the_models(tmp_path):
    (tmp_path / SCHEMA_FILES["opgaven"]).write_text("{}\n", encoding="utf-8")  # an old file is replaced
    result = subprocess.run(
        [sys.executable, "-m", "ogw_datalab.schemas", str(tmp_path)], capture_output=True, text=True, cwd=PROJECT
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(SCHEMA_FILES.values())  # no temporary file left
    for kind, name in SCHEMA_FILES.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == schema_text(kind)


def test_without_a_soort_ogw_datalab_schema_prints_the_configurations():
    assert run_cli("schema").out == (CONFIG / "ogw-datalab.schema.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("path", sorted(CONFIG.glob("*.yaml")), ids=lambda p: p.name)
def test_every_yaml_file_in_config_names_its_schema_and_follows_it(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == HEADER + SCHEMA_FILES[kind_of(path)]
    assert problems(kind_of(path), as_the_editor_reads(path)) == []


def test_a_misspelled_or_old_key_does_not_follow_the_schema():
    demo = as_the_editor_reads(CONFIG / "demo.yaml")
    demo["partnrs"] = demo.pop("partners")
    demo["lagen"]["bomen"]["kolumns"] = demo["lagen"]["bomen"].pop("kolommen")
    assert problems("configuratie", demo) == [
        ": Additional properties are not allowed ('partnrs' was unexpected)",
        "lagen.bomen: Additional properties are not allowed ('kolumns' was unexpected)",
    ]
    several = as_the_editor_reads(CONFIG / "nederland_2015.yaml")
    several["per_gemeente"] = {"GM0484": {"lagn": {}}}
    assert problems("configuratie", several) == [
        "per_gemeente.GM0484: Additional properties are not allowed ('lagn' was unexpected)"
    ]
    assert "sources" in " ".join(problems("configuratie", as_the_editor_reads(OLD / "demo.yaml")))

    catalogue = as_the_editor_reads(CONFIG / "demo_indicatoren.yaml")
    catalogue["indicatoren"][1]["formule"]["lag"] = catalogue["indicatoren"][1]["formule"].pop("laag")
    assert problems("indicatoren", catalogue) == [
        "indicatoren.1.formule: 'laag' is a required property",
        "indicatoren.1.formule: 'lag' is not one of ['type', 'laag', 'per']",  # what this type takes
        "indicatoren.1.formule: Additional properties are not allowed ('lag' was unexpected)",
    ]
    opgaven = as_the_editor_reads(CONFIG / "demo_opgaven.yaml")
    opgaven["opgaven"][0]["indicatoren"][0]["gewigt"] = 2
    assert problems("opgaven", opgaven) == [
        "opgaven.0.indicatoren.0: Additional properties are not allowed ('gewigt' was unexpected)"
    ]


def models_in(*models: type[BaseModel]) -> list[type[BaseModel]]:
    """These models and every model inside them."""
    seen: list[type[BaseModel]] = []
    todo = list(models)
    while todo:
        model = todo.pop()
        if model not in seen:
            seen.append(model)
            todo += [m for info in model.model_fields.values() for m in model_classes(info.annotation)]
    return seen


MODELS = models_in(ProjectConfig, GemeentenConfig, Catalogue, Opgaven)


def test_every_key_a_user_writes_has_a_description_and_an_example_that_is_valid():
    assert len(MODELS) >= 30
    lacking, invalid, count = [], [], 0
    for model in MODELS:
        properties = model.model_json_schema()["properties"]
        for name, info in model.model_fields.items():
            if name == "config_file":  # where the file was read from; not a key
                continue
            count += 1
            shown = properties[info.alias or name]  # postgis.schema is schema_ in Python
            if not shown.get("description") or not shown.get("examples"):
                lacking.append(f"{model.__name__}.{name}")
            for example in shown.get("examples", []):
                try:
                    constrained = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
                    TypeAdapter(constrained).validate_python(example)
                except ValueError as error:
                    invalid.append(f"{model.__name__}.{name}: {example!r}: {error}")
    assert count > 150
    assert lacking == []
    assert invalid == []
