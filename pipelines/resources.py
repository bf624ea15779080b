"""The one resource every asset uses: the project configuration, parsed once per run, and the run's database.

A run builds one partition (gemeente × jaar). At the start of the run the resource reads the
configuration file once, resolves the partition's own configuration (an earlier year has a file
of its own), validates its catalogue and opgaven, and opens a build transaction: every asset of
the run writes into a working copy of that partition's database, and only ``maps/site`` publishes
it, together with the new site. A run that fails, or does not reach ``maps/site``, publishes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster._core.errors import DagsterExecutionInterruptedError
from dagster._utils.interrupts import capture_interrupts, check_captured_interrupt
from pydantic import PrivateAttr

from ogw_datalab.build_transaction import BuildTransaction, connect_working, rollback_open_transaction
from ogw_datalab.config import GemeentenConfig, ProjectConfig, load_configuration
from ogw_datalab.encryption import database_key
from ogw_datalab.project import Project, builds_of, project_for

from .partitions import GEMEENTE, JAAR, MAAND, RememberedPartitions

CONFIG_ENV_VAR = "OGW_DATALAB_CONFIG"
SITE = dg.AssetKey(["maps", "site"])


class DataLabResource(dg.ConfigurableResource):
    """Where the project configuration file is; everything else follows from that file and the run's partition."""

    config_path: str
    _config: ProjectConfig | GemeentenConfig | None = PrivateAttr(default=None)
    _project: Project | None = PrivateAttr(default=None)
    _build: BuildTransaction | None = PrivateAttr(default=None)
    _maand: str | None = PrivateAttr(default=None)
    _con: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
    _partitions: RememberedPartitions | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Parse the configuration once; in a partitioned run, resolve its project and start the build."""
        self._config = load_configuration(self.config_path, check_files=False)
        run = context.run if context.run is not None else None
        tags = run.tags if run is not None else {}
        if f"dagster/partition/{GEMEENTE}" not in tags:
            return  # sensors, the fetch job: no build
        if f"dagster/partition/{MAAND}" in tags:  # a month of the time series: the gemeente's current year, no build
            gemeente = tags[f"dagster/partition/{GEMEENTE}"]
            jaar = max(y for g, y in builds_of(self._config) if g == gemeente)
            self._project, self._maand = project_for(self._config, gemeente, jaar), tags[f"dagster/partition/{MAAND}"]
            return
        self._project = project_for(
            self._config, tags[f"dagster/partition/{GEMEENTE}"], int(tags[f"dagster/partition/{JAAR}"])
        )
        assert run is not None
        for hint in dict.fromkeys((*self._config.old_key_hints, *self._project.config.old_key_hints)):
            context.log.warning(hint)  # type: ignore[union-attr]  # the UI's run log, as the command line prints them
        self._build = BuildTransaction(
            self._project.database,
            self._project.maps,
            run.run_id,
            encryption_key=database_key(self._project.config.uitvoer),
        )
        if run.asset_selection is not None and SITE not in run.asset_selection:
            context.log.warning(  # type: ignore[union-attr]
                "This run does not include maps/site: it works on a copy of the database and publishes nothing. "
                "Select maps/site too (or run a job) to publish."
            )
        self._build.begin()
        if context.instance is not None:  # last: a failed setup gets no teardown to put the instance back
            self._partitions = RememberedPartitions(context.instance)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        """Throw away what the run did not publish (a failed run, or one without ``maps/site``).

        A second Ctrl-C (or the parent's signal after the terminal's) must not cut this short and leave a half-built
        site: it waits until all is thrown away; :mod:`.stopping` has recorded it, so the command stops all the same.
        """
        with capture_interrupts():
            try:
                if self._partitions is not None:
                    self._partitions.forget()
                    self._partitions = None
                self._close_working(checkpoint=False)
            finally:
                if self._build is not None:
                    self._build.abort()

    @property
    def config(self) -> ProjectConfig | GemeentenConfig:
        """The configuration file as given (one gemeente's current year, or several gemeenten)."""
        if self._config is None:
            self._config = load_configuration(self.config_path, check_files=False)
        return self._config

    @property
    def project(self) -> Project:
        """The run's partition: its configuration, catalogue and opgaven, validated once."""
        if self._project is None:
            raise RuntimeError("this run has no gemeente/jaar partition; choose one (e.g. GM0484|2024)")
        return self._project

    @property
    def maand(self) -> str:
        """The run's month of the time series (``2016-06-01``)."""
        if self._maand is None:
            raise RuntimeError("this run has no gemeente/maand partition; choose one (e.g. GM0363|2016-06-01)")
        return self._maand

    @property
    def build(self) -> BuildTransaction:
        """The run's build transaction (working database and site folder)."""
        if self._build is None:
            raise RuntimeError("this run has no gemeente/jaar partition, so it builds nothing")
        return self._build

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection to this run's working copy of the database, opened by the first step that asks and kept
        for the steps after it (opening a file with the spatial extension costs about 40 ms, some 30 times a run).

        A step that fails leaves no transaction open for the next one.
        """
        if self._con is None:
            self._con = connect_working(self.build.working, self.build.encryption_key)
        try:
            yield self._con
        except BaseException:
            rollback_open_transaction(self._con)
            raise

    def publish(self) -> None:
        """Close the working database (checkpointed, so the file stands alone) and publish it with the site.

        A stop signal that comes while the two are swapped in waits until both are (never one without the other),
        then stops the run.
        """
        self._close_working(checkpoint=True)
        with capture_interrupts():
            self.build.publish(site=True)
            stopped = check_captured_interrupt()
        if stopped:
            raise DagsterExecutionInterruptedError()

    def _close_working(self, *, checkpoint: bool) -> None:
        if self._con is not None:
            con, self._con = self._con, None
            try:
                if checkpoint:
                    con.execute("CHECKPOINT")
            finally:
                con.close()
