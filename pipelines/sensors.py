"""Sensors: the builds follow the configuration, partner files follow the inbox, trends follow earlier years."""

from __future__ import annotations

import json

import dagster as dg
import duckdb

from ogw_datalab.config import ConfigError, ProjectConfig, configuration_fingerprint
from ogw_datalab.inbox import inbox_cursor, log_lines, process_inbox, read_inbox_cursor
from ogw_datalab.indicators.history import recorded_build
from ogw_datalab.project import builds_of, project_for
from ogw_datalab.timeseries.months import files_of_series, months_to_compute

from .jobs import build, partner_update, timeseries_month, trends_update
from .partitions import month_partition_key, parse_partition_key, partition_key, sync_requests
from .resources import SITE, DataLabResource


@dg.sensor(
    job=build,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Keep the partitions (gemeente × jaar) equal to the configuration, and build a partition that was "
    "never published or whose configuration, catalogue or opgaven changed (earlier years first).",
)
def builds_follow_configuration(context: dg.SensorEvaluationContext, datalab: DataLabResource):
    config = datalab.config
    requested: dict[str, str] = json.loads(context.cursor or "{}")
    runs, wanted = [], {}
    for gemeente, jaar in builds_of(config):
        key = str(partition_key(gemeente, jaar))
        earlier = getattr(config, "jaren", {})  # several gemeenten: one year each
        file = earlier[jaar] if jaar in earlier else config.config_file
        assert file is not None
        wanted[key] = configuration_fingerprint(file)
        try:
            project = project_for(config, gemeente, jaar)
            published = recorded_build(project.database, jaar, encryption_key=project.encryption_key)
        except ConfigError:
            published = None  # its run fails and says why, once per fingerprint
        except duckdb.IOException as error:
            return dg.SkipReason(f"the database of {key} is busy; trying again next time: {error}")
        if published != wanted[key] and requested.get(key) != wanted[key]:  # asked once per fingerprint
            runs.append(dg.RunRequest(partition_key=key, tags={"configuratie_sha256": wanted[key]}))
    context.update_cursor(json.dumps(wanted, sort_keys=True))
    partitions = sync_requests(config, context.instance)
    if not runs and not partitions:
        return dg.SkipReason("every partition is published from the configuration as it is now")
    return dg.SensorResult(run_requests=runs, dynamic_partitions_requests=partitions)


@dg.sensor(
    job=trends_update,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="After every published earlier year (by the sensor, by hand or as a backfill): the change since that "
    "year and the current year's site again, once the current year itself was built.",
)
def trends_follow_earlier_years(context: dg.SensorEvaluationContext, datalab: DataLabResource):
    latest = context.instance.fetch_materializations(SITE, limit=1)
    if context.cursor is None:  # first tick: watch from now on, republish nothing because the daemon started
        newest = latest.records[0].storage_id if latest.records else 0
        context.update_cursor(str(newest))
        return dg.SkipReason("watching from now on: an earlier year published later brings new trends")
    events = context.instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=SITE, after_storage_id=int(context.cursor)), limit=100, ascending=True
    ).records
    if not events:
        return dg.SkipReason("no year published since the last tick")
    context.update_cursor(str(events[-1].storage_id))
    config = datalab.config
    runs = {}
    for event in events:
        if event.partition_key is None:
            continue
        gemeente, jaar = parse_partition_key(event.partition_key)
        if jaar == config.jaar:
            continue
        current = project_for(config, gemeente, config.jaar)
        if recorded_build(current.database, config.jaar, encryption_key=current.encryption_key) is None:
            continue  # its first full build brings the earlier years in
        runs[gemeente] = dg.RunRequest(
            run_key=f"{event.run_id}:{event.partition_key}", partition_key=str(partition_key(gemeente, config.jaar))
        )
    return list(runs.values()) or dg.SkipReason("only current years were published, or they were never built")


@dg.sensor(
    job=partner_update,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watch the inbox for new or changed partner files (by content, not by time).",
)
def partner_inbox_sensor(context: dg.SensorEvaluationContext, datalab: DataLabResource):
    config = datalab.config
    if not isinstance(config, ProjectConfig) or config.uitvoer.inbox is None:
        return dg.SkipReason("uitvoer.inbox is not configured (an inbox belongs to the configuration of one gemeente)")
    round_ = process_inbox(config, seen=read_inbox_cursor(context.cursor))
    for line in log_lines(round_):
        context.log.info(line)
    context.update_cursor(inbox_cursor(round_))
    if not round_.loaded:
        return dg.SkipReason("no new or changed partner files that are complete and place their rows")
    return dg.RunRequest(  # no run key: a restored version may bring back content that was installed before
        partition_key=str(partition_key(config.gemeente.code, config.jaar)),
        tags={"partners": ",".join(sorted(round_.loaded))},
    )


@dg.sensor(
    jobs=[timeseries_month, build],
    minimum_interval_seconds=600,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Late sensor data: when a time-series file changes (a re-sent day, a period marked untrusted), "
    "compute again only the months whose checked values changed (and months never computed), then republish the "
    "gemeente's current year so that its charts follow.",
)
def late_sensor_data(context: dg.SensorEvaluationContext, datalab: DataLabResource):
    config = datalab.config
    seen: dict[str, dict] = json.loads(context.cursor or "{}")
    runs = []
    for gemeente, jaar in builds_of(config):
        if jaar != config.jaar:
            continue
        project = project_for(config, gemeente, jaar)
        if not project.config.tijdreeksen or not project.database.is_file():
            continue  # nothing to watch, or the first build (which computes every month) has not run yet
        before = seen.get(gemeente, {})
        files = files_of_series(project.config)
        if files == before.get("bestanden"):
            continue
        months, changed = months_to_compute(project.config, before.get("maanden", {}))
        seen[gemeente] = {"bestanden": files, "maanden": months}
        for month in changed:
            key = str(month_partition_key(gemeente, month))
            runs.append(dg.RunRequest(job_name="timeseries_month", run_key=f"{key}:{months[month]}", partition_key=key))
        if changed and before:  # the first look only fills the months in; the build has the same figures
            runs.append(
                dg.RunRequest(job_name="build", partition_key=str(partition_key(gemeente, jaar)), tags={"late": "1"})
            )
    context.update_cursor(json.dumps(seen, sort_keys=True))
    return runs or dg.SkipReason("no time-series file changed the values of any month")


all_sensors = [builds_follow_configuration, trends_follow_earlier_years, partner_inbox_sensor, late_sensor_data]
