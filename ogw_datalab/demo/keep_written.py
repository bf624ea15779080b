"""Write the demo gemeente's files only when the folder does not already hold them as they were written.

The files follow from the seed, the year and the generator alone, so a build need not make them again (about
2 CPU s for the demo year) when nothing changed since: not the seed, not the year, not the generator's code or the
libraries that shape its output, and not one of the files (its size and modification time as written; a copied
lab keeps them, an edited or removed file is written again). What was written is recorded in ``STAMP`` in the
folder, last, after every file is in place; a folder without it is written as before.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path

from . import write_demo
from .write_demo import DEMO_SEED, DEMO_YEAR, write_demo_municipality

STAMP = ".demo-stamp"  # a dot name: never taken for a source file (``init`` skips it)
SHAPING_LIBRARIES = ("numpy", "pandas", "shapely", "geopandas", "pyogrio", "pyproj")


def write_demo_unless_current(folder: str | Path, seed: int = DEMO_SEED, jaar: int = DEMO_YEAR) -> list[Path]:
    """Return the demo gemeente's files in ``folder``, written by :func:`write_demo_municipality` unless current."""
    folder = Path(folder)
    made_from = {"seed": seed, "jaar": jaar, "generator": generator_fingerprint()}
    current = _current_files(folder, made_from)
    if current is not None:
        return current
    (folder / STAMP).unlink(missing_ok=True)  # no stamp while files change: an interrupted write is redone
    written = write_demo_municipality(folder, seed=seed, jaar=jaar)
    files = {str(path.relative_to(folder)): _identity(path) for path in written}
    temporary = folder / f"{STAMP}.tmp"
    temporary.write_text(json.dumps({"made_from": made_from, "files": files}), encoding="utf-8")
    os.replace(temporary, folder / STAMP)
    return written


def generator_fingerprint() -> str:
    """Return a digest of the demo package's code and the versions of the libraries that shape its files."""
    digest = hashlib.sha256()
    for path in sorted(Path(write_demo.__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    for library in SHAPING_LIBRARIES:
        digest.update(f"{library}={version(library)}".encode())
    return digest.hexdigest()


def _current_files(folder: Path, made_from: dict) -> list[Path] | None:
    """Return the recorded files when the stamp matches ``made_from`` and every file is as it was written; else None."""
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict) or stamp.get("made_from") != made_from or not isinstance(stamp.get("files"), dict):
        return None
    for name, identity in stamp["files"].items():
        path = folder / name
        if not path.is_file() or _identity(path) != identity:
            return None
    return [folder / name for name in stamp["files"]]


def _identity(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]
