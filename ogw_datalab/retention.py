"""Retention of partner data: rows and files older than the partner's bewaartermijn are deleted.

The term is ``bewaartermijn_dagen`` on the partner, or ``privacy.bewaartermijn_dagen`` for every
partner without one; without either, nothing is deleted. The age of a file is the time it was
received (the stamp of an archived or refused file, the modification time of the installed file,
which the inbox writes when it installs); the age of the rows in the database is the age of the
file they were loaded from, as recorded in ``raw.bronbestanden``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb

from .audit import latest_source_files
from .build_transaction import BuildTransaction, open_working
from .config import Partner, ProjectConfig
from .encryption import compact_database
from .inbox import ARCHIVE, REJECTED, STAMP, partner_for
from .project import Project
from .spatial.join_partners import QUARANTINE
from .storage import partner_table, query_row, quote_identifier

PARTNER_SCHEMAS = ("raw", "staging", "joined")


def apply_retention(
    config: ProjectConfig, *, now: dt.datetime, con: duckdb.DuckDBPyConnection | None = None
) -> list[dict[str, Any]]:
    """Delete every partner file and partner row older than the partner's bewaartermijn; log counts only.

    Parameters
    ----------
    config
        The configuration: partners, their terms, ``uitvoer.inbox``.
    now
        The moment of the run (naive local time, or aware); files and rows received before
        ``now - term`` are deleted.
    con
        The database (writable); without it only files are handled.

    Returns
    -------
    list of dict
        One entry per thing deleted: ``partner``, ``wat`` (``archief``, ``afgewezen``,
        ``geinstalleerd_bestand``, a table name, or ``quarantaine``), ``aantal`` (files or rows),
        ``ouder_dan`` (the cut-off, ISO). Never a file name's content or a row's values.

    Notes
    -----
    Deleting the installed file of a partner whose last delivery is older than its term stops the
    next build at that partner's missing file, on purpose: figures from expired data must not be
    published again. Deliver a new file or remove the partner from the configuration. Dropped
    tables leave their blocks in the database file until it is rewritten: run
    :func:`ogw_datalab.encryption.compact_database` after a run that deleted rows.
    """
    local_now = now.astimezone().replace(tzinfo=None) if now.tzinfo else now
    log: list[dict[str, Any]] = []
    recorded = {row["bron"]: row for row in latest_source_files(con)} if con is not None else {}
    for partner in config.partners:
        days = config.bewaartermijn(partner)
        if days is None:
            continue
        cutoff = local_now - dt.timedelta(days=days)

        def note(what: str, count: int, partner: Partner = partner, cutoff: dt.datetime = cutoff) -> None:
            if count:
                log.append({"partner": partner.naam, "wat": what, "aantal": count, "ouder_dan": cutoff.isoformat()})

        if config.uitvoer.inbox is not None:
            note(ARCHIVE, _delete_stamped(config.uitvoer.inbox / ARCHIVE / partner.naam, cutoff, None, config))
            note(REJECTED, _delete_stamped(config.uitvoer.inbox / REJECTED, cutoff, partner.naam, config))
        installed_expired = partner.pad.is_file() and _mtime(partner.pad) < cutoff
        if installed_expired:
            partner.pad.unlink()
            note("geinstalleerd_bestand", 1)
        if con is not None and _rows_expired(partner, recorded, cutoff):
            for schema, count in _drop_partner_tables(con, partner):
                note(f"{schema}.{partner_table(partner.naam)}", count)
            note("quarantaine", _delete_quarantine(con, partner))
    default = config.privacy.bewaartermijn_dagen
    if default is not None and config.uitvoer.inbox is not None:
        cutoff = local_now - dt.timedelta(days=default)
        count = _delete_stamped(config.uitvoer.inbox / REJECTED, cutoff, "", config)
        if count:
            log.append({"partner": None, "wat": REJECTED, "aantal": count, "ouder_dan": cutoff.isoformat()})
    return log


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.stat().st_mtime)


def _received(path: Path) -> dt.datetime | None:
    """Read the stamp the inbox put in front of an archived or refused file's name (local time)."""
    try:
        return dt.datetime.strptime(path.name[: len("YYYYmmdd-HHMMSS")], STAMP)
    except ValueError:
        return None


def _delete_stamped(folder: Path, cutoff: dt.datetime, partner_name: str | None, config: ProjectConfig) -> int:
    """Delete the stamped files in ``folder`` received before ``cutoff``, with their .sha256/.reden.txt.

    ``partner_name`` None: every file in the folder (a partner's own archive folder); a name:
    only refused files carrying it; ``""``: only refused files that carry no partner's name.
    """
    if not folder.is_dir():
        return 0
    deleted = 0
    for path in sorted(folder.iterdir()):
        if path.name.endswith((".sha256", ".reden.txt")) or not (path.is_file() or path.is_symlink()):
            continue
        received = _received(path)
        if received is None or received >= cutoff:
            continue
        if partner_name is not None:
            original = Path(path.name.split("_", 1)[1]) if "_" in path.name else path
            owner = partner_for(original, config.partners)
            if (owner.naam if owner else "") != partner_name:
                continue
        for companion in (path.with_name(path.name + ".sha256"), path.with_name(path.name + ".reden.txt")):
            companion.unlink(missing_ok=True)
        path.unlink()
        deleted += 1
    return deleted


def _rows_expired(partner: Partner, recorded: dict[str, dict[str, Any]], cutoff: dt.datetime) -> bool:
    """Whether the rows in the database came from a file received before ``cutoff`` (or whose file is gone)."""
    record = recorded.get(f"partners.{partner.naam}")
    if record is not None:
        received = record["gewijzigd_utc"].replace(tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
        return bool(received < cutoff)
    return not partner.pad.is_file()


def _drop_partner_tables(con: duckdb.DuckDBPyConnection, partner: Partner) -> list[tuple[str, int]]:
    dropped = []
    table = partner_table(partner.naam)
    for schema in PARTNER_SCHEMAS:
        found = query_row(
            con,
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = ? AND table_name = ?",
            [schema, table],
        )[0]
        if not found:
            continue
        name = f"{schema}.{quote_identifier(table)}"  # schema from PARTNER_SCHEMAS, table from a validated name
        rows = query_row(con, f"SELECT count(*) FROM {name}")[0]
        con.execute(f"DROP TABLE {name}")
        dropped.append((schema, int(rows)))
    return dropped


def _delete_quarantine(con: duckdb.DuckDBPyConnection, partner: Partner) -> int:
    found = query_row(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = 'joined' AND table_name = 'quarantaine_partners'",
    )[0]
    if not found:
        return 0
    rows = query_row(con, f"SELECT count(*) FROM {QUARANTINE} WHERE partner = ?", [partner.naam])[0]
    con.execute(f"DELETE FROM {QUARANTINE} WHERE partner = ?", [partner.naam])
    return int(rows)


def retain_partner_data(project: Project, *, now: dt.datetime, run_id: str) -> list[dict[str, Any]]:
    """Apply the retention rule to one build's files and published database, as a transaction.

    The published database is copied, the expired partner rows are deleted from the copy, the copy
    is rewritten without their blocks, and it is swapped in; if anything fails, the published
    database is as it was. Without a published database only files are handled.

    Parameters
    ----------
    project
        The build (gemeente and year) whose partners' data is checked.
    now
        The moment of the run.
    run_id
        Names the working copy.

    Returns
    -------
    list of dict
        The log of :func:`apply_retention`: what was deleted, as counts.
    """
    if not project.database.is_file():
        return apply_retention(project.config, now=now)
    build = BuildTransaction(project.database, project.maps, run_id, encryption_key=project.encryption_key)
    build.begin()
    try:
        with open_working(build.working, build.encryption_key) as con:
            log = apply_retention(project.config, now=now, con=con)
        if any(str(entry["wat"]).startswith(PARTNER_SCHEMAS) for entry in log):
            compact_database(build.working, key=build.encryption_key)  # no blocks of deleted rows left behind
        build.publish(site=False)
    except BaseException:
        build.abort()
        raise
    return log
