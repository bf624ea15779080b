"""A build is a transaction: what it makes is published only when every step and every blocking check passed.

A build works on a copy of the published database and a new site folder, and swaps both in only at the end.

Nothing a build does before :meth:`BuildTransaction.publish` is visible to anyone: a failed build
(bad input, a full disk, a killed process, a read-only site folder) leaves the published database
and site byte for byte as they were. Readers of the published database (QGIS, the DuckDB CLI) are
never blocked: a build does not open the published file for writing.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb

from .duckdb_connection import connect

BUILD_SUFFIX = ".bouw"
OLD_SUFFIX = ".oud"
FAILED = "build failed: site and database unchanged"


class BuildError(RuntimeError):
    """A build could not start or could not publish; the published database and site are unchanged."""


def working_database(database: Path, run_id: str) -> Path:
    """Where the build ``run_id`` writes: a hidden copy beside the published database."""
    return database.with_name(f".{database.name}.{run_id[:8]}{BUILD_SUFFIX}")


def site_build_folder(maps: Path) -> Path:
    """Where a new site is assembled: ``<maps>.bouw`` beside the published folder."""
    return maps.with_name(maps.name + BUILD_SUFFIX)


class BuildTransaction:
    """The working copy of one build (one run of one gemeente and year).

    Parameters
    ----------
    database
        The published database file.
    maps
        The published site folder.
    run_id
        The run that builds; names the working copy.
    lock_wait_s
        How long to wait while another build of the same database runs.
    encryption_key
        The key of an encrypted database (its working copy stays encrypted: a byte copy).
    """

    def __init__(
        self,
        database: Path,
        maps: Path,
        run_id: str,
        *,
        lock_wait_s: float = 600.0,
        encryption_key: str | None = None,
    ) -> None:
        self.database = Path(database)
        self.maps = Path(maps)
        self.working = working_database(self.database, run_id)
        self.site = site_build_folder(self.maps)
        self.encryption_key = encryption_key
        self._lock_wait_s = lock_wait_s
        self._lock: int | None = None

    def begin(self) -> None:
        """Take the build lock, remove what failed builds left, and copy the published database.

        Raises
        ------
        BuildError
            When another build holds the lock too long, the disk is full, or the published database
            is damaged (with what to do about it).
        """
        self.database.parent.mkdir(parents=True, exist_ok=True)
        self._lock = _take_lock(self.database.with_name(f".{self.database.name}.lock"), self._lock_wait_s)
        try:
            self._remove_leftovers()
            if self.database.is_file():
                _copy_file(self.database, self.working)
                _check_readable(self.database, self.working, self.encryption_key)
        except BaseException:
            self.abort()
            raise

    def publish(self, *, site: bool) -> None:
        """Swap the working database (and, with ``site``, the new site folder) in for the published ones.

        The database goes first; when the site cannot be swapped in (a read-only or full disk),
        the previous database is put back, so database and site never disagree.

        Raises
        ------
        BuildError
            When the swap failed; the published database and site are then as they were.
        """
        if site and not (self.site / ".compleet").is_file():
            raise BuildError(f"{self.site} was not filled completely by this build; nothing published")
        backup = self.database.with_name(self.database.name + OLD_SUFFIX)
        had_database = self.database.is_file()
        try:
            if had_database:
                os.replace(self.database, backup)
            os.replace(self.working, self.database)
        except OSError as error:
            raise BuildError(f"the database could not be replaced ({_reason(error)}); {FAILED}") from None
        try:
            if site:
                publish_site(self.site, self.maps)
        except OSError as error:
            self._restore_database(backup, had_database)
            raise BuildError(f"the site could not be published in {self.maps} ({_reason(error)}); {FAILED}") from None
        backup.unlink(missing_ok=True)
        self._release()

    def abort(self) -> None:
        """Throw the working copy and the half-built site away and release the lock; the published files stay.

        The site folder is removed only by the holder of the lock (another build may be filling it).
        """
        _remove_working_files(self.working)
        if self._lock is not None:
            shutil.rmtree(self.site, ignore_errors=True)  # e.g. a Ctrl-C while the site was being written
        self._release()

    def _restore_database(self, backup: Path, had_database: bool) -> None:
        if had_database:
            os.replace(backup, self.database)
        else:
            self.database.unlink(missing_ok=True)

    def _remove_leftovers(self) -> None:
        for stale in self.database.parent.glob(f".{self.database.name}.*{BUILD_SUFFIX}"):
            _remove_working_files(stale)
        backup = self.database.with_name(self.database.name + OLD_SUFFIX)
        if backup.is_file() and not self.database.is_file():
            os.replace(backup, self.database)  # a build killed between the two renames of publish()

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _remove_working_files(working: Path) -> None:
    """Remove a working database with what DuckDB keeps beside it (its WAL, its folder for temporary files)."""
    working.unlink(missing_ok=True)
    working.with_name(working.name + ".wal").unlink(missing_ok=True)
    shutil.rmtree(working.with_name(f".{working.name}.tmp"), ignore_errors=True)


def publish_site(site: Path, maps: Path) -> None:
    """Put the completed site folder ``site`` in place of ``maps``.

    A plain folder is swapped in whole by two renames. When ``maps`` is a mount point (a network
    share mounted as the site folder), it cannot be renamed: then every file is replaced by an
    atomic rename inside it and files of the old site that the new one lacks are removed.
    """
    if maps.is_dir() and os.path.ismount(maps):
        _replace_contents(site, maps)
        shutil.rmtree(site, ignore_errors=True)
        return
    old = maps.with_name(maps.name + OLD_SUFFIX)
    shutil.rmtree(old, ignore_errors=True)
    nested = _keep_nested_sites(maps, site)
    try:
        if maps.exists():
            os.replace(maps, old)
        os.replace(site, maps)
    except OSError:
        if old.exists():
            os.replace(old, maps)
        for name in nested:  # back where they were
            os.replace(site / name, maps / name)
        raise
    (maps / ".compleet").unlink(missing_ok=True)
    shutil.rmtree(old, ignore_errors=True)


def _keep_nested_sites(maps: Path, site: Path) -> list[str]:
    """Move the sites of other builds published inside ``maps`` (``maps/alphen/index.html``) into the new site.

    Return their names, so that a failed swap can move them back.
    """
    if not maps.is_dir():
        return []
    moved = []
    for nested in sorted(maps.iterdir()):
        if nested.is_dir() and (nested / "index.html").is_file() and not (site / nested.name).exists():
            os.replace(nested, site / nested.name)
            moved.append(nested.name)
    return moved


def _replace_contents(site: Path, maps: Path) -> None:
    new = {p.relative_to(site) for p in site.rglob("*") if p.is_file() and p.name != ".compleet"}
    for relative in sorted(new):
        target = maps / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}{BUILD_SUFFIX}")
        shutil.copyfile(site / relative, temporary)
        os.replace(temporary, target)
    for old in sorted(maps.rglob("*"), reverse=True):
        if old.is_file() and old.relative_to(maps) not in new:
            old.unlink()


def _take_lock(path: Path, wait_s: float) -> int:
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(handle)
                raise BuildError(
                    f"another build of {path.name.removeprefix('.').removesuffix('.lock')} has been running for "
                    f"more than {wait_s:.0f} s; try again when it is done"
                ) from None
            time.sleep(0.2)


def _copy_file(source: Path, target: Path) -> None:
    try:
        with (
            source.open("rb") as reader,
            os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as writer,
        ):
            shutil.copyfileobj(reader, writer, 1 << 22)
    except OSError as error:
        target.unlink(missing_ok=True)
        raise BuildError(f"could not copy {source} to start the build ({_reason(error)}); {FAILED}") from None


def _check_readable(published: Path, copy: Path, encryption_key: str | None) -> None:
    try:
        con = connect(copy, wait_s=0, encryption_key=encryption_key)
    except duckdb.Error as error:
        raise BuildError(
            f"the published database {published} is damaged ({str(error).splitlines()[0]}). Move it aside "
            f"(mv {published} {published}.kapot) and build again: every table is rebuilt from the source files, and "
            "the history of earlier years from their own databases."
        ) from None
    con.close()


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC or error.errno == errno.EFBIG:
        return "the disk is full"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "the folder is read-only"
    return error.strerror or str(error)


def connect_working(database: Path, encryption_key: str | None = None) -> duckdb.DuckDBPyConnection:
    """Open a build's working database (nobody else may hold it: it belongs to one build)."""
    return connect(database, wait_s=0, encryption_key=encryption_key)


def rollback_open_transaction(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back a transaction a failed step left open, so that what it half wrote is not kept."""
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass  # no transaction was open: every statement committed on its own


@contextlib.contextmanager
def open_working(database: Path, encryption_key: str | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a connection to a build's working database, checkpointed when closed so the file stands alone."""
    con = connect_working(database, encryption_key)
    try:
        yield con
        con.execute("CHECKPOINT")
    finally:
        con.close()
