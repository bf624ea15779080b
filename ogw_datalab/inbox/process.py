"""One look at the inbox, as the Dagster sensor takes it each tick: decide about every file, then act."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..config import Partner, ProjectConfig
from ..encryption import database_key
from ..files import file_hash, make_private_dir
from .archive import archive_duplicate, install, reject
from .scan import InboxFile, decide, fresh_work_folder, inbox_entries, observation


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
        The configuration (``uitvoer.inbox``, the partners, the database and its key variable).
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
    inbox = config.uitvoer.inbox
    if inbox is None:
        return InboxRound([], {})
    if not inbox.exists():
        make_private_dir(inbox)
        return InboxRound([], {})
    key = database_key(config.uitvoer)
    work = fresh_work_folder(inbox)
    installed: dict[str, str | None] = {}

    def installed_hash(partner: Partner) -> str | None:
        if partner.naam not in installed:
            installed[partner.naam] = file_hash(partner.pad) if partner.pad.is_file() else None
        return installed[partner.naam]

    decisions, observed, loaded = [], {}, {}
    try:
        for entry in inbox_entries(inbox):
            try:
                decision = decide(entry, config, installed_hash, seen, work, key, wait_s)
                if decision.action == "wait" and entry.is_file(follow_symlinks=False):
                    observed[entry.name] = observation(entry.stat(follow_symlinks=False))
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
