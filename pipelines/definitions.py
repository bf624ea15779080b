"""The Dagster code location of ogw-datalab: the one graph, partitioned by gemeente × jaar.

Loaded identically by ``workspace.yaml``, ``[tool.dagster]`` and ``[tool.dg]``; the command line
(``ogw-datalab build``), ``make demo`` and ``make dev`` all run the jobs of this one ``defs``. The
project configuration file is chosen with the environment variable ``OGW_DATALAB_CONFIG`` (read
when a run starts, never at import).
"""

from __future__ import annotations

import dagster as dg

from .assets import indicators, joined, maps, overview, raw, staging, timeseries
from .checks import all_checks
from .executors import select_executor
from .garbage_collector import spare_imported_objects
from .jobs import all_jobs
from .progress import PROGRESS_LOGGER, progress_logger
from .resources import CONFIG_ENV_VAR, DataLabResource
from .schedules import all_schedules
from .sensors import all_sensors

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([raw, staging, joined, timeseries, indicators, maps, overview]),
    asset_checks=all_checks,
    jobs=all_jobs,
    schedules=all_schedules,
    sensors=all_sensors,
    resources={"datalab": DataLabResource(config_path=dg.EnvVar(CONFIG_ENV_VAR))},
    loggers={PROGRESS_LOGGER: progress_logger, "console": dg.colored_console_logger},
    # Startup dominates small runs; one process also means one connection to the working database.
    executor=select_executor(),
)
# Every process that runs the graph has imported it by now (the command, Dagster's run and code servers, Celery).
spare_imported_objects()


def build_job() -> dg.JobDefinition:
    """The ``build`` job, for :func:`dagster.reconstructable` (the command line runs it in its own process)."""
    return defs.resolve_job_def("build")


def partner_update_job() -> dg.JobDefinition:
    """The ``partner_update`` job (what the inbox sensor runs), for :func:`dagster.reconstructable`."""
    return defs.resolve_job_def("partner_update")


def overview_job() -> dg.JobDefinition:
    """The ``overview`` job (several gemeenten), for :func:`dagster.reconstructable`."""
    return defs.resolve_job_def("overview")
