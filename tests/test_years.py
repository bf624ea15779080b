"""Earlier CBS years: configured under ``jaren:``, built as partitions of historie/jaargang into their own
database, copied into historie.*, and compared with the current year on today's buurten."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import dagster as dg
import pytest
import yaml

from ogw_datalab.config import ConfigError, configuration_fingerprint, load_config, load_year_config
from ogw_datalab.duckdb_connection import connect
from pipelines.assets.historie import CBS_JAREN, jaargang
from pipelines.automation import cbs_jaren_sensor, trends_after_jaargang, trends_update
from pipelines.build import failures
from pipelines.cli import main
from pipelines.definitions import defs
from pipelines.resources import CONFIG_ENV_VAR, DataLabResource

from .test_end_to_end import PROJECT, demo_config


def earlier_year_config(folder: Path, **output) -> Path:
    """config/demo_2023.yaml, with its files and outputs inside ``folder``."""
    raw = yaml.safe_load((PROJECT / "config" / "demo_2023.yaml").read_text(encoding="utf-8"))
    raw["opgaven"] = str(PROJECT / "config" / "demo_opgaven.yaml")
    raw["indicatoren"] = str(PROJECT / "config" / "demo_indicatoren.yaml")
    raw["demo"]["folder"] = "data/demo_2023"
    raw["output"] = {"database": "data/jaren/datalab_2023.duckdb", "maps": "data/jaren/maps_2023", **output}
    for source in [*raw["sources"].values(), *raw["layers"].values(), *raw["partners"]]:
        source["path"] = source["path"].removeprefix("../")
    path = folder / "demo_2023.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def two_year_lab(folder: Path, **output) -> tuple[Path, Path]:
    earlier = earlier_year_config(folder, **output)
    return demo_config(folder, jaren={2023: earlier.name}), earlier


def build(config: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        patch.delenv("DAGSTER_HOME", raising=False)
        code = main(["build", "--config", str(config)])
    return code, out.getvalue(), err.getvalue()


def test_years_must_be_earlier_than_the_current_year(tmp_path):
    config, _ = two_year_lab(tmp_path)
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["jaren"] = {2023: "demo_2023.yaml", 2024: "demo_2023.yaml"}
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"jaren: \[2024\] must be earlier than jaar 2024"):
        load_config(config, check_files=False)


def test_an_earlier_year_must_be_the_same_gemeente_with_its_own_database_and_site(tmp_path):
    config, _ = two_year_lab(tmp_path, database="data/datalab.duckdb")
    with pytest.raises(ConfigError, match=r"jaren\.2023 .*its output\.database is this year's"):
        load_year_config(load_config(config, check_files=False), 2023)
    raw = yaml.safe_load((tmp_path / "demo_2023.yaml").read_text(encoding="utf-8"))
    raw["output"]["database"] = "data/jaren/datalab_2023.duckdb"
    raw["jaar"], raw["gemeente"]["code"] = 2022, "GM0484"
    (tmp_path / "demo_2023.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"its jaar is 2022, not 2023; its gemeente is GM0484, not GM9999"):
        load_year_config(load_config(config, check_files=False), 2023)
    with pytest.raises(ConfigError, match=r"no configuration for 2021 \(configured: 2023\)"):
        load_year_config(load_config(config, check_files=False), 2021)


@pytest.mark.e2e
def test_an_earlier_year_is_built_once_into_its_own_database_and_gives_trends(tmp_path):
    config, earlier = two_year_lab(tmp_path)
    code, printed, err = build(config)
    assert code == 0, err
    assert "building 2023" in printed and "✓ historie/jaargang" in printed
    con = connect(tmp_path / "data" / "datalab.duckdb", read_only=True)
    years = dict(con.execute("SELECT jaar, count(*) FROM historie.buurten GROUP BY 1").fetchall())
    assert years == {2023: 45, 2024: 46}  # Binnenstad and Havenkwartier were one buurt in 2023
    assert con.execute("SELECT count(*) FROM staging.buurten").fetchone() == (46,)  # this year's tables are 2024
    assert con.execute("SELECT jaar, sha256 FROM historie.jaargangen").fetchall() == [
        (2023, configuration_fingerprint(earlier))
    ]
    havenkwartier = con.execute(
        "SELECT vorige_waarde FROM indicators.trends WHERE indicator = 'inwoners' AND buurtcode = 'BU99990101'"
    ).fetchone()
    assert havenkwartier is not None and havenkwartier[0] > 0  # a 2023 value, reallocated by addresses
    total_then = con.execute(
        "SELECT sum(waarde) FROM historie.waarden WHERE jaar = 2023 AND indicator = 'inwoners' "
        "AND status = 'gepubliceerd'"
    ).fetchone()[0]
    moved = con.execute("SELECT sum(vorige_waarde) FROM indicators.trends WHERE indicator = 'inwoners'").fetchone()[0]
    assert moved == pytest.approx(total_then, rel=0.02)  # counts are moved, not created (published buurten only)
    con.close()
    year_db = connect(tmp_path / "data" / "jaren" / "datalab_2023.duckdb", read_only=True)
    assert year_db.execute("SELECT count(*) FROM staging.buurten").fetchone() == (45,)
    year_db.close()
    assert "sinds 2023" in (tmp_path / "maps" / "bomen_per_1000_inwoners.html").read_text(encoding="utf-8")
    assert (tmp_path / "data" / "jaren" / "maps_2023" / "index.html").is_file()

    code, printed, _ = build(config)
    assert code == 0 and "2023 is in the history already" in printed and "building 2023" not in printed

    earlier.write_text(earlier.read_text(encoding="utf-8") + "# herzien\n", encoding="utf-8")
    code, printed, _ = build(config)
    assert code == 0 and "building 2023" in printed

    raw = yaml.safe_load(earlier.read_text(encoding="utf-8"))
    raw["demo"] = None  # the 2023 files stay as the last build wrote them
    raw["layers"]["bomen"]["path"] = "data/demo_2023/ontbrekend.geojson"
    earlier.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, _, err = build(config)
    assert code == 1  # checked when 2023 is built: an archived year that is built already needs no files
    assert "demo_2023.yaml: missing input files" in err and "layers.bomen.path: file not found" in err

    (tmp_path / "data" / "demo_2023" / "kapot.geojson").write_text('{"type": "FeatureCollection", ', "utf-8")
    raw["layers"]["bomen"]["path"] = "data/demo_2023/kapot.geojson"
    earlier.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, _, err = build(config)
    assert code == 1 and "historie__jaargang: " in err and "kapot.geojson" in err
    con = connect(tmp_path / "data" / "datalab.duckdb", read_only=True)
    assert con.execute("SELECT count(*) FROM historie.buurten WHERE jaar = 2023").fetchone() == (45,)  # kept
    con.close()

    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["jaren"] = {}  # 2023 dropped from the configuration: no more change since 2023
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, _, err = build(config)
    assert code == 0, err
    con = connect(tmp_path / "data" / "datalab.duckdb", read_only=True)
    assert con.execute("SELECT count(*) FROM indicators.trends").fetchone() == (0,)
    con.close()
    assert "sinds 2023" not in (tmp_path / "maps" / "bomen_per_1000_inwoners.html").read_text(encoding="utf-8")


def test_year_sensor_adds_partitions_and_builds_years_the_database_lacks_or_that_changed(tmp_path, monkeypatch):
    config, earlier = two_year_lab(tmp_path)
    monkeypatch.setenv(CONFIG_ENV_VAR, str(config))
    assert main(["demo-data", "--config", str(config)]) == 0
    resources = {"datalab": DataLabResource(config_path=str(config))}
    database = tmp_path / "data" / "datalab.duckdb"
    with dg.DagsterInstance.ephemeral() as instance:

        def evaluate(cursor: str | None):
            with dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources) as context:
                return cbs_jaren_sensor(context), context.cursor

        result, cursor = evaluate(None)
        assert [r.partition_keys for r in result.dynamic_partitions_requests] == [["2023"]]
        assert [r.partition_key for r in result.run_requests] == ["2023"]
        instance.add_dynamic_partitions(CBS_JAREN.name, ["2023"])  # as the daemon applies the request
        result, _ = evaluate(cursor)  # asked for and not built yet: not asked twice
        assert isinstance(result, dg.SkipReason)

        with contextlib.redirect_stdout(io.StringIO()):
            done = defs.resolve_job_def("jaargang").execute_in_process(partition_key="2023", instance=instance)
        assert done.success
        result, cursor = evaluate(cursor)
        assert isinstance(result, dg.SkipReason)  # the database has it, from this configuration

        earlier.write_text(earlier.read_text(encoding="utf-8") + "# herzien\n", encoding="utf-8")
        result, cursor = evaluate(cursor)
        assert [r.partition_key for r in result.run_requests] == ["2023"] and not result.dynamic_partitions_requests

        database.unlink()  # as `make clean` does, while the run history stays
        result, _ = evaluate(None)
        assert [r.partition_key for r in result.run_requests] == ["2023"]

        raw = yaml.safe_load(config.read_text(encoding="utf-8"))
        raw["jaren"] = {}
        config.write_text(yaml.safe_dump(raw), encoding="utf-8")
        result, _ = evaluate(cursor)
        assert [type(r).__name__ for r in result.dynamic_partitions_requests] == ["DeleteDynamicPartitionsRequest"]
        assert result.dynamic_partitions_requests[0].partition_keys == ["2023"] and not result.run_requests


@pytest.mark.e2e
def test_a_year_built_any_way_brings_new_trends_once_this_year_is_built(tmp_path):
    config, _ = two_year_lab(tmp_path)
    assert main(["demo-data", "--config", str(config)]) == 0
    resources = {"datalab": DataLabResource(config_path=str(config))}
    with dg.DagsterInstance.ephemeral() as instance:
        repository = defs.get_repository_def()

        def evaluate():
            context = dg.build_sensor_context(instance=instance, resources=resources, repository_def=repository)
            tick = trends_after_jaargang.evaluate_tick(context)
            return list(tick.run_requests or []), tick.skip_message

        instance.add_dynamic_partitions(CBS_JAREN.name, ["2023"])
        with contextlib.redirect_stdout(io.StringIO()):  # by hand in the UI: the asset job, not the 'jaargang' job
            assert dg.materialize([jaargang], partition_key="2023", instance=instance, resources=resources).success
        requests, skipped = evaluate()
        assert requests == [] and "2024 is nog niet gebouwd" in str(skipped)  # its first build takes 2023 along
        code, _, err = build(config)
        assert code == 0, err
        with contextlib.redirect_stdout(io.StringIO()):
            assert dg.materialize([jaargang], partition_key="2023", instance=instance, resources=resources).success
        requests, _ = evaluate()
        assert len(requests) == 1 and trends_after_jaargang.job_name == "trends_update"


def test_a_built_year_leads_to_new_trends_and_maps_only():
    selected = {k.to_user_string() for k in trends_update.selection.resolve(defs.resolve_asset_graph())}
    assert selected == {"indicators/trends", "maps/indicator_pages", "maps/opgave_pages", "maps/index"}
    republished = {k.path[0] for k in defs.resolve_job_def("republish").asset_layer.executable_asset_keys}
    assert "historie" not in republished and {"raw", "maps"} <= republished


def test_a_year_whose_configuration_is_missing_gets_a_partition_and_a_run_that_says_why(tmp_path, monkeypatch):
    config, _ = two_year_lab(tmp_path)
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["jaren"][2022] = "demo_2022.yaml"  # not written
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV_VAR, str(config))
    resources = {"datalab": DataLabResource(config_path=str(config))}
    with dg.DagsterInstance.ephemeral() as instance:
        with dg.build_sensor_context(instance=instance, cursor=None, resources=resources) as context:
            result = cbs_jaren_sensor(context)
        assert [r.partition_keys for r in result.dynamic_partitions_requests] == [["2022", "2023"]]
        assert sorted(r.partition_key for r in result.run_requests) == ["2022", "2023"]
        instance.add_dynamic_partitions(CBS_JAREN.name, ["2022"])
        run = defs.resolve_job_def("jaargang").execute_in_process(
            partition_key="2022", instance=instance, raise_on_error=False
        )
    assert not run.success
    assert any("jaren.2022" in line and "configuration file not found" in line for line in failures(run))


def test_the_fingerprint_of_a_year_covers_its_catalogue_and_opgaven_and_its_demo_folder_is_its_own(tmp_path):
    for name in ("demo_indicatoren.yaml", "demo_opgaven.yaml"):
        (tmp_path / name).write_text((PROJECT / "config" / name).read_text(encoding="utf-8"), encoding="utf-8")
    earlier = earlier_year_config(tmp_path)
    raw = yaml.safe_load(earlier.read_text(encoding="utf-8"))
    raw["indicatoren"], raw["opgaven"] = "demo_indicatoren.yaml", "demo_opgaven.yaml"
    earlier.write_text(yaml.safe_dump(raw), encoding="utf-8")
    first = configuration_fingerprint(earlier)
    assert configuration_fingerprint(earlier) == first
    catalogue = tmp_path / "demo_indicatoren.yaml"
    catalogue.write_text(catalogue.read_text(encoding="utf-8") + "# een indicator herzien\n", encoding="utf-8")
    assert configuration_fingerprint(earlier) != first
    assert configuration_fingerprint(tmp_path / "bestaat_niet.yaml") == "ontbreekt"

    config = demo_config(tmp_path, jaren={2023: earlier.name})
    raw["demo"]["folder"] = "data/demo"  # this year's demo folder
    earlier.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"its demo\.folder is this year's"):
        load_year_config(load_config(config, check_files=False), 2023)
