"""Command line: ``ogw-datalab build --config FILE`` runs the ``build`` job of the one graph for every partition
(gemeente × jaar) of the configuration that needs it, in this process, on the Dagster instance of
``DAGSTER_HOME`` (or a temporary one)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from ogw_datalab.build_transaction import FAILED, BuildTransaction
from ogw_datalab.config import (
    ConfigError,
    GemeentenConfig,
    ProjectConfig,
    load_config,
    load_configuration,
)
from ogw_datalab.demo.keep_written import write_demo_unless_current
from ogw_datalab.encryption import rotate_database_key
from ogw_datalab.fetch import FetchError, FetchSettings
from ogw_datalab.fetch.fetch_sources import fetch_sources
from ogw_datalab.files import file_hash, tracked_by_git
from ogw_datalab.inbox import archived_versions, restore_partner_file
from ogw_datalab.indicators.catalogue import UNKNOWN, load_catalogue, unfilled_sources
from ogw_datalab.indicators.opgaven import load_opgaven
from ogw_datalab.init import InitError, write_first_configuration
from ogw_datalab.inspect_sources import check_configured_files
from ogw_datalab.project import Project, builds_of, project_for
from ogw_datalab.retention import retain_partner_data
from ogw_datalab.schemas import SCHEMA_FILES, schema_text

from .garbage_collector import spare_imported_objects

spare_imported_objects()  # what the command imports beyond the graph, too (once: tests call main() many times)


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
    init = commands.add_parser("init", help="write a first configuration, catalogue and opgaven for a gemeente")
    init.add_argument("gemeente", help="gemeentecode (GM0153), name (Enschede), region (utrecht) or alle")
    init.add_argument("--jaar", required=True, type=int, help="the year of the gebiedsindeling (e.g. 2015)")
    init.add_argument(
        "--bronnen",
        type=Path,
        help="folder of files, recognised by their content (without it: download blocks for the national sources)",
    )
    init.add_argument("--uit", type=Path, help="the configuration file to write (default: config/<naam>.yaml)")
    init.add_argument("--overschrijven", action="store_true", help="write over existing files")
    init.add_argument("--debug", action="store_true", help="print tracebacks of failures")
    schema = commands.add_parser("schema", help="print the JSON Schema of a configuration, catalogue or opgaven file")
    schema.add_argument(
        "--soort",
        choices=list(SCHEMA_FILES),
        default="configuratie",
        help="which file's schema (default: configuratie); config/ holds each as " + ", ".join(SCHEMA_FILES.values()),
    )
    args = parser.parse_args(argv)
    try:
        return run_command(args)
    except KeyboardInterrupt:  # Ctrl-C outside a build (a build stops by itself, see pipelines/builds.py)
        print("ogw-datalab: stopped by Ctrl-C", file=sys.stderr)
        return 130
    except Exception as error:  # never a traceback for the data team, unless asked for
        if getattr(args, "debug", False):
            raise
        print(f"ogw-datalab: {error}", file=sys.stderr)
        if args.command == "build":
            print(FAILED, file=sys.stderr)
        return 1


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command."""
    if args.command == "schema":
        print(schema_text(args.soort), end="")
        return 0
    if args.command == "fetch":
        return fetch(args.config, refresh=args.refresh)
    if args.command == "init":
        return init(args)
    if args.command in ("restore", "rekey", "retention"):
        return partner_data_command(args)
    try:
        config = load_configuration(args.config, check_files=False)
        projects = [project_for(config, g, y) for g, y in builds_of(config)]
        print_old_key_hints(config, *(project.config for project in projects))
        if args.command == "demo-data":
            write_demo_files(projects)
        if args.command == "build":  # not for an earlier year the build skips
            from .builds import published_already  # Dagster only for a build (see _build)

            write_demo_files([p for p in projects if not published_already(config, p)])
        check_configured_files(config)  # an earlier year's files are checked when it is built
        print_unfilled_sources(projects)
        print_partner_files_in_git(projects)
    except ConfigError as error:
        print(f"ogw-datalab: {error}", file=sys.stderr)
        if args.command == "build":
            print(FAILED, file=sys.stderr)
        return 2
    if args.command == "build":
        return _build(config, projects, workers=args.workers, debug=args.debug)
    print(f"configuration OK: {config.config_file}")
    return 0


def _build(config: ProjectConfig | GemeentenConfig, projects: list[Project], *, workers: int, debug: bool) -> int:
    """Build ``projects``. The Dagster layer is imported here, not at the top: it is two thirds of the command's
    start-up, and ``check``, ``init``, ``fetch``, ``schema`` and the rest do not use it."""
    from .builds import build, build_in_parallel

    if workers < 1:
        print("ogw-datalab: --workers must be 1 or more", file=sys.stderr)
        return 2
    if workers > 1 and isinstance(config, GemeentenConfig):
        return build_in_parallel(config, projects, workers=workers, debug=debug)
    return build(config, projects, debug=debug)


def init(args: argparse.Namespace) -> int:
    """Write a first configuration (ogw_datalab.init), say what was found and left out, then ``check`` it."""
    try:
        written = write_first_configuration(
            args.gemeente, jaar=args.jaar, bronnen=args.bronnen, uit=args.uit, overschrijven=args.overschrijven
        )
    except (InitError, ConfigError, FileNotFoundError) as error:
        print(f"ogw-datalab: {error}", file=sys.stderr)
        return 2
    print(written.report())
    if args.bronnen is None:  # its files are not there before 'fetch': check the three files without them
        try:
            config = load_configuration(written.files.config, check_files=False)
            for gemeente, jaar in builds_of(config):
                project_for(config, gemeente, jaar)
            assert isinstance(config, ProjectConfig)
            load_opgaven(config.opgaven, load_catalogue(config.indicatoren, config), config.lagen)
        except (ConfigError, ValueError) as error:
            print(f"ogw-datalab: {error}", file=sys.stderr)
            return 2
        config_file = written.files.config
        print(f"configuration OK: {config_file}; next: ogw-datalab fetch --config {config_file}, then build")
        return 0
    if written.cannot_build:
        print(f"ogw-datalab: {written.files.config} cannot be built: {written.cannot_build}", file=sys.stderr)
        return 1
    return run_command(argparse.Namespace(command="check", config=written.files.config, debug=args.debug))


def print_old_key_hints(*configs: ProjectConfig | GemeentenConfig) -> None:
    """Print one line per old key the configuration files use, naming the new key; each line once.

    The configuration's own file and the earlier years' files (the projects of a configuration of several
    gemeenten carry none of their own: a national run prints the shared file's hints once).
    """
    hints = dict.fromkeys(hint for config in configs for hint in config.old_key_hints)
    for hint in hints:
        print(hint, file=sys.stderr)


def print_unfilled_sources(projects: list[Project]) -> None:
    """Name, per catalogue file, the indicators whose bron ``init`` left to fill in (a note; nothing stops)."""
    catalogues = {project.config.indicatoren: project.catalogue for project in projects}  # read when they were made
    for path, catalogue in catalogues.items():
        unfilled = unfilled_sources(catalogue)
        if unfilled:
            print(
                f"ogw-datalab: note: in {path} the bron of {len(unfilled)} indicator{'s' if len(unfilled) > 1 else ''} "
                f"still says '{UNKNOWN}' "
                f"({', '.join(unfilled[:8])}{', ...' if len(unfilled) > 8 else ''}): fill in uitgever, jaar and "
                "licentie; the colophon and the downloads show them as they are",
                file=sys.stderr,
            )


def print_partner_files_in_git(projects: list[Project]) -> None:
    """Warn about partner files (rows about persons and homes) that ``git add -A`` would commit with the project."""
    paths = dict.fromkeys(
        path
        for project in projects
        for path in (*(p.pad for p in project.config.partners), project.config.uitvoer.inbox)
        if path is not None
    )
    for path in paths:
        if tracked_by_git(path):
            print(
                f"ogw-datalab: warning: {path} holds partner data and lies in a git working tree without being "
                "ignored: 'git add -A' would commit it. Move it under data/ (ignored) or add it to .gitignore",
                file=sys.stderr,
            )


def partner_data_command(args: argparse.Namespace) -> int:
    """``restore``, ``rekey`` and ``retention``: partner data at rest (see the README)."""
    config = load_config(args.config, check_files=False)
    print_old_key_hints(config)
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
    print(f"now set uitvoer.sleutel_variabele: {args.new_key_variable} in every configuration file of these builds")
    return 0


def restore(config: ProjectConfig, partner: str, *, version: str | None, only_list: bool) -> int:
    """List the archived versions of a partner's file, or install one of them again."""
    if only_list:
        installed = file_hash(next(p.pad for p in config.partners if p.naam == partner))
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
    """Write the generated demo gemeente's files for every build whose configuration has a ``demo:`` block (unless
    its folder holds them unchanged: :mod:`ogw_datalab.demo.keep_written`)."""
    for project in projects:
        demo = project.config.demo
        if demo is not None:
            write_demo_unless_current(demo.map, seed=demo.startgetal, jaar=demo.jaar)


def fetch(config_path: Path, *, refresh: bool) -> int:
    """Download every source with a ``download`` block into its path (through the cache)."""
    try:
        config = load_config(config_path, check_files=False)
        print_old_key_hints(config)
        count = fetch_sources(config, FetchSettings(refresh=refresh))
    except (ConfigError, FetchError) as error:
        print(f"ogw-datalab: {error}", file=sys.stderr)
        return 2
    print(f"fetched {count} source(s); cache: {config.uitvoer.cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
