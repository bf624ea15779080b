"""Acting on the inbox's decisions: install a file, archive it, refuse it; and restore an archived version.

Every installed version is kept in ``archief/<partner>/`` with its sha256; a refused file goes
to ``afgewezen/`` with a ``.reden.txt`` beside it. Everything written here is owner-only.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..config import Partner, ProjectConfig
from ..files import PRIVATE_FILE, copy_private, file_hash, make_private_dir, write_private_bytes
from .scan import InboxFile

ARCHIVE = "archief"
REJECTED = "afgewezen"
STAMP = "%Y%m%d-%H%M%S"


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


def install(decision: InboxFile, config: ProjectConfig, now: dt.datetime | None = None) -> Path:
    """Archive the checked copy (with its sha256) and install it over the partner's configured path, atomically.

    A file at that path that is not archived yet (one placed there by hand) is archived first, stamped with its
    own time, so that ``restore`` can bring it back. The installed file and the archived copies are owner-only
    (0600). The original leaves the inbox (unless the partner replaced it meanwhile: then the new file waits for
    its own check).

    Returns
    -------
    Path
        The archived copy.
    """
    partner = next(p for p in config.partners if p.naam == decision.partner)
    source = decision.copy if decision.copy is not None else decision.path
    _archive_installed(partner, decision.path.parent)
    archived = _archive(source, decision.path.name, partner.naam, decision.path.parent, decision.sha256, now)
    copy_private(archived, partner.pad)
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


def _archive_installed(partner: Partner, inbox: Path) -> None:
    """Archive the partner's installed file unless a copy with its content is archived already.

    It is stamped with its own time: when it was placed, or the delivery's time a restore gave it.
    """
    if not partner.pad.is_file():
        return
    current = file_hash(partner.pad)
    if not any(v.sha256 == current for v in _versions(inbox, partner.naam)):
        placed = dt.datetime.fromtimestamp(partner.pad.stat().st_mtime)
        _archive(partner.pad, partner.pad.name, partner.naam, inbox, current, placed)


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
    if config.uitvoer.inbox is None:
        raise ValueError("uitvoer.inbox is not configured, so no partner file versions are archived")
    return _versions(config.uitvoer.inbox, partner_name)


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


def restore_partner_file(config: ProjectConfig, partner_name: str, *, versie: str | None = None) -> ArchivedVersion:
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
        from the installed file, i.e. the one before it. The installed file is archived first when it is not
        archived yet.

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
    current = file_hash(partner.pad) if partner.pad.is_file() else None
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
    inbox = config.uitvoer.inbox
    assert inbox is not None  # archived_versions checked it
    _archive_installed(partner, inbox)
    copy_private(version.path, partner.pad)
    received = version.ontvangen.timestamp()
    os.utime(partner.pad, (received, received))  # its age is that of the delivery (retention counts from it)
    return version


def _sha_prefix(version: ArchivedVersion, prefix: str) -> bool:
    return len(prefix) >= 8 and version.sha256.startswith(prefix.lower())


def _partner(config: ProjectConfig, name: str) -> Partner:
    for partner in config.partners:
        if partner.naam == name:
            return partner
    raise ValueError(f"no partner '{name}' in the configuration; configured: {[p.naam for p in config.partners]}")
