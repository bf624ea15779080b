"""The database key: where it comes from, opening an encrypted database, copying it, and rotating the key.

The database holds row-level partner data, so it can be encrypted with DuckDB's own database
encryption (AES-GCM; the data, the WAL and DuckDB's temporary files). The key is never in the
configuration file: ``uitvoer.sleutel_variabele`` names the environment variable that holds it.
The published site (``maps/``) holds only aggregates and never needs the key.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import duckdb

from .config import Output, ProjectConfig
from .duckdb_connection import DATABASE_ALIAS, NEW_FILE_OPTIONS, connect, load_httpfs
from .files import PRIVATE_FILE, copy_private, secure_database_files


class MissingKeyError(RuntimeError):
    """The configuration names a key variable, but the environment does not set it."""


def database_key(output: Output, environ: Mapping[str, str] | None = None) -> str | None:
    """Return the encryption key of ``uitvoer.database``; None when the configuration asks for no encryption.

    Parameters
    ----------
    output
        The ``uitvoer`` block of the configuration; ``sleutel_variabele`` names the variable.
    environ
        Where to look (default: ``os.environ``).

    Raises
    ------
    MissingKeyError
        When the named variable is not set or empty; the message says which variable to set.
    """
    name = output.sleutel_variabele
    if name is None:
        return None
    key = (os.environ if environ is None else environ).get(name, "")
    if not key:
        raise MissingKeyError(
            f"the database {output.database} is encrypted: set the environment variable {name} to its key "
            "(uitvoer.sleutel_variabele names it); nothing was opened or decrypted"
        )
    return key


def open_database(
    config: ProjectConfig, *, read_only: bool = False, wait_s: float = 120.0, database: Path | None = None
) -> duckdb.DuckDBPyConnection:
    """Open the project's database (or ``database``, e.g. a build's new file) with the key the configuration names.

    Raises
    ------
    MissingKeyError
        When the key variable is named but not set: nothing is opened.
    ogw_datalab.duckdb_connection.DatabaseKeyError
        When the file is encrypted but no key variable is configured, or the key is wrong.
    """
    key = database_key(config.uitvoer)
    return connect(database or config.uitvoer.database, read_only=read_only, wait_s=wait_s, encryption_key=key)


def copy_database(source: str | Path, target: str | Path) -> Path:
    """Copy a database file byte for byte to ``target`` as an owner-only file (0600), atomically.

    An encrypted file stays encrypted with the same key: the copy opens with it, and only with it.
    The caller makes sure no process writes to ``source`` meanwhile (the database's connections
    write no WAL, so the file alone is the whole database once its writer has closed it).
    """
    return copy_private(source, target)


def rotate_database_key(database: str | Path, *, old_key: str | None, new_key: str, wait_s: float = 120.0) -> Path:
    """Re-encrypt ``database`` with ``new_key``: copy every table into a new file, then swap it in atomically.

    Parameters
    ----------
    database
        The database file; it is replaced only when the new file is complete and verified.
    old_key
        Its current key; None when it is not encrypted yet (this encrypts it for the first time).
    new_key
        The new key (at least 16 characters; ``python -c "import secrets; print(secrets.token_urlsafe(32))"``).
    wait_s
        How long to wait for another process's write lock.

    Returns
    -------
    Path
        The database file, now encrypted with ``new_key``.

    Raises
    ------
    ValueError
        When the new key is too short or equal to the old one.

    Notes
    -----
    The new file is written in a private temporary folder beside the database, checked (same
    tables, same row counts, opened with the new key) and renamed over the old file; a failure
    at any step leaves the old file as it was. Nothing is decrypted to disk: both files are
    encrypted. Rewriting also drops the free blocks in which DuckDB keeps deleted rows.
    """
    if len(new_key) < 16:
        raise ValueError("the new key is too short: use at least 16 characters (for example secrets.token_urlsafe)")
    if new_key == old_key:
        raise ValueError("the new key equals the old key; choose another one")
    return _rewrite(Path(database), old_key=old_key, new_key=new_key, wait_s=wait_s)


def compact_database(database: str | Path, *, key: str | None, wait_s: float = 120.0) -> Path:
    """Rewrite ``database`` into a fresh file with the same key, so that deleted rows are gone from the file too.

    DuckDB reuses the blocks of dropped tables but does not wipe them; after a retention run
    the old rows may still sit in the file's free blocks. This copies the live tables only.
    """
    return _rewrite(Path(database), old_key=key, new_key=key, wait_s=wait_s)


def _rewrite(database: Path, *, old_key: str | None, new_key: str | None, wait_s: float) -> Path:
    folder = Path(tempfile.mkdtemp(dir=database.parent, prefix=f".{database.name}.herschrijven."))  # 0700
    fresh = folder / database.name
    try:
        con = connect(database, read_only=True, wait_s=wait_s, encryption_key=old_key)
        try:
            expected = _table_counts(con, DATABASE_ALIAS)
            if new_key is not None:
                load_httpfs(con)
            options = list(NEW_FILE_OPTIONS) + (["ENCRYPTION_KEY $sleutel"] if new_key is not None else [])
            quoted = fresh.as_posix().replace("'", "''")
            parameters = {"sleutel": new_key} if new_key is not None else {}
            con.execute(f"ATTACH '{quoted}' AS nieuw ({', '.join(options)})", parameters)
            con.execute(f"COPY FROM DATABASE {DATABASE_ALIAS} TO nieuw")
            con.execute("DETACH nieuw")
        finally:
            con.close()
        os.chmod(fresh, PRIVATE_FILE)
        check = connect(fresh, read_only=True, encryption_key=new_key)
        try:
            copied = _table_counts(check, DATABASE_ALIAS)
        finally:
            check.close()
        if copied != expected:
            raise RuntimeError(f"{database}: the rewritten copy differs from the original; the original was kept")
        os.replace(fresh, database)
        secure_database_files(database)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return database


def _table_counts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? ORDER BY ALL", [catalog]
    ).fetchall()
    counts = {}
    for schema, table in tables:
        quoted = ".".join('"' + part.replace('"', '""') + '"' for part in (catalog, schema, table))
        row = con.execute(f"SELECT count(*) FROM {quoted}").fetchone()
        counts[f"{schema}.{table}"] = int(row[0]) if row else 0
    return counts
