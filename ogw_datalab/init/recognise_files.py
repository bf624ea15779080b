"""What each file in a folder is, told from its content (columns, geometry, codes), never from its name.

``ogw-datalab init`` walks a folder (any depth) and sorts every GIS layer and table into one of these kinds:

- ``kaart``: a layer of the CBS wijk- en buurtkaart, at ``niveau`` buurt, wijk or gemeente (polygons with the area
  codes of :data:`~ogw_datalab.staging.stage_areas.CBS_AREA_COLUMNS`, the older upper-case or the newer lower-case
  names);
- ``adressen``: points with a postcode and a house number (BAG addresses);
- ``punten``: any other point layer (facilities: a count per buurt, a distance from the homes);
- ``pc4``: polygons with four-digit postcodes;
- ``vlakken``: any other polygon layer;
- ``tabel``: a CSV table with a column of buurt or wijk codes (a partner keyed by code).

Anything else is listed as not recognised, with the reason.
"""

from __future__ import annotations

import csv
import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyogrio

from ..readers.read_areas import AREA_COLUMNS
from ..readers.source_files import CONTAINER_SUFFIXES
from ..staging.stage_areas import CBS_AREA_COLUMNS
from ..staging.stage_layers import BAG_COLUMNS

Kind = Literal["kaart", "adressen", "punten", "pc4", "vlakken", "tabel"]
Naming = Literal["ouder", "nieuwer"]
GIS_SUFFIXES = (".geojson", ".json", ".gpkg", ".fgb", ".shp")
TABLE_SUFFIXES = (".csv",)
CODE = {"buurt": re.compile(r"^BU\d{8}$"), "wijk": re.compile(r"^WK\d{6}$"), "gemeente": re.compile(r"^GM\d{4}$")}
PERIOD = re.compile(r"^(\d{4})(JJ00)?$")
SAMPLE = 50
# The fields of a BAG address (verblijfsobject) under the names BAG extracts and INSPIRE use.
ADDRESS_FIELDS = {
    *(c for names in BAG_COLUMNS.values() for c in names),
    *("id", "fid", "status", "oppervlakte", "bouwjaar", "pand_identificatie", "nummeraanduiding_identificatie"),
}


@dataclass(frozen=True)
class FoundFile:
    """One recognised layer or table.

    Attributes
    ----------
    path
        The file.
    layer
        The layer inside a GeoPackage (None for a one-layer file).
    kind
        What the content is (see the module's docstring).
    columns
        The file's column names, in file order.
    features
        The number of features or rows.
    niveau
        ``kaart``: buurt, wijk or gemeente; ``tabel``: the level of its codes.
    naming
        ``kaart``: the CBS column names, ``ouder`` (upper-case, ``BU_CODE``, up to 2018) or ``nieuwer``
        (lower-case, ``buurtcode``, from 2019 on).
    code_column
        ``kaart`` and ``tabel``: the column holding the area codes.
    year
        ``tabel``: the year of its figures when a column says so (CBS ``Perioden`` ``2020JJ00``).
    crs
        GIS layers: the CRS the file declares.
    separator
        ``tabel``: the separator between the fields of a line.
    """

    path: Path
    layer: str | None
    kind: Kind
    columns: tuple[str, ...]
    features: int
    niveau: str | None = None
    naming: Naming | None = None
    code_column: str | None = None
    year: int | None = None
    crs: str | None = None
    separator: str | None = None

    @property
    def label(self) -> str:
        """The file (and layer) as messages name it."""
        return f"{self.path}" + (f" (laag {self.layer})" if self.layer else "")


@dataclass
class Recognised:
    """Every file of a folder: what was recognised, and what was not and why."""

    folder: Path
    found: list[FoundFile] = field(default_factory=list)
    not_recognised: list[tuple[Path, str]] = field(default_factory=list)

    def of_kind(self, kind: Kind, niveau: str | None = None) -> list[FoundFile]:
        """Return the recognised layers of one kind (and level)."""
        return [f for f in self.found if f.kind == kind and (niveau is None or f.niveau == niveau)]


def recognise_files(folder: Path) -> Recognised:
    """Walk ``folder`` (any depth, following links) and recognise every GIS layer and CSV table by its content.

    Raises
    ------
    FileNotFoundError
        When ``folder`` is not a folder.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"--bronnen {folder}: not a folder")
    result = Recognised(folder)
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            suffix = path.suffix.lower()
            if suffix in GIS_SUFFIXES + TABLE_SUFFIXES:
                found, not_recognised = _recognise_file(path)
                result.found += found
                result.not_recognised += not_recognised
            elif suffix not in (".md", ".txt", ".py", ".pickle", ".lock") and not name.startswith("."):
                result.not_recognised.append((path, "neither a GIS layer nor a CSV table"))
    return result


def _recognise_file(path: Path) -> tuple[tuple[FoundFile, ...], tuple[tuple[Path, str], ...]]:
    """Recognise one file; a file unchanged since this process last recognised it is not read again."""
    status = path.stat()
    return _recognise_content(path, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


@functools.lru_cache(maxsize=4096)
def _recognise_content(path: Path, *identity: int) -> tuple[tuple[FoundFile, ...], tuple[tuple[Path, str], ...]]:
    """Return the found layers or table of ``path`` and what was not recognised.

    ``identity`` (size, times, inode) keys the cache, so a changed file is read anew. Reading costs: a GeoJSON is
    parsed whole at every opening, and a folder such as ../shared/data takes seconds (the tests run ``init`` on it
    a dozen times in one process).
    """
    result = Recognised(path.parent)
    if path.suffix.lower() in GIS_SUFFIXES:
        _recognise_gis(path, result)
    else:
        _recognise_table(path, result)
    return tuple(result.found), tuple(result.not_recognised)


def _recognise_gis(path: Path, result: Recognised) -> None:
    """Recognise every layer of a GIS file.

    A one-layer file (GeoJSON, FlatGeobuf, shapefile) is opened twice, for its description and a sample, not also
    to list its one layer.
    """
    container = path.suffix.lower() in CONTAINER_SUFFIXES
    try:
        if container:
            layers: list[tuple[str, dict | None]] = [(str(name), None) for name, _ in pyogrio.list_layers(path)]
        else:
            described = pyogrio.read_info(path)
            layers = [(str(described["layer_name"]), described)]
    except Exception:  # noqa: BLE001 - any file GDAL cannot open is simply not a GIS layer
        reason = "JSON, but not GeoJSON (records: configure it as a partner by hand)" if path.suffix == ".json" else ""
        result.not_recognised.append((path, reason or "not a GIS file GDAL can open"))
        return
    for layer_name, described in layers:
        layer = layer_name if container else None
        try:
            info = described or pyogrio.read_info(path, layer=layer)
            sample = pyogrio.read_dataframe(path, layer=layer, max_features=SAMPLE)
        except Exception as error:  # noqa: BLE001 - an unreadable layer is reported, not fatal
            result.not_recognised.append((path, f"layer {layer_name}: cannot be read ({error})"))
            continue
        geometry = _geometry_kind(sample)
        columns = tuple(str(c) for c in info["fields"])
        crs = str(info["crs"]) if info["crs"] else None
        base: dict[str, Any] = {
            "path": path,
            "layer": layer,
            "columns": columns,
            "features": int(info["features"]),
            "crs": crs,
        }
        if geometry is None:
            result.not_recognised.append((path, f"layer {layer_name}: no point or polygon geometry"))
        elif geometry == "polygons":
            result.found.append(_polygons(base, sample))
        else:
            kind: Kind = "adressen" if _is_addresses(columns) else "punten"
            result.found.append(FoundFile(kind=kind, **base))


def _geometry_kind(sample: pd.DataFrame) -> str | None:
    """Points when every feature is a point; polygons when most are (a simplified kaart holds a few leftovers)."""
    types = sample.geometry.dropna().geom_type if "geometry" in sample else pd.Series(dtype=str)
    if len(types) == 0:
        return None
    if types.isin(["Point", "MultiPoint"]).all():
        return "points"
    if types.isin(["Polygon", "MultiPolygon"]).mean() > 0.5:
        return "polygons"
    return None


def _is_addresses(columns: tuple[str, ...]) -> bool:
    """BAG addresses: a postcode and a house number, and (nearly) nothing but address fields."""
    lowered = [c.lower() for c in columns]
    return {"postcode", "huisnummer"} <= set(lowered) and sum(c in ADDRESS_FIELDS for c in lowered) >= 0.6 * len(
        lowered
    )


def _polygons(base: dict[str, Any], sample: pd.DataFrame) -> FoundFile:
    """Recognise a kaart layer by its codes (buurt, then wijk, then gemeente), PC4 by four-digit codes."""
    by_lower = {str(c).lower(): str(c) for c in sample.columns}
    for niveau in ("buurt", "wijk", "gemeente"):
        column = next((by_lower[c.lower()] for c in CBS_AREA_COLUMNS[f"{niveau}code"] if c.lower() in by_lower), None)
        if column is not None and _holds_codes(sample[column], CODE[niveau]):
            naming: Naming = "ouder" if column == AREA_COLUMNS[f"{niveau}code"][0] else "nieuwer"
            return FoundFile(kind="kaart", niveau=niveau, naming=naming, code_column=column, **base)
    for column in sample.columns:
        name = str(column).lower()
        if ("pc4" in name or "postcode" in name) and _holds_codes(sample[column], re.compile(r"^\d{4}$")):
            return FoundFile(kind="pc4", code_column=str(column), **base)
    return FoundFile(kind="vlakken", **base)


def _holds_codes(values: pd.Series, pattern: re.Pattern[str]) -> bool:
    text = values.dropna().astype(str).str.strip().str.upper()
    return len(text) > 0 and bool(text.str.match(pattern).mean() > 0.5)


def _recognise_table(path: Path, result: Recognised) -> None:
    try:
        head = path.read_bytes()[:20_000].decode("utf-8-sig", errors="replace")
        dialect = csv.Sniffer().sniff(head.splitlines()[0], delimiters=",;\t|")
        frame = pd.read_csv(path, sep=dialect.delimiter, dtype=str, nrows=5000, encoding_errors="replace")
    except Exception as error:  # noqa: BLE001 - an unreadable table is reported, not fatal
        result.not_recognised.append((path, f"a CSV that cannot be read ({str(error).strip().splitlines()[0]})"))
        return
    for niveau in ("buurt", "wijk"):
        for column in frame.columns:
            values = frame[column].dropna().astype(str).str.strip().str.upper()
            if values.str.match(CODE[niveau]).any():
                with path.open("rb") as lines:
                    rows = sum(1 for _ in lines) - 1
                result.found.append(
                    FoundFile(
                        path=path,
                        layer=None,
                        kind="tabel",
                        columns=tuple(str(c) for c in frame.columns),
                        features=rows,
                        niveau=niveau,
                        code_column=str(column),
                        year=_year_of(frame),
                        separator=dialect.delimiter,
                    )
                )
                return
    result.not_recognised.append((path, "a table without buurt or wijk codes (BU........, WK......)"))


def _year_of(frame: pd.DataFrame) -> int | None:
    """Return the year of a table's figures from a CBS ``Perioden`` column (``2020JJ00``) or a ``jaar`` column."""
    for column in frame.columns:
        if str(column).strip().lower() in ("perioden", "jaar", "peiljaar"):
            years = frame[column].dropna().astype(str).str.strip().str.extract(PERIOD)[0].dropna().unique()
            if len(years) == 1:
                return int(years[0])
    return None
