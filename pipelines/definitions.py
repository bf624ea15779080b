"""The Dagster code location of ogw-datalab.

Loaded identically by ``workspace.yaml``, ``[tool.dagster]`` and ``[tool.dg]``. The project
configuration file is chosen with the environment variable ``OGW_DATALAB_CONFIG`` (read when
a run starts, never at import).
"""

from __future__ import annotations

import dagster as dg

from .assets import indicators, joined, maps, raw, staging
from .automation import fetch_job, monthly_fetch, monthly_republish, partner_inbox_sensor, partner_update, republish
from .checks import all_checks
from .resources import CONFIG_ENV_VAR, DataLabResource

all_assets = dg.load_assets_from_modules([raw, staging, joined, indicators, maps])

defs = dg.Definitions(
    assets=all_assets,
    asset_checks=all_checks,
    jobs=[republish, partner_update, fetch_job],
    schedules=[monthly_fetch, monthly_republish],
    sensors=[partner_inbox_sensor],
    resources={"datalab": DataLabResource(config_path=dg.EnvVar(CONFIG_ENV_VAR))},
    # Startup dominates small runs; one process also means one writer to the DuckDB file.
    executor=dg.in_process_executor,
)
