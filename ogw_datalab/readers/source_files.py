"""One source, many files: a folder or a glob pattern as a source's ``pad``.

A region or the whole country often comes as one file per region (the CBS wijk- en buurtkaart
clipped per veiligheidsregio, facility points per region). A source whose ``pad`` is a folder
or holds a glob pattern (``*``, ``?``, ``[``; ``**`` spans folders) names all of them. Point
and polygon layers read this way are merged here; CBS area layers have their own rules
(:mod:`ogw_datalab.readers.read_areas`).
"""

from __future__ import annotations

import functools
import glob
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from .clean_values import empty_sentinels
from .locate import to_rd_new

T = TypeVar("T")

GLOB_CHARACTERS = ("*", "?", "[")
GIS_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".fgb", ".gml")
CONTAINER_SUFFIXES = (".gpkg",)  # files holding named layers; other formats are one layer per file


class SourceFilesError(ValueError):
    """A folder or pattern names no readable file, or its files do not fit together."""


def is_many_files(path: Path) -> bool:
    """Whether ``path`` names several files: an existing folder, or a glob pattern."""
    return path.is_dir() or any(character in str(path) for character in GLOB_CHARACTERS)


def source_files(path: Path, layer: str | None, where: str) -> list[Path]:
    """List the files a folder or glob pattern names, sorted.

    A folder needs ``laag``: its files are those (in any subfolder) whose name without suffix
    is the layer (``buurt.geojson`` for layer ``buurt``), and GeoPackages, which hold named layers.
    A pattern names exactly the files it matches (``**`` matches any number of folders).

    Raises
    ------
    SourceFilesError
        When nothing matches, naming the folder or pattern.
    """
    if path.is_dir():
        if layer is None:
            raise SourceFilesError(f"{where}: a folder as pad needs 'laag' (the file name without suffix)")
        files = [
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.suffix.lower() in GIS_SUFFIXES
            and (p.stem == layer or p.suffix.lower() in CONTAINER_SUFFIXES)
        ]
    else:
        files = [Path(p) for p in glob.glob(str(path), recursive=True) if Path(p).is_file()]
    if not files:
        raise SourceFilesError(f"{where}: no file matches {path}" + (f" with layer '{layer}'" if layer else ""))
    return sorted(files)


def file_layer(path: Path, layer: str | None) -> str | None:
    """Choose the layer to open in ``path``: the configured one in a GeoPackage; the only one elsewhere."""
    return layer if path.suffix.lower() in CONTAINER_SUFFIXES else None


def region_of(path: Path) -> str:
    """Name the region a file covers: its folder's name, without a ``cbs_wijkbuurtkaart_<jaar>_`` prefix.

    ``.../cbs_wijkbuurtkaart_2015_nl/utrecht/buurt.geojson`` is ``utrecht``;
    ``.../cbs_wijkbuurtkaart_2015_hollands_midden/buurt.geojson`` is ``hollands_midden``.
    A GeoPackage names its region by its own name.
    """
    name = path.stem if path.suffix.lower() in CONTAINER_SUFFIXES else path.parent.name
    parts = name.split("_")
    if len(parts) > 2 and parts[0] == "cbs" and parts[1] == "wijkbuurtkaart":
        parts = parts[2:]
        if parts and parts[0].isdigit():
            parts = parts[1:]
    return "_".join(parts) or name


def files_fingerprint(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Path, size and modification time of each file: a changed file is read again."""
    return tuple((str(f.resolve()), f.stat().st_size, f.stat().st_mtime_ns) for f in files)


def read_once(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Keep the last ``maxsize`` results of a reader per process, keyed by its arguments except ``where``.

    ``where`` (the caller's name for the source) only goes into messages, and a failed read is never kept, so
    every message names its own caller; keying on it made each caller read the same national files again.
    """

    def decorate(read: Callable[..., T]) -> Callable[..., T]:
        kept: OrderedDict[tuple, T] = OrderedDict()
        lock = threading.Lock()

        @functools.wraps(read)
        def cached(*key: object, where: str) -> T:
            with lock:
                if key in kept:
                    kept.move_to_end(key)
                    return kept[key]
            result = read(*key, where=where)
            with lock:
                kept[key] = result
                while len(kept) > maxsize:
                    kept.popitem(last=False)
            return result

        cached.cache_clear = kept.clear  # type: ignore[attr-defined]
        return cached

    return decorate


@dataclass(frozen=True)
class MergedLayer:
    """Point or polygon features of several files, exact copies across files kept once, CBS sentinels empty."""

    frame: gpd.GeoDataFrame
    files: int
    features: int
    copies_dropped: int
    sentinels: dict[str, int]  # CBS sentinel codes emptied, per column


def read_vector_files(path: Path, *, layer: str | None, crs: str | None, decimal: str, where: str) -> MergedLayer:
    """Read every file a folder or pattern names into one frame in EPSG:28992.

    Each row keeps its file (``bronbestand``, its path below the folder all files share, and
    ``bestandsrij``, its 1-based row in that file). A feature that appears, with the same
    geometry and the same attributes, in more than one file (regions whose files overlap)
    is kept once; copies within one file are the file's own and stay. CBS sentinel codes are
    emptied (numbers written as text with the ``decimal`` mark). Read once per process for the
    same files (later calls get a copy).
    """
    files = source_files(path, layer, where)
    merged = _read_vector_files_cached(files_fingerprint(files), layer, crs, decimal, where=where)
    return MergedLayer(
        merged.frame.copy(), merged.files, merged.features, merged.copies_dropped, dict(merged.sentinels)
    )


@read_once(maxsize=16)
def _read_vector_files_cached(
    fingerprint: tuple[tuple[str, int, int], ...], layer: str | None, crs: str | None, decimal: str, where: str
) -> MergedLayer:
    files = [Path(name) for name, _, _ in fingerprint]
    labels = file_labels(files)
    frames = [
        read_one_file(file, layer=layer, crs=crs, label=label, where=f"{where} ({file})")
        for file, label in zip(files, labels, strict=True)
    ]
    merged = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=frames[0].crs)
    attributes = [c for c in merged.columns if c not in ("geometry", "bronbestand", "bestandsrij")]
    key = pd.DataFrame({c: merged[c].astype("string").fillna("\x00") for c in attributes})
    key["__wkb"] = shapely.to_wkb(merged.geometry.to_numpy(), hex=True)
    key["__file"] = merged["bronbestand"].to_numpy()
    first_file = key.groupby([c for c in key.columns if c != "__file"], sort=False)["__file"].transform("first")
    # A copy in another file than the first file holding this feature is the same feature seen twice.
    copy = (key["__file"] != first_file).to_numpy()
    kept = gpd.GeoDataFrame(merged.loc[~copy].reset_index(drop=True), geometry="geometry", crs=merged.crs)
    sentinels = empty_sentinels(kept, decimal=decimal)
    return MergedLayer(kept, len(files), len(merged), int(copy.sum()), sentinels)


def file_labels(files: list[Path]) -> list[str]:
    """Each file's path relative to the folder all of them share (``utrecht/buurt.geojson``)."""
    if len(files) == 1:
        return [files[0].name]
    root = Path(os.path.commonpath([str(f.resolve().parent) for f in files]))
    return [f.resolve().relative_to(root).as_posix() for f in files]


def read_one_file(file: Path, *, layer: str | None, crs: str | None, label: str, where: str) -> gpd.GeoDataFrame:
    """One file of a many-file source, in EPSG:28992, with ``bronbestand`` (``label``) and ``bestandsrij``."""
    try:
        frame = pyogrio.read_dataframe(file, layer=file_layer(file, layer))
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise SourceFilesError(f"{where}: cannot read the file: {error}") from None
    if not isinstance(frame, gpd.GeoDataFrame):
        raise SourceFilesError(f"{where}: the file has no geometry column")
    frame.columns = [str(c).strip() if c != frame.geometry.name else c for c in frame.columns]
    for reserved in ("bronbestand", "bestandsrij", "bronrij"):
        if reserved in frame.columns:
            raise SourceFilesError(f"{where}: the file has a column '{reserved}', a name the pipeline reserves")
    frame = to_rd_new(frame, crs, where)
    frame.insert(0, "bestandsrij", range(1, len(frame) + 1))
    frame.insert(0, "bronbestand", label)
    return frame
