"""A plain file download (for example the CBS wijk- en buurtkaart GeoPackage), through the cache."""

from __future__ import annotations

import shutil
from pathlib import Path

from ..files import replace_atomic
from .http_cache import CachedResponse, HttpCache


def fetch_file(url: str, out_path: str | Path, *, cache: HttpCache) -> CachedResponse:
    """Download ``url`` (or take it from the cache) and place it at ``out_path``."""
    response = cache.get(url)
    replace_atomic(Path(out_path), lambda tmp: shutil.copyfile(response.body_path, tmp))
    return response
