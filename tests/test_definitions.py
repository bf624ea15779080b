"""The Dagster layer: definitions load, keys follow [layer, table], every entry point agrees."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import dagster as dg
import yaml

from pipelines.definitions import defs
from tests.labs import demo_config

PROJECT = Path(__file__).resolve().parents[1]
LAYERS = ("raw", "staging", "joined", "indicators", "maps", "tijdreeksen")


def test_definitions_load_with_assets_in_every_layer():
    keys = defs.resolve_asset_graph().get_all_asset_keys()
    assert {k.path[0] for k in keys} == set(LAYERS)
    assert all(len(k.path) == 2 for k in keys)


def test_assets_are_grouped_by_layer_and_described():
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.group_name == key.path[0], key
        assert node.description, key
        assert len(node.description) > 20, key


def test_every_entry_point_names_the_same_code_location():
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    workspace = yaml.safe_load((PROJECT / "workspace.yaml").read_text(encoding="utf-8"))
    module = workspace["load_from"][0]["python_module"]
    assert pyproject["tool"]["dagster"]["module_name"] == module["module_name"] == "pipelines.definitions"
    assert pyproject["tool"]["dg"]["project"]["defs_module"] == "pipelines.definitions"
    names = {
        pyproject["tool"]["dagster"]["code_location_name"],
        module["location_name"],
        pyproject["tool"]["dg"]["project"]["code_location_name"],
    }
    assert names == {"ogw_datalab"}


def test_library_never_imports_dagster():
    code = (
        "import importlib, pkgutil, sys, ogw_datalab\n"
        "for m in pkgutil.walk_packages(ogw_datalab.__path__, 'ogw_datalab.'):\n"
        "    importlib.import_module(m.name)\n"
        "print('dagster' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT)
    assert result.stdout.strip() == "False"


def test_commands_other_than_build_run_without_importing_dagster(tmp_path):
    config = demo_config(tmp_path)
    code = (
        "import sys\n"
        "from pipelines.cli import main\n"
        f"codes = [main(['demo-data', '--config', {str(config)!r}]), main(['check', '--config', {str(config)!r}])]\n"
        "print(codes, 'dagster' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=PROJECT)
    assert f"configuration OK: {config}" in result.stdout, result.stderr
    assert result.stdout.strip().endswith("[0, 0] False")  # Dagster is two thirds of a command's start-up


def test_one_definitions_one_graph_and_no_run_started_outside_tests():
    code = {p: p.read_text(encoding="utf-8") for p in (PROJECT / "pipelines").rglob("*.py")}
    code |= {p: p.read_text(encoding="utf-8") for p in (PROJECT / "ogw_datalab").rglob("*.py")}
    assert sum(text.count("Definitions(") for text in code.values()) == 1
    for path, text in code.items():
        assert "execute_in_process" not in text, path
        assert "materialize(" not in text, path


def test_every_asset_is_partitioned_by_gemeente_and_jaar():
    graph = defs.resolve_asset_graph()
    month = dg.AssetKey(["tijdreeksen", "maand"])
    for key in graph.get_all_asset_keys() - {dg.AssetKey(["maps", "overzicht"]), month}:  # spans all gemeenten
        partitions = graph.get(key).partitions_def
        assert partitions is not None, key
        assert partitions.partitions_defs[0].name == "gemeente", key
        assert [d.name for d in partitions.partitions_defs] == ["gemeente", "jaar"], key
    by_month = graph.get(month).partitions_def  # sensor data: a calendar month beside the same gemeenten
    assert [d.name for d in by_month.partitions_defs] == ["gemeente", "maand"]
    assert isinstance(by_month.partitions_defs[1].partitions_def, dg.TimeWindowPartitionsDefinition)
