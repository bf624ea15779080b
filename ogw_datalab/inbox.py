"""The partner inbox: partners drop a new version of their file; it is checked, installed and archived.

A file is recognised by its name (``<partner name>.<ext>`` or ``<partner name>_<anything>.<ext>``, with
an extension the partner's reader kind reads) and compared by content hash, not by timestamp: the
same content again changes nothing. A file is taken only when complete: unchanged in size and
modification time between two looks (the caller keeps the previous observations), and never while
it is called ``*.part``. Symbolic links, hard links, devices and anything else that is not a plain
file of the inbox itself are refused. A file is installed only when it reads as its partner's
configuration promises and, placed on trial against the current database, reaches the partner's
``min_koppelpercentage``; otherwise it goes to ``afgewezen/`` with a ``.reden.txt`` beside it and the
installed file stays as it is. Every installed version is kept in ``archief/<partner>/`` with its
sha256, and an earlier version can be restored with :func:`restore_partner_file`.

Everything the inbox writes (its folders, copies, archived and refused files) is owner-only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from .config import ADDRESS_KEYS, Partner, ProjectConfig
from .duckdb_connection import attach, connect
from .encryption import database_key
from .files import (
    PRIVATE_FILE,
    copy_private,
    file_hash,
    make_private_dir,
    write_private_bytes,
)
from .readers import SourceError, read_source
from .spatial.join_partners import QUARANTINE, join_partner
from .staging.columns import StagingError
from .staging.stage_partners import stage_partner
from .storage import ensure_schemas, partner_table, write_frame

ARCHIVE = "archief"
REJECTED = "afgewezen"
WORK = ".ontvangst"  # private copies being checked; hidden, so never taken for a delivery
PART = ".part"
STAMP = "%Y%m%d-%H%M%S"
VECTOR_EXTENSIONS = (".gpkg", ".geojson", ".json", ".fgb")
# What each reader kind reads, and how a reason names it.
EXTENSIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "csv": ("CSV-bestanden", (".csv", ".txt")),
    "xlsx": ("Excel-bestanden", (".xlsx", ".xlsm")),
    "json": ("JSON-bestanden", (".json", ".geojson")),
    "parquet": ("Parquet-bestanden", (".parquet", ".geoparquet")),
    "vector": ("GIS-bestanden", VECTOR_EXTENSIONS),
    "cbs_wijkbuurtkaart": ("GIS-bestanden", VECTOR_EXTENSIONS),
    "bag_verblijfsobjecten": ("GIS-bestanden", VECTOR_EXTENSIONS),
}

Action = Literal["load", "same", "reject", "wait"]


@dataclass(frozen=True)
class InboxFile:
    """What the inbox decided about one file.

    Attributes
    ----------
    path
        The file in the inbox.
    sha256
        Hash of its content ('' when it was not read: waiting, or refused before reading).
    partner
        The partner whose name it carries, if any.
    action
        ``load`` (install it), ``same`` (the installed file has this content), ``reject`` (to
        ``afgewezen/``, with ``reason``) or ``wait`` (not complete yet, or the database is busy).
    reason
        Why it was refused or left waiting.
    copy
        The private copy that was checked, and that :func:`install` installs (never the original,
        which the partner could change after the check).
    identity
        Device and inode of the original, so that a file replaced meanwhile is not moved.
    placement
        The trial placement's counts (``rows``, ``matched``, ``match_rate``), when one was made.
    """

    path: Path
    sha256: str
    partner: str | None
    action: Action
    reason: str | None = None
    copy: Path | None = None
    identity: tuple[int, int] | None = None
    placement: dict[str, Any] | None = None


@dataclass(frozen=True)
class InboxRound:
    """The outcome of one look at the inbox (one sensor tick).

    Attributes
    ----------
    decisions
        Every file looked at, and what happened to it.
    seen
        Observations to pass back next time (file name -> ``[size, mtime_ns, inode]``).
    loaded
        Partners whose new file was installed in this round, with its sha256.
    """

    decisions: list[InboxFile]
    seen: dict[str, list[int]]
    loaded: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ArchivedVersion:
    """One installed version of a partner file, kept in ``archief/<partner>/``."""

    path: Path
    partner: str
    sha256: str
    ontvangen: dt.datetime
    grootte_bytes: int

    @property
    def bestand(self) -> str:
        """The name the partner gave the file."""
        return self.path.name.split("_", 1)[1]


def partner_for(path: Path, partners: list[Partner]) -> Partner | None:
    """Return the partner whose name the file carries (longest name first, so 'ggd_65plus' beats 'ggd')."""
    stem = path.name.lower().split(".", 1)[0]
    for partner in sorted(partners, key=lambda p: len(p.name), reverse=True):
        if stem == partner.name or stem.startswith(partner.name + "_"):
            return partner
    return None


def extension_problem(partner: Partner, path: Path) -> str | None:
    """None when the partner's reader kind reads files with this extension; else why not, in one sentence."""
    label, suffixes = EXTENSIONS[partner.kind]
    suffix = path.suffix.lower()
    if suffix in suffixes:
        return None
    given = f"'{suffix}'" if suffix else "geen extensie"
    return (
        f"partners.{partner.name} is ingesteld op {label} (kind: {partner.kind}: {', '.join(suffixes)}) en dit bestand "
        f"heeft {given}; lever een van die soorten aan, of pas 'kind' van de partner in de configuratie aan"
    )


def process_inbox(
    config: ProjectConfig,
    *,
    seen: Mapping[str, list[int]],
    now: dt.datetime | None = None,
    wait_s: float = 5.0,
) -> InboxRound:
    """Look at the inbox once: install complete and valid files, refuse bad ones, leave incomplete ones.

    Parameters
    ----------
    config
        The configuration (``output.inbox``, the partners, the database and its key variable).
    seen
        The observations returned by the previous round (empty the first time); a file is taken
        only when its size, modification time and inode equal what was seen then.
    now
        Time stamp for archived and refused files (default: now).
    wait_s
        How long the trial placement waits for the database when another process writes to it;
        after that the file waits for the next round.

    Returns
    -------
    InboxRound
        What happened to each file, the observations for next time, and the partners installed.

    Raises
    ------
    ogw_datalab.encryption.MissingKeyError
        When the database is encrypted and its key variable is not set (nothing is taken then).
    """
    inbox = config.output.inbox
    if inbox is None:
        return InboxRound([], {})
    if not inbox.exists():
        make_private_dir(inbox)
        return InboxRound([], {})
    key = database_key(config.output)
    work = _fresh_work_folder(inbox)
    installed: dict[str, str | None] = {}

    def installed_hash(partner: Partner) -> str | None:
        if partner.name not in installed:
            installed[partner.name] = file_hash(partner.path) if partner.path.is_file() else None
        return installed[partner.name]

    decisions, observed, loaded = [], {}, {}
    try:
        for entry in _entries(inbox):
            try:
                decision = _decide(entry, config, installed_hash, seen, work, key, wait_s)
                if decision.action == "wait" and entry.is_file(follow_symlinks=False):
                    observed[entry.name] = _observation(entry.stat(follow_symlinks=False))
            except FileNotFoundError:
                continue  # removed by the partner while we looked
            decisions.append(decision)
            if decision.action == "load" and decision.partner is not None:
                install(decision, config, now)
                installed[decision.partner] = decision.sha256
                loaded[decision.partner] = decision.sha256
            elif decision.action == "same":
                archive_duplicate(decision, now)
            elif decision.action == "reject":
                reject(decision, now)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return InboxRound(decisions, observed, loaded)


def scan_inbox(
    config: ProjectConfig,
    installed: dict[str, str],
    *,
    seen: Mapping[str, list[int]] | None = None,
    wait_s: float = 5.0,
) -> list[InboxFile]:
    """Decide for every complete file in the inbox (without acting): load it, ignore it (same), or refuse it.

    Files that are not complete yet (``*.part``, changing, or the database busy) are left out:
    they are looked at again next time. :func:`process_inbox` is the whole round, with acting.

    Parameters
    ----------
    config
        The configuration.
    installed
        Partner name -> hash of the file last installed for it.
    seen
        Previous observations (see :func:`process_inbox`); None takes every file as complete,
        for callers that keep no state between looks (``.part`` files still wait).
    wait_s
        How long the trial placement waits for the database's write lock.
    """
    inbox = config.output.inbox
    if inbox is None or not inbox.is_dir():
        return []
    key = database_key(config.output)
    work = _fresh_work_folder(inbox)
    decisions = []
    for entry in _entries(inbox):
        try:
            decisions.append(_decide(entry, config, lambda p: installed.get(p.name), seen, work, key, wait_s))
        except FileNotFoundError:
            continue  # removed by the partner while we looked
    return [d for d in decisions if d.action != "wait"]


def _entries(inbox: Path) -> list[os.DirEntry[str]]:
    """List the inbox's own entries except folders (archief/, afgewezen/) and hidden ones (temporary files)."""
    with os.scandir(inbox) as listing:
        return sorted(
            (e for e in listing if not e.name.startswith(".") and not e.is_dir(follow_symlinks=False)),
            key=lambda e: e.name,
        )


def _fresh_work_folder(inbox: Path) -> Path:
    """Make a private folder under ``inbox/.ontvangst`` for this round's copies (earlier rounds' are removed)."""
    root = inbox / WORK
    if root.is_dir() and not root.is_symlink():
        for old in root.iterdir():
            shutil.rmtree(old, ignore_errors=True)
    make_private_dir(root)
    return Path(tempfile.mkdtemp(dir=root))


def _observation(info: os.stat_result) -> list[int]:
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def _decide(
    entry: os.DirEntry[str],
    config: ProjectConfig,
    installed_hash: Callable[[Partner], str | None],
    seen: Mapping[str, list[int]] | None,
    work: Path,
    key: str | None,
    wait_s: float,
) -> InboxFile:
    path = Path(entry.path)
    info = entry.stat(follow_symlinks=False)
    identity = (info.st_dev, info.st_ino)
    if entry.name.lower().endswith(PART):
        return InboxFile(path, "", None, "wait", "wordt nog geschreven (.part); wacht op de hernoeming")
    refusal = _not_a_plain_file(path, info, config.output.inbox)
    if refusal:
        return InboxFile(path, "", None, "reject", refusal, identity=identity)
    if seen is not None and list(seen.get(entry.name, [])) != _observation(info):
        waiting = "nog niet compleet: wacht tot grootte en tijd bij twee keer kijken gelijk zijn"
        return InboxFile(path, "", None, "wait", waiting, None, identity)
    partner = partner_for(path, config.partners)
    if partner is None:
        names = ", ".join(p.name for p in config.partners)
        return InboxFile(
            path, "", None, "reject", f"geen partner met deze bestandsnaam; verwacht een van: {names}", None, identity
        )
    if partner.is_many_files:
        many = f"partner {partner.name} leest meerdere bestanden ({partner.path}); vervang die in hun eigen map"
        return InboxFile(path, "", partner.name, "reject", many, None, identity)
    problem = extension_problem(partner, path)
    if problem:
        return InboxFile(path, "", partner.name, "reject", problem, None, identity)
    copy_folder = Path(tempfile.mkdtemp(dir=work))
    copy = copy_folder / partner.path.name  # read under the installed name, as the build will read it
    digest = _copy_if_unchanged(path, info, copy)
    if digest is None:
        return InboxFile(path, "", partner.name, "wait", "veranderde tijdens het kopiëren; de volgende keer opnieuw")
    if installed_hash(partner) == digest:
        return InboxFile(path, digest, partner.name, "same", None, copy, identity)
    frame, problem = _read_candidate(partner, copy, path)
    if frame is None:
        return InboxFile(path, digest, partner.name, "reject", problem, copy, identity)
    try:
        placement = trial_placement(config, partner, frame, encryption_key=key, wait_s=wait_s)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        return InboxFile(path, digest, partner.name, "wait", "de database is bezet; de volgende keer opnieuw")
    except StagingError as error:
        return InboxFile(path, digest, partner.name, "reject", str(error), copy, identity)
    problem = _placement_problem(config, partner, path, placement)
    action: Action = "reject" if problem else "load"
    return InboxFile(path, digest, partner.name, action, problem, copy, identity, placement)


def _not_a_plain_file(path: Path, info: os.stat_result, inbox: Path | None) -> str | None:
    """Why this entry is not a plain file of the inbox itself, or None."""
    if stat.S_ISLNK(info.st_mode):
        return "een symbolische koppeling; de inbox volgt geen koppelingen: lever het bestand zelf aan"
    if not stat.S_ISREG(info.st_mode):
        return "geen gewoon bestand (een apparaat, pipe of socket); lever een gewoon bestand aan"
    if info.st_nlink > 1:
        return "een harde koppeling naar een bestand dat ook elders staat; lever een eigen kopie aan"
    if inbox is not None and path.resolve().parent != inbox.resolve():
        return "ligt buiten de inbox"
    return None


def _copy_if_unchanged(path: Path, seen: os.stat_result, copy: Path) -> str | None:
    """Copy ``path`` into the owner-only file ``copy`` and return its sha256; None when it changed meanwhile.

    The file is opened without following links and checked to be the very file that was looked
    at (same device and inode), so a swap between looking and reading is noticed.
    """
    handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(handle, "rb") as source:
        before = os.fstat(source.fileno())
        if (before.st_dev, before.st_ino) != (seen.st_dev, seen.st_ino) or not stat.S_ISREG(before.st_mode):
            return None
        digest = hashlib.sha256()
        fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        os.fchmod(fd, PRIVATE_FILE)
        with os.fdopen(fd, "wb") as target:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                target.write(block)
        after = os.fstat(source.fileno())
    if _observation(after) != _observation(before):
        copy.unlink(missing_ok=True)
        return None
    return digest.hexdigest()


def validate_partner_file(partner: Partner, path: Path) -> str | None:
    """None when ``path`` reads as ``partner`` is configured (every mapped column present); else why not."""
    return _read_candidate(partner, path, path)[1]


def _read_candidate(partner: Partner, copy: Path, delivered: Path) -> tuple[pd.DataFrame | None, str | None]:
    problem = extension_problem(partner, delivered)
    if problem:
        return None, problem
    candidate = partner.model_copy(update={"path": copy})
    try:
        frame = read_source(f"partners.{partner.name}", candidate)
    except SourceError as error:
        return None, str(error).replace(str(copy), delivered.name).replace(copy.name, delivered.name)
    columns = {str(c).strip().lower() for c in frame.columns}
    missing = [c for c in partner.columns.values() if c.strip().lower() not in columns]
    if missing:
        return None, (
            f"partners.{partner.name} ({delivered.name}): kolommen ontbreken: {missing}; "
            f"het bestand heeft {sorted(columns)}"
        )
    return frame, None


def trial_placement(
    config: ProjectConfig,
    partner: Partner,
    frame: pd.DataFrame,
    *,
    encryption_key: str | None = None,
    wait_s: float = 5.0,
) -> dict[str, Any] | None:
    """Place ``frame`` as ``partner``'s rows against the current database's areas and addresses, in memory.

    The current database is attached read-only; only its staging areas (and addresses, for keys
    that need them) are copied into an in-memory database, where the partner rows are staged and
    joined exactly as the build does. Nothing is written to the database.

    Returns
    -------
    dict or None
        The counts of :func:`ogw_datalab.spatial.join_partners.join_partner` plus ``redenen``
        (the three most common reasons rows were not placed, with counts); None when there is no
        database with staged areas yet (nothing to compare with).

    Raises
    ------
    duckdb.IOException
        When another process keeps the database locked for longer than ``wait_s``.
    """
    database = config.output.database
    if not database.is_file():
        return None
    needed = ["staging.buurten", "staging.wijken"]
    if partner.key in ADDRESS_KEYS and config.sources.adressen is not None:
        needed.append("joined.adressen_buurt")
    con = connect(":memory:")
    try:
        attach(con, database, "huidig", wait_s=wait_s, encryption_key=encryption_key)
        present = {
            f"{schema}.{table}"
            for schema, table in con.execute(
                "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'huidig'"
            ).fetchall()
        }
        if any(table not in present for table in needed):
            return None
        ensure_schemas(con)
        for table in needed:  # names from the list above, never from data
            con.execute(f"CREATE TABLE memory.{table} AS SELECT * FROM huidig.{table}")
        con.execute("DETACH huidig")
        write_frame(con, "raw", partner_table(partner.name), frame)
        stage_partner(con, partner)
        counts: dict[str, Any] = dict(join_partner(con, partner, config))
        counts["redenen"] = con.execute(
            f"SELECT reden, count(*) FROM {QUARANTINE} WHERE partner = ? GROUP BY reden ORDER BY count(*) DESC, reden "
            "LIMIT 3",
            [partner.name],
        ).fetchall()
        return counts
    finally:
        con.close()


def _placement_problem(
    config: ProjectConfig, partner: Partner, delivered: Path, placement: dict[str, Any] | None
) -> str | None:
    if placement is None:
        return None
    where = f"partners.{partner.name} ({delivered.name})"
    if placement["rows"] == 0:
        return (
            f"{where}: geen enkele rij hoort bij {config.gemeente.naam} ({config.gemeente.code}); "
            f"{placement['other_levels_or_gemeenten']} rijen zijn van een ander niveau of een andere gemeente"
        )
    if placement["match_rate"] < partner.min_koppelpercentage:
        reasons = "; ".join(f"{reason} ({count}x)" for reason, count in placement["redenen"])
        return (
            f"{where}: {placement['matched']} van {placement['rows']} rijen gekoppeld "
            f"({placement['match_rate']:.0%}), minder dan min_koppelpercentage {partner.min_koppelpercentage:.0%}"
            + (f"; meest voorkomende redenen: {reasons}" if reasons else "")
        )
    return None


def install(decision: InboxFile, config: ProjectConfig, now: dt.datetime | None = None) -> Path:
    """Archive the checked copy (with its sha256) and install it over the partner's configured path, atomically.

    The installed file and the archived copy are owner-only (0600). The original leaves the inbox
    (unless the partner replaced it meanwhile: then the new file waits for its own check).

    Returns
    -------
    Path
        The archived copy.
    """
    partner = next(p for p in config.partners if p.name == decision.partner)
    source = decision.copy if decision.copy is not None else decision.path
    archived = _archive(source, decision.path.name, partner.name, decision.path.parent, decision.sha256, now)
    copy_private(archived, partner.path)
    _remove_original(decision)
    return archived


def archive_duplicate(decision: InboxFile, now: dt.datetime | None = None) -> Path | None:
    """Remove a file whose content is installed already; archive it first when no archived copy has that content.

    Returns
    -------
    Path or None
        The archived copy, or None when one existed already.
    """
    archived = None
    if decision.partner is not None and not any(
        v.sha256 == decision.sha256 for v in _versions(decision.path.parent, decision.partner)
    ):
        source = decision.copy if decision.copy is not None else decision.path
        archived = _archive(source, decision.path.name, decision.partner, decision.path.parent, decision.sha256, now)
    _remove_original(decision)
    return archived


def reject(decision: InboxFile, now: dt.datetime | None = None) -> Path:
    """Move a refused file to ``afgewezen/`` (owner-only) with a ``.reden.txt`` that says why."""
    folder = make_private_dir(decision.path.parent / REJECTED)
    target = _unique(folder / f"{_stamp(now)}_{decision.path.name}")
    if decision.identity is not None and _identity(decision.path) != decision.identity:
        return target  # replaced meanwhile: the new file gets its own check next time
    os.replace(decision.path, target)
    info = os.lstat(target)
    if stat.S_ISREG(info.st_mode) and info.st_nlink == 1:  # never the mode of a file that also lives elsewhere
        os.chmod(target, PRIVATE_FILE)
    write_private_bytes(target.with_name(target.name + ".reden.txt"), ((decision.reason or "") + "\n").encode())
    return target


def _remove_original(decision: InboxFile) -> None:
    if decision.identity is None or _identity(decision.path) == decision.identity:
        decision.path.unlink(missing_ok=True)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino)


def _archive(source: Path, name: str, partner: str, inbox: Path, sha256: str, now: dt.datetime | None) -> Path:
    folder = make_private_dir(inbox / ARCHIVE / partner)
    make_private_dir(inbox / ARCHIVE)
    target = _unique(folder / f"{_stamp(now)}_{name}")
    copy_private(source, target)
    write_private_bytes(target.with_name(target.name + ".sha256"), f"{sha256}  {name}\n".encode())
    return target


def _stamp(now: dt.datetime | None) -> str:
    return (now or dt.datetime.now()).strftime(STAMP)


def _unique(path: Path) -> Path:
    """``path``, or ``path`` with ``-2``, ``-3`` ... after the stamp when that name is taken."""
    if not path.exists() and not path.is_symlink():
        return path
    stamp, rest = path.name.split("_", 1)
    for n in range(2, 1000):
        candidate = path.with_name(f"{stamp}-{n}_{rest}")
        if not candidate.exists():
            return candidate
    raise FileExistsError(f"{path}: too many files with this name and time")


def archived_versions(config: ProjectConfig, partner_name: str) -> list[ArchivedVersion]:
    """Every archived version of a partner's file, newest first.

    Raises
    ------
    ValueError
        When no inbox is configured or no partner has that name.
    """
    _partner(config, partner_name)
    if config.output.inbox is None:
        raise ValueError("output.inbox is not configured, so no partner file versions are archived")
    return _versions(config.output.inbox, partner_name)


def _versions(inbox: Path, partner_name: str) -> list[ArchivedVersion]:
    folder = inbox / ARCHIVE / partner_name
    if not folder.is_dir():
        return []
    versions = []
    for checksum in folder.glob("*.sha256"):
        path = checksum.with_name(checksum.name.removesuffix(".sha256"))
        if not path.is_file() or path.is_symlink():
            continue
        received = dt.datetime.strptime(path.name[: len("YYYYmmdd-HHMMSS")], STAMP)
        sha256 = checksum.read_text(encoding="utf-8").split()[0]
        versions.append(ArchivedVersion(path, partner_name, sha256, received, path.stat().st_size))
    return sorted(versions, key=lambda v: v.path.name, reverse=True)


def restore_partner_file(
    config: ProjectConfig, partner_name: str, *, versie: str | None = None, now: dt.datetime | None = None
) -> ArchivedVersion:
    """Install an archived version of a partner's file again (the previous one by default).

    Parameters
    ----------
    config
        The configuration.
    partner_name
        The partner.
    versie
        Which version: the start of its time stamp (``20270105`` or ``20270105-101500``) or of its
        sha256 (at least 8 characters). Default: the newest archived version whose content differs
        from the installed file, i.e. the one before it.
    now
        Time stamp for archiving the current file when it is not archived yet.

    Returns
    -------
    ArchivedVersion
        The version now installed; the caller rebuilds from ``raw/partners`` on.

    Raises
    ------
    ValueError
        When the partner, the inbox or the version is unknown or ambiguous, or the archived copy
        no longer matches its sha256 (then nothing changes).
    """
    partner = _partner(config, partner_name)
    versions = archived_versions(config, partner_name)
    current = file_hash(partner.path) if partner.path.is_file() else None
    if versie is None:
        chosen = [v for v in versions if v.sha256 != current][:1]
        if not chosen:
            raise ValueError(f"partners.{partner_name}: no archived version other than the installed file")
    else:
        chosen = [v for v in versions if v.path.name.startswith(versie) or _sha_prefix(v, versie)]
        if len(chosen) != 1:
            found = ", ".join(f"{v.path.name} ({v.sha256[:12]})" for v in versions) or "none"
            raise ValueError(
                f"partners.{partner_name}: version '{versie}' matches {len(chosen)} archived versions; "
                f"give more of its time stamp or sha256. Archived: {found}"
            )
    version = chosen[0]
    if file_hash(version.path) != version.sha256:
        raise ValueError(f"{version.path}: the archived file does not match its recorded sha256; nothing was restored")
    inbox = config.output.inbox
    assert inbox is not None  # archived_versions checked it
    if current is not None and not any(v.sha256 == current for v in versions):
        _archive(partner.path, partner.path.name, partner_name, inbox, current, now)
    copy_private(version.path, partner.path)
    received = version.ontvangen.timestamp()
    os.utime(partner.path, (received, received))  # its age is that of the delivery (retention counts from it)
    return version


def _sha_prefix(version: ArchivedVersion, prefix: str) -> bool:
    return len(prefix) >= 8 and version.sha256.startswith(prefix.lower())


def _partner(config: ProjectConfig, name: str) -> Partner:
    for partner in config.partners:
        if partner.name == name:
            return partner
    raise ValueError(f"no partner '{name}' in the configuration; configured: {[p.name for p in config.partners]}")


def read_inbox_cursor(cursor: str | None) -> dict[str, list[int]]:
    """Read the observations kept in a sensor cursor by :func:`inbox_cursor` (empty for none or an older cursor)."""
    try:
        state = json.loads(cursor or "{}")
    except json.JSONDecodeError:
        return {}
    seen = state.get("gezien") if isinstance(state, dict) else None
    return {str(k): [int(x) for x in v] for k, v in seen.items()} if isinstance(seen, dict) else {}


def inbox_cursor(round_: InboxRound) -> str:
    """Write the sensor cursor after ``round_``: ``{"gezien": {file name: [size, mtime_ns, inode]}}``."""
    return json.dumps({"gezien": round_.seen}, sort_keys=True)


def log_lines(round_: InboxRound) -> list[str]:
    """One plain line per file of ``round_`` for the sensor's log (never any content of the file)."""
    lines = []
    for d in round_.decisions:
        what = {"load": "geïnstalleerd", "same": "ongewijzigd", "reject": "afgewezen", "wait": "wacht"}[d.action]
        rate = f", koppeling {d.placement['match_rate']:.0%}" if d.placement else ""
        lines.append(f"{d.path.name}: {what}{rate}" + (f": {d.reason}" if d.reason else ""))
    return lines
