"""Open DuckDB with the spatial extension, offline first; database files owner-only, optionally encrypted."""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from .files import PRIVATE_FILE, make_private_dir, secure_database_files

INSTALL_HINT = (
    "The DuckDB spatial extension could not be loaded. Install the wheel that ships it, "
    "pinned to the same version as duckdb: pip install 'duckdb=={v}' "
    "'duckdb-extension-spatial=={v}' (or run 'make demo', which installs both). "
    "With internet access DuckDB can also fetch it itself: INSTALL spatial."
)
HTTPFS_HINT = (
    "An encrypted database needs DuckDB's httpfs extension (its OpenSSL module), which could not be loaded: "
    "pip install 'duckdb-extension-httpfs=={v}' (the project's requirements.lock includes it)."
)
DATABASE_ALIAS = "datalab"

T = TypeVar("T")


class SpatialExtensionError(RuntimeError):
    """The spatial extension is neither installed, shipped as a wheel, nor downloadable."""


class DatabaseKeyError(RuntimeError):
    """An encrypted database without its key, with a wrong key, or a key for a plain database."""


def find_shipped_extension(name: str) -> Path | None:
    """Return the ``<name>.duckdb_extension`` file of the pip package ``duckdb-extension-<name>``, if installed.

    Each such package ships one binary per DuckDB version under ``extensions/v<version>/``;
    only the one matching the running duckdb can load.
    """
    try:
        package = importlib.import_module(f"duckdb_extension_{name}")
    except ImportError:
        return None
    root = Path(str(package.__file__)).parent / "extensions"
    candidate = root / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    return candidate if candidate.is_file() else None


def find_shipped_spatial_extension() -> Path | None:
    """Return the ``spatial.duckdb_extension`` file of the pip package ``duckdb-extension-spatial``, if installed."""
    return find_shipped_extension("spatial")


def connect(
    database: str | Path = ":memory:",
    *,
    read_only: bool = False,
    wait_s: float = 120.0,
    encryption_key: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database with the spatial extension loaded.

    Parameters
    ----------
    database
        Path of the database file, or ``":memory:"``. A missing parent folder is created owner-only.
    read_only
        Open the file read-only (several readers may share it).
    wait_s
        How long to wait while another process holds DuckDB's write lock on the file.
    encryption_key
        The key of an encrypted database (DuckDB's own AES-GCM database encryption). A new
        file opened with a key is created encrypted. Without a key an encrypted file is refused.

    Raises
    ------
    DatabaseKeyError
        When the file is encrypted and no key was given, the key is wrong, or a key was given
        for a file that is not encrypted. Nothing is decrypted to disk in any of these cases.

    Notes
    -----
    The extension is tried in order: already installed in DuckDB's extension folder,
    the binary shipped by the ``duckdb-extension-spatial`` wheel, ``INSTALL spatial`` from
    DuckDB's extension server. Automatic installation is switched off so that nothing
    reaches the network behind our back.

    A file is attached to an in-memory connection (``ATTACH ... AS datalab``, then ``USE``) with
    WAL writes off: DuckDB would create its ``.wal`` beside the file with the process umask, and
    it would hold row-level data in plain text until the next checkpoint. A new file is created
    in a private temporary folder, made owner-only (0600) and only then moved into place, so it
    is never readable by others, not even for a moment. Encryption needs DuckDB's OpenSSL
    module from the ``httpfs`` extension (shipped by ``duckdb-extension-httpfs``); it also
    encrypts DuckDB's temporary files.
    """
    if str(database) == ":memory:":
        return _connection_with_extensions(encryption_key is not None)
    path = Path(database)
    if not read_only:
        if not path.parent.exists():
            make_private_dir(path.parent)  # a folder we create for the database is owner-only too
        _create_private_database(path, encryption_key)
    con = _connection_with_extensions(encryption_key is not None)
    try:
        if not read_only:
            temp = make_private_dir(path.with_name(f".{path.name}.tmp"))
            con.execute("SET temp_directory = ?", [temp.as_posix()])
        _attach_file(con, path, DATABASE_ALIAS, read_only=read_only, encryption_key=encryption_key, wait_s=wait_s)
        con.execute(f"USE {DATABASE_ALIAS}")
    except BaseException:
        con.close()
        raise
    if not read_only:
        secure_database_files(path)
    return con


# Blocks of 16 kB instead of DuckDB's 256 kB: every table takes at least one block, and a gemeente's database holds
# about a hundred small tables, so its file shrinks from 26 MB to 3 MB (the national set from about 9.5 GB to 1.2 GB).
BLOCK_SIZE = 16_384
# DuckDB 1.5's own storage format: in a row group of 30,000 rows or more a column of points is kept as two columns
# of doubles instead of one WKB value a row, so the join step reads ten million addresses' coordinates in about 1.4
# instead of 2.0 s, and a gemeente's file is a quarter to a third smaller. Such a file opens in DuckDB 1.5 or later
# only; a file made before keeps its format until it is rewritten (encryption.compact_database).
STORAGE_VERSION = "v1.5.0"
NEW_FILE_OPTIONS = (f"BLOCK_SIZE {BLOCK_SIZE}", f"STORAGE_VERSION '{STORAGE_VERSION}'")

# Extension files whose signature DuckDB checked in this process. Checking hashes the whole file (80 MB for
# spatial, about 0.5 s); a later connection loading the same file skips the check (25 ms): it was checked here.
_VERIFIED: set[Path] = set()


# The threads of each DuckDB connection this process opens; None: DuckDB's own choice, one per core (see share_cores).
_THREADS: int | None = None


def share_cores(processes: int) -> None:
    """Give the DuckDB connections this process opens from now on its share of the cores (at least one thread).

    For a process that is one of ``processes`` building at once (``build --workers``), instead of one thread per
    core for each.

    With every core busy already, more threads only cost: a gemeente's tables are small, and DuckDB's waking and
    scheduling of its other threads took 6-12 % of the CPU of a build, with no gain in time
    (docs/ontwikkelen/resultaten/scale.md). What is published is the same.
    """
    global _THREADS
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    _THREADS = max(1, cores // max(1, processes))


def _new_connection(*, checked: bool = False) -> duckdb.DuckDBPyConnection:
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if checked:
        config["allow_unsigned_extensions"] = True
    if _THREADS is not None:
        config["threads"] = _THREADS
    return duckdb.connect(":memory:", config=config)


def _connection_with_extensions(encrypted: bool) -> duckdb.DuckDBPyConnection:
    files = [find_shipped_spatial_extension()] + ([find_shipped_extension("httpfs")] if encrypted else [])
    shipped = [f for f in files if f is not None]
    checked = len(shipped) == len(files) and all(f in _VERIFIED for f in shipped)
    con = _new_connection(checked=checked)
    try:
        if checked:  # exactly the file checked before, never another one
            _load_shipped(con)
            con.execute("SET geometry_always_xy = true")
        else:
            load_spatial(con)
        if encrypted:
            load_httpfs(con)
            con.execute("SET temp_file_encryption = true")
    except BaseException:
        con.close()
        raise
    if not checked:
        _VERIFIED.update(shipped)  # loaded with DuckDB's signature check: the same files need no second one
    return con


def _create_private_database(path: Path, encryption_key: str | None) -> None:
    """Create an empty database file at ``path`` that is owner-only (0600) from its first byte on."""
    if path.exists():
        return
    folder = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.nieuw."))  # 0700
    try:
        fresh = folder / path.name
        con = _new_connection()  # no spatial needed to write an empty file
        try:
            if encryption_key is not None:
                load_httpfs(con)
            _attach_file(con, fresh, "nieuw", read_only=False, encryption_key=encryption_key, wait_s=0, new_file=True)
            con.execute("DETACH nieuw")
        finally:
            con.close()
        os.chmod(fresh, PRIVATE_FILE)
        try:
            os.link(fresh, path)  # never replaces a file another process created meanwhile
        except FileExistsError:
            pass
        except OSError:
            os.replace(fresh, path)  # file systems without hard links
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def attach(
    con: duckdb.DuckDBPyConnection,
    database: str | Path,
    alias: str,
    *,
    wait_s: float = 120.0,
    encryption_key: str | None = None,
) -> None:
    """``ATTACH`` another database file read-only as ``alias``, waiting while another process writes to it.

    Parameters
    ----------
    con
        The connection to attach to (with ``encryption_key``, the httpfs extension is loaded into it).
    database
        The file.
    alias
        Its name in ``con`` (an identifier of the library's own choosing, never from data).
    wait_s
        How long to wait for another process's write lock.
    encryption_key
        The file's key when it is encrypted.
    """
    if encryption_key is not None:
        load_httpfs(con)
    _attach_file(con, Path(database), alias, read_only=True, encryption_key=encryption_key, wait_s=wait_s)


def _attach_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    alias: str,
    *,
    read_only: bool,
    encryption_key: str | None,
    wait_s: float,
    new_file: bool = False,
) -> None:
    quoted = path.as_posix().replace("'", "''")
    options = ["READ_ONLY"] if read_only else ["RECOVERY_MODE no_wal_writes"]
    if new_file:
        options += NEW_FILE_OPTIONS
    parameters: dict[str, str] = {}
    if encryption_key is not None:
        options.append("ENCRYPTION_KEY $sleutel")  # bound, so the key never appears in the SQL text
        parameters["sleutel"] = encryption_key
    statement = f"ATTACH '{quoted}' AS {alias} ({', '.join(options)})"
    try:
        _retry_while_locked(lambda: con.execute(statement, parameters), wait_s)
    except duckdb.Error as error:
        problem = _key_problem(path, error, encryption_key is not None)
        if problem is None:
            raise
        raise problem from None


def _key_problem(path: Path, error: duckdb.Error, keyed: bool) -> DatabaseKeyError | None:
    """Translate DuckDB's encryption errors into one plain sentence (None for any other error)."""
    text = str(error)
    if "without a key" in text:
        return DatabaseKeyError(
            f"{path} is encrypted and no key was given: name the environment variable that holds the key "
            "in uitvoer.sleutel_variabele and set it"
        )
    if "Wrong encryption key" in text:
        return DatabaseKeyError(f"{path} cannot be opened with this key: the key in the environment variable is wrong")
    if keyed and "is not encrypted" in text:
        return DatabaseKeyError(
            f"{path} is not encrypted but a key was given: encrypt it once with "
            "ogw_datalab.encryption.rotate_database_key (old key none), or remove uitvoer.sleutel_variabele"
        )
    return None


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


def load_httpfs(con: duckdb.DuckDBPyConnection) -> None:
    """Load the httpfs extension (DuckDB's OpenSSL module, needed to write encrypted databases), offline.

    Raises
    ------
    RuntimeError
        When neither an installed nor a pip-shipped httpfs extension loads.
    """
    loaded = con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = 'httpfs'").fetchone()
    if loaded and loaded[0]:
        return
    shipped = find_shipped_extension("httpfs")
    try:
        if shipped is not None:
            con.execute(f"LOAD '{shipped.as_posix().replace(chr(39), chr(39) * 2)}'")
        else:
            con.execute("LOAD httpfs")  # installed in DuckDB's own extension folder, or an error
    except duckdb.Error as error:
        raise RuntimeError(HTTPFS_HINT.format(v=duckdb.__version__) + f" ({error})") from None
