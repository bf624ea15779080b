"""The years the database remembers: ``historie.waarden`` and ``historie.buurten`` hold every recorded
year's published buurt values and boundaries; ``historie.jaargangen`` says where each earlier year came from.

The current year is recorded by its own build (:func:`record_history`); an earlier CBS year is built
into a database of its own and then copied in whole (:func:`import_year`), so that building an
earlier year never touches this year's tables.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import duckdb

from ..duckdb_connection import attach, connect
from ..storage import ensure_schemas

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


def record_history(con: duckdb.DuckDBPyConnection, jaar: int) -> dict[str, int]:
    """Replace this year's rows in ``historie.waarden`` and ``historie.buurten`` by the current build."""
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
        ],
    )
    return _summary(con)


def import_year(
    con: duckdb.DuckDBPyConnection,
    year_database: Path,
    jaar: int,
    configuratie: Path,
    sha256: str,
    *,
    encryption_key: str | None = None,
) -> dict[str, int]:
    """Copy ``jaar`` from the history of ``year_database`` (a finished build of that year) into ``con``;
    ``sha256`` is the fingerprint of the configuration it was built from; ``encryption_key`` opens an
    encrypted year database (that year's configuration names its key variable).

    Raises
    ------
    ValueError
        When ``year_database`` has no published values for ``jaar``: nothing is replaced then.
    """
    attach(con, year_database, "jaargang", encryption_key=encryption_key)
    try:
        found = con.execute("SELECT count(*) FROM jaargang.historie.buurten WHERE jaar = ?", [jaar]).fetchone()
        if not found or not found[0]:
            raise ValueError(f"{year_database}: the build of {jaar} recorded no buurten for {jaar}")
        _ensure_history_tables(con)
        _replace_year(
            con,
            jaar,
            [
                ("INSERT INTO historie.waarden SELECT * FROM jaargang.historie.waarden WHERE jaar = ?", [jaar]),
                ("INSERT INTO historie.buurten SELECT * FROM jaargang.historie.buurten WHERE jaar = ?", [jaar]),
                ("INSERT INTO historie.jaargangen VALUES (?, ?, ?)", [jaar, str(configuratie), sha256]),
            ],
        )
    finally:
        con.execute("DETACH jaargang")
    counts = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'gepubliceerd') FROM historie.waarden WHERE jaar = ?",
        [jaar],
    ).fetchone()
    assert counts is not None
    return {"buurten": int(found[0]), "waarden": int(counts[0]), "gepubliceerd": int(counts[1]), **_summary(con)}


def recorded_years(con: duckdb.DuckDBPyConnection) -> dict[int, str]:
    """Earlier years copied in by :func:`import_year`, with the fingerprint of what each was built from."""
    if not _has_table(con, "jaargangen"):
        return {}
    return dict(con.execute("SELECT jaar, sha256 FROM historie.jaargangen").fetchall())


def recorded_years_in(database: Path, *, wait_s: float = 5.0, encryption_key: str | None = None) -> dict[int, str]:
    """:func:`recorded_years` of a database file (encrypted: with its key), read-only; empty when it does not exist.

    Raises
    ------
    duckdb.IOException
        When another process keeps writing to the file for longer than ``wait_s``.
    """
    return _read_only(database, recorded_years, wait_s, encryption_key) or {}


def years_in_history(database: Path, *, wait_s: float = 5.0, encryption_key: str | None = None) -> set[int]:
    """Every year with buurten in ``historie.buurten`` (earlier years and the current build), read-only."""

    def read(con: duckdb.DuckDBPyConnection) -> set[int]:
        if not _has_table(con, "buurten"):
            return set()
        return {row[0] for row in con.execute("SELECT DISTINCT jaar FROM historie.buurten").fetchall()}

    return _read_only(database, read, wait_s, encryption_key) or set()


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


def _has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'historie' AND table_name = ?", [table]
    ).fetchone()
    return bool(found and found[0])
