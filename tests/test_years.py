"""Earlier CBS years: configured under ``jaren:``, built as jaar partitions of the one graph into their own database
and site, brought into historie.* by the current year's build, and compared with it on today's buurten."""

from __future__ import annotations

import shutil

import dagster as dg
import pytest
import yaml

from ogw_datalab.config import ConfigError, configuration_fingerprint, load_config, load_year_config
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.project import project_for
from pipelines.builds import run_build
from pipelines.definitions import build_job, defs
from pipelines.jobs import trends_update
from pipelines.partitions import GEMEENTE, JAAR, run_tags
from pipelines.progress import failures
from pipelines.resources import CONFIG_ENV_VAR, DataLabResource
from pipelines.sensors import builds_follow_configuration, trends_follow_earlier_years

from .labs import PROJECT, Lab, demo_config, earlier_year_config, files_under


def test_years_must_be_earlier_than_the_current_year(tmp_path):
    config = demo_config(tmp_path, years=True)
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    raw["jaren"] = {2023: "demo_2023.yaml", 2024: "demo_2023.yaml"}
    config.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"jaren: \[2024\] must be earlier than jaar 2024"):
        load_config(config, check_files=False)


def test_an_earlier_year_must_be_the_same_gemeente_with_its_own_database_and_site(tmp_path):
    earlier_year_config(tmp_path, database="data/datalab.duckdb")
    config = demo_config(tmp_path, jaren={2023: "demo_2023.yaml"})
    with pytest.raises(ConfigError, match=r"jaren\.2023 .*its uitvoer\.database is this year's"):
        load_year_config(load_config(config, check_files=False), 2023)
    raw = yaml.safe_load((tmp_path / "demo_2023.yaml").read_text(encoding="utf-8"))
    raw["uitvoer"]["database"] = "data/jaren/datalab_2023.duckdb"
    raw["jaar"], raw["gemeente"]["code"] = 2022, "GM0484"
    (tmp_path / "demo_2023.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"its jaar is 2022, not 2023; its gemeente is GM0484, not GM9999"):
        load_year_config(load_config(config, check_files=False), 2023)
    with pytest.raises(ConfigError, match=r"no configuration for 2021 \(configured: 2023\)"):
        load_year_config(load_config(config, check_files=False), 2021)


@pytest.mark.e2e
def test_each_year_is_its_own_partition_with_its_own_database_and_the_current_one_holds_them_all(demo_lab):
    con = connect(demo_lab.database, read_only=True)
    years = dict(con.execute("SELECT jaar, count(*) FROM historie.buurten GROUP BY 1").fetchall())
    assert years == {2023: 45, 2024: 46}  # Binnenstad and Havenkwartier were one buurt in 2023
    assert con.execute("SELECT count(*) FROM staging.buurten").fetchone() == (46,)  # this year's tables are 2024
    recorded = dict(con.execute("SELECT jaar, sha256 FROM historie.jaargangen").fetchall())
    assert recorded == {
        2023: configuration_fingerprint(demo_lab.folder / "demo_2023.yaml"),
        2024: configuration_fingerprint(demo_lab.config),
    }
    havenkwartier = con.execute(
        "SELECT vorige_waarde FROM indicators.trends WHERE indicator = 'inwoners' AND buurtcode = 'BU99990101'"
    ).fetchone()
    assert havenkwartier is not None
    assert havenkwartier[0] > 0
    total_then = con.execute(
        "SELECT sum(waarde) FROM historie.waarden WHERE jaar = 2023 AND indicator = 'inwoners' "
        "AND status = 'gepubliceerd'"
    ).fetchone()[0]
    moved = con.execute("SELECT sum(vorige_waarde) FROM indicators.trends WHERE indicator = 'inwoners'").fetchone()[0]
    assert moved == pytest.approx(total_then, rel=0.02)  # counts are moved, not created (published buurten only)
    con.close()
    year_db = connect(demo_lab.folder / "data" / "jaren" / "datalab_2023.duckdb", read_only=True)
    assert year_db.execute("SELECT count(*) FROM staging.buurten").fetchone() == (45,)
    year_db.close()
    assert "sinds 2023" in (demo_lab.maps / "bomen_per_1000_inwoners.html").read_text(encoding="utf-8")
    assert (demo_lab.folder / "data" / "jaren" / "maps_2023" / "index.html").is_file()
    with demo_lab.instance() as instance:  # the instance the demo was built on, by whichever test process
        runs = instance.get_runs(dg.RunsFilter(job_name="build"))
    built = {(r.tags[f"dagster/partition/{GEMEENTE}"], r.tags[f"dagster/partition/{JAAR}"]) for r in runs}
    assert {("GM9999", "2023"), ("GM9999", "2024")} <= built  # both years: runs of the one build job


@pytest.mark.e2e
def test_a_changed_year_is_built_again_and_a_broken_one_changes_nothing(demo_lab, tmp_path):
    lab = demo_lab.copy(tmp_path, keep_demo_files=True)
    earlier = lab.folder / "demo_2023.yaml"
    earlier.write_text(earlier.read_text(encoding="utf-8") + "# herzien\n", encoding="utf-8")
    run = lab.run()
    assert run.code == 0
    assert "building Waardhoven (GM9999) 2023" in run.out

    raw = yaml.safe_load(earlier.read_text(encoding="utf-8"))
    raw["demo"] = None  # the 2023 files stay as the last build wrote them
    (lab.folder / "data" / "demo_2023" / "kapot.geojson").write_text('{"type": "FeatureCollection", ', "utf-8")
    raw["lagen"]["bomen"]["pad"] = "data/demo_2023/kapot.geojson"
    earlier.write_text(yaml.safe_dump(raw), encoding="utf-8")
    before = files_under(lab.folder / "data") | files_under(lab.maps)
    run = lab.run()
    assert run.code == 2
    assert "kapot.geojson" in run.err
    assert run.err.strip().endswith("build failed: site and database unchanged")
    after = files_under(lab.folder / "data") | files_under(lab.maps)
    assert {k: v for k, v in after.items() if not k.startswith("demo/")} == {
        k: v for k, v in before.items() if not k.startswith("demo/")
    }  # (a build that writes the demo files rewrites them before anything is built, as make demo does)

    raw["lagen"]["bomen"]["pad"] = "data/demo_2023/ontbrekend.geojson"
    earlier.write_text(yaml.safe_dump(raw), encoding="utf-8")
    run = lab.run()
    assert run.code == 2  # checked when 2023 is built: an archived year that is built already needs no files
    assert "demo_2023.yaml: missing input files" in run.err
    assert "lagen.bomen.pad: file not found" in run.err

    demo_config(lab.folder, jaren={})  # 2023 dropped from the configuration: no more change since 2023
    run = lab.run()
    assert run.code == 0, run.err
    con = connect(lab.database, read_only=True)
    assert con.execute("SELECT count(*) FROM indicators.trends").fetchone() == (0,)
    con.close()
    assert "sinds 2023" not in (lab.maps / "bomen_per_1000_inwoners.html").read_text(encoding="utf-8")


def test_a_build_writes_no_demo_files_for_an_earlier_year_it_skips(demo_lab, tmp_path):
    lab = demo_lab.copy(tmp_path)
    for folder in ("demo", "demo_2023"):  # 2023 is published from this configuration; 2024's files are written again
        shutil.rmtree(lab.folder / "data" / folder)
    raw = yaml.safe_load(lab.config.read_text(encoding="utf-8"))
    raw["lagen"]["bomen"]["pad"] = "data/demo/ontbrekend.geojson"  # so that the build stops after the demo files
    lab.config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    run = lab.run()
    assert run.code == 2
    assert "lagen.bomen.pad: file not found" in run.err
    assert (lab.folder / "data" / "demo" / "bag-light.gpkg").is_file()  # this year's, written before the check
    assert not (lab.folder / "data" / "demo_2023").exists()


def evaluate(sensor, instance: dg.DagsterInstance, config, cursor: str | None = None):
    resources = {"datalab": DataLabResource(config_path=str(config))}
    with dg.build_sensor_context(
        instance=instance, cursor=cursor, resources=resources, repository_def=defs.get_repository_def()
    ) as context:
        return sensor(context), context.cursor


def test_the_sensor_keeps_partitions_equal_to_the_configuration_and_asks_each_build_once(demo_lab, tmp_path):
    lab = Lab(tmp_path, demo_config(tmp_path, years=True))
    with dg.DagsterInstance.ephemeral() as instance:
        result, cursor = evaluate(builds_follow_configuration, instance, lab.config)
        added = {r.partitions_def_name: r.partition_keys for r in result.dynamic_partitions_requests}
        assert added == {"gemeente": ["GM9999"], "jaar": ["2023", "2024"]}
        assert [r.partition_key for r in result.run_requests] == ["GM9999|2023", "GM9999|2024"]  # earlier first
        instance.add_dynamic_partitions("gemeente", ["GM9999"])  # as the daemon applies the requests
        instance.add_dynamic_partitions("jaar", ["2023", "2024"])
        result, cursor = evaluate(builds_follow_configuration, instance, lab.config, cursor)
        assert isinstance(result, dg.SkipReason)  # asked for and not built yet: not asked twice

        built = demo_lab.copy(tmp_path)  # the same configuration, published
        result, cursor = evaluate(builds_follow_configuration, instance, built.config, None)
        assert isinstance(result, dg.SkipReason)  # nothing is rebuilt because the daemon started

        earlier = built.folder / "demo_2023.yaml"
        earlier.write_text(earlier.read_text(encoding="utf-8") + "# herzien\n", encoding="utf-8")
        result, cursor = evaluate(builds_follow_configuration, instance, built.config, cursor)
        assert [r.partition_key for r in result.run_requests] == ["GM9999|2023"]

        shutil.rmtree(built.folder / "data" / "jaren")  # as `make clean` does, while the run history stays
        result, _ = evaluate(builds_follow_configuration, instance, built.config, None)
        assert [r.partition_key for r in result.run_requests] == ["GM9999|2023"]

        demo_config(built.folder, jaren={2022: "demo_2022.yaml"})  # 2023 dropped, 2022 configured but missing
        result, _ = evaluate(builds_follow_configuration, instance, built.config, cursor)
        kinds = {
            (type(r).__name__, r.partitions_def_name): r.partition_keys for r in result.dynamic_partitions_requests
        }
        assert kinds == {
            ("AddDynamicPartitionsRequest", "jaar"): ["2022"],
            ("DeleteDynamicPartitionsRequest", "jaar"): ["2023"],
        }
        # 2022: its run says what is missing; 2024: its configuration changed (jaren)
        assert [r.partition_key for r in result.run_requests] == ["GM9999|2022", "GM9999|2024"]
        instance.add_dynamic_partitions("jaar", ["2022"])
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv(CONFIG_ENV_VAR, str(built.config))
            run = dg.execute_job(
                dg.reconstructable(build_job), instance=instance, tags=run_tags("GM9999", 2022), raise_on_error=False
            )
        assert not run.success
        assert any("jaren.2022" in line and "configuration file not found" in line for line in failures(run))


@pytest.mark.e2e
def test_an_earlier_year_published_any_way_brings_new_trends_once_the_current_year_is_built(demo_lab, tmp_path):
    lab = demo_lab.copy(tmp_path)
    config = load_config(lab.config, check_files=False)
    with dg.DagsterInstance.ephemeral() as instance:
        instance.add_dynamic_partitions("gemeente", ["GM9999"])
        instance.add_dynamic_partitions("jaar", ["2023", "2024"])
        result, cursor = evaluate(trends_follow_earlier_years, instance, lab.config)
        assert isinstance(result, dg.SkipReason)  # the daemon started: nothing is republished
        assert run_build(instance, config, project_for(config, "GM9999", 2023), debug=False).success
        result, cursor = evaluate(trends_follow_earlier_years, instance, lab.config, cursor)
        assert [r.partition_key for r in result] == ["GM9999|2024"]
        result, cursor = evaluate(trends_follow_earlier_years, instance, lab.config, cursor)
        assert isinstance(result, dg.SkipReason)
        lab.database.unlink()  # the current year was never built: its first build takes 2023 along
        assert run_build(instance, config, project_for(config, "GM9999", 2023), debug=False).success
        result, _ = evaluate(trends_follow_earlier_years, instance, lab.config, cursor)
        assert isinstance(result, dg.SkipReason)


def test_a_built_year_leads_to_new_trends_and_a_new_site_only():
    selected = {k.to_user_string() for k in trends_update.selection.resolve(defs.resolve_asset_graph())}
    assert selected == {"indicators/trends", "maps/site"}


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
    raw["demo"]["map"] = "data/demo"  # this year's demo folder
    earlier.write_text(yaml.safe_dump(raw), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"its demo\.map is this year's"):
        load_year_config(load_config(config, check_files=False), 2023)
