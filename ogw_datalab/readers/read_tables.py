"""Read tables as they arrive from municipalities and partners: CSV, XLSX, JSON and Parquet.

Everything is read as text first (codes keep their leading zeros and padding; staging
decides the types), with the Dutch habits handled here: a UTF-8 BOM, ';' separators,
report-style title lines above the header, '.' for "no data", and nested JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

import duckdb
import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from ..config import Source

HEADER_SEARCH_LINES = 60
FOOTER = re.compile(r"\s*(bron|bronnen|toelichting|voetnoot|noot|opmerking|verklaring|source|\*|\(\d+\))", re.I)


class TableError(ValueError):
    """A table cannot be parsed as configured."""


def wanted_columns(source: Source) -> list[str]:
    """File columns the configuration refers to (used to find the header line)."""
    named = list(source.columns.values()) + [c for c in (source.x, source.y, source.wkt) if c]
    return [c.strip() for c in named]


def read_csv_table(source: Source, where: str) -> pd.DataFrame:
    """Read a CSV as text; the header is the first line holding every configured column name."""
    try:
        text = source.path.read_text(encoding=source.encoding)
    except UnicodeDecodeError as error:
        raise TableError(f"{where}: {source.path} is not {source.encoding} text ({error}); set 'encoding'") from None
    lines = text.splitlines()
    skip = source.skip_rows if source.skip_rows is not None else _find_header(lines, source, where)
    body = "\n".join(lines[skip:])
    try:
        frame = pd.read_csv(
            io.StringIO(body),
            sep=source.separator,
            dtype=str,
            keep_default_na=False,
            header=None if source.header_names else 0,
            names=source.header_names,
            quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as error:
        raise TableError(f"{where}: cannot parse {source.path} after line {skip}: {error}") from None
    return drop_footer(clean_table(frame, source))


def _find_header(lines: list[str], source: Source, where: str) -> int:
    wanted = wanted_columns(source)
    if not wanted or source.header_names:
        return 0
    for number, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        cells = {cell.strip().strip('"').strip() for cell in line.split(source.separator)}
        if all(column in cells for column in wanted):
            return number
    raise TableError(
        f"{where}: none of the first {HEADER_SEARCH_LINES} lines of {source.path} holds all configured columns "
        f"{wanted} (separator {source.separator!r}); check 'columns' and 'separator', or set 'skip_rows'"
    )


def read_xlsx_table(source: Source, where: str) -> pd.DataFrame:
    """Read one sheet of a spreadsheet as text, with the header found like in a CSV."""
    try:
        grid = pd.read_excel(source.path, sheet_name=source.sheet, header=None, dtype=str, engine="openpyxl")
    except (ValueError, KeyError) as error:
        raise TableError(f"{where}: cannot read sheet {source.sheet!r} of {source.path}: {error}") from None
    rows = grid.fillna("").astype(str).values.tolist()
    lines = [source.separator.join(row) for row in rows]
    skip = source.skip_rows if source.skip_rows is not None else _find_header(lines, source, where)
    if source.header_names:
        frame = pd.DataFrame(rows[skip:], columns=source.header_names[: len(rows[0])])
    else:
        frame = pd.DataFrame(rows[skip + 1 :], columns=[str(c) for c in rows[skip]])
    return drop_footer(clean_table(frame, source))


def read_json_table(source: Source, where: str) -> pd.DataFrame:
    """Flatten JSON records into columns (nested objects become ``a.b``, lists ``c.0``, ``c.1``).

    ``record_path`` points at a list of records or at a mapping whose keys become
    ``key_column``; with ``fields_path``, records are positional arrays named by that list.
    """
    try:
        document = json.loads(source.path.read_text(encoding=source.encoding))
    except json.JSONDecodeError as error:
        raise TableError(f"{where}: {source.path} is not valid JSON: {error}") from None
    records = _at_path(document, source.record_path, where)
    fields = _at_path(document, source.fields_path, where) if source.fields_path else None
    if isinstance(records, dict):
        if not source.key_column:
            raise TableError(f"{where}: the records at {source.record_path!r} are a mapping; set 'key_column'")
        rows = [_record(value, fields) | {source.key_column: key} for key, value in records.items()]
    elif isinstance(records, list):
        rows = [_record(value, fields) for value in records]
    else:
        raise TableError(f"{where}: {source.record_path!r} in {source.path} is not a list or mapping of records")
    frame = pd.json_normalize([_expand_lists(r) for r in rows], sep=".")
    return clean_table(frame.astype(object).where(frame.notna(), None), source)


def _at_path(document: Any, dotted: str | None, where: str) -> Any:
    node = document
    for part in [p for p in (dotted or "").split(".") if p]:
        if not isinstance(node, dict) or part not in node:
            raise TableError(f"{where}: the JSON has no {dotted!r} (stopped at {part!r})")
        node = node[part]
    return node


def _record(value: Any, fields: list[str] | None) -> dict[str, Any]:
    if fields is not None:
        return dict(zip(fields, value, strict=False))
    return value if isinstance(value, dict) else {"value": value}


def _expand_lists(record: dict[str, Any]) -> dict[str, Any]:
    expanded: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
            expanded.update({f"{key}.{i}": v for i, v in enumerate(value)})
        elif isinstance(value, dict):
            expanded[key] = _expand_lists(value)
        else:
            expanded[key] = value
    return expanded


def read_parquet_table(source: Source, where: str) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read Parquet or GeoParquet with DuckDB; a GeoParquet geometry keeps its declared CRS."""
    con = duckdb.connect()
    try:
        con.execute("SET autoinstall_known_extensions = false")
        metadata = con.execute(
            "SELECT value FROM parquet_kv_metadata(?) WHERE decode(key) = 'geo'", [str(source.path)]
        ).fetchone()
        frame = con.execute("SELECT * FROM read_parquet(?)", [str(source.path)]).df()
    except duckdb.Error as error:
        raise TableError(f"{where}: cannot read {source.path} as Parquet: {error}") from None
    finally:
        con.close()
    if metadata is None:
        return clean_table(frame, source)
    geo = json.loads(bytes(metadata[0]).decode("utf-8"))
    column = geo["primary_column"]
    crs = _geoparquet_crs(geo["columns"][column])
    geometry = shapely.from_wkb([None if v is None else bytes(v) for v in frame[column]])
    attributes = clean_table(frame.drop(columns=[column]), source)
    return gpd.GeoDataFrame(attributes, geometry=list(geometry), crs=crs)


def _geoparquet_crs(column_meta: dict[str, Any]) -> CRS:
    # GeoParquet: a missing crs means OGC:CRS84 (lon/lat); null means unknown.
    if "crs" not in column_meta:
        return CRS.from_user_input("OGC:CRS84")
    return CRS.from_json_dict(column_meta["crs"]) if column_meta["crs"] else CRS.from_user_input("OGC:CRS84")


def drop_footer(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop empty rows, and the note lines under a report-style table ("Bron: CBS/RDW", footnotes).

    A trailing row whose only filled cell is the first, and reads like a note, is not data.
    """
    filled = frame.map(_is_filled)
    frame, filled = frame[filled.any(axis=1)], filled[filled.any(axis=1)]
    while len(frame) and filled.iloc[-1].sum() == 1 and FOOTER.match(str(frame.iloc[-1].iloc[0])):
        frame, filled = frame.iloc[:-1], filled.iloc[:-1]
    return frame.reset_index(drop=True)


def _is_filled(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and value != value) and str(value).strip() != ""


def clean_table(frame: pd.DataFrame, source: Source) -> pd.DataFrame:
    """Strip header names, drop empty trailing columns, and turn 'no data' cells into None."""
    frame = frame.rename(columns=lambda c: str(c).strip())
    frame = frame.loc[:, [c for c in frame.columns if c and not c.startswith("Unnamed:")]]
    missing = set(source.na_values)
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            cleaned = [None if isinstance(v, str) and v.strip() in missing else v for v in values]
            frame[column] = pd.Series(cleaned, index=frame.index, dtype=object)
    return frame.reset_index(drop=True)
