"""The Dagster instance a build runs on: ``$DAGSTER_HOME``'s, or else a temporary one whose event log keeps one
connection open and whose runs record no data versions.

Without ``DAGSTER_HOME`` a build records its runs in Dagster's ephemeral instance: run and event storage in
in-memory SQLite. Its event log opens a new SQLite connection for every query and sets two pragmas on it; a build
of one gemeente stores about 180 events and asks about as many questions, so that this bookkeeping was about a
twelfth of a national build. :class:`HeldConnectionEventLogStorage` answers every query on the one connection the
storage holds anyway (in the thread that made it; other threads connect as before), under the same lock, in a
transaction of its own as before; what is stored and how it is queried are Dagster's own code.

Data versions: before each step Dagster looks up the latest materialization of every input asset (two queries an
input, about 5 % of the instructions of a warm build of a small gemeente), to tag the step's materializations with
the versions they were made from. Those tags serve the UI's "stale" marks of an instance that is kept. A temporary
instance ends with its process and nothing reads them, so :class:`TemporaryInstance` says it records none, and the
lookup (``DataVersionCache.fetch_external_input_asset_version_info``, wrapped once below) is skipped for it
only: Dagster then leaves the tags out. ``$DAGSTER_HOME``'s instance and Dagster's own instances record them as
before (``tests/test_build_bookkeeping.py`` checks both, so an update of Dagster that moves the lookup fails there).
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import sqlalchemy as db
from dagster._core.execution.context.data_version_cache import DataVersionCache
from dagster._core.instance import InstanceType
from dagster._core.launcher.sync_in_memory_run_launcher import SyncInMemoryRunLauncher
from dagster._core.run_coordinator import DefaultRunCoordinator
from dagster._core.storage.event_log import InMemoryEventLogStorage
from dagster._core.storage.noop_compute_log_manager import NoOpComputeLogManager
from dagster._core.storage.root import TemporaryLocalArtifactStorage
from dagster._core.storage.runs import InMemoryRunStorage


class HeldConnectionEventLogStorage(InMemoryEventLogStorage):
    """Dagster's in-memory event log, answering every query on the connection it holds (see the module)."""

    def __init__(self) -> None:
        super().__init__()
        with self._held_conn.begin():
            self._held_conn.execute(db.text("PRAGMA foreign_keys=ON;")).close()
        self._thread = threading.get_ident()  # SQLite lets only the thread that opened a connection use it
        self._columns: dict[str, bool] = {}
        self._tables: set[str] = set()

    @contextmanager
    def _connect(self) -> Iterator[db.Connection]:
        if threading.get_ident() != self._thread:  # another thread: a connection of its own, as Dagster does it
            with super()._connect() as conn:
                yield conn
            return
        with self._db_lock:
            if self._held_conn.in_transaction():  # left open by an interrupt (Ctrl-C) between begin and commit
                self._held_conn.rollback()
            with self._held_conn.begin():
                yield self._held_conn

    def has_table(self, table_name: str) -> bool:
        """Whether the storage has ``table_name`` (asked before most queries; its tables are made with it)."""
        if table_name not in self._tables and super().has_table(table_name):
            self._tables.add(table_name)
        return table_name in self._tables

    def _has_asset_key_col_on_connection(self, conn: db.Connection, column_name: str) -> bool:
        """Whether the asset key table has ``column_name`` (its schema is fixed for the life of the storage)."""
        if column_name not in self._columns:
            self._columns[column_name] = super()._has_asset_key_col_on_connection(conn, column_name)
        return self._columns[column_name]


class TemporaryInstance(dg.DagsterInstance):
    """A temporary instance whose runs record no data versions (nothing reads them before it is gone)."""

    records_data_versions = False


def _unless_temporary(fetch: Callable[[DataVersionCache], None]) -> Callable[[DataVersionCache], None]:
    @functools.wraps(fetch)
    def fetch_unless_temporary(cache: DataVersionCache) -> None:
        if getattr(cache._context.instance, "records_data_versions", True):  # noqa: SLF001
            fetch(cache)

    fetch_unless_temporary.skips_temporary = True  # type: ignore[attr-defined]
    return fetch_unless_temporary


if not getattr(DataVersionCache.fetch_external_input_asset_version_info, "skips_temporary", False):
    DataVersionCache.fetch_external_input_asset_version_info = _unless_temporary(  # type: ignore[method-assign,assignment]
        DataVersionCache.fetch_external_input_asset_version_info
    )


def ephemeral_instance() -> dg.DagsterInstance:
    """A temporary instance as :meth:`dagster.DagsterInstance.ephemeral` makes it, with the faster event log and
    without data versions."""
    return TemporaryInstance(
        instance_type=InstanceType.EPHEMERAL,
        local_artifact_storage=TemporaryLocalArtifactStorage(),
        run_storage=InMemoryRunStorage(),
        event_storage=HeldConnectionEventLogStorage(),
        compute_log_manager=NoOpComputeLogManager(),
        run_coordinator=DefaultRunCoordinator(),
        run_launcher=SyncInMemoryRunLauncher(),
    )


def build_instance() -> dg.DagsterInstance:
    """The instance of ``$DAGSTER_HOME`` when it is set (runs kept, seen in the UI), else a temporary one."""
    return dg.DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else ephemeral_instance()
