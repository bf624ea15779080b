"""CBS StatLine open data (OData v3, and v4 paging) for one table, filtered to one gemeente.

Format: ``GET https://opendata.cbs.nl/ODataApi/odata/{table}/TypedDataSet?$format=json&$filter=..``
returns ``{"odata.metadata": ..., "value": [rows]}`` with ``odata.nextLink`` when there is
more (OData v4 at datasets.cbs.nl uses ``@odata.nextLink``). The service refuses a query of
more than 10,000 rows with HTTP 500 ("query returns more than 10000 records"), so the query
is filtered to the gemeente's own codes (GM, WK and BU codes start with its four digits).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..files import write_text_atomic
from .http_cache import FetchError, HttpCache

MAX_PAGES = 10_000


def gemeente_filter(gemeentecode: str, column: str = "WijkenEnBuurten") -> str:
    """Return the OData ``$filter`` that keeps the rows of one gemeente, its wijken and its buurten."""
    digits = gemeentecode[2:]
    return " or ".join(f"startswith({column},'{prefix}{digits}')" for prefix in ("GM", "WK", "BU"))


def fetch_cbs_odata(table_url: str, out_path: str | Path, *, gemeentecode: str, cache: HttpCache) -> int:
    """Download the rows of one gemeente from a CBS table and write them as CSV (``,`` and ``.``).

    ``table_url`` is the data set URL, e.g. ``https://opendata.cbs.nl/ODataApi/odata/85984NED/TypedDataSet``.
    Returns the number of rows written.
    """
    params: dict[str, object] | None = {"$format": "json", "$filter": gemeente_filter(gemeentecode)}
    rows: list[dict] = []
    next_url: str | None = table_url
    for _ in range(MAX_PAGES):
        if next_url is None:
            break
        try:
            page = cache.get(next_url, params, expect_json=True).json()
        except FetchError as error:
            if "more than 10000" in str(error):
                raise FetchError(
                    f"{error}. Filter the table further (CBS serves at most 10,000 rows a query)."
                ) from None
            raise
        if not isinstance(page, dict) or "value" not in page:
            raise FetchError(f"{next_url}: not an OData answer (no 'value'); is this a CBS table URL?")
        rows.extend(page["value"])
        next_url = page.get("odata.nextLink") or page.get("@odata.nextLink")
        params = None
    if not rows:
        raise FetchError(f"{table_url}: no rows for {gemeentecode}; check the table id and its gebiedsindeling")
    write_text_atomic(Path(out_path), pd.DataFrame(rows).to_csv(index=False))
    return len(rows)
