"""Schedules: fetch open data, compute the month just ended of every time series, and republish every build of the
configuration once a month."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from ogw_datalab.project import builds_of, project_for

from .jobs import build, fetch, retention, timeseries_month
from .partitions import month_partition_key, partition_key
from .resources import DataLabResource

monthly_fetch = dg.ScheduleDefinition(
    name="monthly_fetch",
    job=fetch,
    cron_schedule="0 5 1 * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The 1st of the month at 05:00: download open data.",
)


@dg.schedule(
    job=build,
    cron_schedule="0 7 1 * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The 1st of the month at 07:00: republish the current year of every gemeente.",
)
def monthly_republish(context: dg.ScheduleEvaluationContext, datalab: DataLabResource):
    config = datalab.config
    current = [(g, y) for g, y in builds_of(config) if y == config.jaar]
    stamp = context.scheduled_execution_time.strftime("%Y-%m")
    return [dg.RunRequest(run_key=f"{stamp}:{g}:{y}", partition_key=str(partition_key(g, y))) for g, y in current]


@dg.schedule(
    job=timeseries_month,
    cron_schedule="0 6 1 * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The 1st of the month at 06:00 (after the download, before the republish): compute the month just "
    "ended of every gemeente with time series.",
)
def monthly_timeseries(context: dg.ScheduleEvaluationContext, datalab: DataLabResource):
    config = datalab.config
    ended = (context.scheduled_execution_time.date().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    requests = []
    for gemeente, jaar in builds_of(config):
        if jaar == config.jaar and project_for(config, gemeente, jaar).config.tijdreeksen:
            key = str(month_partition_key(gemeente, ended))
            requests.append(dg.RunRequest(run_key=key, partition_key=key))
    return requests or dg.SkipReason("no gemeente of the configuration has time series")


daily_retention = dg.ScheduleDefinition(
    name="daily_retention",
    job=retention,
    cron_schedule="0 3 * * *",
    execution_timezone="Europe/Amsterdam",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 03:00: delete partner files and rows older than their bewaartermijn.",
)

all_schedules = [monthly_fetch, monthly_timeseries, monthly_republish, daily_retention]
