"""Command line: ``ogw-datalab build --config FILE`` runs the ``build`` job of the one graph for every partition
(gemeente × jaar) of the configuration that needs it, in this process, on the Dagster instance of
``DAGSTER_HOME`` (or a temporary one)."""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import dagster as dg

from ogw_datalab.build_transaction import FAILED, BuildTransaction
from ogw_datalab.config import (
    ConfigError,
    GemeentenConfig,
    ProjectConfig,
    check_source_files,
    load_config,
    load_configuration,
)
from ogw_datalab.demo.write_demo import write_demo_municipality
from ogw_datalab.encryption import rotate_database_key
from ogw_datalab.fetch import FetchError, FetchSettings
from ogw_datalab.fetch.fetch_sources import fetch_sources
from ogw_datalab.files import file_hash
from ogw_datalab.gemeenten import read_configured_areas
from ogw_datalab.inbox import archived_versions, restore_partner_file
from ogw_datalab.indicators.history import recorded_build
from ogw_datalab.inspect_sources import inspect_configured_files
from ogw_datalab.project import Project, builds_of, project_for
from ogw_datalab.retention import retain_partner_data

from .definitions import build_job, overview_job
from .partitions import run_tags, sync_partitions
from .progress import QUIET_RUN_CONFIG, RUN_CONFIG, print_failures, print_summary
from .resources import CONFIG_ENV_VAR


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code is 0 on success, 1 for a failed build, 2 for a configuration problem."""
    parser = argparse.ArgumentParser(prog="ogw-datalab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("build", "build every gemeente and year of the configuration and publish database and site together"),
        ("fetch", "download the sources that have a 'download' block (the only command that uses the network)"),
        ("demo-data", "only write the demo municipality's source files"),
        ("check", "validate the configuration and read every configured file, then stop"),
        ("restore", "install an earlier version of a partner file from the inbox archive (then build)"),
        ("rekey", "encrypt every database of the configuration with a new key"),
        ("retention", "delete partner files and rows older than their bewaartermijn now"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--config", required=True, type=Path, help="project configuration file (YAML)")
        command.add_argument("--debug", action="store_true", help="print tracebacks of failures")
        if name == "build":
            command.add_argument(
                "--workers",
                type=int,
                default=1,
                help="with several gemeenten: build this many at once, each in its own process (at most the number "
                "of cores is useful; every worker holds the shared area files in memory)",
            )
        if name == "fetch":
            command.add_argument("--refresh", action="store_true", help="download again even when cached")
        if name == "restore":
            command.add_argument("--partner", required=True, help="the partner's name in the configuration")
            command.add_argument("--version", help="start of the version's time stamp or sha256 (default: previous)")
            command.add_argument("--list", action="store_true", help="only list the archived versions")
        if name == "rekey":
            command.add_argument(
                "--new-key-variable", required=True, help="environment variable holding the new key (never the key)"
            )
    args = parser.parse_args(argv)
    try:
        return run_command(args)
    except Exception as error:  # never a traceback for the data team, unless asked for
        if getattr(args, "debug", False):
            raise
        print(f"ogw-datalab: {error}", file=sys.stderr)
        if args.command == "build":
            print(FAILED, file=sys.stderr)
        return 1


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command."""
    if args.command == "fetch":
        return fetch(args.config, refresh=args.refresh)
    if args.command in ("restore", "rekey", "retention"):
        return partner_data_command(args)
    try:
        config = load_configuration(args.config, check_files=False)
        projects = [project_for(config, g, y) for g, y in builds_of(config)]
        if args.command in ("build", "demo-data"):
            write_demo_files(projects)
        check_files(config)  # an earlier year's files are checked when it is built
    except ConfigError as error:
        print(f"ogw-datalab: {error}", file=sys.stderr)
        if args.command == "build":
            print(FAILED, file=sys.stderr)
        return 2
    if args.command == "build":
        if args.workers < 1:
            print("ogw-datalab: --workers must be 1 or more", file=sys.stderr)
            return 2
        if args.workers > 1 and isinstance(config, GemeentenConfig):
            return build_in_parallel(config, projects, workers=args.workers, debug=args.debug)
        return build(config, projects, debug=args.debug)
    print(f"configuration OK: {config.config_file}")
    return 0


def check_files(config: ProjectConfig | GemeentenConfig) -> None:
    """Raise :class:`ConfigError` when a configured file is missing or does not fit its configuration.

    Every file is opened: its header, a sample of rows and its CRS (``ogw_datalab.inspect_sources``).
    """
    check_source_files(config)
    problems = inspect_configured_files(config)
    if problems:
        lines = "\n".join(f"  {problem}" for problem in problems)
        raise ConfigError(f"{config.config_file}: the files do not fit the configuration\n{lines}")


def partner_data_command(args: argparse.Namespace) -> int:
    """``restore``, ``rekey`` and ``retention``: partner data at rest (see the README)."""
    config = load_config(args.config, check_files=False)
    if args.command == "restore":
        return restore(config, args.partner, version=args.version, only_list=args.list)
    projects = [project_for(config, g, y) for g, y in builds_of(config)]
    if args.command == "retention":
        for project in projects:
            for entry in retain_partner_data(project, now=dt.datetime.now(), run_id="retention"):
                what = f"{entry['aantal']} × {entry['wat']} ({entry['partner']})"
                print(f"{project.gemeente} {project.jaar}: deleted {what}")
        return 0
    new_key = os.environ.get(args.new_key_variable, "")
    if not new_key:
        print(f"ogw-datalab: set the environment variable {args.new_key_variable} to the new key", file=sys.stderr)
        return 2
    for project in projects:
        if project.database.is_file():
            rekey(project, new_key)
            print(f"{project.database}: encrypted with the key in {args.new_key_variable}")
    print(f"now set output.sleutel_variabele: {args.new_key_variable} in every configuration file of these builds")
    return 0


def restore(config: ProjectConfig, partner: str, *, version: str | None, only_list: bool) -> int:
    """List the archived versions of a partner's file, or install one of them again."""
    if only_list:
        installed = file_hash(next(p.path for p in config.partners if p.name == partner))
        for v in archived_versions(config, partner):
            mark = "  (installed)" if v.sha256 == installed else ""
            print(f"{v.ontvangen:%Y%m%d-%H%M%S}  {v.sha256[:12]}  {v.grootte_bytes:>10,} bytes  {v.bestand}{mark}")
        return 0
    restored = restore_partner_file(config, partner, versie=version)
    print(
        f"installed {restored.bestand} of {restored.ontvangen:%Y-%m-%d %H:%M} (sha256 {restored.sha256[:12]}) for "
        f"{partner}; build to publish it: ogw-datalab build --config {config.config_file}"
    )
    return 0


def rekey(project: Project, new_key: str) -> None:
    """Re-encrypt a build's published database with ``new_key``, as a transaction under the build lock."""
    build = BuildTransaction(project.database, project.maps, "rekey", encryption_key=project.encryption_key)
    build.begin()
    try:
        rotate_database_key(build.working, old_key=project.encryption_key, new_key=new_key)
        build.publish(site=False)
    except BaseException:
        build.abort()
        raise


def write_demo_files(projects: list[Project]) -> None:
    """Write the generated demo gemeente's files for every build whose configuration has a ``demo:`` block."""
    for project in projects:
        demo = project.config.demo
        if demo is not None:
            write_demo_municipality(demo.folder, seed=demo.seed, jaar=demo.jaar)


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


def build(config: ProjectConfig | GemeentenConfig, projects: list[Project], *, debug: bool = False) -> int:
    """Build the earlier years that are missing or whose configuration changed, then the current year; with several
    gemeenten, every gemeente (one failing does not stop the others), then the overview."""
    started = time.perf_counter()
    with _instance() as instance:
        sync_partitions(config, instance)
        outcome = build_projects(instance, config, projects, debug=debug)
        if isinstance(outcome, int):
            return outcome
        failed = outcome
        if isinstance(config, GemeentenConfig) and not run_overview(instance, config, debug=debug):
            failed.append("the overview")
    return _finish(config, started, failed)


def build_in_parallel(config: GemeentenConfig, projects: list[Project], *, workers: int, debug: bool) -> int:
    """Build the gemeenten in ``workers`` processes at once (each a share of them, largest first, in turn), then
    the overview here.

    Each worker runs the same ``build`` job of the one graph, on the same Dagster instance (``DAGSTER_HOME``) or
    an ephemeral one of its own; per-process caches (the area files, the spatial extension's check) are filled
    once per worker. A gemeente's earlier years stay in the same worker, before its current year.
    """
    started = time.perf_counter()
    table = read_configured_areas(config).gemeenten
    sizes = {str(code): int(n) for code, n in zip(table["gemeentecode"], table["aantal"], strict=True)}
    shares = worker_shares(projects, workers, sizes)
    print(f"ogw-datalab: building {len({p.gemeente for p in projects})} gemeenten in {len(shares)} processes")
    failed: list[str] = []
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no Dagster state forked mid-run
    with ProcessPoolExecutor(max_workers=len(shares), mp_context=context) as pool:
        keys = [[(p.gemeente, p.jaar) for p in share] for share in shares]
        for result in pool.map(_build_share, [str(config.config_file)] * len(keys), keys, [debug] * len(keys)):
            failed.extend(result)
    with _instance() as instance:
        sync_partitions(config, instance)
        if not run_overview(instance, config, debug=debug):
            failed.append("the overview")
    return _finish(config, started, failed)


def worker_shares(projects: list[Project], workers: int, sizes: dict[str, int]) -> list[list[Project]]:
    """Deal the gemeenten out to ``workers`` shares, largest first (``sizes``: buurten per gemeentecode), each to the
    share with the fewest buurten so far, so that the shares weigh about the same; every build of one gemeente
    (earlier years first) goes to one share."""
    by_gemeente: dict[str, list[Project]] = {}
    for project in projects:
        by_gemeente.setdefault(project.gemeente, []).append(project)
    order = sorted(by_gemeente, key=lambda code: (-sizes.get(code, 0), code))
    shares: list[list[Project]] = [[] for _ in range(min(workers, len(order)))]
    weights = [0] * len(shares)
    for code in order:
        lightest = weights.index(min(weights))
        shares[lightest].extend(by_gemeente[code])
        weights[lightest] += sizes.get(code, 0)
    return shares


def _build_share(config_file: str, keys: list[tuple[str, int]], debug: bool) -> list[str]:
    """In a worker process: build the partitions ``keys`` of the configuration in turn; return the failed ones."""
    config = load_configuration(Path(config_file), check_files=False)
    projects = [project_for(config, gemeente, jaar) for gemeente, jaar in keys]
    with _instance() as instance:
        sync_partitions(config, instance)
        outcome = build_projects(instance, config, projects, debug=debug)
    return outcome if isinstance(outcome, list) else [f"{p.gemeente} {p.jaar}" for p in projects]


def build_projects(
    instance: dg.DagsterInstance, config: ProjectConfig | GemeentenConfig, projects: list[Project], *, debug: bool
) -> list[str] | int:
    """Build ``projects`` in turn; return the names of the failed builds, or an exit code when a single gemeente
    failed (its files unreadable: 2, its build: 1)."""
    several = isinstance(config, GemeentenConfig)
    failed = []
    for project in projects:
        name = f"{project.config.gemeente.naam} ({project.gemeente}) {project.jaar}"
        published = recorded_build(project.database, project.jaar, encryption_key=project.encryption_key)
        if project.jaar != config.jaar and published == project.fingerprint:
            print(f"ogw-datalab: {name} is published already (configuration, catalogue and opgaven unchanged)")
            continue
        try:
            if not several:  # several gemeenten share their files, checked once before
                check_files(project.config)
        except ConfigError as error:
            print(f"ogw-datalab: {error}\n{FAILED}", file=sys.stderr)
            return 2
        print(f"ogw-datalab: building {name} from {project.config.config_file}", flush=True)
        if not run_build(instance, config, project, debug=debug, quiet=several):
            print(FAILED if not several else f"{name}: {FAILED}", file=sys.stderr)
            if not several:
                return 1
            failed.append(name)
    return failed


def _instance() -> dg.DagsterInstance:
    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else dg.DagsterInstance.ephemeral()


def _finish(config: ProjectConfig | GemeentenConfig, started: float, failed: list[str]) -> int:
    print(f"done in {time.perf_counter() - started:.1f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    print(f"maps: {config.output.maps / 'index.html'}")
    return 1 if failed else 0


def run_overview(instance: dg.DagsterInstance, config: GemeentenConfig, *, debug: bool) -> bool:
    """Run the ``overview`` job: the regional or national site from what the gemeenten published."""
    print("ogw-datalab: building the overview of all gemeenten", flush=True)
    os.environ[CONFIG_ENV_VAR] = str(config.config_file)  # the resource of the one graph reads it
    result = dg.execute_job(
        dg.reconstructable(overview_job), instance=instance, run_config=RUN_CONFIG, raise_on_error=False
    )
    print_failures(result, debug=debug)
    return result.success


def run_build(
    instance: dg.DagsterInstance,
    config: ProjectConfig | GemeentenConfig,
    project: Project,
    *,
    debug: bool,
    quiet: bool = False,
) -> bool:
    """Run the ``build`` job of the one graph for ``project``'s partition of ``config``, printing progress and
    failures (``quiet``: only failures and checks that did not pass, for many gemeenten)."""
    os.environ[CONFIG_ENV_VAR] = str(config.config_file)  # the resource of the one graph reads it
    result = dg.execute_job(
        dg.reconstructable(build_job),
        instance=instance,
        run_config=QUIET_RUN_CONFIG if quiet else RUN_CONFIG,
        tags=run_tags(project.gemeente, project.jaar),
        raise_on_error=False,
    )
    if not quiet:
        print_summary(result)
    print_failures(result, debug=debug)
    return result.success


if __name__ == "__main__":
    sys.exit(main())
