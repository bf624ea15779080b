"""Download every configured source that has a ``download`` block (``ogw-datalab fetch``)."""

from __future__ import annotations

from collections.abc import Callable

from ..config import ProjectConfig, Source
from .fetch_cbs import fetch_cbs_odata
from .fetch_file import fetch_file
from .fetch_pdok import fetch_pdok_features
from .http_cache import FetchSettings, HttpCache


def fetch_sources(config: ProjectConfig, settings: FetchSettings, report: Callable[[str], None] = print) -> int:
    """Fetch each source with a download into its ``path``; return how many were fetched."""
    cache = HttpCache(config.output.cache, settings)
    fetched = 0
    for key, source in config.all_sources().items():
        if source.download is None:
            continue
        before = cache.requests_made
        detail = _fetch_one(source, cache, config.gemeente.code)
        origin = "cache" if cache.requests_made == before else f"{cache.requests_made - before} request(s)"
        report(f"  ✓ {key}: {detail} -> {source.path} ({origin})")
        fetched += 1
    return fetched


def _fetch_one(source: Source, cache: HttpCache, gemeentecode: str) -> str:
    download = source.download
    assert download is not None
    if download.kind == "pdok_ogc_features":
        n = fetch_pdok_features(download.url, source.path, cache=cache, bbox=download.bbox, limit=download.limit)
        return f"{n:,} features"
    if download.kind == "cbs_odata":
        return f"{fetch_cbs_odata(download.url, source.path, gemeentecode=gemeentecode, cache=cache):,} rows"
    response = fetch_file(download.url, source.path, cache=cache)
    return f"sha256 {response.sha256[:12]}…, retrieved {response.retrieved_at}"
