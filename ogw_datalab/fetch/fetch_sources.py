"""Download every configured source that has a ``download`` block (``ogw-datalab fetch``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from ..config import ProjectConfig, Source, TijdreeksBron
from .fetch_cbs import fetch_cbs_odata
from .fetch_file import fetch_file
from .fetch_pdok import fetch_pdok_features
from .fetch_timeseries import codegemeente, fetch_luchtmeetnet, fetch_sensorthings
from .http_cache import FetchError, FetchSettings, HttpCache


def fetch_sources(config: ProjectConfig, settings: FetchSettings, report: Callable[[str], None] = print) -> int:
    """Fetch each source with a download into its ``pad``; return how many were fetched.

    Time-series sources with a download fetch their default window (see :func:`fetch_tijdreeks_bron`).
    """
    cache = HttpCache(config.uitvoer.cache, settings)
    fetched = 0
    for key, source in config.all_sources().items():
        if source.download is None:
            continue
        before = cache.requests_made
        detail = _fetch_one(source, cache, config.gemeente.code)
        origin = "cache" if cache.requests_made == before else f"{cache.requests_made - before} request(s)"
        report(f"  ✓ {key}: {detail} -> {source.pad} ({origin})")
        fetched += 1
    for name, reeks in config.tijdreeksen.items():
        for index, bron in enumerate(reeks.bronnen):
            if bron.download is None:
                continue
            before = cache.requests_made
            path, counts = fetch_tijdreeks_bron(bron, cache, config.gemeente.code)
            origin = "cache" if cache.requests_made == before else f"{cache.requests_made - before} request(s)"
            report(f"  ✓ tijdreeksen.{name}.bronnen.{index}: {counts['metingen']:,} metingen -> {path} ({origin})")
            fetched += 1
    return fetched


def default_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From the first day of last month up to today (exclusive): last month whole, and this month so far."""
    today = today or dt.datetime.now(dt.UTC).date()
    first_of_this = today.replace(day=1)
    first_of_last = (first_of_this - dt.timedelta(days=1)).replace(day=1)
    return first_of_last, today


def fetch_tijdreeks_bron(
    bron: TijdreeksBron,
    cache: HttpCache,
    gemeentecode: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[Path, dict[str, int]]:
    """Fetch one time-series source from its API into a long CSV and its sensor table.

    Parameters
    ----------
    bron
        A source with a ``download`` block and its own ``sensoren`` table.
    start, end
        First day and the day after the last one; default the download's ``van``/``tot``, else
        :func:`default_window`. A monthly schedule passes the month.

    Returns
    -------
    tuple
        The file written (a ``*`` in the source's path is replaced by ``<start>_<end>``, so that each
        window keeps its own file and the reader's glob reads them all) and the fetcher's counts.
    """
    download = bron.download
    if download is None or bron.sensoren is None:
        raise FetchError("this time-series source has no 'download' (with its own 'sensoren') to fetch")
    default_start, default_end = default_window()
    start = start or (dt.date.fromisoformat(download.van) if download.van else default_start)
    end = end or (dt.date.fromisoformat(download.tot) if download.tot else default_end)
    path = _window_path(bron.pad, start, end)
    if download.dienst == "luchtmeetnet":
        counts = fetch_luchtmeetnet(
            download.url,
            path,
            bron.sensoren.pad,
            stations=download.stations,
            grootheden=download.grootheden,
            start=start,
            end=end,
            cache=cache,
            window_days=download.venster_dagen,
            soort=download.soort or "referentie",
        )
    else:
        counts = fetch_sensorthings(
            download.url,
            path,
            bron.sensoren.pad,
            gemeente=download.codegemeente or codegemeente(gemeentecode),
            grootheden=download.grootheden,
            start=start,
            end=end,
            cache=cache,
            soort=download.soort or "laagkosten",
        )
    return path, counts


def _window_path(path: Path, start: dt.date, end: dt.date) -> Path:
    if str(path.name).count("*") > 1 or "*" in str(path.parent):
        raise FetchError(f"{path}: a downloaded source may have one '*' in its file name, for the period")
    return path.with_name(path.name.replace("*", f"{start.isoformat()}_{end.isoformat()}"))


def _fetch_one(source: Source, cache: HttpCache, gemeentecode: str) -> str:
    download = source.download
    assert download is not None
    if download.soort == "pdok_ogc_features":
        n = fetch_pdok_features(download.url, source.pad, cache=cache, bbox=download.bbox, limit=download.per_pagina)
        return f"{n:,} features"
    if download.soort == "cbs_odata":
        return f"{fetch_cbs_odata(download.url, source.pad, gemeentecode=gemeentecode, cache=cache):,} rows"
    response = fetch_file(download.url, source.pad, cache=cache)
    return f"sha256 {response.sha256[:12]}…, retrieved {response.retrieved_at}"
