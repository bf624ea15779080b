"""Which executor runs the steps of a run, chosen by the deployment through ``OGW_DATALAB_EXECUTOR`` (one
``Definitions`` for every deployment).

``in_process`` (the default): every step of a run in the run's own process. That is what a build needs: the
resource opens one working copy of the gemeente's database per process and throws it away when the process
ends (``pipelines/resources.py``), so the steps of one build must share a process.

To spread gemeenten over machines, run whole runs on Celery workers with dagster-celery's run launcher in
``$DAGSTER_HOME/dagster.yaml`` (deploy/celery/README.md): each worker runs one gemeente's build in process.
dagster-celery's step executor (``celery``) is refused with the reason, because each of its steps would start
from a fresh copy of the published database and see none of the tables the earlier steps wrote.
"""

from __future__ import annotations

import os

import dagster as dg

EXECUTOR_ENV_VAR = "OGW_DATALAB_EXECUTOR"


def select_executor() -> dg.ExecutorDefinition:
    """The executor of the one graph: ``dg.in_process_executor`` unless ``OGW_DATALAB_EXECUTOR`` says otherwise.

    Raises
    ------
    ValueError
        For ``celery`` (steps in separate processes cannot share a build yet; use the run launcher) and for an
        unknown name.
    """
    choice = (os.environ.get(EXECUTOR_ENV_VAR) or "in_process").strip().lower()
    if choice in ("in_process", "in-process"):
        return dg.in_process_executor
    if choice == "celery":
        raise ValueError(
            f"{EXECUTOR_ENV_VAR}=celery would run every step of a build in another process, and a build keeps its "
            "working database per process, so later steps would not find the tables of earlier ones; leave "
            f"{EXECUTOR_ENV_VAR} unset and put the CeleryRunLauncher in dagster.yaml instead (deploy/celery/README.md)"
        )
    raise ValueError(f"{EXECUTOR_ENV_VAR} is '{choice}'; leave it unset or use 'in_process'")
