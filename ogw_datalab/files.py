"""Write files so that readers never see half a file (temporary file, then rename), and know a file by its content."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(tmp, 0o644 & ~_umask())  # mkstemp makes 0600; pages are meant to be read by others
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def replace_atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Let ``write`` produce a file at a temporary path beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    tmp.unlink(missing_ok=True)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def file_hash(path: Path) -> str:
    """Return the sha256 of a file's content: how the inbox and the year partitions notice a changed file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Files and folders that hold row-level partner data are readable by the owner only, whatever the umask.
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def make_private_dir(path: str | Path) -> Path:
    """Create ``path`` (and missing parents) and make it owner-only (0700), whatever the umask.

    Parameters
    ----------
    path
        The folder. An existing folder is tightened to 0700; missing parents are created with
        the usual permissions (only the last folder holds private files).

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    ValueError
        When ``path`` is a symbolic link (someone could point it at a folder others read).
    """
    path = Path(path)
    if path.is_symlink():
        raise ValueError(f"{path} is a symbolic link; a private folder must be a real folder (remove the link)")
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, PRIVATE_DIR)  # mkdir's mode is masked by the umask; chmod is not
    return path


def make_private_file(path: str | Path) -> Path:
    """Make an existing file owner-only (0600); a symbolic link is refused, never followed.

    Raises
    ------
    ValueError
        When ``path`` is a symbolic link (its target may be someone else's file).
    """
    path = Path(path)
    if path.is_symlink():
        raise ValueError(f"{path} is a symbolic link; refusing to change the permissions of its target")
    os.chmod(path, PRIVATE_FILE)
    return path


def write_private_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` as an owner-only file (0600), via a temporary file and an atomic rename."""
    path = Path(path)
    return _replace_private(path, lambda out: out.write(data))


def copy_private(source: str | Path, target: str | Path) -> Path:
    """Copy ``source`` to ``target`` as an owner-only file (0600), atomically (temporary file, then rename).

    The copy never exists with wider permissions, not even for a moment: the temporary file is
    created 0600 before the first byte is written.
    """
    source, target = Path(source), Path(target)
    with source.open("rb") as handle:
        return _replace_private(target, lambda out: _copy_stream(handle, out))


def _copy_stream(source: BinaryIO, target: BinaryIO) -> None:
    for block in iter(lambda: source.read(1 << 20), b""):
        target.write(block)


def _replace_private(path: Path, write: Callable[[BinaryIO], object]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # 0600
    try:
        os.fchmod(handle, PRIVATE_FILE)
        with os.fdopen(handle, "wb") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def secure_database_files(database: str | Path) -> list[Path]:
    """Make a DuckDB database file and its companions (``.wal``) owner-only (0600), where they exist.

    Returns
    -------
    list of Path
        The files that were found and tightened.
    """
    database = Path(database)
    found = [p for p in (database, database.with_name(database.name + ".wal")) if p.is_file() and not p.is_symlink()]
    for path in found:
        os.chmod(path, PRIVATE_FILE)
    return found


def permissions(path: str | Path) -> int:
    """Return the permission bits of ``path`` (for example ``0o600``), without following a symbolic link."""
    return stat.S_IMODE(os.lstat(path).st_mode)


def tracked_by_git(path: str | Path) -> bool:
    """Whether ``path`` lies in a git working tree and is not ignored there, so that ``git add -A`` would commit it.

    False outside a git working tree, when git is not installed, or when the path's folder does not exist.
    """
    path = Path(path).absolute()
    if not path.parent.is_dir():
        return False
    try:
        answer = subprocess.run(
            ["git", "-C", str(path.parent), "check-ignore", "-q", str(path)],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return answer.returncode == 1  # 0: ignored; 128: not in a working tree
