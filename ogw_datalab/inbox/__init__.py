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

One module per job: looking at the inbox safely and deciding about each file (:mod:`.scan`), the
trial placement (:mod:`.trial`), installing, archiving, refusing and restoring (:mod:`.archive`),
one whole look as the Dagster sensor takes it (:mod:`.process`) and the sensor's cursor and log
(:mod:`.cursor`).
"""

from .archive import (
    ARCHIVE,
    REJECTED,
    STAMP,
    ArchivedVersion,
    archive_duplicate,
    archived_versions,
    install,
    reject,
    restore_partner_file,
)
from .cursor import inbox_cursor, log_lines, read_inbox_cursor
from .process import InboxRound, process_inbox
from .scan import PART, WORK, Action, InboxFile, extension_problem, partner_for, scan_inbox, validate_partner_file
from .trial import trial_placement

__all__ = [
    "ARCHIVE",
    "PART",
    "REJECTED",
    "STAMP",
    "WORK",
    "Action",
    "ArchivedVersion",
    "InboxFile",
    "InboxRound",
    "archive_duplicate",
    "archived_versions",
    "extension_problem",
    "inbox_cursor",
    "install",
    "log_lines",
    "partner_for",
    "process_inbox",
    "read_inbox_cursor",
    "reject",
    "restore_partner_file",
    "scan_inbox",
    "trial_placement",
    "validate_partner_file",
]
