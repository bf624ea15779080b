"""The partner inbox: partners drop a new version of their file; it is checked, installed and archived.

A file is recognised by its name (``<partner name>.<ext>`` or ``<partner name>_<anything>.<ext>``)
and compared by content hash, not by timestamp: the same content again changes nothing. A file
that cannot be read as its partner's configuration promises goes to ``afgewezen/`` with a
``.reden.txt`` beside it; nothing already installed is touched.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .config import Partner, ProjectConfig
from .files import file_hash
from .readers import SourceError, read_source

ARCHIVE = "archief"
REJECTED = "afgewezen"


@dataclass(frozen=True)
class InboxFile:
    path: Path
    sha256: str
    partner: str | None
    action: Literal["load", "same", "reject"]
    reason: str | None = None


def partner_for(path: Path, partners: list[Partner]) -> Partner | None:
    """The partner whose name the file carries (longest name first, so 'ggd_65plus' beats 'ggd')."""
    stem = path.stem.lower()
    for partner in sorted(partners, key=lambda p: len(p.name), reverse=True):
        if stem == partner.name or stem.startswith(partner.name + "_"):
            return partner
    return None


def scan_inbox(config: ProjectConfig, installed: dict[str, str]) -> list[InboxFile]:
    """Decide for every file in the inbox: load it, ignore it (same content as installed), or reject it.

    ``installed`` maps partner names to the hash of the file last installed for them.
    """
    inbox = config.output.inbox
    if inbox is None or not inbox.is_dir():
        return []
    decisions = []
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")):
        digest = file_hash(path)
        partner = partner_for(path, config.partners)
        if partner is None:
            names = ", ".join(p.name for p in config.partners)
            decisions.append(
                InboxFile(
                    path, digest, None, "reject", f"geen partner met deze bestandsnaam; verwacht een van: {names}"
                )
            )
        elif partner.is_many_files:
            decisions.append(
                InboxFile(
                    path,
                    digest,
                    partner.name,
                    "reject",
                    f"partner {partner.name} leest meerdere bestanden ({partner.path}); vervang die in hun eigen map",
                )
            )
        elif installed.get(partner.name) == digest:
            decisions.append(InboxFile(path, digest, partner.name, "same"))
        else:
            problem = validate_partner_file(partner, path)
            action: Literal["load", "reject"] = "reject" if problem else "load"
            decisions.append(InboxFile(path, digest, partner.name, action, problem))
    return decisions


def validate_partner_file(partner: Partner, path: Path) -> str | None:
    """None when ``path`` reads as ``partner`` is configured (every mapped column present); else why not."""
    candidate = partner.model_copy(update={"path": path})
    try:
        frame = read_source(f"partners.{partner.name}", candidate)
    except SourceError as error:
        return str(error)
    columns = {str(c).strip().lower() for c in frame.columns}
    missing = [c for c in partner.columns.values() if c.strip().lower() not in columns]
    if missing:
        return (
            f"partners.{partner.name} ({path.name}): kolommen ontbreken: {missing}; het bestand heeft {sorted(columns)}"
        )
    return None


def install(decision: InboxFile, config: ProjectConfig, now: dt.datetime | None = None) -> Path:
    """Copy an accepted file over the partner's configured path (atomically) and archive the original."""
    partner = next(p for p in config.partners if p.name == decision.partner)
    partner.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = partner.path.with_name(f".{partner.path.name}.incoming")
    shutil.copyfile(decision.path, tmp)
    os.replace(tmp, partner.path)
    return _move(decision.path, ARCHIVE, now)


def archive_duplicate(decision: InboxFile, now: dt.datetime | None = None) -> Path:
    return _move(decision.path, ARCHIVE, now)


def reject(decision: InboxFile, now: dt.datetime | None = None) -> Path:
    """Move a refused file to ``afgewezen/`` with a ``.reden.txt`` that says why."""
    target = _move(decision.path, REJECTED, now)
    target.with_name(target.name + ".reden.txt").write_text((decision.reason or "") + "\n", encoding="utf-8")
    return target


def _move(path: Path, folder: str, now: dt.datetime | None) -> Path:
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.parent / folder / f"{stamp}_{path.name}"
    target.parent.mkdir(exist_ok=True)
    os.replace(path, target)
    return target
