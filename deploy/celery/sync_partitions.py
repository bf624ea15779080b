"""Add the partitions (gemeente × jaar) of ``OGW_DATALAB_CONFIG`` to the Dagster instance and print their keys.

The instance is that of ``DAGSTER_HOME``; the keys are comma-separated, for ``dagster job backfill --partitions``.
The daemon's sensor ``builds_follow_configuration`` does the same within a minute; this is for a backfill now:

    .venv/bin/python deploy/celery/sync_partitions.py
"""

from __future__ import annotations

import os
import sys

import dagster as dg

from ogw_datalab.config import load_configuration
from ogw_datalab.project import builds_of
from pipelines.partitions import partition_key, sync_partitions
from pipelines.resources import CONFIG_ENV_VAR


def main() -> int:
    """Sync the partitions and print their keys; exit code 2 when an environment variable is missing."""
    if not os.environ.get("DAGSTER_HOME") or not os.environ.get(CONFIG_ENV_VAR):
        print(f"set DAGSTER_HOME and {CONFIG_ENV_VAR} first (deploy/celery/README.md)", file=sys.stderr)
        return 2
    config = load_configuration(os.environ[CONFIG_ENV_VAR], check_files=False)
    with dg.DagsterInstance.get() as instance:
        sync_partitions(config, instance)
    print(",".join(str(partition_key(gemeente, jaar)) for gemeente, jaar in builds_of(config)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
