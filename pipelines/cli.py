"""Command line: ``ogw-datalab build --config FILE`` runs the whole asset graph in-process."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

import dagster as dg

from ogw_datalab.config import ConfigError, ProjectConfig, check_source_files, load_config
from ogw_datalab.demo.write_demo import write_demo_municipality
from ogw_datalab.fetch import FetchError, FetchSettings
from ogw_datalab.fetch.fetch_sources import fetch_sources
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.opgaven import load_opgaven

from .checks import all_checks
from .definitions import all_assets
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


def prepare(config_path: Path, *, write_demo: bool) -> ProjectConfig:
    """Validate the configuration (and write the demo files when it asks for them)."""
    config = load_config(config_path, check_files=False)
    load_opgaven(config.opgaven, load_catalogue(config.indicatoren, config), config.layers)
    if config.demo is not None and write_demo:
        write_demo_municipality(config.demo.folder, seed=config.demo.seed, jaar=config.demo.jaar)
    check_source_files(config)
    return config


def build(config: ProjectConfig) -> int:
    """Run all assets in this process, printing one line per asset; return the exit code."""
    defs = dg.Definitions(
        assets=all_assets,
        asset_checks=all_checks,
        resources={"datalab": DataLabResource(config_path=str(config.config_file))},
        loggers={"progress": progress_logger},
        executor=dg.in_process_executor,
    )
    job = defs.resolve_implicit_global_asset_job_def()
    instance = dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()
    started = time.perf_counter()
    print(f"ogw-datalab: building {config.gemeente.naam} ({config.gemeente.code}) from {config.config_file}")
    with instance:
        result = job.execute_in_process(
            instance=instance, run_config={"loggers": {"progress": {}}}, raise_on_error=False
        )
    if not result.success:
        for event in result.all_events:
            if event.is_step_failure:
                print(f"FAILED {event.step_key}: {_root_cause(event.step_failure_data.error)}", file=sys.stderr)
        return 1
    print(f"done in {time.perf_counter() - started:.1f} s")
    print(f"maps: {config.output.maps / 'index.html'}")
    return 0


def _root_cause(error) -> str:
    """The innermost error message: the one that says what is wrong with the data or the file."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip() if error is not None else "unknown error"


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
        name = materialization.asset_key.to_user_string()
        skipped = materialization.metadata.get("skipped")
        if skipped is not None:
            print(f"  – {name} (skipped: {skipped.value})", flush=True)
            return
        rows = materialization.metadata.get("dagster/row_count")
        suffix = f" ({rows.value:,} rows)" if rows is not None else ""
        print(f"  ✓ {name}{suffix}", flush=True)


@dg.logger
def progress_logger(_context) -> logging.Logger:
    log = logging.getLogger("ogw_datalab.progress")
    log.setLevel(logging.DEBUG)
    log.handlers = [_ProgressHandler()]
    log.propagate = False
    return log


if __name__ == "__main__":
    sys.exit(main())
