"""Checks that block publication, the partner inbox sensor, the schedules, and runs at the same time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from ogw_datalab.config import load_config
from ogw_datalab.inbox import scan_inbox
from pipelines.automation import monthly_republish, partner_inbox_sensor
from pipelines.build import failures, run_year_graph
from pipelines.cli import main
from pipelines.resources import DataLabResource

from .test_end_to_end import PROJECT, demo_config, table_fingerprints


@pytest.fixture
def lab(tmp_path):
    """A demo configuration in a temporary folder with an inbox, and the demo files written."""
    config = demo_config(tmp_path)
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["output"]["inbox"] = "inbox"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert main(["demo-data", "--config", str(config)]) == 0
    (tmp_path / "inbox").mkdir()
    return tmp_path, config


def corporation_file(folder: Path, name: str, rows: int = 30, drop: str | None = None) -> Path:
    source = pd.read_csv(folder / "data" / "demo" / "corporatie_woningen.csv", sep=";", dtype=str, encoding="utf-8-sig")
    frame = source.head(rows).drop(columns=[drop] if drop else [])
    path = folder / "inbox" / name
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path


def test_inbox_decisions_by_content_not_time(lab):
    folder, config_path = lab
    config = load_config(config_path, check_files=False)
    first = corporation_file(folder, "corporatie_woningen.csv", rows=30)
    (decision,) = scan_inbox(config, {})
    assert (decision.action, decision.partner) == ("load", "corporatie_woningen")
    same = scan_inbox(config, {"corporatie_woningen": decision.sha256})
    assert same[0].action == "same"
    first.write_text(first.read_text(encoding="utf-8-sig").replace("VHE100000", "VHE900000"), encoding="utf-8-sig")
    assert scan_inbox(config, {"corporatie_woningen": decision.sha256})[0].action == "load"  # changed content
    first.unlink()
    corporation_file(folder, "corporatie_woningen_2027.csv", drop="Huisnummer")
    (bad,) = scan_inbox(config, {})
    assert bad.action == "reject" and "Huisnummer" in (bad.reason or "")
    (folder / "inbox" / "corporatie_woningen_2027.csv").unlink()
    (folder / "inbox" / "lijstje.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (unknown,) = scan_inbox(config, {})
    assert unknown.action == "reject" and "geen partner" in (unknown.reason or "")


def test_sensor_installs_new_files_rejects_bad_ones_and_skips_repeats(lab):
    folder, config_path = lab
    resources = {"datalab": DataLabResource(config_path=str(config_path))}
    installed_path = folder / "data" / "demo" / "corporatie_woningen.csv"
    corporation_file(folder, "corporatie_woningen.csv", rows=25)
    with dg.build_sensor_context(resources=resources, cursor=None) as context:
        result = partner_inbox_sensor(context)
        cursor = context.cursor
    assert isinstance(result, dg.RunRequest)
    assert result.run_config["ops"]["maps__opgave_pages"]["config"]["opgaven"] == [
        "energietransitie",
        "bestaanszekerheid",
    ]
    assert len(pd.read_csv(installed_path, sep=";", encoding="utf-8-sig")) == 25
    assert len(list((folder / "inbox" / "archief").iterdir())) == 1
    # The same content again: archived, no run.
    corporation_file(folder, "corporatie_woningen.csv", rows=25)
    with dg.build_sensor_context(resources=resources, cursor=cursor) as context:
        assert isinstance(partner_inbox_sensor(context), dg.SkipReason)
    # A broken file: rejected with a reason; the installed file is untouched.
    corporation_file(folder, "corporatie_woningen.csv", rows=10, drop="Postcode")
    with dg.build_sensor_context(resources=resources, cursor=cursor) as context:
        assert isinstance(partner_inbox_sensor(context), dg.SkipReason)
    reasons = list((folder / "inbox" / "afgewezen").glob("*.reden.txt"))
    assert len(reasons) == 1 and "Postcode" in reasons[0].read_text(encoding="utf-8")
    assert len(pd.read_csv(installed_path, sep=";", encoding="utf-8-sig")) == 25
    assert json.loads(cursor)["corporatie_woningen"]


def test_monthly_schedule_requests_a_full_republish():
    with dg.build_schedule_context() as context:
        request = monthly_republish.evaluate_tick(context).run_requests
    assert request and monthly_republish.job_name == "republish"
    assert monthly_republish.cron_schedule == "0 7 1 * *"


@pytest.mark.e2e
def test_blocking_check_keeps_the_maps_from_being_published(lab, capsys):
    folder, config_path = lab
    raw = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    raw["partners"][1]["min_koppelpercentage"] = 0.999  # the demo corporation file matches 98 %
    config_path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert main(["build", "--config", str(config_path)]) == 1
    out = capsys.readouterr()
    assert "FAILED blocking check partner_match_rates_above_threshold: " in out.err
    assert not (folder / "maps" / "index.html").exists() and not list((folder / "maps").glob("opgave_*.html"))


@pytest.mark.e2e
def test_two_builds_at_the_same_time_both_succeed_with_the_same_result(tmp_path):
    config = demo_config(tmp_path)
    command = [sys.executable, "-m", "ogw_datalab", "build", "--config", str(config)]
    env = {k: v for k, v in os.environ.items() if k != "DAGSTER_HOME"}
    runs = [
        subprocess.Popen(command, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    prints = table_fingerprints(tmp_path / "data" / "datalab.duckdb")
    assert main(["build", "--config", str(config)]) == 0
    assert table_fingerprints(tmp_path / "data" / "datalab.duckdb") == prints
    shutil.rmtree(tmp_path / "data" / "demo")


@pytest.mark.e2e
def test_map_assets_report_their_pages_and_a_preview_image(lab):
    _folder, config_path = lab
    with dg.DagsterInstance.ephemeral() as instance:
        result = run_year_graph(load_config(config_path), instance)
    assert result.success, failures(result)
    metadata = {
        event.asset_key.to_user_string(): event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }
    pages = metadata["maps/opgave_pages"]
    assert set(pages["paths"].value) == {"meer_groen", "energietransitie", "gezond_en_veilig", "bestaanszekerheid"}
    assert all(Path(p).is_file() for p in pages["paths"].value.values())
    assert pages["preview"].value.count("](data:image/png;base64,") == 4
    index = metadata["maps/index"]
    assert Path(index["path"].value).is_file()
    assert index["preview"].value.count("](data:image/png;base64,") == 4
    assert metadata["indicators/publicatie_buurt"]["suppressed"].value > 0
