"""Dagster's bookkeeping of a build, made cheaper without changing what it records: the run's dynamic partitions
asked once (pipelines/partitions.py, RememberedPartitions) and the temporary instance's event log on one held
connection (pipelines/instance.py); and what each table-writing asset reports about its table."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster._core.definitions.data_version import DATA_VERSION_TAG

from ogw_datalab.duckdb_connection import connect
from pipelines.assets.metadata import table_metadata
from pipelines.instance import HeldConnectionEventLogStorage, ephemeral_instance
from pipelines.partitions import GEMEENTE, GEMEENTE_JAAR, JAAR, RememberedPartitions, partition_key


def _partitioned_job() -> dg.JobDefinition:
    """Three assets partitioned as a build is (gemeente × jaar), one with a blocking check, like the real graph."""

    @dg.asset(partitions_def=GEMEENTE_JAAR, key=["raw", "buurten"])
    def raw_buurten() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"dagster/row_count": 3})

    @dg.asset(
        partitions_def=GEMEENTE_JAAR,
        key=["staging", "buurten"],
        deps=[raw_buurten],
        check_specs=[dg.AssetCheckSpec("buurtcodes_unique", asset=["staging", "buurten"], blocking=True)],
    )
    def staging_buurten(context):
        yield dg.MaterializeResult(metadata={"gemeente": context.partition_key.keys_by_dimension[GEMEENTE]})
        yield dg.AssetCheckResult(check_name="buurtcodes_unique", passed=True)

    @dg.asset(partitions_def=GEMEENTE_JAAR, key=["indicators", "buurt"], deps=[staging_buurten])
    def indicators_buurt() -> dg.MaterializeResult:
        return dg.MaterializeResult(metadata={"dagster/row_count": 3})

    defs = dg.Definitions(
        assets=[raw_buurten, staging_buurten, indicators_buurt],
        jobs=[dg.define_asset_job("build", selection="*")],
        executor=dg.in_process_executor,
    )
    return defs.resolve_job_def("build")


@contextmanager
def _with_partitions(instance: dg.DagsterInstance) -> Iterator[dg.DagsterInstance]:
    with instance:  # disposed at the end: its temporary folder too
        instance.add_dynamic_partitions(GEMEENTE, ["GM0484", "GM0003"])
        instance.add_dynamic_partitions(JAAR, ["2015"])
        yield instance


def _record(instance: dg.DagsterInstance, job: dg.JobDefinition) -> list:
    """What the instance keeps of two builds: per run its events' types, then each asset's latest materialization."""
    kept: list = []
    for gemeente in ("GM0484", "GM0003", "GM0484"):
        result = job.execute_in_process(instance=instance, partition_key=partition_key(gemeente, 2015))
        assert result.success
        kept.append([e.event_type_value for e in result.all_events])
    for key in (["raw", "buurten"], ["staging", "buurten"], ["indicators", "buurt"]):
        latest = instance.get_latest_materialization_event(dg.AssetKey(key))
        assert latest is not None
        assert latest.asset_materialization is not None
        kept.append((key, latest.asset_materialization.partition, dict(latest.asset_materialization.metadata)))
    check = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey(["staging", "buurten"]), "buurtcodes_unique")]
    )
    kept.append([execution.status for execution in check.values()])
    kept.append(sorted(instance.get_materialized_partitions(dg.AssetKey(["indicators", "buurt"]))))
    return kept


def test_the_held_connection_records_what_dagsters_own_ephemeral_instance_records():
    job = _partitioned_job()
    with _with_partitions(ephemeral_instance()) as ours, _with_partitions(dg.DagsterInstance.ephemeral()) as dagsters:
        assert isinstance(ours.event_log_storage, HeldConnectionEventLogStorage)
        recorded = _record(ours, job)
        assert recorded == _record(dagsters, job)
        # both partitions materialised, stored and read back
        assert recorded[-1] == sorted(str(partition_key(g, 2015)) for g in ("GM0484", "GM0003"))
        assert len(ours.get_runs()) == 3


def _data_version_tags(instance: dg.DagsterInstance) -> dict[str, dict[str, str]]:
    """The tags about data versions on each asset's latest materialization."""
    tags = {}
    for key in (["raw", "buurten"], ["staging", "buurten"], ["indicators", "buurt"]):
        latest = instance.get_latest_materialization_event(dg.AssetKey(key))
        assert latest is not None
        assert latest.asset_materialization is not None
        tags["/".join(key)] = {k: v for k, v in latest.asset_materialization.tags.items() if "data_version" in k}
    return tags


def test_the_temporary_instance_records_no_data_versions_and_dagsters_own_instances_do():
    job = _partitioned_job()
    with _with_partitions(ephemeral_instance()) as ours, _with_partitions(dg.DagsterInstance.ephemeral()) as dagsters:
        for instance in (ours, dagsters):
            for gemeente in ("GM0484", "GM0484"):  # the second build has earlier versions to look up
                assert job.execute_in_process(instance=instance, partition_key=partition_key(gemeente, 2015)).success
        assert _data_version_tags(ours) == {"raw/buurten": {}, "staging/buurten": {}, "indicators/buurt": {}}
        kept = _data_version_tags(dagsters)
        assert all(DATA_VERSION_TAG in tags for tags in kept.values())
        # staging/buurten was made from raw/buurten's version of this partition, as Dagster records it
        assert kept["staging/buurten"][f"{DATA_VERSION_TAG.replace('data_version', 'input_data_version')}/raw/buurten"]


def test_the_held_connection_is_used_by_its_own_thread_only_and_another_thread_still_reads_and_writes():
    with _with_partitions(ephemeral_instance()) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, HeldConnectionEventLogStorage)
        opened = []
        engine_connect = storage._engine.connect

        def counting_connect():
            opened.append(threading.get_ident())
            return engine_connect()

        storage._engine.connect = counting_connect  # type: ignore[method-assign]
        assert instance.has_dynamic_partition(GEMEENTE, "GM0484")
        assert opened == []  # the held connection answered
        answers: list = []

        def elsewhere():
            instance.add_dynamic_partitions(GEMEENTE, ["GM0050"])
            answers.append(instance.has_dynamic_partition(GEMEENTE, "GM0050"))

        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
        assert answers == [True]
        assert len(opened) == 2
        assert threading.get_ident() not in opened
        assert instance.has_dynamic_partition(GEMEENTE, "GM0050")  # and what it wrote is seen here


def test_a_run_asks_the_instance_once_per_partition_key_and_forgetting_puts_it_back():
    with _with_partitions(dg.DagsterInstance.ephemeral()) as instance:
        asked: list[tuple[str, str]] = []
        storage_asks = instance.event_log_storage.has_dynamic_partition

        def counting(partitions_def_name: str, partition_key: str) -> bool:
            asked.append((partitions_def_name, partition_key))
            return storage_asks(partitions_def_name, partition_key)

        instance.event_log_storage.has_dynamic_partition = counting  # type: ignore[method-assign]
        job = _partitioned_job()
        job.execute_in_process(instance=instance, partition_key=partition_key("GM0484", 2015))
        without = len(asked)
        asked.clear()

        remembered = RememberedPartitions(instance)
        result = job.execute_in_process(instance=instance, partition_key=partition_key("GM0003", 2015))
        assert result.success
        assert sorted(set(asked)) == [(GEMEENTE, "GM0003"), (JAAR, "2015")] == sorted(asked)
        assert without > 4 * len(asked)  # Dagster asked for every input and output of every step
        assert not remembered.has_dynamic_partition(GEMEENTE, "GM9999")  # a missing key is not remembered ...
        instance.add_dynamic_partitions(GEMEENTE, ["GM9999"])
        assert remembered.has_dynamic_partition(GEMEENTE, "GM9999")  # ... so a key added meanwhile is found

        remembered.forget()
        asked.clear()
        assert instance.has_dynamic_partition(GEMEENTE, "GM0003")
        assert asked == [(GEMEENTE, "GM0003")]  # the instance asks its storage again
        assert "has_dynamic_partition" not in vars(instance)


def test_a_transaction_an_interrupt_left_open_is_rolled_back_and_the_storage_goes_on():
    with _with_partitions(ephemeral_instance()) as instance:
        storage = instance.event_log_storage
        assert isinstance(storage, HeldConnectionEventLogStorage)
        storage._held_conn.begin()  # as if Ctrl-C came between begin() and the with-block that commits it
        assert instance.has_dynamic_partition(GEMEENTE, "GM0484")
        instance.add_dynamic_partitions(GEMEENTE, ["GM0050"])
        assert instance.has_dynamic_partition(GEMEENTE, "GM0050")
        assert not storage._held_conn.in_transaction()


def test_a_table_with_geometry_reports_its_crs_and_bounds_and_one_without_only_its_rows():
    con = connect(":memory:")
    con.execute("CREATE SCHEMA staging")
    con.execute(
        "CREATE TABLE staging.buurten AS SELECT * FROM (VALUES ('BU1', ST_GeomFromText('POINT (10.04 20)')),"
        " ('BU2', ST_GeomFromText('LINESTRING (0 5, 30.06 40)'))) t(buurtcode, geometry)"
    )
    con.execute("CREATE TABLE staging.tellingen AS SELECT 'BU1' AS buurtcode, 3 AS aantal")
    con.execute("CREATE VIEW staging.buurten_view AS SELECT * FROM staging.buurten")
    with_geometry = table_metadata(con, "staging", "buurten", extra="ja")
    assert with_geometry["dagster/row_count"] == 2
    assert with_geometry["crs"] == "EPSG:28992"
    assert with_geometry["bounds"].value == [0.0, 5.0, 30.1, 40.0]
    assert with_geometry["extra"] == "ja"
    assert table_metadata(con, "staging", "buurten_view")["bounds"].value == [0.0, 5.0, 30.1, 40.0]
    assert table_metadata(con, "staging", "tellingen") == {"table": "staging.tellingen", "dagster/row_count": 1}
