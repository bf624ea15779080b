"""A real PostgreSQL 15 with PostGIS 3 for the tests: Debian's packages, a cluster in a temporary folder, listening on
127.0.0.1 only, started once per test session (per xdist worker) and stopped after.

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` user (``runuser``). The
superuser ``postgres`` connects without a password; the role the data lab publishes with, ``datalab``, and a
read-only ``gis_lezer`` log in with a password (scram-sha-256), as on a gemeente's server.

Locally the tests skip when the packages are absent; in CI (``CI`` set) they fail: ``.ci/run`` installs them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from .services import free_port, unavailable

PG_BIN = Path("/usr/lib/postgresql/15/bin")
DATABASE = "gis"
PUBLISHER = "datalab"
PUBLISHER_PASSWORD = "Geheim-wachtwoord-7319"
READER = "gis_lezer"
READER_PASSWORD = "Lees-wachtwoord-2846"
HBA = """\
local all postgres trust
host all postgres 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
"""
SET_UP = [
    f"CREATE ROLE {PUBLISHER} LOGIN PASSWORD '{PUBLISHER_PASSWORD}'",
    f"CREATE ROLE {READER} LOGIN PASSWORD '{READER_PASSWORD}'",
    f"CREATE DATABASE {DATABASE} OWNER {PUBLISHER}",
]
IN_DATABASE = [
    "CREATE EXTENSION postgis",
    # What docs/handleiding/postgis-qgis.md asks the administrator to do once: the GIS team reads every schema and
    # table the data lab makes, also those it makes anew later.
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {PUBLISHER} GRANT USAGE ON SCHEMAS TO {READER}",
    f"ALTER DEFAULT PRIVILEGES FOR ROLE {PUBLISHER} GRANT SELECT ON TABLES TO {READER}",
]


@dataclass(frozen=True)
class PostGISServer:
    """A running test server: where it listens and how each role connects (libpq connection strings)."""

    port: int
    folder: Path

    def dsn(self, user: str = PUBLISHER, password: str | None = PUBLISHER_PASSWORD, **extra: str | int) -> str:
        parts: dict[str, str | int] = {"host": "127.0.0.1", "port": self.port, "dbname": DATABASE, "user": user}
        parts.update(extra)
        if password is not None:
            parts["password"] = password
        return " ".join(f"{k}={v}" for k, v in parts.items())

    @property
    def superuser(self) -> str:
        return self.dsn(user="postgres", password=None)

    @property
    def reader(self) -> str:
        return self.dsn(user=READER, password=READER_PASSWORD)

    @property
    def gdal(self) -> str:
        """GDAL's name of the database, as QGIS and ogr2ogr take it (the reader's role)."""
        return f"PG:{self.reader}"


def require_postgis() -> None:
    """Skip locally when Debian's PostgreSQL 15 with PostGIS 3 is not installed; fail in CI, which installs them."""
    missing = (
        not (PG_BIN / "initdb").is_file() or not Path("/usr/share/postgresql/15/extension/postgis.control").is_file()
    )
    if missing:
        unavailable(
            "PostgreSQL 15 with PostGIS 3 is not installed (apt-get install postgresql-15 postgresql-15-postgis-3)"
        )


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound a moment ago and released)."""
    return free_port()


def _as_owner(command: list[str]) -> list[str]:
    """Run as ``postgres`` when we are root (initdb refuses root), else as ourselves."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str], folder: Path) -> None:
    done = subprocess.run(_as_owner(command), capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        log = folder / "log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        pytest.fail(f"{' '.join(command[:1])} failed ({done.returncode}): {done.stderr or done.stdout}\n{tail}")


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[PostGISServer]:
    """A PostgreSQL 15 + PostGIS 3 cluster of this test session on 127.0.0.1, stopped and removed at the end."""
    require_postgis()
    # Not under pytest's own temporary folders: they are private to root, and the cluster belongs to postgres.
    folder = Path(tempfile.mkdtemp(prefix="ogw-postgis-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    started = False
    try:
        _run([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"], folder)
        (data / "pg_hba.conf").write_text(HBA, encoding="utf-8")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        start = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"]
        _run(start, folder)
        started = True
        server = PostGISServer(port, folder)
        with psycopg.connect(server.dsn(user="postgres", password=None, dbname="postgres"), autocommit=True) as con:
            for statement in SET_UP:
                con.execute(statement)  # type: ignore[arg-type]
        with psycopg.connect(server.superuser, autocommit=True) as con:
            for statement in IN_DATABASE:
                con.execute(statement)  # type: ignore[arg-type]
        yield server
    finally:
        if started:
            _run([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], folder)
        shutil.rmtree(folder, ignore_errors=True)
