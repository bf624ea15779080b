"""Looking at the inbox safely, and deciding about each file: install it, ignore it, refuse it, or wait.

A file is recognised by its name (``<partner name>.<ext>`` or ``<partner name>_<anything>.<ext>``,
with an extension the partner's reader kind reads, as the reader-kind registry lists them). A file
is taken only when complete, and only when it is a plain file of the inbox itself; it is checked
on a private copy, read as its partner's configuration promises and placed on trial
(:mod:`.trial`). Nothing here moves or installs a file: that is :mod:`.archive`'s.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import duckdb
import pandas as pd

from ..config import Partner, ProjectConfig
from ..encryption import database_key
from ..files import PRIVATE_FILE, make_private_dir
from ..readers import SourceError, read_source
from ..staging.columns import StagingError
from .trial import placement_problem, trial_placement

WORK = ".ontvangst"  # private copies being checked; hidden, so never taken for a delivery
PART = ".part"

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
        The private copy that was checked, and that :func:`~.archive.install` installs (never the original,
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


def partner_for(path: Path, partners: list[Partner]) -> Partner | None:
    """Return the partner whose name the file carries (longest name first, so 'ggd_65plus' beats 'ggd')."""
    stem = path.name.lower().split(".", 1)[0]
    for partner in sorted(partners, key=lambda p: len(p.naam), reverse=True):
        if stem == partner.naam or stem.startswith(partner.naam + "_"):
            return partner
    return None


def extension_problem(partner: Partner, path: Path) -> str | None:
    """None when the partner's reader kind reads files with this extension; else why not, in one sentence."""
    label, suffixes = partner.reader_kind.files, partner.reader_kind.extensions
    suffix = path.suffix.lower()
    if suffix in suffixes:
        return None
    given = f"'{suffix}'" if suffix else "geen extensie"
    return (
        f"partners.{partner.naam} is ingesteld op {label} (soort: {partner.soort}: {', '.join(suffixes)}) "
        f"en dit bestand heeft {given}; lever een van die soorten aan, "
        "of pas 'soort' van de partner in de configuratie aan"
    )


def scan_inbox(
    config: ProjectConfig,
    installed: dict[str, str],
    *,
    seen: Mapping[str, list[int]] | None = None,
    wait_s: float = 5.0,
) -> list[InboxFile]:
    """Decide for every complete file in the inbox (without acting): load it, ignore it (same), or refuse it.

    Files that are not complete yet (``*.part``, changing, or the database busy) are left out:
    they are looked at again next time. :func:`~.process.process_inbox` is the whole round, with acting.

    Parameters
    ----------
    config
        The configuration.
    installed
        Partner name -> hash of the file last installed for it.
    seen
        Previous observations (see :func:`~.process.process_inbox`); None takes every file as complete,
        for callers that keep no state between looks (``.part`` files still wait).
    wait_s
        How long the trial placement waits for the database's write lock.
    """
    inbox = config.uitvoer.inbox
    if inbox is None or not inbox.is_dir():
        return []
    key = database_key(config.uitvoer)
    work = fresh_work_folder(inbox)
    decisions = []
    for entry in inbox_entries(inbox):
        try:
            decisions.append(decide(entry, config, lambda p: installed.get(p.naam), seen, work, key, wait_s))
        except FileNotFoundError:
            continue  # removed by the partner while we looked
    return [d for d in decisions if d.action != "wait"]


def inbox_entries(inbox: Path) -> list[os.DirEntry[str]]:
    """List the inbox's own entries except folders (archief/, afgewezen/) and hidden ones (temporary files)."""
    with os.scandir(inbox) as listing:
        return sorted(
            (e for e in listing if not e.name.startswith(".") and not e.is_dir(follow_symlinks=False)),
            key=lambda e: e.name,
        )


def fresh_work_folder(inbox: Path) -> Path:
    """Make a private folder under ``inbox/.ontvangst`` for this round's copies (earlier rounds' are removed)."""
    root = inbox / WORK
    if root.is_dir() and not root.is_symlink():
        for old in root.iterdir():
            shutil.rmtree(old, ignore_errors=True)
    make_private_dir(root)
    return Path(tempfile.mkdtemp(dir=root))


def observation(info: os.stat_result) -> list[int]:
    """Return what two looks at a file compare: its size, modification time (ns) and inode."""
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def decide(
    entry: os.DirEntry[str],
    config: ProjectConfig,
    installed_hash: Callable[[Partner], str | None],
    seen: Mapping[str, list[int]] | None,
    work: Path,
    key: str | None,
    wait_s: float,
) -> InboxFile:
    """Decide about one entry of the inbox (see :class:`InboxFile` for the actions); nothing is moved.

    ``installed_hash`` gives the sha256 of a partner's installed file; ``seen`` the previous
    observations (None: take every file as complete); ``work`` the folder for private copies;
    ``key`` the database's encryption key and ``wait_s`` how long the trial placement waits for it.
    """
    path = Path(entry.path)
    info = entry.stat(follow_symlinks=False)
    identity = (info.st_dev, info.st_ino)
    if entry.name.lower().endswith(PART):
        return InboxFile(path, "", None, "wait", "wordt nog geschreven (.part); wacht op de hernoeming")
    refusal = _not_a_plain_file(path, info, config.uitvoer.inbox)
    if refusal:
        return InboxFile(path, "", None, "reject", refusal, identity=identity)
    if seen is not None and list(seen.get(entry.name, [])) != observation(info):
        waiting = "nog niet compleet: wacht tot grootte en tijd bij twee keer kijken gelijk zijn"
        return InboxFile(path, "", None, "wait", waiting, None, identity)
    partner = partner_for(path, config.partners)
    if partner is None:
        names = ", ".join(p.naam for p in config.partners)
        return InboxFile(
            path, "", None, "reject", f"geen partner met deze bestandsnaam; verwacht een van: {names}", None, identity
        )
    if partner.is_many_files:
        many = f"partner {partner.naam} leest meerdere bestanden ({partner.pad}); vervang die in hun eigen map"
        return InboxFile(path, "", partner.naam, "reject", many, None, identity)
    problem = extension_problem(partner, path)
    if problem:
        return InboxFile(path, "", partner.naam, "reject", problem, None, identity)
    copy_folder = Path(tempfile.mkdtemp(dir=work))
    copy = copy_folder / partner.pad.name  # read under the installed name, as the build will read it
    digest = _copy_if_unchanged(path, info, copy)
    if digest is None:
        return InboxFile(path, "", partner.naam, "wait", "veranderde tijdens het kopiëren; de volgende keer opnieuw")
    if installed_hash(partner) == digest:
        return InboxFile(path, digest, partner.naam, "same", None, copy, identity)
    frame, problem = _read_candidate(partner, copy, path)
    if frame is None:
        return InboxFile(path, digest, partner.naam, "reject", problem, copy, identity)
    try:
        placement = trial_placement(config, partner, frame, encryption_key=key, wait_s=wait_s)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        return InboxFile(path, digest, partner.naam, "wait", "de database is bezet; de volgende keer opnieuw")
    except StagingError as error:
        return InboxFile(path, digest, partner.naam, "reject", str(error), copy, identity)
    problem = placement_problem(config, partner, path, placement)
    action: Action = "reject" if problem else "load"
    return InboxFile(path, digest, partner.naam, action, problem, copy, identity, placement)


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
    if observation(after) != observation(before):
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
    candidate = partner.model_copy(update={"pad": copy})
    try:
        frame = read_source(f"partners.{partner.naam}", candidate)
    except SourceError as error:
        return None, str(error).replace(str(copy), delivered.name).replace(copy.name, delivered.name)
    columns = {str(c).strip().lower() for c in frame.columns}
    missing = [c for c in partner.kolommen.values() if c.strip().lower() not in columns]
    if missing:
        return None, (
            f"partners.{partner.naam} ({delivered.name}): kolommen ontbreken: {missing}; "
            f"het bestand heeft {sorted(columns)}"
        )
    return frame, None
