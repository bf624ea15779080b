"""Read tables as they arrive from municipalities and partners: CSV, XLSX, JSON and Parquet.

Everything is read as text first (codes keep their leading zeros and padding; staging
decides the types), with the Dutch habits handled here: a UTF-8 BOM, ';' separators,
report-style title lines above the header, '.' for "no data", and nested JSON.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from typing import Any

import duckdb
import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS

from ..config import Source
from .column_names import configured_columns, suggestion

HEADER_SEARCH_LINES = 60
LINE_END = re.compile(r"\r\n|\r|\n")
FOOTER = re.compile(r"\s*(bron|bronnen|toelichting|voetnoot|noot|opmerking|verklaring|source|\*|\(\d+\))", re.I)


class TableError(ValueError):
    """A table cannot be parsed as configured."""


Records = list[tuple[int, list[str]]]  # (row number as a person sees it in the file, cells)


def read_csv_table(source: Source, where: str, *, max_rows: int | None = None) -> pd.DataFrame:
    """Read a CSV as text; the header is the first line holding every configured column name.

    Parameters
    ----------
    source
        The source's configuration (``scheidingsteken``, ``tekenset``, ``titelregels``, ``kolomnamen``, ...).
    where
        The source's key and file name, for messages.
    max_rows
        Read only the header and this many rows after it (``check`` reads a sample).

    Returns
    -------
    DataFrame
        The rows as text, indexed by their line number in the file (1-based, as a text editor or
        a spreadsheet program shows it); ``frame.attrs["rows_dropped"]`` counts the empty rows
        and note lines dropped (``{"empty": n, "notes": n}``).

    Raises
    ------
    TableError
        When no header holds the configured columns, when ``kolomnamen`` does not name every
        column, or when a row has more filled cells than the header has names.
    """
    limit = None if max_rows is None else (source.titelregels or HEADER_SEARCH_LINES) + max_rows + 1
    lines = _read_lines(source, where, limit)
    skip = source.titelregels if source.titelregels is not None else _find_header(lines, source, where)
    records = _csv_records(lines, skip, source, where)
    return _table_from_records(records, source, where, max_rows=max_rows)


def _read_lines(source: Source, where: str, limit: int | None) -> list[str]:
    try:
        with source.pad.open(encoding=source.tekenset, newline="") as handle:
            text = handle.read() if limit is None else "".join(itertools.islice(handle, limit))
    except UnicodeDecodeError as error:
        raise TableError(f"{where}: {source.pad} is not {source.tekenset} text ({error}); set 'tekenset'") from None
    # Only real line ends split lines, so that line numbers are those an editor shows.
    lines = LINE_END.split(text.removeprefix("\ufeff"))
    return lines[:-1] if lines and lines[-1] == "" else lines


def _csv_records(lines: list[str], skip: int, source: Source, where: str) -> Records:
    reader = csv.reader(
        io.StringIO("\n".join(lines[skip:])), delimiter=source.scheidingsteken, quoting=csv.QUOTE_MINIMAL
    )
    records: Records = []
    consumed = 0
    try:
        for cells in reader:
            records.append((skip + consumed + 1, cells))
            consumed = reader.line_num
    except csv.Error as error:
        line = skip + reader.line_num
        raise TableError(f"{where}: cannot parse line {line} of {source.pad.name}: {error}") from None
    return records


def _find_header(lines: list[str], source: Source, where: str) -> int:
    wanted = configured_columns(source)
    if not wanted or source.kolomnamen:
        return 0
    best, best_found = None, 0
    for number, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        cells = [cell.strip().strip('"').strip() for cell in line.split(source.scheidingsteken)]
        found = sum(column in cells for column in wanted.values())
        if found == len(wanted):
            return number
        if found > best_found:
            best, best_found = number, found
    if best is None:
        raise TableError(
            f"{where}: none of the first {HEADER_SEARCH_LINES} lines of {source.pad.name} holds any configured "
            f"column {list(wanted.values())} (scheidingsteken {source.scheidingsteken!r}); check 'kolommen' and "
            "'scheidingsteken', or set 'titelregels'"
        )
    cells = [cell.strip().strip('"').strip() for cell in lines[best].split(source.scheidingsteken)]
    missing = [
        f"{key} names {column!r}, which is not in the header on line {best + 1}{suggestion(column, cells)}"
        for key, column in wanted.items()
        if column not in cells
    ]
    raise TableError(f"{where}: " + "; ".join(missing))


def _table_from_records(records: Records, source: Source, where: str, *, max_rows: int | None) -> pd.DataFrame:
    """Make the rows under the header a text frame: 'no data' cells None, empty rows and notes dropped.

    Done on plain lists, one pass per row, because partner files can hold a million cells.
    """
    if source.kolomnamen:
        header, body = list(source.kolomnamen), records[:max_rows]
        _check_header_names(header, body, source, where)
    elif records:
        header, body = _unique_names(records[0][1]), records[1:][:max_rows]
    else:
        header, body = [], []
    names = [name.strip() for name in header]
    named = [i for i, name in enumerate(names) if name and not name.startswith("Unnamed:")]
    missing = set(source.leeg_als)
    rows, numbers, empty = [], [], 0
    for number, cells in body:
        fitted = _fit(cells, len(header), number, source, where)
        row = [None if cell is None or cell.strip() in missing else cell for cell in (fitted[i] for i in named)]
        if any(_is_filled(cell) for cell in row):
            rows.append(row)
            numbers.append(number)
        else:
            empty += 1
    notes = 0
    while rows and sum(_is_filled(c) for c in rows[-1]) == 1 and FOOTER.match(str(rows[-1][0])):
        rows.pop()
        numbers.pop()
        notes += 1
    index = pd.Index(numbers, name="bronrij")
    frame = pd.DataFrame(rows, columns=[names[i] for i in named], index=index, dtype=object)
    frame.attrs["rows_dropped"] = {"empty": empty, "notes": notes}
    return frame


def _filled_width(cells: list[str]) -> int:
    filled = [i for i, cell in enumerate(cells) if cell is not None and str(cell).strip() != ""]
    return filled[-1] + 1 if filled else 0


def _check_header_names(names: list[str], body: Records, source: Source, where: str) -> None:
    """Refuse ``kolomnamen`` unless it names every column: a short list would shift columns."""
    if not body:
        return
    filled = max(_filled_width(cells) for _, cells in body)
    written = max(len(cells) for _, cells in body)
    if filled <= len(names) <= max(filled, written):
        return
    number, cells = next((n, c) for n, c in body if _filled_width(c) == filled)
    shown = source.scheidingsteken.join(str(c) for c in cells[:filled])
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    raise TableError(
        f"{where}: kolomnamen gives {len(names)} names but {source.pad.name} has {filled} columns "
        f"(line {number} reads {shown!r}); give exactly one name per column, in the file's order"
    )


def _fit(cells: list[str], width: int, number: int, source: Source, where: str) -> list[str | None]:
    if len(cells) > width:
        if _filled_width(cells) > width:
            raise TableError(
                f"{where}: line {number} of {source.pad.name} has {_filled_width(cells)} filled cells but the "
                f"header names {width} columns; check 'scheidingsteken', or quote cells that contain it"
            )
        cells = cells[:width]
    return list(cells) + [None] * (width - len(cells))


def _unique_names(cells: list[str]) -> list[str]:
    """Header names as pandas gives them: empty ones 'Unnamed: i', repeated ones 'a.1'."""
    names: list[str] = []
    for i, cell in enumerate(cells):
        name = str(cell).strip() or f"Unnamed: {i}"
        base, n = name, 0
        while name in names:
            n += 1
            name = f"{base}.{n}"
        names.append(name)
    return names


def read_xlsx_table(source: Source, where: str, *, max_rows: int | None = None) -> pd.DataFrame:
    """Read one sheet of a spreadsheet as text, with the header found like in a CSV.

    Rows are indexed by their row number in the spreadsheet (1-based, as Excel shows it);
    ``frame.attrs["rows_dropped"]`` counts the empty rows and note lines dropped.
    """
    limit = None if max_rows is None else (source.titelregels or HEADER_SEARCH_LINES) + max_rows + 1
    try:
        grid = pd.read_excel(
            source.pad, sheet_name=source.werkblad, header=None, dtype=str, engine="openpyxl", nrows=limit
        )
    except (ValueError, KeyError) as error:
        raise TableError(f"{where}: cannot read sheet {source.werkblad!r} of {source.pad}: {error}") from None
    rows = grid.fillna("").astype(str).values.tolist()
    lines = [source.scheidingsteken.join(row) for row in rows]
    skip = source.titelregels if source.titelregels is not None else _find_header(lines, source, where)
    # pandas keeps leading empty rows, so grid row i is spreadsheet row i + 1.
    records: Records = [(i + 1, row) for i, row in enumerate(rows)][skip:]
    return _table_from_records(records, source, where, max_rows=max_rows)


def read_json_table(source: Source, where: str, *, max_rows: int | None = None) -> pd.DataFrame:
    """Flatten JSON records into columns (nested objects become ``a.b``, lists ``c.0``, ``c.1``).

    ``records_pad`` points at a list of records or at a mapping whose keys become
    ``sleutelkolom``; with ``veldnamen_pad``, records are positional arrays named by that list.
    Rows are indexed by their record number (1-based, in the file's order); ``max_rows``
    flattens only the first records.
    """
    try:
        document = json.loads(source.pad.read_text(encoding=source.tekenset))
    except json.JSONDecodeError as error:
        raise TableError(f"{where}: {source.pad} is not valid JSON: {error}") from None
    records = _at_path(document, source.records_pad, where)
    fields = _at_path(document, source.veldnamen_pad, where) if source.veldnamen_pad else None
    if isinstance(records, dict):
        if not source.sleutelkolom:
            raise TableError(f"{where}: the records at {source.records_pad!r} are a mapping; set 'sleutelkolom'")
        items = itertools.islice(records.items(), max_rows)
        rows = [_record(value, fields) | {source.sleutelkolom: key} for key, value in items]
    elif isinstance(records, list):
        rows = [_record(value, fields) for value in records[:max_rows]]
    else:
        raise TableError(f"{where}: {source.records_pad!r} in {source.pad} is not a list or mapping of records")
    frame = pd.json_normalize([_expand_lists(r) for r in rows], sep=".")
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="bronrij")
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


def read_parquet_table(source: Source, where: str, *, max_rows: int | None = None) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read Parquet or GeoParquet with DuckDB; a GeoParquet geometry keeps its declared CRS.

    Rows are indexed by their row number (1-based, in the file's order).
    """
    con = duckdb.connect()
    try:
        con.execute("SET autoinstall_known_extensions = false")
        metadata = con.execute(
            "SELECT value FROM parquet_kv_metadata(?) WHERE decode(key) = 'geo'", [str(source.pad)]
        ).fetchone()
        if max_rows is None:
            frame = con.execute("SELECT * FROM read_parquet(?)", [str(source.pad)]).df()
        else:
            frame = con.execute("SELECT * FROM read_parquet(?) LIMIT ?", [str(source.pad), max_rows]).df()
    except duckdb.Error as error:
        raise TableError(f"{where}: cannot read {source.pad} as Parquet: {error}") from None
    finally:
        con.close()
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="bronrij")
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


def _is_filled(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() != ""
    return value is not None and not (isinstance(value, float) and value != value)


def clean_table(frame: pd.DataFrame, source: Source) -> pd.DataFrame:
    """Strip header names, drop empty trailing columns, and turn 'no data' cells into None.

    The index (the row numbers in the file) is kept.
    """
    frame = frame.rename(columns=lambda c: str(c).strip())
    frame = frame.loc[:, [c for c in frame.columns if c and not c.startswith("Unnamed:")]]
    missing = set(source.leeg_als)
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            cleaned = [None if isinstance(v, str) and v.strip() in missing else v for v in values]
            frame[column] = pd.Series(cleaned, index=frame.index, dtype=object)
    return frame
