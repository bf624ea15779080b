"""The Dagster code location of ogw-datalab.

Loaded identically by ``workspace.yaml``, ``[tool.dagster]`` and ``[tool.dg]``. The project
configuration file is chosen with the environment variable ``OGW_DATALAB_CONFIG`` (read when
a run starts, never at import).
"""

from __future__ import annotations

import dagster as dg

from .assets import historie
from .automation import (
    cbs_jaren_sensor,
    fetch_job,
    jaargang_job,
    monthly_fetch,
    monthly_republish,
    partner_inbox_sensor,
    partner_update,
    republish,
    trends_after_jaargang,
    trends_update,
)
from .build import YEAR_GRAPH
from .checks import all_checks
from .resources import CONFIG_ENV_VAR, DataLabResource

all_assets = [*YEAR_GRAPH, *dg.load_assets_from_modules([historie])]

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[republish, partner_update, fetch_job, jaargang_job, trends_update],
    schedules=[monthly_fetch, monthly_republish],
    sensors=[partner_inbox_sensor, cbs_jaren_sensor, trends_after_jaargang],
    resources={"datalab": DataLabResource(config_path=dg.EnvVar(CONFIG_ENV_VAR))},
    # Startup dominates small runs; one process also means one writer to the DuckDB file.
    executor=dg.in_process_executor,
)
