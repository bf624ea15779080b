"""Publish what the site publishes to PostGIS, for a gemeente's GIS and BI tools (QGIS, GeoServer, Power BI).

The tables have the names they have in DuckDB: ``publicatie_buurt``, ``publicatie_wijk`` and
``publicatie_gemeente`` (``indicator``, the area code, ``waarde``, ``status``, ``reden``),
``opgave_scores`` and ``prioriteiten``, and the outlines ``buurten`` and ``wijken`` as
``geometry(MultiPolygon, 28992)`` with a GiST index. Every table starts with ``gemeentecode``:
several gemeenten share one schema, each replacing only its own rows. Nothing else goes there
(no partner rows, addresses, quarantine, numerators or denominators): only the columns listed in
:data:`TABLES`, read by the files in ``sql/postgis/``.

One gemeente's rows of every table are replaced in one PostgreSQL transaction: a reader sees
the old rows or the new ones, never half. Publishers of one schema take turns (a transaction
advisory lock), so two gemeenten built at once (``--workers 2``) cannot get in each other's way,
not even while the first of them creates the tables.

The connection string comes only from the environment variable the configuration names. It
carries the password, so no message, log line or metadata ever holds it: every error is told in
our own words, naming the host, with the server's reason stripped of anything from the string.

The rows go through psycopg's ``COPY ... FROM STDIN``, the geometry as hex EWKB that PostGIS reads
as it comes. DuckDB's postgres extension (``ATTACH ... (TYPE postgres)``) was measured beside it on
the same server and tables and took about twice as long (Alphen: 0.18-0.24 s against 0.08-0.10 s);
it also quotes the whole connection string, password included, when ATTACH fails, needs its wheel's
file loaded under another name, and leaves the geometry to a second step in PostgreSQL.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .config import PostGIS
from .duckdb_connection import connect
from .storage import read_sql_file

GEOMETRY = "geometry(MultiPolygon,28992)"
CONNECT_TIMEOUT_S = 10
LOCK_TIMEOUT = "120s"  # a reader's long transaction blocks a table that must be made anew; then say so
LOCK_CLASS = 4840  # first key of the advisory lock of a schema's publishers (the second: hashtext(schema))
UNCHANGED = "its tables are unchanged"


@dataclass(frozen=True)
class Table:
    """One published table, by the name it has in DuckDB and in PostGIS.

    Its columns after ``gemeentecode`` with their PostgreSQL types, its key (after ``gemeentecode``), and
    what QGIS and psql show as its comment.
    """

    name: str
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    comment: str

    @property
    def geometry(self) -> bool:
        """Whether the table holds outlines (a GiST index on ``geometry``)."""
        return any(column == "geometry" for column, _ in self.columns)

    def create(self, schema: str) -> list[sql.Composed]:
        """Return the statements that make this table in ``schema``."""
        target = sql.Identifier(schema, self.name)
        columns = [sql.SQL("gemeentecode text NOT NULL")] + [
            sql.SQL("{} {}").format(sql.Identifier(column), sql.SQL(kind)) for column, kind in self.columns
        ]
        key = sql.SQL(", ").join(sql.Identifier(c) for c in ("gemeentecode", *self.key))
        statements = [
            sql.SQL("CREATE TABLE {} ({}, PRIMARY KEY ({}))").format(target, sql.SQL(", ").join(columns), key),
            sql.SQL("COMMENT ON TABLE {} IS {}").format(target, sql.Literal(self.comment)),
        ]
        if self.geometry:
            statements.append(sql.SQL("CREATE INDEX ON {} USING gist (geometry)").format(target))
        return statements


FIGURE = (("waarde", "double precision"), ("status", "text"), ("reden", "text"))
SCORE = (
    ("buurtcode", "text"),
    ("opgave", "text"),
    ("buurtnaam", "text"),
    ("score", "double precision"),
    ("gewicht_met_waarde", "double precision"),
    ("drijvers", "text"),
    ("rang", "bigint"),
)
TABLES = (
    Table(
        "publicatie_buurt",
        (("indicator", "text"), ("buurtcode", "text"), ("buurtnaam", "text"), ("wijkcode", "text"), *FIGURE),
        ("indicator", "buurtcode"),
        "Gepubliceerde cijfers per buurt en indicator (onderdrukt: geen waarde, met reden); ogw-datalab",
    ),
    Table(
        "publicatie_wijk",
        (("indicator", "text"), ("wijkcode", "text"), *FIGURE),
        ("indicator", "wijkcode"),
        "Gepubliceerde cijfers per wijk en indicator; ogw-datalab",
    ),
    Table(
        "publicatie_gemeente",
        (("indicator", "text"), *FIGURE),
        ("indicator",),
        "Gepubliceerde cijfers van de hele gemeente per indicator; ogw-datalab",
    ),
    Table("opgave_scores", SCORE, ("opgave", "buurtcode"), "Score per opgave en buurt, met rang; ogw-datalab"),
    Table("prioriteiten", SCORE, ("opgave", "buurtcode"), "De buurten die per opgave de meeste aandacht vragen"),
    Table(
        "buurten",
        (("buurtcode", "text"), ("buurtnaam", "text"), ("wijkcode", "text"), ("geometry", GEOMETRY)),
        ("buurtcode",),
        "Buurtgrenzen (RD New, EPSG:28992) van de gepubliceerde cijfers; ogw-datalab",
    ),
    Table(
        "wijken",
        (("wijkcode", "text"), ("wijknaam", "text"), ("geometry", GEOMETRY)),
        ("wijkcode",),
        "Wijkgrenzen (RD New, EPSG:28992) van de gepubliceerde cijfers; ogw-datalab",
    ),
)


class PostGISError(RuntimeError):
    """Publishing to PostGIS failed; the tables there are as they were.

    The message is one sentence naming the host and what to check, and never holds the connection
    string or its password.
    """


@dataclass(frozen=True)
class Connection:
    """Where the configuration publishes, as far as it may be shown: never the password."""

    dsn: str = field(repr=False)
    host: str
    port: str
    database: str
    user: str
    variable: str
    secrets: tuple[str, ...] = field(repr=False)

    @property
    def where(self) -> str:
        """``PostGIS at 127.0.0.1:5432 (database gis)``."""
        return f"PostGIS at {self.host}:{self.port} (database {self.database})"

    def scrub(self, text: str) -> str:
        """``text`` without anything of the connection string that could be secret."""
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


@dataclass(frozen=True)
class Publication:
    """What one gemeente published to PostGIS."""

    where: str
    schema: str
    rows: dict[str, int]
    recreated: list[str]
    seconds: float


def connection_of(settings: PostGIS, environ: Mapping[str, str] | None = None) -> Connection:
    """Read the connection string from the environment variable ``settings`` names, and what of it may be shown.

    Raises
    ------
    PostGISError
        When the variable is not set or does not hold a libpq connection string.
    """
    environ = os.environ if environ is None else environ
    variable = settings.dsn_variabele
    dsn = environ.get(variable, "").strip()
    if not dsn:
        raise PostGISError(
            f"postgis.dsn_variabele names {variable}, but that environment variable is not set: set it to the "
            "connection string of the PostGIS database (see docs/handleiding/postgis-omgevingsvariabele.md); "
            "nothing was published to PostGIS"
        )
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.Error:
        parts = None  # psycopg's message may quote the string, password and all: say it in our own words
    if parts is None:
        raise PostGISError(
            f"the connection string in {variable} is not a valid libpq connection string: check its form "
            "('host=... port=5432 dbname=... user=... password=...' or 'postgresql://user:password@host:5432/dbname'); "
            "nothing was published to PostGIS"
        )
    password = str(parts.get("password") or "")
    return Connection(
        dsn=dsn,
        host=str(parts.get("host") or parts.get("hostaddr") or environ.get("PGHOST") or "localhost"),
        port=str(parts.get("port") or environ.get("PGPORT") or "5432"),
        database=str(parts.get("dbname") or environ.get("PGDATABASE") or parts.get("user") or "postgres"),
        user=str(parts.get("user") or environ.get("PGUSER") or "?"),
        variable=variable,
        secrets=tuple(s for s in (dsn, password) if s),
    )


def read_publication(database: Path, *, encryption_key: str | None = None) -> dict[str, list[tuple]]:
    """Read every table of :data:`TABLES` from a published DuckDB database, without ``gemeentecode``.

    Raises
    ------
    RuntimeError
        When a query of ``sql/postgis/`` does not give the columns :data:`TABLES` lists (a developer's mistake).
    """
    con = connect(database, read_only=True, encryption_key=encryption_key)
    try:
        rows = {}
        for table in TABLES:
            cursor = con.execute(read_sql_file(f"postgis/{table.name}.sql"))
            columns = [d[0] for d in cursor.description]
            if columns != [c for c, _ in table.columns]:
                raise RuntimeError(f"sql/postgis/{table.name}.sql gives {columns}, TABLES lists {table.columns}")
            rows[table.name] = cursor.fetchall()
        return rows
    finally:
        con.close()


def publish_to_postgis(
    database: Path,
    gemeentecode: str,
    settings: PostGIS,
    *,
    encryption_key: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Publication:
    """Replace ``gemeentecode``'s rows of every published table in PostGIS with those of ``database``.

    Parameters
    ----------
    database
        The published DuckDB database of the gemeente's build (read only).
    gemeentecode
        The gemeente whose rows are replaced; the rows of other gemeenten in the schema stay.
    settings
        The configuration's ``postgis:`` block.
    encryption_key
        The key of an encrypted database.
    environ
        Where the connection string is looked up (default: the process's environment).

    Returns
    -------
    Publication
        Rows per table, the tables made anew (missing, or of another shape than this version writes) and
        where it went (host, port and database, never the password).

    Raises
    ------
    PostGISError
        When the variable is not set, PostGIS cannot be reached, refuses the login or the publication, or a
        table stays locked too long; the tables in PostGIS are then as they were.
    """
    connection = connection_of(settings, environ)
    rows = read_publication(database, encryption_key=encryption_key)
    started = time.perf_counter()
    schema = settings.schema_
    try:
        con = psycopg.connect(make_conninfo(connection.dsn, **_defaults(connection.dsn)))
    except psycopg.Error as error:
        problem: str | None = _unreachable(connection, error)
    else:
        problem = None
    if problem is not None:  # raised outside the except: no chained psycopg error carries the server's text
        raise PostGISError(problem)
    recreated: list[str] = []
    try:
        with con:  # commits when the block ends normally, rolls back otherwise
            recreated = _replace(con, schema, gemeentecode, rows)
    except psycopg.Error as error:
        problem = _refused(connection, schema, error)
    finally:
        con.close()
    if problem is not None:
        raise PostGISError(problem)
    return Publication(
        where=connection.where,
        schema=schema,
        rows={name: len(r) for name, r in rows.items()},
        recreated=recreated,
        seconds=time.perf_counter() - started,
    )


def _defaults(dsn: str) -> dict[str, str | int]:
    """Return a connect timeout and an application name, unless the connection string gives its own."""
    given = conninfo_to_dict(dsn)
    defaults: dict[str, str | int] = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "ogw-datalab"}
    return {key: value for key, value in defaults.items() if key not in given}


def _replace(con: psycopg.Connection, schema: str, gemeentecode: str, rows: dict[str, list[tuple]]) -> list[str]:
    """In the open transaction: wait for our turn, make what is missing, and replace the gemeente's rows."""
    con.execute(sql.SQL("SET LOCAL lock_timeout = {}").format(sql.Literal(LOCK_TIMEOUT)))
    con.execute(sql.SQL("SELECT pg_advisory_xact_lock({}, hashtext(%s))").format(sql.SQL(str(LOCK_CLASS))), [schema])
    if con.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'").fetchone() is None:
        raise _NoPostGIS
    if con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone() is None:
        con.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))  # needs CREATE on the database
    recreated = []
    for table in TABLES:
        present = _columns(con, schema, table.name)
        wanted = [("gemeentecode", "text"), *table.columns]
        if present == wanted:
            continue
        if present:
            con.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(schema, table.name)))
            recreated.append(table.name)
        for statement in table.create(schema):
            con.execute(statement)
    for table in TABLES:
        target = sql.Identifier(schema, table.name)
        con.execute(sql.SQL("DELETE FROM {} WHERE gemeentecode = %s").format(target), [gemeentecode])
        names = sql.SQL(", ").join(sql.Identifier(c) for c in ("gemeentecode", *(c for c, _ in table.columns)))
        with con.cursor() as cursor, cursor.copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, names)) as copy:
            for row in rows[table.name]:
                copy.write_row((gemeentecode, *row))
    return recreated


def _columns(con: psycopg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    """List the columns of ``schema.table`` with their types as PostgreSQL writes them (none: no such table)."""
    return [
        (str(name), str(kind))
        for name, kind in con.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass(format('%%I.%%I', %s::text, %s::text)) AND attnum > 0 AND NOT attisdropped "
            "ORDER BY attnum",
            [schema, table],
        ).fetchall()
    ]


class _NoPostGIS(psycopg.Error):
    """The database has no PostGIS extension (raised inside the transaction, which it rolls back)."""


def _unreachable(connection: Connection, error: psycopg.Error) -> str:
    """One sentence on a connection that failed: what happened and what to check."""
    text = str(error)
    variable = connection.variable
    if "password authentication failed" in text or "no password supplied" in text:
        return (
            f"{connection.where} refused the login of user {connection.user}: check the user and password in "
            f"{variable} (or in ~/.pgpass); {UNCHANGED}"
        )
    if "no pg_hba.conf entry" in text:
        return (
            f"{connection.where} does not let user {connection.user} in from this machine: ask its administrator to "
            f"allow it in pg_hba.conf, or check the user in {variable}; {UNCHANGED}"
        )
    if f'database "{connection.database}" does not exist' in text:
        return f"{connection.where} has no such database: check dbname in {variable}; {UNCHANGED}"
    if "does not exist" in text and "role" in text:
        return f"{connection.where} has no user {connection.user}: check user in {variable}; {UNCHANGED}"
    if "could not translate host name" in text or "Name or service not known" in text:
        return f"{connection.where} could not be found (unknown host name): check host in {variable}; {UNCHANGED}"
    if "timeout expired" in text:
        reason = f"no answer within {CONNECT_TIMEOUT_S} s"
    elif "Connection refused" in text:
        reason = "the connection was refused"
    else:
        reason = connection.scrub(text.splitlines()[0] if text else type(error).__name__)
    return (
        f"{connection.where} could not be reached ({reason}): check that the server runs, that host and port in "
        f"{variable} are right and that no firewall stops this machine; {UNCHANGED}"
    )


def _refused(connection: Connection, schema: str, error: psycopg.Error) -> str:
    """One sentence on a publication the server refused or broke off: what happened and what to check."""
    if isinstance(error, _NoPostGIS):
        return (
            f"{connection.where} has no PostGIS extension: ask its administrator to run CREATE EXTENSION postgis "
            f"in database {connection.database}; {UNCHANGED}"
        )
    if isinstance(error, psycopg.errors.LockNotAvailable):
        return (
            f"{connection.where}: a table in schema {schema} stayed locked for more than {LOCK_TIMEOUT} (a long "
            f"query, or a transaction left open in QGIS or psql): close it and build again; {UNCHANGED}"
        )
    reason = error.diag.message_primary or (str(error).splitlines() or [type(error).__name__])[0]
    if isinstance(error, psycopg.OperationalError) and (error.sqlstate or "08").startswith(("08", "57")):
        return (
            f"{connection.where} broke the connection off while publishing ({connection.scrub(reason)}): check that "
            f"the server runs and build again; {UNCHANGED}"
        )
    return (
        f"{connection.where} refused the publication to schema {schema} ({connection.scrub(reason)}): check that "
        f"user {connection.user} may create and change tables in schema {schema}; {UNCHANGED}"
    )
