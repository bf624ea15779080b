"""Checks that block publication, the partner inbox sensor, the schedules, and runs at the same time."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest
import yaml

from ogw_datalab.config import load_config
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.inbox import scan_inbox
from pipelines.cli import main
from pipelines.definitions import defs, partner_update_job
from pipelines.partitions import run_tags, sync_partitions
from pipelines.progress import failures
from pipelines.resources import CONFIG_ENV_VAR, SITE, DataLabResource
from pipelines.schedules import monthly_republish
from pipelines.sensors import partner_inbox_sensor

from .labs import PROJECT, demo_config, files_under, table_fingerprints


@pytest.fixture
def lab(tmp_path):
    """A demo configuration in a temporary folder with an inbox, and the demo files written."""
    config = demo_config(tmp_path)
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["uitvoer"]["inbox"] = "inbox"
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
    assert bad.action == "reject"
    assert "Huisnummer" in (bad.reason or "")
    (folder / "inbox" / "corporatie_woningen_2027.csv").unlink()
    (folder / "inbox" / "lijstje.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (unknown,) = scan_inbox(config, {})
    assert unknown.action == "reject"
    assert "geen partner" in (unknown.reason or "")


def test_sensor_installs_new_files_rejects_bad_ones_and_skips_repeats(lab):
    folder, config_path = lab
    resources = {"datalab": DataLabResource(config_path=str(config_path))}
    installed_path = folder / "data" / "demo" / "corporatie_woningen.csv"
    placed = installed_path.read_bytes()  # the demo's own file, placed there without the inbox
    corporation_file(folder, "corporatie_woningen.csv", rows=25)

    def tick(cursor: str | None):
        with dg.build_sensor_context(resources=resources, cursor=cursor) as context:
            return partner_inbox_sensor(context), context.cursor

    result, cursor = tick(None)
    assert isinstance(result, dg.SkipReason)  # seen once: taken only when unchanged at the next look
    result, cursor = tick(cursor)
    assert isinstance(result, dg.RunRequest)
    assert result.partition_key == "GM9999|2024"
    assert result.tags["partners"] == "corporatie_woningen"
    assert len(pd.read_csv(installed_path, sep=";", encoding="utf-8-sig")) == 25
    archived = (folder / "inbox" / "archief" / "corporatie_woningen").glob("*.csv")
    assert sorted(path.read_bytes() for path in archived) == sorted([placed, installed_path.read_bytes()])
    # The same content again: no run.
    corporation_file(folder, "corporatie_woningen.csv", rows=25)
    for _ in range(2):
        result, cursor = tick(cursor)
        assert isinstance(result, dg.SkipReason)
    # A broken file: rejected with a reason; the installed file is untouched.
    corporation_file(folder, "corporatie_woningen.csv", rows=10, drop="Postcode")
    for _ in range(2):
        result, cursor = tick(cursor)
        assert isinstance(result, dg.SkipReason)
    reasons = list((folder / "inbox" / "afgewezen").glob("*.reden.txt"))
    assert len(reasons) == 1
    assert "Postcode" in reasons[0].read_text(encoding="utf-8")
    assert len(pd.read_csv(installed_path, sep=";", encoding="utf-8-sig")) == 25


def test_monthly_schedule_republishes_the_current_year_of_every_gemeente(lab, dagster_home):
    _folder, config_path = lab
    resources = {"datalab": DataLabResource(config_path=str(config_path))}
    when = dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)
    instance = dg.DagsterInstance.get()  # the tests' temporary instance (an ephemeral one cannot load partitions)
    sync_partitions(load_config(config_path, check_files=False), instance)
    with dg.build_schedule_context(
        instance=instance, resources=resources, repository_def=defs.get_repository_def(), scheduled_execution_time=when
    ) as context:
        requests = monthly_republish.evaluate_tick(context).run_requests
    assert [(r.partition_key, r.run_key) for r in requests or []] == [("GM9999|2024", "2026-12:GM9999:2024")]
    assert monthly_republish.job_name == "build"
    assert monthly_republish.cron_schedule == "0 7 1 * *"


@pytest.mark.e2e
def test_a_failing_blocking_check_publishes_nothing(slim_demo_lab, tmp_path):
    lab = slim_demo_lab.copy(tmp_path, keep_demo_files=True)
    raw = yaml.safe_load(lab.config.read_text(encoding="utf-8"))
    raw["partners"][1]["min_koppelpercentage"] = 0.999  # the demo corporation file matches 98 %
    lab.config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    before = files_under(lab.folder / "data") | files_under(lab.maps)
    run = lab.run()
    assert run.code == 1
    assert "✗ check partner_match_rates_above_threshold (blocking): " in run.out
    assert run.err.strip().endswith("build failed: site and database unchanged")
    after = files_under(lab.folder / "data") | files_under(lab.maps)
    assert {k: v for k, v in after.items() if not k.startswith("demo")} == {
        k: v for k, v in before.items() if not k.startswith("demo")
    }


@pytest.mark.e2e
def test_two_builds_at_the_same_time_both_succeed_with_the_same_result(slim_demo_lab, tmp_path):
    lab = slim_demo_lab.copy(tmp_path, keep_demo_files=True)
    command = [sys.executable, "-m", "ogw_datalab", "build", "--config", str(lab.config)]
    runs = [
        subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    together = table_fingerprints(lab.database)
    assert lab.run().code == 0
    assert table_fingerprints(lab.database) == together


@pytest.mark.e2e
def test_the_site_asset_reports_its_pages_and_preview_images(demo_lab):
    with demo_lab.instance() as instance:  # the instance the demo was built on, by whichever test process
        records = instance.fetch_materializations(SITE, limit=1000).records
    index = str(demo_lab.maps / "index.html")
    metadata = next(
        r.asset_materialization.metadata for r in records if r.asset_materialization.metadata["path"].value == index
    )  # the newest of the demo's two builds
    opgaven = {"meer_groen", "energietransitie", "gezond_en_veilig", "bestaanszekerheid", "gezonde_lucht"}
    assert opgaven <= set(metadata["paths"].value)
    assert metadata["opgaven"].value == 5  # the demo's five opgaven, Gezonde lucht the fifth
    assert all(Path(p).is_file() for p in metadata["paths"].value.values())
    assert metadata["preview"].value.count("](data:image/png;base64,") == 5
    assert Path(metadata["path"].value) == demo_lab.maps / "index.html"


def harderwijk_config(folder: Path, shared_data: Path) -> Path:
    """config/harderwijk_2015.yaml (similar buurten over the national kaart) reading ``shared_data``, writing into
    ``folder``."""
    text = (PROJECT / "config" / "harderwijk_2015.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text.replace("../../shared/data", str(shared_data)))
    raw["indicatoren"] = str(PROJECT / "config" / raw["indicatoren"])
    raw["opgaven"] = str(PROJECT / "config" / raw["opgaven"])
    raw["uitvoer"] = {"database": "data/datalab.duckdb", "kaarten": "maps", "cache": "data/cache"}
    path = folder / "harderwijk.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.e2e
def test_a_partner_update_of_a_database_published_before_the_reference_table_existed_succeeds(tmp_path, shared_data):
    config = harderwijk_config(tmp_path, shared_data)
    assert main(["build", "--config", str(config)]) == 0
    database = tmp_path / "data" / "datalab.duckdb"
    con = connect(database)
    con.execute("DROP TABLE raw.vergelijkbare_buurten_referentie")  # as a database built before the table existed
    con.close()
    with dg.DagsterInstance.ephemeral() as instance, pytest.MonkeyPatch.context() as patch:
        patch.setenv(CONFIG_ENV_VAR, str(config))
        sync_partitions(load_config(config, check_files=False), instance)
        run = dg.execute_job(
            dg.reconstructable(partner_update_job),
            instance=instance,
            tags=run_tags("GM0243", 2015),
            raise_on_error=False,
        )
    assert run.success, failures(run)
    con = connect(database, read_only=True)
    assert con.execute("SELECT count(*) FROM raw.vergelijkbare_buurten_referentie").fetchone() == (11_700,)
    assert con.execute("SELECT count(*) FROM indicators.vergelijkbare_buurten").fetchone()[0] > 0
    con.close()
