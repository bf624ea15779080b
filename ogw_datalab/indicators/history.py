"""The years the database remembers, in the schema ``historie``.

``historie.waarden`` and ``historie.buurten`` hold every recorded year's published buurt values and
boundaries; ``historie.jaargangen`` says where each earlier year came from.

Every (gemeente, jaar) build records its own year in its own database (:func:`record_history`); the
current year's build copies the earlier years in from their databases (:func:`import_years`), so that
building an earlier year never touches this year's tables, and the history is rebuilt whole by every build.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from ..duckdb_connection import attach, connect
from ..storage import ensure_schemas, relation_kind

T = TypeVar("T")


def _ensure_history_tables(con: duckdb.DuckDBPyConnection) -> None:
    ensure_schemas(con)
    con.execute(
        "CREATE TABLE IF NOT EXISTS historie.waarden (jaar INTEGER, indicator VARCHAR, buurtcode VARCHAR, "
        "waarde DOUBLE, status VARCHAR)"
    )
    con.execute("CREATE TABLE IF NOT EXISTS historie.buurten (jaar INTEGER, buurtcode VARCHAR, geometry GEOMETRY)")
    con.execute("CREATE TABLE IF NOT EXISTS historie.jaargangen (jaar INTEGER, configuratie VARCHAR, sha256 VARCHAR)")


def _replace_year(con: duckdb.DuckDBPyConnection, jaar: int, inserts: list[tuple[str, list]]) -> None:
    """Delete ``jaar`` from the history tables and run ``inserts``, all in one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for table in ("waarden", "buurten", "jaargangen"):
            con.execute(f"DELETE FROM historie.{table} WHERE jaar = ?", [jaar])
        for sql, params in inserts:
            con.execute(sql, params)
        con.execute("COMMIT")
    except duckdb.Error:
        con.execute("ROLLBACK")
        raise


def _summary(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    years = [r[0] for r in con.execute("SELECT DISTINCT jaar FROM historie.buurten ORDER BY 1").fetchall()]
    return {"jaren": len(years), "eerste_jaar": years[0], "laatste_jaar": years[-1]}


def record_history(con: duckdb.DuckDBPyConnection, jaar: int, configuratie: Path, sha256: str) -> dict[str, int]:
    """Replace this year's rows in ``historie.*`` by the current build, with the fingerprint it was built from.

    Parameters
    ----------
    con
        The build's database.
    jaar
        The year this build shows.
    configuratie, sha256
        The configuration file and its fingerprint (configuration, catalogue and opgaven).
    """
    _ensure_history_tables(con)
    _replace_year(
        con,
        jaar,
        [
            (
                "INSERT INTO historie.waarden SELECT ?, indicator, buurtcode, waarde, status "
                "FROM indicators.publicatie_buurt",
                [jaar],
            ),
            ("INSERT INTO historie.buurten SELECT ?, buurtcode, geometry FROM staging.buurten", [jaar]),
            ("INSERT INTO historie.jaargangen VALUES (?, ?, ?)", [jaar, str(configuratie), sha256]),
        ],
    )
    return _summary(con)


def import_years(
    con: duckdb.DuckDBPyConnection, databases: dict[int, Path], keys: dict[int, str | None] | None = None
) -> dict[int, str]:
    """Copy each earlier year's own record from its published database into ``con``.

    Every (gemeente, jaar) build records itself in ``historie.*`` of its own database; the current
    year's build brings the earlier years in, so that its database holds every year side by side.

    Parameters
    ----------
    con
        The current year's (working) database.
    databases
        Per earlier year, the published database of its own build.
    keys
        Per earlier year, the key of its database when it is encrypted.

    Returns
    -------
    dict
        Per year: ``"overgenomen"`` (copied), or why not (not built yet, or built without a record).
    """
    _ensure_history_tables(con)
    outcome: dict[int, str] = {}
    for jaar, database in sorted(databases.items()):
        if not Path(database).is_file():
            outcome[jaar] = f"nog niet gebouwd ({database})"
            continue
        attach(con, database, "jaargang", encryption_key=(keys or {}).get(jaar))
        try:
            found = con.execute("SELECT count(*) FROM jaargang.historie.jaargangen WHERE jaar = ?", [jaar]).fetchone()
            if not found or not found[0]:
                outcome[jaar] = f"{database} heeft {jaar} niet vastgelegd"
                continue
            _replace_year(
                con,
                jaar,
                [
                    (f"INSERT INTO historie.{table} SELECT * FROM jaargang.historie.{table} WHERE jaar = ?", [jaar])
                    for table in ("waarden", "buurten", "jaargangen")
                ],
            )
            outcome[jaar] = "overgenomen"
        except duckdb.CatalogException:
            outcome[jaar] = f"{database} heeft geen historie"
        finally:
            con.execute("DETACH jaargang")
    return outcome


def recorded_build(database: Path, jaar: int, *, wait_s: float = 5.0, encryption_key: str | None = None) -> str | None:
    """Return the fingerprint ``jaar`` was last published with in ``database``, or None when it never was.

    Raises
    ------
    duckdb.IOException
        When another process keeps writing to the file for longer than ``wait_s``.
    """

    def read(con: duckdb.DuckDBPyConnection) -> str | None:
        if relation_kind(con, "historie", "jaargangen") is None:
            return None
        row = con.execute("SELECT max(sha256) FROM historie.jaargangen WHERE jaar = ?", [jaar]).fetchone()
        return row[0] if row else None

    try:
        return _read_only(database, read, wait_s, encryption_key)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise
        return None  # a damaged file: the build says what to do about it


def _read_only(
    database: Path, read: Callable[[duckdb.DuckDBPyConnection], T], wait_s: float, encryption_key: str | None
) -> T | None:
    if not Path(database).is_file():
        return None
    con = connect(database, read_only=True, wait_s=wait_s, encryption_key=encryption_key)
    try:
        return read(con)
    finally:
        con.close()
