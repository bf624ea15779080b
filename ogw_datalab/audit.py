"""The audit trail: which version of every source and partner file a build used.

``raw.bronbestanden`` gets one row per file per build: its key in the configuration, path,
sha256, size and modification time (never its contents). A published figure is traced to its
files through the catalogue (which source or partner an indicator uses) and this table; the
colophon shows the date of every file.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from .config import ProjectConfig
from .duckdb_connection import connect
from .files import file_hash
from .readers.source_files import SourceFilesError, source_files
from .storage import frame_to_temp_table, read_sql_file, relation_kind, run_sql_file

TABLE = "raw.bronbestanden"
COLUMNS = ["bouw", "bron", "pad", "sha256", "grootte_bytes", "gewijzigd_utc", "vastgelegd_utc"]


def record_source_files(
    con: duckdb.DuckDBPyConnection,
    config: ProjectConfig,
    *,
    build: str,
    keys: Iterable[str] | None = None,
    now: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """Record in ``raw.bronbestanden`` which version of each configured file the build ``build`` used.

    Parameters
    ----------
    con
        The build's database.
    config
        The configuration whose files are recorded.
    build
        An identifier of the build (the Dagster run id, or its start time); a rerun of the same
        build replaces its own rows.
    keys
        Only these configuration keys (``bronnen.buurten``, ``lagen.bomen``, ``partners.ggd``), so
        that each raw asset records the files it read; default: every configured file.
    now
        The time of recording (default: now, UTC).

    Returns
    -------
    list of dict
        The rows recorded (``bron``, ``pad``, ``sha256``, ``grootte_bytes``, ``gewijzigd_utc``, ...).

    Notes
    -----
    A file whose path, size and modification time equal those of its latest record is not hashed
    again (large BAG files); its recorded sha256 is reused.
    """
    configured = [*config.all_sources(), *(f"tijdreeksen.{name}" for name in config.tijdreeksen)]
    wanted = configured if keys is None else list(keys)
    unknown = [k for k in wanted if k not in configured]
    if unknown:
        raise ValueError(f"record_source_files: no configured source {unknown}; configured: {sorted(configured)}")
    files = configured_files(config, only=set(wanted))  # each raw asset lists only the files it read
    recorded = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(tzinfo=None)
    known = {(row["bron"], row["pad"]): row for row in latest_source_files(con)}
    rows = []
    for key in wanted:
        for path in files[key]:
            info = path.stat()
            modified = dt.datetime.fromtimestamp(info.st_mtime, dt.UTC).replace(tzinfo=None)
            previous = known.get((key, str(path)))
            same = (
                previous is not None
                and previous["grootte_bytes"] == info.st_size
                and previous["gewijzigd_utc"] == modified
            )
            digest = previous["sha256"] if same and previous else _hash_once(path, info)
            rows.append(
                {
                    "bouw": build,
                    "bron": key,
                    "pad": str(path),
                    "sha256": digest,
                    "grootte_bytes": info.st_size,
                    "gewijzigd_utc": modified,
                    "vastgelegd_utc": recorded,
                }
            )
    if rows:
        frame_to_temp_table(con, "bronbestanden_nieuw", pd.DataFrame(rows, columns=COLUMNS))
        run_sql_file(con, "audit/record_source_files.sql")
    return rows


# Hashes taken in this process, by path, size, modification time and inode: the national files are shared by every
# gemeente of a run, and each new gemeente database would otherwise hash them all again.
_HASHED: dict[tuple[str, int, int, int], str] = {}


def _hash_once(path: Path, info: os.stat_result) -> str:
    key = (str(path), info.st_size, info.st_mtime_ns, info.st_ino)
    if key not in _HASHED:
        _HASHED[key] = file_hash(path)
    return _HASHED[key]


def configured_files(config: ProjectConfig, only: set[str] | None = None) -> dict[str, list[Path]]:
    """List per configuration key (``only`` these keys, default all) the files it reads.

    That is one file, every file of a folder or pattern, and for a time series (``tijdreeksen.<naam>``)
    its sources and sensor tables. Files that do not exist are left out: their reader already says so.
    """
    files: dict[str, list[Path]] = {}
    for key, source in config.all_sources().items():
        if only is None or key in only:
            files[key] = _existing(source.pad, source.laag, key)
    for name, reeks in config.tijdreeksen.items():
        if only is not None and f"tijdreeksen.{name}" not in only:
            continue
        paths = [p for bron in reeks.bronnen for p in _existing(bron.pad, None, f"tijdreeksen.{name}")]
        paths += [table.pad for table in reeks.sensor_tables() if Path(table.pad).is_file()]
        files[f"tijdreeksen.{name}"] = sorted(set(paths))
    return files


def _existing(path: Path, layer: str | None, where: str) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    try:
        return source_files(path, layer, where)
    except SourceFilesError:
        return []


def latest_source_files(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Return the files of the most recent build of every source and partner (empty when nothing was recorded yet)."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = 'raw' AND table_name = 'bronbestanden'"
    ).fetchone()
    if not exists or not exists[0]:
        return []
    result = con.execute(read_sql_file("audit/latest_source_files.sql"))
    names = [column[0] for column in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def source_dates(con: duckdb.DuckDBPyConnection) -> list[dict[str, str]]:
    """Return what the colophon shows per file the latest build used: key, file name, date, short sha256.

    Returns
    -------
    list of dict
        ``bron`` (``bronnen.buurten``), ``bestand`` (the file name; with its folder's name where files of the same
        name come from several folders, such as a region's ``buurt.geojson``), ``datum`` (``YYYY-MM-DD``, the
        file's modification date in UTC) and ``sha256`` (first 12 characters).
    """
    rows = latest_source_files(con)
    paths = [Path(row["pad"]) for row in rows]
    folders_of: dict[str, set[Path]] = {}
    for path in paths:
        folders_of.setdefault(path.name, set()).add(path.parent)
    return [
        {
            "bron": row["bron"],
            "bestand": f"{path.parent.name}/{path.name}" if len(folders_of[path.name]) > 1 else path.name,
            "datum": row["gewijzigd_utc"].date().isoformat(),
            "sha256": row["sha256"][:12],
        }
        for row, path in zip(rows, paths, strict=True)
    ]


def published_by(database: Path, build: str, *, encryption_key: str | None = None) -> bool:
    """Whether the published ``database`` is the one the build ``build`` made.

    It then holds the rows that build recorded of the files it read; a build that did not publish left the file as
    it was, without them.
    """
    if not Path(database).is_file():
        return False
    con = connect(database, read_only=True, encryption_key=encryption_key)
    try:
        if relation_kind(con, "raw", "bronbestanden") is None:
            return False
        row = con.execute(f"SELECT count(*) FROM {TABLE} WHERE bouw = ?", [build]).fetchone()
        return bool(row and row[0])
    finally:
        con.close()
