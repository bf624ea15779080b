"""Downloaders: the only network code of the library, all behind ``fetch_*`` functions.

Each writes a local file that the ordinary readers then read; assets never touch the network.
"""

from .fetch_cbs import fetch_cbs_odata
from .fetch_file import fetch_file
from .fetch_pdok import fetch_pdok_features
from .fetch_timeseries import fetch_luchtmeetnet, fetch_sensorthings
from .http_cache import CachedResponse, FetchError, FetchSettings, HttpCache, OfflineError

__all__ = [
    "CachedResponse",
    "FetchError",
    "FetchSettings",
    "HttpCache",
    "OfflineError",
    "fetch_cbs_odata",
    "fetch_file",
    "fetch_luchtmeetnet",
    "fetch_pdok_features",
    "fetch_sensorthings",
]
