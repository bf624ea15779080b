"""Configuration files written before the keys were renamed to Dutch still load, with one hint per old key.

``tests/old_keys/`` holds config/demo.yaml and config/nederland_2015.yaml as they were before the renames.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from ogw_datalab import audit
from ogw_datalab.audit import latest_source_files
from ogw_datalab.config import ConfigError, load_configuration
from ogw_datalab.project import builds_of, project_for
from ogw_datalab.storage import frame_to_temp_table, run_sql_file
from pipelines.definitions import defs
from pipelines.partitions import sync_partitions
from pipelines.resources import DataLabResource

from .labs import run_cli

PROJECT = Path(__file__).resolve().parents[1]
OLD = Path(__file__).resolve().parent / "old_keys"


def side_by_side(folder: Path, name: str) -> tuple[Path, Path]:
    """The old-style file and today's ``config/<name>`` in ``folder``, so that their relative paths mean the same."""
    old, new = folder / f"oud_{name}", folder / name
    shutil.copy(OLD / name, old)
    shutil.copy(PROJECT / "config" / name, new)
    return old, new


def test_the_old_demo_file_loads_into_the_same_configuration_with_a_hint_per_old_key(tmp_path):
    old, new = side_by_side(tmp_path, "demo.yaml")
    before, today = load_configuration(old, check_files=False), load_configuration(new, check_files=False)
    assert before.model_dump(exclude={"config_file"}) == today.model_dump(exclude={"config_file"})
    assert today.old_key_hints == ()
    hints = before.old_key_hints
    assert hints[:5] == (
        f"{old}: sources is now called bronnen (the old name still works for now)",
        f"{old}: layers is now called lagen (the old name still works for now)",
        f"{old}: output is now called uitvoer (the old name still works for now)",
        f"{old}: demo.folder is now called map (the old name still works for now)",
        f"{old}: demo.seed is now called startgetal (the old name still works for now)",
    )
    for hint in (
        "sources.buurten.kind is now called soort",
        "layers.bomen.geometry is now called geometrie",
        "layers.bomen.geometry: points is now called punten (the old value still works for now)",
        "partners.0.key is now called sleutel",
        "partners.0.columns is now called kolommen",
        "output.maps is now called kaarten",
    ):
        assert f"{old}: {hint}" in " | ".join(hints), hint
    assert len(hints) == len(set(hints))
    # One hint for each old key the file writes, and one for each old value (points, polygons).
    text = old.read_text(encoding="utf-8")
    old_values = text.count("geometry: points") + text.count("geometry: polygons")
    assert sum("(the old value still works for now)" in h for h in hints) == old_values


def test_the_old_national_file_loads_the_same_and_its_gemeenten_repeat_no_hint(tmp_path, shared_data):
    old, new = side_by_side(tmp_path, "nederland_2015.yaml")
    for path in (old, new):
        raw = yaml.safe_load(path.read_text(encoding="utf-8").replace("../../shared/data", str(shared_data)))
        raw["gemeenten"] = ["GM0484"]
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    for name in ("nederland_2015_indicatoren.yaml", "nederland_2015_opgaven.yaml"):
        shutil.copy(PROJECT / "config" / name, tmp_path / name)
    before, today = load_configuration(old, check_files=False), load_configuration(new, check_files=False)
    assert before.model_dump(exclude={"config_file"}) == today.model_dump(exclude={"config_file"})
    assert f"{old}: sources.buurten.kind is now called soort (the old name still works for now)" in before.old_key_hints
    projects = [project_for(before, gemeente, jaar) for gemeente, jaar in builds_of(before)]
    assert [p.config.gemeente.code for p in projects] == ["GM0484"]
    assert [p.config.old_key_hints for p in projects] == [()]


def test_a_file_giving_the_old_and_the_new_name_of_one_key_is_refused(tmp_path):
    old, _ = side_by_side(tmp_path, "demo.yaml")
    raw = yaml.safe_load(old.read_text(encoding="utf-8"))
    raw["sources"]["buurten"]["soort"] = "vector"
    old.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_configuration(old, check_files=False)
    assert str(refused.value).splitlines() == [
        f"{old}: invalid configuration",
        "  sources.buurten: both kind and soort are given; kind is the old name of soort: keep only soort",
    ]


def old_demo_config(folder: Path) -> Path:
    """The old-style demo file, made to stand alone in ``folder`` (its demo data and output there too)."""
    raw = yaml.safe_load((OLD / "demo.yaml").read_text(encoding="utf-8"))
    raw["demo"]["folder"] = "data/demo"
    raw["output"] = {"database": "data/datalab.duckdb", "maps": "maps"}
    raw["indicatoren"] = str(PROJECT / "config" / "demo_indicatoren.yaml")
    raw["opgaven"] = str(PROJECT / "config" / "demo_opgaven.yaml")
    raw["jaren"] = {}
    text = yaml.safe_dump(raw, allow_unicode=True).replace("../data/demo", "data/demo")
    path = folder / "oud.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_prints_each_hint_once_and_passes(tmp_path):
    path = old_demo_config(tmp_path)
    written = run_cli("demo-data", "--config", str(path))
    assert written.code == 0, written.err
    checked = run_cli("check", "--config", str(path))
    assert checked.code == 0, checked.err
    assert checked.out == f"configuration OK: {path}\n"
    hints = checked.err.splitlines()
    assert hints == list(load_configuration(path, check_files=False).old_key_hints)
    assert f"{path}: sources.adressen.layer is now called laag (the old name still works for now)" in hints
    assert len(hints) == len(set(hints)) > 40


def test_files_recorded_before_the_renames_count_as_the_same_sources(con):
    """A database built before the renames recorded its files under the old keys (sources.buurten, layers.bomen);
    the latest record of each file is found under the new key, so an unchanged file is not hashed again."""
    recorded = dt.datetime(2026, 1, 1)
    old = pd.DataFrame(
        [
            ("b1", bron, f"/data/{bron}.gpkg", "ab" * 32, 10, recorded, recorded)
            for bron in ("sources.buurten", "layers.bomen", "partners.ggd")
        ],
        columns=audit.COLUMNS,
    )
    frame_to_temp_table(con, "bronbestanden_nieuw", old)
    run_sql_file(con, "audit/record_source_files.sql")
    latest = latest_source_files(con)
    assert [(row["bron"], row["pad"]) for row in latest] == [
        ("bronnen.buurten", "/data/sources.buurten.gpkg"),
        ("lagen.bomen", "/data/layers.bomen.gpkg"),
        ("partners.ggd", "/data/partners.ggd.gpkg"),
    ]


def test_a_run_in_dagster_logs_each_hint_as_a_warning(tmp_path, dagster_home):
    """``dagster dev`` users never see the command line: the run's own log names the new keys."""
    path = old_demo_config(tmp_path)
    assert run_cli("demo-data", "--config", str(path)).code == 0
    config = load_configuration(path, check_files=False)
    instance = dg.DagsterInstance.get()  # the tests' temporary instance
    sync_partitions(config, instance)
    result = dg.materialize(
        [defs.get_assets_def(dg.AssetKey(["raw", "buurten"]))],
        partition_key="GM9999|2024",
        resources={"datalab": DataLabResource(config_path=str(path))},
        instance=instance,
    )
    assert result.success
    warnings = [
        entry.user_message
        for entry in instance.all_logs(result.run_id)
        if entry.level == logging.WARNING and "is now called" in entry.user_message
    ]
    assert warnings == list(config.old_key_hints)
