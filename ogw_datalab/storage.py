"""Write frames into DuckDB tables and run the SQL files of the library."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import duckdb
import geopandas as gpd
import pandas as pd
import shapely

SCHEMAS = ("raw", "staging", "joined", "indicators", "maps", "historie")


def layer_table(name: str) -> str:
    """Table name of a configured layer in every schema (``raw.layer_bomen``, ``staging.layer_bomen``)."""
    return f"layer_{name}"


def partner_table(name: str) -> str:
    """Table name of a configured partner in every schema (``raw.partner_ggd``, ...)."""
    return f"partner_{name}"


def tijdreeks_table(name: str, part: str = "") -> str:
    """Table name of a configured tijdreeks (``tijdreeks_lucht``, ``tijdreeks_lucht_maand``)."""
    return f"tijdreeks_{name}" + (f"_{part}" if part else "")


def quote_identifier(name: str) -> str:
    """Quote a DuckDB identifier (the name comes from an allow-list or a validated config)."""
    return '"' + name.replace('"', '""') + '"'


def table_name(schema: str, table: str) -> str:
    """Return ``schema.table`` with the table name quoted; the schema must be one of :data:`SCHEMAS`."""
    if schema not in SCHEMAS:
        raise ValueError(f"unknown schema {schema!r}; expected one of {SCHEMAS}")
    return f"{schema}.{quote_identifier(table)}"


def ensure_schemas(con: duckdb.DuckDBPyConnection) -> None:
    """Create the schemas of :data:`SCHEMAS` that do not exist yet (one question when they all do)."""
    present = con.execute(
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database()"
    ).fetchall()
    for schema in set(SCHEMAS) - {name for (name,) in present}:
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")


def write_frame(con: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Replace ``schema.table`` with ``frame`` in one transaction; return the row count.

    A GeoDataFrame's active geometry becomes a GEOMETRY column named ``geometry``.
    """
    ensure_schemas(con)
    data = pd.DataFrame(frame).copy()
    geometry_column = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    if geometry_column is not None:
        data["__wkb"] = shapely.to_wkb(frame.geometry.to_numpy(), hex=False)
        data = data.drop(columns=[geometry_column])
    for column in data.columns:
        if isinstance(data[column].dtype, pd.DatetimeTZDtype):
            data[column] = data[column].dt.tz_convert("UTC").dt.tz_localize(None)
    select = "SELECT * EXCLUDE (__wkb), ST_GeomFromWKB(__wkb) AS geometry" if geometry_column else "SELECT *"
    con.register("__frame", data)
    try:
        con.execute("BEGIN TRANSACTION")
        con.execute(f"CREATE OR REPLACE TABLE {table_name(schema, table)} AS {select} FROM __frame")
        con.execute("COMMIT")
    except duckdb.Error:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("__frame")
    return len(data)


def relation_kind(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str | None:
    """Return ``'BASE TABLE'`` or ``'VIEW'`` for ``schema.table`` of the connection's own database, or None."""
    kind = con.execute(
        "SELECT table_type FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema = ? AND table_name = ?",
        [schema, table],
    ).fetchone()
    return None if kind is None else str(kind[0])


def drop_relation(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """Drop ``schema.table`` if it exists, whether it is a table or a view (``DROP TABLE`` refuses a view)."""
    kind = relation_kind(con, schema, table)
    if kind is not None:
        con.execute(f"DROP {'VIEW' if kind == 'VIEW' else 'TABLE'} {table_name(schema, table)}")


def read_sql_file(name: str) -> str:
    """Text of ``ogw_datalab/sql/<name>``."""
    return resources.files("ogw_datalab").joinpath("sql", name).read_text(encoding="utf-8")


def run_sql_file(
    con: duckdb.DuckDBPyConnection,
    name: str,
    parameters: dict[str, Any] | None = None,
    identifiers: dict[str, str] | None = None,
) -> None:
    """Run a SQL file in one transaction.

    Values are bound as named parameters (``$name``). Identifiers, which SQL cannot bind,
    are substituted from ``identifiers`` (``{source}`` placeholders); callers pass only
    table names from the pipeline's own allow-list.
    """
    sql = read_sql_file(name)
    if identifiers:
        sql = sql.format(**identifiers)
    ensure_schemas(con)
    con.execute("BEGIN TRANSACTION")
    try:
        for statement in _statements(sql):
            con.execute(statement, bound_parameters(statement, parameters or {}))
        con.execute("COMMIT")
    except duckdb.Error:
        con.execute("ROLLBACK")
        raise


def _statements(sql: str) -> list[str]:
    lines = [line for line in sql.splitlines() if not line.strip().startswith("--")]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def bound_parameters(statement: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """Return the parameters that ``statement`` refers to as ``$name``."""
    return {k: v for k, v in parameters.items() if re.search(rf"\${k}\b", statement)}


def row_count(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> int:
    """Return the number of rows of ``schema.table``."""
    return query_row(con, f"SELECT count(*) FROM {table_name(schema, table)}")[0]


def frame_to_temp_table(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame) -> None:
    """Copy ``frame`` into the temp table ``name`` (replacing it)."""
    con.register("__frame", frame)
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {quote_identifier(name)} AS SELECT * FROM __frame")
    finally:
        con.unregister("__frame")


def publish_temp_table(con: duckdb.DuckDBPyConnection, temp: str, schema: str, table: str) -> int:
    """Replace ``schema.table`` with the checked temp table ``temp`` in one transaction.

    Staging code builds and checks its result in a temp table first, so that a failed check
    leaves the previously published table untouched.
    """
    ensure_schemas(con)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f"CREATE OR REPLACE TABLE {table_name(schema, table)} AS SELECT * FROM {quote_identifier(temp)}")
        con.execute(f"DROP TABLE {quote_identifier(temp)}")
        con.execute("COMMIT")
    except duckdb.Error:
        con.execute("ROLLBACK")
        raise
    return row_count(con, schema, table)


def query_row(con: duckdb.DuckDBPyConnection, sql: str, parameters: Any = None) -> tuple[Any, ...]:
    """Return the single row of an aggregate query (``count(*)``, ``sum``, ...)."""
    row = con.execute(sql, parameters).fetchone() if parameters is not None else con.execute(sql).fetchone()
    if row is None:
        raise RuntimeError(f"expected one row from: {sql}")
    return row
