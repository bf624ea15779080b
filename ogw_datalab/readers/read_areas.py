"""Read the CBS wijk- en buurtkaart from many files (one per region) as one set, each area once.

Region files overlap: each is clipped to its region, so it also holds slivers of the
neighbouring regions' buurten, and a border gemeente can be listed by two regions. The rules,
applied in this order (and counted, with examples, in :class:`AreaReport`):

1. **Slivers**: a feature is kept only from a file whose gemeente layer (``gemeente.geojson``
   beside the file, or the layer ``gemeenten`` in the same GeoPackage) lists its gemeente.
2. **Geometry**: invalid polygons are repaired (``make_valid``) and reduced to their polygon
   parts; a feature without any polygon area (a Point or LineString left by simplification)
   is not an area.
3. **One feature per code**: a code found in several files keeps its largest polygon (area in
   EPSG:28992); a code with no polygon in any file is dropped.
4. **Sentinels**: CBS figures of ``-99995`` or lower (``-99999999`` = secret or unreliable)
   become missing values, never numbers.
5. **Complete gemeenten**: a gemeente is complete when its kept areas hold at least 95 % of the
   inhabitants its gemeente layer gives (CBS rounds buurt figures to 5, so they never add up
   exactly); others (a gemeente seen only as a sliver) are reported and cannot be built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from .source_files import (
    CONTAINER_SUFFIXES,
    SourceFilesError,
    file_labels,
    files_fingerprint,
    read_once,
    read_one_file,
    region_of,
    source_files,
)

# Our name -> the column in the older (2015) and newer (2019+) kaart.
AREA_COLUMNS = {
    "buurtcode": ("BU_CODE", "buurtcode"),
    "wijkcode": ("WK_CODE", "wijkcode"),
    "gemeentecode": ("GM_CODE", "gemeentecode"),
    "gemeentenaam": ("GM_NAAM", "gemeentenaam"),
    "aantal_inwoners": ("AANT_INW", "aantal_inwoners"),
}
GEMEENTE_LAYERS = ("gemeente", "gemeenten")
SENTINEL_MAX = -99995  # CBS: -99999999, -99997, -99995 mean secret, unreliable or not applicable
COMPLETE_SHARE = 0.95
EXAMPLES = 5


@dataclass(frozen=True)
class AreaReport:
    """What merging the files kept and dropped, with a few examples of each."""

    level: str
    files: int
    features: int
    kept: int
    slivers: int = 0
    sliver_examples: tuple[str, ...] = ()
    without_polygon: int = 0
    without_polygon_examples: tuple[str, ...] = ()
    no_polygon_anywhere: tuple[str, ...] = ()
    duplicates: int = 0
    duplicate_examples: tuple[str, ...] = ()
    duplicates_with_other_figures: int = 0
    repaired: int = 0
    sentinels: dict[str, int] = field(default_factory=dict)
    incomplete_gemeenten: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain values, for asset metadata and logs."""
        return {
            "niveau": self.level,
            "bestanden": self.files,
            "features": self.features,
            "behouden": self.kept,
            "snippers_van_buurregio": self.slivers,
            "snippers_voorbeelden": list(self.sliver_examples),
            "zonder_vlak": self.without_polygon,
            "zonder_vlak_voorbeelden": list(self.without_polygon_examples),
            "nergens_een_vlak": list(self.no_polygon_anywhere),
            "dubbele_codes": self.duplicates,
            "dubbele_voorbeelden": list(self.duplicate_examples),
            "dubbel_met_andere_cijfers": self.duplicates_with_other_figures,
            "gerepareerd": self.repaired,
            "geheime_waarden": dict(self.sentinels),
            "onvolledige_gemeenten": list(self.incomplete_gemeenten),
        }

    def summary(self) -> str:
        """One paragraph in plain words."""
        return (
            f"{self.files} files, {self.features} features: kept {self.kept} {self.level}; "
            f"dropped {self.slivers} slivers of gemeenten the file's region does not list, "
            f"{self.duplicates} second copies of a code (the largest polygon kept), "
            f"{self.without_polygon} features without polygon area "
            f"({len(self.no_polygon_anywhere)} codes with no polygon in any file: "
            f"{', '.join(self.no_polygon_anywhere) or 'none'}); repaired {self.repaired} invalid polygons; "
            f"{sum(self.sentinels.values())} CBS secret values made empty; "
            f"incomplete gemeenten: {', '.join(self.incomplete_gemeenten) or 'none'}"
        )


@dataclass(frozen=True)
class MergedAreas:
    """Every area once, from one or many files, with the gemeenten they make up.

    Attributes
    ----------
    level
        ``buurten`` or ``wijken``.
    frame
        The files' own columns (codes trimmed and upper-cased, sentinels missing), plus
        ``bronbestand``, ``bestandsrij`` and ``bronregio`` (file, its 1-based row and its region);
        polygonal geometry in EPSG:28992.
    gemeenten
        One row per gemeente: ``gemeentecode``, ``gemeentenaam``, ``regio``, ``aantal`` (areas
        kept), ``inwoners`` (their sum), ``inwoners_gemeente`` (the gemeente layer's figure, when
        known) and ``volledig``.
    report
        What was dropped, and why.
    secret
        Per area (rows as in ``frame``) and numeric column: whether the file held a CBS secret there (now missing).
    """

    level: str
    code_column: str
    gemeente_column: str
    frame: gpd.GeoDataFrame
    gemeenten: pd.DataFrame
    report: AreaReport
    secret: pd.DataFrame

    def sentinels_of(self, codes: list[str] | tuple[str, ...]) -> dict[str, int]:
        """Return how many CBS secrets each column held in the areas of these gemeenten (the columns with any)."""
        wanted = {c.strip().upper() for c in codes}
        counts = self.secret.loc[self.frame[self.gemeente_column].isin(wanted).to_numpy()].sum()
        return {str(column): int(n) for column, n in counts.items() if n}

    @property
    def regions(self) -> list[str]:
        """The region names (each file's folder), sorted."""
        return sorted(self.gemeenten["regio"].dropna().unique())

    def of_gemeenten(self, codes: list[str] | tuple[str, ...]) -> gpd.GeoDataFrame:
        """Return a copy of the areas of these gemeenten, in file order."""
        wanted = {c.strip().upper() for c in codes}
        return self.frame.loc[self.frame[self.gemeente_column].isin(wanted)].reset_index(drop=True).copy()


def read_cbs_areas(path: Path, *, layer: str | None = None, crs: str | None = None, where: str = "") -> MergedAreas:
    """Read a CBS buurt or wijk layer from one file, a folder or a glob pattern, each area once.

    The files are read once per process (while they stay unchanged); each call gets the
    same immutable result, and :meth:`MergedAreas.of_gemeenten` hands out copies.

    Parameters
    ----------
    path
        A file, a folder (with ``layer``: the files named ``<layer>.*``) or a glob pattern.
    layer
        Layer in a GeoPackage, or the file name without suffix in a folder.
    crs
        CRS of files that declare none.
    where
        The source's name, for messages.
    """
    where = where or str(path)
    files = source_files(path, layer, where) if not path.is_file() else [path]
    beside = files_fingerprint([f for f in map(gemeente_layer_beside, files) if f is not None])
    return _read_cached(files_fingerprint(files), beside, layer, crs, where=where)


def gemeente_layer_beside(file: Path) -> Path | None:
    """Return the file beside a kaart file that lists its region's gemeenten (``gemeente.geojson``), if any.

    A GeoPackage holds that list itself (the layer ``gemeenten``); None then, and when there is none.
    """
    if file.suffix.lower() in CONTAINER_SUFFIXES:
        return None
    siblings = [file.with_name(n + file.suffix) for n in GEMEENTE_LAYERS]
    return next((s for s in siblings if s.is_file() and s != file), None)


@read_once(maxsize=8)
def _read_cached(
    fingerprint: tuple[tuple[str, int, int], ...],
    beside: tuple[tuple[str, int, int], ...],  # the gemeente layers beside the files: a changed one is read again
    layer: str | None,
    crs: str | None,
    where: str,
) -> MergedAreas:
    files = [Path(name) for name, _, _ in fingerprint]
    labels = file_labels(files)
    frames, lists = [], []
    for index, (file, label) in enumerate(zip(files, labels, strict=True)):
        frame = read_one_file(file, layer=layer, crs=crs, label=label, where=f"{where} ({file})")
        frame["bronregio"] = region_of(file)
        frame["__file"] = index
        frames.append(frame)
        listed = _gemeente_list(file, layer, crs, where)
        if listed is None and len(files) > 1:
            raise SourceFilesError(
                f"{where} ({file}): no gemeente layer beside this file; with several files each needs one "
                "(gemeente.geojson beside it, or the layer 'gemeenten' in the GeoPackage) to tell the region's "
                "own areas from slivers of its neighbours"
            )
        if listed is not None:
            lists.append(listed.assign(__file=index, regio=region_of(file)))
    merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=frames[0].crs)
    return _merge(merged, pd.concat(lists, ignore_index=True) if lists else None, len(files), where)


def _gemeente_list(file: Path, layer: str | None, crs: str | None, where: str) -> pd.DataFrame | None:
    """Code, name, inhabitants and polygon area of the gemeenten the file's region lists (None: no such layer)."""
    list_file: Path | None
    list_layer: str | None = None
    if file.suffix.lower() in CONTAINER_SUFFIXES:
        layers = {str(name) for name, _ in pyogrio.list_layers(file)}
        list_layer = next((n for n in GEMEENTE_LAYERS if n in layers and n != layer), None)
        list_file = file if list_layer else None
    else:
        list_file = gemeente_layer_beside(file)
    if list_file is None:
        return None
    at = f"{where} ({list_file})"
    frame = read_one_file(list_file, layer=list_layer, crs=crs, label=list_file.name, where=at)
    columns = _columns(frame, ("gemeentecode", "gemeentenaam", "aantal_inwoners"), at)
    listed = pd.DataFrame(
        {
            "gemeentecode": _codes(frame[columns["gemeentecode"]]),
            "gemeentenaam": frame[columns["gemeentenaam"]].astype("string").str.strip(),
            "inwoners_gemeente": _numbers(frame[columns["aantal_inwoners"]]),
            "oppervlak_m2": frame.geometry.area.to_numpy(),
        }
    )
    return listed


def _columns(frame: pd.DataFrame, ours: tuple[str, ...], where: str) -> dict[str, str]:
    by_lower = {str(c).lower(): str(c) for c in frame.columns}
    found = {}
    for name in ours:
        column = next((by_lower[c.lower()] for c in AREA_COLUMNS[name] if c.lower() in by_lower), None)
        if column is None:
            raise SourceFilesError(f"{where}: no column for '{name}' (looked for {list(AREA_COLUMNS[name])})")
        found[name] = column
    return found


def _codes(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.upper()


def _numbers(values: pd.Series) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    return numbers.where(numbers > SENTINEL_MAX)


def _merge(merged: gpd.GeoDataFrame, listed: pd.DataFrame | None, n_files: int, where: str) -> MergedAreas:
    by_lower = {str(c).lower() for c in merged.columns}
    level = "buurten" if any(c.lower() in by_lower for c in AREA_COLUMNS["buurtcode"]) else "wijken"
    key_name = "buurtcode" if level == "buurten" else "wijkcode"
    columns = _columns(merged, (key_name, "gemeentecode", "gemeentenaam", "aantal_inwoners"), where)
    code, gemeente = columns[key_name], columns["gemeentecode"]
    merged[code] = _codes(merged[code])
    merged[gemeente] = _codes(merged[gemeente])
    features = len(merged)

    # 1. Slivers: only areas of gemeenten the file's own region lists.
    if listed is not None:
        own = pd.MultiIndex.from_frame(listed[["__file", "gemeentecode"]].astype({"gemeentecode": object}))
        here = pd.MultiIndex.from_arrays([merged["__file"], merged[gemeente].astype(object)])
        is_own = here.isin(own)
    else:
        is_own = np.ones(len(merged), dtype=bool)
    slivers = merged.loc[~is_own]
    merged = merged.loc[is_own].reset_index(drop=True)

    # 2. Geometry: repaired, polygon parts only.
    invalid = ~shapely.is_valid(merged.geometry.to_numpy())
    merged["__type"] = merged.geometry.geom_type.to_numpy()
    polygons = _polygon_parts(merged.geometry.to_numpy(), invalid)
    merged = merged.set_geometry(gpd.GeoSeries(polygons, crs=merged.crs, index=merged.index))
    merged["__area"] = shapely.area(polygons)
    no_area = merged["__area"].to_numpy() <= 0

    # 3. One feature per code: the largest polygon.
    ordered = merged.sort_values(["__area", "__file"], ascending=[False, True], kind="stable")
    first = ~ordered[code].duplicated(keep="first")
    kept = ordered.loc[first & (ordered["__area"] > 0)].sort_values(["__file", "bestandsrij"])
    copies = ordered.loc[~first]
    internal = ("geometry", "bronbestand", "bestandsrij", "bronregio", "__file", "__area", "__type")
    figures = [c for c in merged.columns if c not in internal]
    doubles = ordered.loc[ordered[code].duplicated(keep=False)]
    differing = int((doubles.groupby(code)[figures].nunique(dropna=False) > 1).any(axis=1).sum())
    lost = sorted(set(merged.loc[no_area, code]) - set(kept[code]))

    # 4. Sentinels: missing values.
    kept = kept.drop(columns=["__area", "__type"]).reset_index(drop=True)
    sentinels, secrets = {}, {}
    for column in kept.columns:
        if column not in ("bestandsrij", "__file") and pd.api.types.is_numeric_dtype(kept[column]):
            secret = kept[column] <= SENTINEL_MAX
            if secret.any():
                sentinels[str(column)] = int(secret.sum())
                secrets[column] = secret.to_numpy()
                kept[column] = kept[column].astype(float).where(~secret)

    without_polygon = merged.loc[no_area]
    gemeenten = _gemeenten(kept, listed, columns)
    report = AreaReport(
        level=level,
        files=n_files,
        features=features,
        kept=len(kept),
        slivers=len(slivers),
        sliver_examples=_examples(slivers, code),
        without_polygon=len(without_polygon),
        without_polygon_examples=_examples(without_polygon, code, with_type=True),
        no_polygon_anywhere=tuple(lost),
        duplicates=int((~first).sum()),
        duplicate_examples=_examples(copies, code),
        duplicates_with_other_figures=differing,
        repaired=int(invalid.sum()),
        sentinels=sentinels,
        incomplete_gemeenten=tuple(gemeenten.loc[~gemeenten["volledig"], "gemeentecode"]),
    )
    frame = gpd.GeoDataFrame(kept.drop(columns=["__file"]), geometry="geometry", crs=merged.crs)
    return MergedAreas(level, code, gemeente, frame, gemeenten, report, pd.DataFrame(secrets, index=kept.index))


def _polygon_parts(geometries: np.ndarray, invalid: np.ndarray) -> np.ndarray:
    """Each geometry as a (Multi)Polygon: invalid ones repaired, lines and points dropped (empty result)."""
    result = geometries.copy()
    if invalid.any():
        result[invalid] = shapely.make_valid(geometries[invalid])
    polygonal = np.isin(shapely.get_type_id(result), [3, 6])  # Polygon, MultiPolygon
    for i in np.flatnonzero(~polygonal):
        parts = shapely.get_parts(result[i]) if result[i] is not None else np.array([])
        parts = parts[np.isin(shapely.get_type_id(parts), [3, 6])] if len(parts) else parts
        result[i] = shapely.multipolygons(shapely.get_parts(parts)) if len(parts) else shapely.Polygon()
    return result


def _examples(rows: pd.DataFrame, code: str, with_type: bool = False) -> tuple[str, ...]:
    out = []
    for _, row in rows.head(EXAMPLES).iterrows():
        kind = f", {row['__type']}" if with_type and "__type" in row else ""
        out.append(f"{row[code]} ({row['bronbestand']}{kind})")
    return tuple(out)


def _gemeenten(kept: pd.DataFrame, listed: pd.DataFrame | None, columns: dict[str, str]) -> pd.DataFrame:
    gemeente, naam, inwoners = columns["gemeentecode"], columns["gemeentenaam"], columns["aantal_inwoners"]
    numbers = kept.assign(__inwoners=pd.to_numeric(kept[inwoners], errors="coerce"))
    areas = numbers.groupby(gemeente, sort=True).agg(
        aantal=(gemeente, "size"),
        inwoners=("__inwoners", lambda v: v.sum(min_count=1)),
        naam_uit_gebieden=(naam, "first"),
    )
    # Without a gemeente layer, the region holding most of its areas.
    most = numbers.groupby([gemeente, "bronregio"]).size().rename("n").reset_index()
    most = most.sort_values("n", ascending=False, kind="stable").drop_duplicates(gemeente).set_index(gemeente)
    areas["regio_uit_gebieden"] = most["bronregio"].reindex(areas.index)
    if listed is not None and len(listed):
        # A gemeente listed by two regions belongs to the one holding (most of) its polygon.
        home = listed.sort_values("oppervlak_m2", ascending=False).drop_duplicates("gemeentecode")
        table = home.set_index("gemeentecode")[["gemeentenaam", "regio", "inwoners_gemeente"]].join(areas, how="outer")
    else:
        table = areas.assign(gemeentenaam=None, regio=None, inwoners_gemeente=np.nan)
    table["gemeentenaam"] = table["gemeentenaam"].fillna(table["naam_uit_gebieden"])
    table["regio"] = table["regio"].fillna(table["regio_uit_gebieden"])
    table["aantal"] = table["aantal"].fillna(0).astype(int)
    known = table["inwoners_gemeente"].notna() & (table["inwoners_gemeente"] > 0)
    enough = table["inwoners"].fillna(0) >= COMPLETE_SHARE * table["inwoners_gemeente"]
    table["volledig"] = (table["aantal"] > 0) & (~known | enough)
    table.index.name = "gemeentecode"
    return table.reset_index()[
        ["gemeentecode", "gemeentenaam", "regio", "aantal", "inwoners", "inwoners_gemeente", "volledig"]
    ]
