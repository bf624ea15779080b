"""Open DuckDB with the spatial extension, offline first."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

INSTALL_HINT = (
    "The DuckDB spatial extension could not be loaded. Install the wheel that ships it, "
    "pinned to the same version as duckdb: pip install 'duckdb=={v}' "
    "'duckdb-extension-spatial=={v}' (or run 'make demo', which installs both). "
    "With internet access DuckDB can also fetch it itself: INSTALL spatial."
)


T = TypeVar("T")


class SpatialExtensionError(RuntimeError):
    """The spatial extension is neither installed, shipped as a wheel, nor downloadable."""


def find_shipped_spatial_extension() -> Path | None:
    """Return the ``spatial.duckdb_extension`` file of the pip package, if installed.

    The package ``duckdb-extension-spatial`` ships one binary per DuckDB version under
    ``extensions/v<version>/``; only the one matching the running duckdb can load.
    """
    try:
        import duckdb_extension_spatial
    except ImportError:
        return None
    root = Path(duckdb_extension_spatial.__file__).parent / "extensions"
    candidate = root / f"v{duckdb.__version__}" / "spatial.duckdb_extension"
    return candidate if candidate.is_file() else None


def connect(
    database: str | Path = ":memory:", *, read_only: bool = False, wait_s: float = 120.0
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database with the spatial extension loaded.

    Parameters
    ----------
    database
        Path of the database file, or ``":memory:"``. A file's parent folder is created.
    read_only
        Open the file read-only (several readers may share it).

    Notes
    -----
    The extension is tried in order: already installed in DuckDB's extension folder,
    the binary shipped by the ``duckdb-extension-spatial`` wheel, ``INSTALL spatial`` from
    DuckDB's extension server. Automatic installation is switched off so that nothing
    reaches the network behind our back.
    """
    if str(database) != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    con = _open_waiting_for_lock(str(database), read_only, wait_s)
    try:
        load_spatial(con)
    except SpatialExtensionError:
        con.close()
        raise
    return con


def _open_waiting_for_lock(database: str, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    """Open the file; while another process holds DuckDB's write lock, wait (one writer at a time)."""
    return _retry_while_locked(
        lambda: duckdb.connect(
            database,
            read_only=read_only,
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
        ),
        wait_s,
    )


def attach(con: duckdb.DuckDBPyConnection, database: str | Path, alias: str, *, wait_s: float = 120.0) -> None:
    """``ATTACH`` another database file read-only as ``alias``, waiting while another process writes to it."""
    quoted = Path(database).as_posix().replace("'", "''")
    _retry_while_locked(lambda: con.execute(f"ATTACH '{quoted}' AS {alias} (READ_ONLY)"), wait_s)


def _retry_while_locked(action: Callable[[], T], wait_s: float) -> T:
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        try:
            return action()
        except duckdb.IOException as error:
            if "lock" not in str(error).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    """Load the spatial extension into ``con`` or raise :class:`SpatialExtensionError`."""
    attempts: list[str] = []
    for attempt in (_load_installed, _load_shipped, _install_from_network):
        try:
            if attempt(con):
                con.execute("SET geometry_always_xy = true")
                return
        except duckdb.Error as error:
            attempts.append(f"{attempt.__name__}: {error}")
    detail = "; ".join(attempts) or "no attempt succeeded"
    raise SpatialExtensionError(INSTALL_HINT.format(v=duckdb.__version__) + f" ({detail})")


def _load_installed(con: duckdb.DuckDBPyConnection) -> bool:
    installed = con.execute("SELECT installed FROM duckdb_extensions() WHERE extension_name = 'spatial'").fetchone()
    if not installed or not installed[0]:
        return False
    con.execute("LOAD spatial")
    return True


def _load_shipped(con: duckdb.DuckDBPyConnection) -> bool:
    shipped = find_shipped_spatial_extension()
    if shipped is None:
        return False
    quoted = shipped.as_posix().replace("'", "''")
    con.execute(f"LOAD '{quoted}'")
    return True


def _install_from_network(con: duckdb.DuckDBPyConnection) -> bool:
    con.execute("INSTALL spatial")
    con.execute("LOAD spatial")
    return True
