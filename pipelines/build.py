"""One year's asset graph, run in this process: by the command line for the current year, and by
the ``historie/jaargang`` partitions for each earlier CBS year (into that year's own database)."""

from __future__ import annotations

import logging

import dagster as dg

from ogw_datalab.config import ProjectConfig, check_source_files, load_config, load_year_config
from ogw_datalab.demo.write_demo import write_demo_municipality
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.opgaven import load_opgaven

from .assets import indicators, joined, maps, raw, staging
from .checks import all_checks
from .resources import DataLabResource

YEAR_GRAPH = dg.load_assets_from_modules([raw, staging, joined, indicators, maps])


def prepare(config_path, *, write_demo: bool) -> ProjectConfig:
    """Validate the configuration and every earlier year it lists (writing demo files when asked for)."""
    config = load_config(config_path, check_files=False)
    _prepare_files(config, write_demo=write_demo)
    for year in config.jaren:  # their source files are checked only when the year is built
        _check_catalogue_and_opgaven(load_year_config(config, year))
    return config


def prepare_year(config: ProjectConfig, year: int) -> ProjectConfig:
    """The configuration of an earlier year, validated, with its demo files written when it has a demo block."""
    earlier = load_year_config(config, year)
    _prepare_files(earlier, write_demo=True)
    return earlier


def _check_catalogue_and_opgaven(config: ProjectConfig) -> None:
    load_opgaven(config.opgaven, load_catalogue(config.indicatoren, config), config.layers)


def _prepare_files(config: ProjectConfig, *, write_demo: bool) -> None:
    _check_catalogue_and_opgaven(config)
    if config.demo is not None and write_demo:
        write_demo_municipality(config.demo.folder, seed=config.demo.seed, jaar=config.demo.jaar)
    check_source_files(config)


@dg.logger
def quiet_logger(_context) -> logging.Logger:
    """For a run inside a run: only warnings and errors, the outer run reports the rest."""
    log = logging.getLogger("ogw_datalab.inner_run")
    log.setLevel(logging.WARNING)
    return log


LOGGING: dict[str, dict] = {"loggers": {"log": {}}}  # run config that switches on the logger named "log"


def run_year_graph(
    config: ProjectConfig, instance: dg.DagsterInstance, logger: dg.LoggerDefinition = quiet_logger
) -> dg.ExecuteInProcessResult:
    """Materialise every asset of one year (sources to maps, with the checks) for ``config``."""
    defs = dg.Definitions(
        assets=YEAR_GRAPH,
        asset_checks=all_checks,
        resources={"datalab": DataLabResource(config_path=str(config.config_file))},
        loggers={"log": logger},
        executor=dg.in_process_executor,
    )
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, run_config=LOGGING, raise_on_error=False)


def describe(materialization: dg.AssetMaterialization) -> str:
    """'staging/buurten (46 rows)', or 'raw/adressen (skipped: <reason>)'."""
    name = materialization.asset_key.to_user_string()
    skipped = materialization.metadata.get("skipped")
    if skipped is not None:
        return f"{name} (skipped: {skipped.value})"
    rows = materialization.metadata.get("dagster/row_count")
    return f"{name} ({rows.value:,} rows)" if rows is not None else name


def materialised(result: dg.ExecuteInProcessResult) -> list[str]:
    """:func:`describe` for every asset the run materialised."""
    return [
        describe(event.step_materialization_data.materialization) for event in result.get_asset_materialization_events()
    ]


def failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """One line per failed step, with the innermost error (the one that names the file or the data), and one per
    failed blocking check, with what it found."""
    lines = []
    for event in result.all_events:
        if event.is_step_failure:
            lines.append(f"{event.step_key}: {_root_cause(event.step_failure_data.error)}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.asset_check_evaluation_data
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                lines.append(f"blocking check {evaluation.check_name}: {evaluation.description or 'failed'}")
    return lines


def _root_cause(error) -> str:
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error is not None else "unknown error"
