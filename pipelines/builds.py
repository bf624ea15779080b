"""``ogw-datalab build``: run the ``build`` job of the one graph for every partition (gemeente × jaar) of a
configuration that needs it, one after the other or in worker processes, then the overview of several gemeenten.

Ctrl-C or SIGTERM ends the whole command (:mod:`.stopping`): the gemeente in flight is rolled back and keeps its
previous site, no further gemeente and no overview is started, the summary names what was built and what was not,
and the exit code is 130 (SIGINT) or 143 (SIGTERM).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

from ogw_datalab.audit import published_by
from ogw_datalab.build_transaction import FAILED
from ogw_datalab.config import ConfigError, GemeentenConfig, ProjectConfig, load_configuration
from ogw_datalab.duckdb_connection import share_cores
from ogw_datalab.gemeenten import read_configured_areas
from ogw_datalab.indicators.history import recorded_build
from ogw_datalab.inspect_sources import check_configured_files
from ogw_datalab.project import Project, project_for

from .definitions import build_job, overview_job
from .instance import build_instance
from .partitions import run_tags, sync_partitions
from .progress import QUIET_RUN_CONFIG, RUN_CONFIG, interrupted, only_postgis_failed, print_failures, print_summary
from .resources import CONFIG_ENV_VAR
from .stopping import StopSignals, ignore_stop_signals, stop_signals

POSTGIS_BEHIND = "PostGIS is behind: its tables are as they were"
WORKERS_STOP_S = 30  # how long stopped workers may take to roll back the gemeente in flight


@dataclass
class Outcome:
    """What a build command did with each of its builds (names such as 'Alphen aan den Rijn (GM0484) 2024')."""

    built: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    interrupted: list[str] = field(default_factory=list)
    not_started: list[str] = field(default_factory=list)
    postgis_behind: list[str] = field(default_factory=list)  # built and published here, but not in PostGIS
    code: int | None = None  # a single gemeente's own exit code: 2 its files are unreadable, 1 its build failed

    def add(self, other: Outcome) -> None:
        """Take in a worker's outcome."""
        self.built += other.built
        self.failed += other.failed
        self.interrupted += other.interrupted
        self.not_started += other.not_started
        self.postgis_behind += other.postgis_behind


def build(config: ProjectConfig | GemeentenConfig, projects: list[Project], *, debug: bool = False) -> int:
    """Build the earlier years that are missing or whose configuration changed, then the current year; with several
    gemeenten, every gemeente (one failing does not stop the others), then the overview."""
    started = time.perf_counter()
    with stop_signals() as stop, _instance() as instance:
        outcome = Outcome(not_started=[_name(p) for p in projects])
        try:
            sync_partitions(config, instance)
            build_projects(instance, config, projects, outcome, stop, debug=debug)
            if outcome.code is not None and not _stopped(stop):
                return outcome.code
            if isinstance(config, GemeentenConfig) and not _stopped(stop):
                if not run_overview(instance, config, debug=debug):
                    outcome.failed.append("the overview")
        except KeyboardInterrupt:
            pass  # our handler, between runs: the summary below says what was done
        if _stopped(stop):
            assert stop is not None
            return _finish_stopped(config, started, outcome, stop)
    return _finish(config, started, outcome)


def build_in_parallel(config: GemeentenConfig, projects: list[Project], *, workers: int, debug: bool) -> int:
    """Build the gemeenten in ``workers`` processes at once (each a share of them, largest first, in turn), then
    the overview here.

    Each worker runs the same ``build`` job of the one graph, on the same Dagster instance (``DAGSTER_HOME``) or
    an ephemeral one of its own; per-process caches (the area files, the spatial extension's check) are filled
    once per worker. A gemeente's earlier years stay in the same worker, before its current year. A stop signal
    to this process is passed on to the workers, which end after rolling back the gemeente in flight.
    """
    started = time.perf_counter()
    table = read_configured_areas(config).gemeenten
    sizes = {str(code): int(n) for code, n in zip(table["gemeentecode"], table["aantal"], strict=True)}
    shares = worker_shares(projects, workers, sizes)
    with _instance() as instance:  # its storage made here: workers that create a new one at once leave two heads
        instance.get_runs(limit=1)
        sync_partitions(config, instance)
    print(f"ogw-datalab: building {len({p.gemeente for p in projects})} gemeenten in {len(shares)} processes")
    outcome = Outcome()
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: no Dagster state forked mid-run
    with stop_signals() as stop:
        pool = ProcessPoolExecutor(
            max_workers=len(shares), mp_context=context, initializer=_start_worker, initargs=(len(shares),)
        )
        keys = [[(p.gemeente, p.jaar) for p in share] for share in shares]
        futures = [pool.submit(_build_share, str(config.config_file), k, debug) for k in keys]
        try:
            for future in futures:
                outcome.add(future.result())
        except KeyboardInterrupt:
            _stop_workers(stop, futures, outcome, shares)
        pool.shutdown(wait=True, cancel_futures=True)
        if not _stopped(stop):
            with _instance() as instance:
                sync_partitions(config, instance)
                if not run_overview(instance, config, debug=debug):
                    outcome.failed.append("the overview")
        if _stopped(stop):
            assert stop is not None
            return _finish_stopped(config, started, outcome, stop)
    return _finish(config, started, outcome)


def _stop_workers(
    stop: StopSignals | None, futures: list[Future[Outcome]], outcome: Outcome, shares: list[list[Project]]
) -> None:
    """Pass the stop signal on to the workers (a SIGTERM reaches this process only), then collect what they did."""
    signum = (stop.received() if stop is not None else None) or signal.SIGINT
    for child in multiprocessing.active_children():
        if child.pid is not None:
            os.kill(child.pid, signum)
    done, _ = wait(futures, timeout=WORKERS_STOP_S)
    for future, share in zip(futures, shares, strict=True):
        if future in done and future.exception() is None:
            outcome.add(future.result())
        else:
            outcome.interrupted += [_name(p) for p in share]


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


def _start_worker(processes: int) -> None:
    """In a new worker process: stop signals are the parent's to pass on; DuckDB uses the worker's share of the
    cores, as ``processes`` build at once."""
    ignore_stop_signals()
    share_cores(processes)


def _build_share(config_file: str, keys: list[tuple[str, int]], debug: bool) -> Outcome:
    """In a worker process: build the partitions ``keys`` of the configuration in turn, until told to stop."""
    config = load_configuration(Path(config_file), check_files=False)
    projects = [project_for(config, gemeente, jaar) for gemeente, jaar in keys]
    outcome = Outcome(not_started=[_name(p) for p in projects])
    with stop_signals() as stop:
        try:
            with _instance() as instance:
                sync_partitions(config, instance)
                build_projects(instance, config, projects, outcome, stop, debug=debug)
        except KeyboardInterrupt:
            pass
        finally:
            ignore_stop_signals()  # back to waiting for the parent: a late signal must not end the worker loudly
    if outcome.code is not None:  # cannot happen with several gemeenten; kept so that nothing is lost
        outcome.failed += outcome.not_started
        outcome.not_started = []
    return outcome


def build_projects(
    instance: dg.DagsterInstance,
    config: ProjectConfig | GemeentenConfig,
    projects: list[Project],
    outcome: Outcome,
    stop: StopSignals | None,
    *,
    debug: bool,
) -> None:
    """Build ``projects`` in turn, moving each from ``outcome.not_started`` to where it ends; stop at the first
    failure of a single gemeente (``outcome.code``: its files unreadable 2, its build 1) or at a stop signal."""
    several = isinstance(config, GemeentenConfig)
    for project in projects:
        if _stopped(stop):
            return
        name = _name(project)
        if published_already(config, project):
            print(f"ogw-datalab: {name} is published already (configuration, catalogue and opgaven unchanged)")
            _move(outcome, name, outcome.built)
            continue
        try:
            if not several:  # several gemeenten share their files, checked once before
                check_configured_files(project.config)
        except ConfigError as error:
            print(f"ogw-datalab: {error}\n{FAILED}", file=sys.stderr)
            _move(outcome, name, outcome.failed)
            outcome.code = 2
            return
        print(f"ogw-datalab: building {name} from {project.config.config_file}", flush=True)
        try:
            result = run_build(instance, config, project, debug=debug, quiet=several)
        except KeyboardInterrupt:  # before Dagster took the signals over: the run had not begun
            result = None
        if result is not None and result.success:
            _move(outcome, name, outcome.built)
        elif result is not None and only_postgis_failed(result):  # the site and database were published before
            print(f"ogw-datalab: {name}: site and database published; {POSTGIS_BEHIND}", file=sys.stderr)
            _move(outcome, name, outcome.built)
            outcome.postgis_behind.append(name)
        elif result is None or _stopped(stop) or interrupted(result):
            if result is not None and _published(project, result):  # the stop came after the swap
                print(f"ogw-datalab: {name}: site and database published just before the stop", file=sys.stderr)
                _move(outcome, name, outcome.built)
            else:
                print(f"ogw-datalab: {name}: onderbroken; its site and database are unchanged", file=sys.stderr)
                _move(outcome, name, outcome.interrupted)
            return
        else:
            print(FAILED if not several else f"{name}: {FAILED}", file=sys.stderr)
            _move(outcome, name, outcome.failed)
            if not several:
                outcome.code = 1
                return


def published_already(config: ProjectConfig | GemeentenConfig, project: Project) -> bool:
    """Whether ``project`` is an earlier year published from the configuration, catalogue and opgaven it has now
    (a build skips it)."""
    if project.jaar == config.jaar:
        return False
    published = recorded_build(project.database, project.jaar, encryption_key=project.encryption_key)
    return published == project.fingerprint


def _published(project: Project, result: dg.ExecuteJobResult) -> bool:
    """Whether the stopped run had published its gemeente already (the stop came after the site's swap, in a step
    after it): then it is built, not unchanged."""
    try:
        return published_by(project.database, result.run_id, encryption_key=project.encryption_key)
    except duckdb.Error:  # unreadable now: say what it said before this check existed
        return False


def _move(outcome: Outcome, name: str, to: list[str]) -> None:
    outcome.not_started.remove(name)
    to.append(name)


def _name(project: Project) -> str:
    return f"{project.config.gemeente.naam} ({project.gemeente}) {project.jaar}"


def _stopped(stop: StopSignals | None) -> bool:
    return stop is not None and stop.received() is not None


def _instance() -> dg.DagsterInstance:
    return build_instance()


def _finish(config: ProjectConfig | GemeentenConfig, started: float, outcome: Outcome) -> int:
    failed = outcome.failed
    print(f"done in {time.perf_counter() - started:.1f} s" + (f"; failed: {', '.join(failed)}" if failed else ""))
    print(f"maps: {config.uitvoer.kaarten / 'index.html'}")
    if outcome.postgis_behind:
        behind = outcome.postgis_behind
        print(f"{POSTGIS_BEHIND} for {len(behind)}: {_listed(behind)} (the FAILED line says why)")
    return 1 if failed or outcome.postgis_behind else 0


def _finish_stopped(
    config: ProjectConfig | GemeentenConfig, started: float, outcome: Outcome, stop: StopSignals
) -> int:
    """The summary of a stopped build: what was built, what was interrupted, what was never started."""
    print(f"stopped by {stop.name} after {time.perf_counter() - started:.1f} s", file=sys.stderr)
    for label, names in (
        ("built", outcome.built),
        ("failed", outcome.failed),
        ("built, but PostGIS is behind", outcome.postgis_behind),
        ("onderbroken (site and database unchanged)", outcome.interrupted),
        ("not started", outcome.not_started),
    ):
        if names:
            print(f"  {label}: {len(names)}: {_listed(names)}", file=sys.stderr)
    if isinstance(config, GemeentenConfig):
        print("  the overview was not built", file=sys.stderr)
    return stop.exit_code


def _listed(names: list[str], most: int = 12) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


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
) -> dg.ExecuteJobResult:
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
    if not quiet and not interrupted(result):
        print_summary(result)
    print_failures(result, debug=debug)
    return result
