"""HTTP GET with timeouts, retries with backoff, and a local cache of raw responses.

Every response body is stored once under the cache folder with a small JSON record of its
URL, SHA-256 checksum and retrieval time; a later run reads the cached body (after checking
its checksum) instead of downloading again, unless asked to refresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

RETRY_STATUS = (429, 500, 502, 503, 504)
USER_AGENT = "ogw-datalab (open-source municipal data lab)"


class FetchError(RuntimeError):
    """A download failed; the message says what to do about it."""


class OfflineError(FetchError):
    """The host's name could not be resolved: this machine has no internet access."""


@dataclass(frozen=True)
class FetchSettings:
    """How requests are made: timeout, retries, backoff between them, and whether to download cached ones again."""

    timeout_s: float = 30.0
    retries: int = 3
    backoff_s: float = 1.0
    refresh: bool = False


@dataclass(frozen=True)
class CachedResponse:
    """A response body stored in the cache folder, with its URL, checksum, retrieval time and headers."""

    url: str
    body_path: Path
    sha256: str
    retrieved_at: str
    from_cache: bool
    headers: dict[str, str]

    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.body_path.read_bytes())


class HttpCache:
    """GET requests through a cache folder; see the module docstring."""

    def __init__(
        self, folder: str | Path, settings: FetchSettings | None = None, session: requests.Session | None = None
    ) -> None:
        self.folder = Path(folder)
        self.settings = settings or FetchSettings()
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", USER_AGENT)
        self.requests_made = 0

    def get(
        self, url: str, params: dict[str, Any] | None = None, *, expect_json: bool = False, refresh: bool = False
    ) -> CachedResponse:
        """Get the body of ``url`` (with ``params``), from the cache or downloaded.

        ``refresh`` downloads this one again even when cached (data that may still change, such as the
        measurements of the last days); the settings' ``refresh`` does so for every request.
        """
        full_url = url + ("?" + urlencode(params, safe="$,:/'()") if params else "")
        key = hashlib.sha256(full_url.encode("utf-8")).hexdigest()[:40]
        body_path, record_path = self.folder / f"{key}.body", self.folder / f"{key}.json"
        if not (self.settings.refresh or refresh):
            cached = _read_cached(full_url, body_path, record_path)
            if cached is not None:
                return cached
        body, headers = self._download(full_url, expect_json)
        return _store(full_url, body, headers, body_path, record_path)

    def _download(self, url: str, expect_json: bool) -> tuple[bytes, dict[str, str]]:
        problem = ""
        for attempt in range(self.settings.retries + 1):
            if attempt:
                time.sleep(self.settings.backoff_s * 2 ** (attempt - 1))
            try:
                self.requests_made += 1
                response = self.session.get(url, timeout=self.settings.timeout_s)
                body = response.content  # raises on a body shorter than its Content-Length
            except requests.ConnectionError as error:
                if _is_offline(error):
                    raise OfflineError(_offline_message(url)) from None
                problem = f"connection failed ({_short(error)})"
                continue
            except requests.Timeout:
                problem = f"no answer within {self.settings.timeout_s:.0f} s"
                continue
            except requests.RequestException as error:  # truncated or broken body
                problem = f"incomplete response ({_short(error)})"
                continue
            if response.status_code in RETRY_STATUS:
                problem = f"HTTP {response.status_code}: {_excerpt(body)}"
                if _too_many_records(body):
                    break
                continue
            if response.status_code >= 400:
                raise FetchError(f"{url}: HTTP {response.status_code}: {_excerpt(body)}")
            if expect_json and not _is_json(body):
                problem = "the response is not complete JSON (truncated?)"
                continue
            return body, dict(response.headers)
        raise FetchError(f"{url}: gave up after {self.settings.retries + 1} attempts; last problem: {problem}")


def _read_cached(url: str, body_path: Path, record_path: Path) -> CachedResponse | None:
    if not (body_path.is_file() and record_path.is_file()):
        return None
    record = json.loads(record_path.read_text(encoding="utf-8"))
    body = body_path.read_bytes()
    if hashlib.sha256(body).hexdigest() != record.get("sha256") or record.get("url") != url:
        return None  # damaged or foreign entry: download again
    return CachedResponse(url, body_path, record["sha256"], record["retrieved_at"], True, record.get("headers", {}))


def _store(url: str, body: bytes, headers: dict[str, str], body_path: Path, record_path: Path) -> CachedResponse:
    body_path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(body).hexdigest()
    retrieved_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    kept = {k: v for k, v in headers.items() if k.lower() in ("content-type", "content-crs", "last-modified", "etag")}
    record = {"url": url, "sha256": digest, "bytes": len(body), "retrieved_at": retrieved_at, "headers": kept}
    _write_atomic(body_path, body)
    _write_atomic(record_path, json.dumps(record, indent=2).encode("utf-8"))
    return CachedResponse(url, body_path, digest, retrieved_at, False, kept)


def _write_atomic(path: Path, data: bytes) -> None:
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _is_offline(error: requests.ConnectionError) -> bool:
    text = str(error)
    return any(s in text for s in ("NameResolutionError", "Name or service not known", "Temporary failure in name"))


def _offline_message(url: str) -> str:
    return (
        f"{url}: cannot resolve the host; this machine seems to have no internet access. Run 'ogw-datalab fetch' "
        "on a machine with internet and copy the cache folder (uitvoer.cache) or the downloaded files (each "
        "source's 'pad') here; builds never need the network."
    )


def _too_many_records(body: bytes) -> bool:
    return b"more than 10000" in body


def _is_json(body: bytes) -> bool:
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def _excerpt(body: bytes) -> str:
    return body[:200].decode("utf-8", errors="replace").strip()


def _short(error: Exception) -> str:
    return str(error).split("(Caused by")[0].strip()[:200]
