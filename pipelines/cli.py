"""Command line: ``ogw-datalab build --config FILE`` runs the whole asset graph in-process."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import dagster as dg

from ogw_datalab.config import ConfigError, ProjectConfig, configuration_fingerprint, load_config
from ogw_datalab.fetch import FetchError, FetchSettings
from ogw_datalab.fetch.fetch_sources import fetch_sources
from ogw_datalab.indicators.history import recorded_years_in

from .assets.historie import CBS_JAAR, jaargang
from .build import LOGGING, describe, failures, prepare, run_year_graph
from .resources import DataLabResource


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ogw-datalab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("build", "materialise every asset and write the maps"),
        ("fetch", "download the sources that have a 'download' block (the only command that uses the network)"),
        ("demo-data", "only write the demo municipality's source files"),
        ("check", "validate the configuration and its files, then stop"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--config", required=True, type=Path, help="project configuration file (YAML)")
        if name == "fetch":
            command.add_argument("--refresh", action="store_true", help="download again even when cached")
    args = parser.parse_args(argv)
    if args.command == "fetch":
        return fetch(args.config, refresh=args.refresh)
    try:
        config = prepare(args.config, write_demo=args.command in ("build", "demo-data"))
    except ConfigError as error:
        print(f"ogw-datalab: {error}", file=sys.stderr)
        return 2
    if args.command == "build":
        return build(config)
    print(f"configuration OK: {config.config_file}")
    return 0


def fetch(config_path: Path, *, refresh: bool) -> int:
    """Download every source with a ``download`` block into its path (through the cache)."""
    try:
        config = load_config(config_path, check_files=False)
        count = fetch_sources(config, FetchSettings(refresh=refresh))
    except (ConfigError, FetchError) as error:
        print(f"ogw-datalab: {error}", file=sys.stderr)
        return 2
    print(f"fetched {count} source(s); cache: {config.output.cache}")
    return 0


def build(config: ProjectConfig) -> int:
    """Build the earlier years that are missing or whose configuration changed, then this year; print progress."""
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    with instance:
        pending = years_to_build(config)
        for year in sorted(set(config.jaren) - set(pending)):
            print(f"ogw-datalab: {year} is in the history already (configuration, catalogue and opgaven unchanged)")
        for year in pending:
            print(f"ogw-datalab: building {year} (an earlier year, for the change since then)")
            if not _report(build_earlier_year(config, year, instance)):
                return 1
        print(f"ogw-datalab: building {config.gemeente.naam} ({config.gemeente.code}) from {config.config_file}")
        if not _report(run_year_graph(config, instance, progress_logger)):
            return 1
    print(f"done in {time.perf_counter() - started:.1f} s")
    print(f"maps: {config.output.maps / 'index.html'}")
    return 0


def years_to_build(config: ProjectConfig) -> list[int]:
    """Earlier years under ``jaren:`` that the database has not recorded, or recorded from another configuration."""
    recorded = recorded_years_in(config.output.database, wait_s=120.0) if config.jaren else {}
    return [
        year for year, path in sorted(config.jaren.items()) if recorded.get(year) != configuration_fingerprint(path)
    ]


def build_earlier_year(config: ProjectConfig, year: int, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Materialise the ``historie/jaargang`` partition of ``year``, as the Dagster UI would."""
    defs = dg.Definitions(
        assets=[jaargang],
        resources={"datalab": DataLabResource(config_path=str(config.config_file))},
        loggers={"log": progress_logger},
        executor=dg.in_process_executor,
    )
    instance.add_dynamic_partitions(CBS_JAAR, [str(year)])
    job = defs.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance, partition_key=str(year), run_config=LOGGING, raise_on_error=False)


def _report(result: dg.ExecuteInProcessResult) -> bool:
    for line in failures(result):
        print(f"FAILED {line}", file=sys.stderr)
    return result.success


class _ProgressHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
        if event is not None and event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                description = evaluation.description or ""
                print(f"  ✗ check {evaluation.check_name} ({evaluation.severity.value}): {description}", flush=True)
            return
        if event is None or event.event_type_value != "ASSET_MATERIALIZATION":
            return
        materialization = event.event_specific_data.materialization
        mark = "–" if "skipped" in materialization.metadata else "✓"
        print(f"  {mark} {describe(materialization)}", flush=True)


@dg.logger
def progress_logger(_context) -> logging.Logger:
    log = logging.getLogger("ogw_datalab.progress")
    log.setLevel(logging.DEBUG)
    log.handlers = [_ProgressHandler()]
    log.propagate = False
    return log


if __name__ == "__main__":
    sys.exit(main())
