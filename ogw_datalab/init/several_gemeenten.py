"""``init <regio>`` and ``init alle``: a configuration of several gemeenten (``gemeenten:``) over shared files.

All CBS buurt and wijk layers of the year's column names become one glob pattern each, merged as the national
configuration merges them (each area once, see docs/handleiding/meerdere-gemeenten.md); every point layer found in
several folders becomes one pattern; the kaart's kerncijfers a partner. Addresses and partner tables belong to one
gemeente: they are added per gemeente under ``per_gemeente``, by hand.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyogrio
import shapely

from ..config import DEFAULT_KENMERKEN
from ..readers.read_areas import read_cbs_areas
from .choose_sources import (
    KERNCIJFERS,
    ChosenLayer,
    Selection,
    expected_naming,
    layer_name,
    name_column,
    of_year,
    one_source,
)
from .find_gemeente import ALLE, InitError
from .recognise_files import FoundFile, Recognised
from .write_configuration import Files, output_folders, relative


def several_gemeenten_configuration(
    recognised: Recognised, gemeenten: str, jaar: int, files: Files
) -> tuple[dict[str, Any], Selection]:
    """Return the values of a :class:`~ogw_datalab.config.GemeentenConfig` for a region or ``alle``, and its selection.

    Raises
    ------
    InitError
        When the kaart layers of the year's column names cannot be named by one pattern each.
    """
    folder = files.config.parent
    naming = expected_naming(jaar)
    buurt_files = of_year(recognised.of_kind("kaart", "buurt"), recognised.folder, jaar)
    wijk_files = of_year(recognised.of_kind("kaart", "wijk"), recognised.folder, jaar)
    if not buurt_files or not wijk_files:
        raise InitError(
            f"no CBS buurt and wijk layers of {jaar} under {recognised.folder} (with its column names, and no "
            "other year in their names)"
        )
    (buurten, buurt_layer), (wijken, wijk_layer) = _pattern(buurt_files, "buurt"), _pattern(wijk_files, "wijk")
    areas = read_cbs_areas(buurten, layer=buurt_layer, where="bronnen.buurten")
    table = areas.gemeenten
    chosen = table[table["volledig"]] if gemeenten == ALLE else table[(table["regio"] == gemeenten) & table["volledig"]]
    if chosen.empty:
        raise InitError(f"region '{gemeenten}' holds no complete gemeente in {buurten}")
    selection = Selection(
        code="",
        naam=gemeenten,
        jaar=jaar,
        naming=naming,
        buurten=buurten,
        buurten_laag=buurt_layer,
        wijken=wijken,
        wijken_laag=wijk_layer,
        buurten_count=int(chosen["aantal"].sum()),
        inwoners=float(chosen["inwoners"].sum()),
        huishoudens=0.0,
        buurt_code_column=areas.code_column,
    )
    selection.found.append(
        f"gemeenten: {len(chosen)} complete gemeenten with {selection.buurten_count} buurten "
        f"({selection.inwoners:,.0f} inhabitants) in {buurten}"
    )
    incomplete = table[~table["volledig"]]
    if gemeenten == ALLE and not incomplete.empty:
        selection.left_out.append(
            f"{len(incomplete)} gemeenten seen only in part (e.g. {incomplete['gemeentecode'].iloc[0]}): not built"
        )
    columns = {c.lower(): c for c in buurt_files[0].columns}
    for ours, candidates in KERNCIJFERS.items():
        column = next((columns[c.lower()] for c in candidates if c.lower() in columns), None)
        if column is not None:
            selection.kerncijfers[ours] = column
    _shared_layers(recognised, selection, areas.of_gemeenten(list(chosen["gemeentecode"])))
    selection.left_out.append(
        "BAG addresses and partner tables: each belongs to one gemeente; add them under per_gemeente.<code>"
    )
    kaart = {"soort": "cbs_wijkbuurtkaart", "pad": relative(buurten, folder)} | (
        {"laag": buurt_layer} if buurt_layer else {}
    )
    wijk_kaart = {"soort": "cbs_wijkbuurtkaart", "pad": relative(wijken, folder)} | (
        {"laag": wijk_layer} if wijk_layer else {}
    )
    config: dict[str, Any] = {
        "gemeenten": gemeenten,
        "jaar": jaar,
        "bronnen": {"buurten": kaart, "wijken": wijk_kaart},
        "lagen": {
            layer.name: {"soort": "vector", "geometrie": "punten", "pad": relative(layer.pad, folder)}
            | ({"kolommen": {"naam": layer.naam_kolom}} if layer.naam_kolom else {})
            for layer in selection.layers
        },
        "partners": [
            {
                "naam": "cbs_kerncijfers",
                "uitgever": f"CBS, kerncijfers wijken en buurten {jaar} (bij de wijk- en buurtkaart)",
                "sleutel": "buurtcode",
                **kaart,
                "gebiedsindeling": jaar,
                "kolommen": {"buurtcode": areas.code_column, **selection.kerncijfers},
            }
        ],
        "indicatoren": "",
        "opgaven": "",
        "privacy": {"min_inwoners": 50, "min_noemer": 10, "min_respondenten": 30},
        "vergelijkbare_buurten": {"kenmerken": list(DEFAULT_KENMERKEN), "zelfde_gemeente": False},
        "uitvoer": output_folders(folder, files.stem, several=True),
    }
    return config, selection


def _pattern(files: list[FoundFile], level: str) -> tuple[Path, str | None]:
    """One file (with its layer) or one glob pattern for all the kaart layers of a level."""
    path = one_source(files, files)
    if path is None:
        raise InitError(
            f"the CBS {level} layers ({len(files)} files) cannot be named by one pattern (their file names differ)"
        )
    return path, files[0].layer


def _shared_layers(recognised: Recognised, selection: Selection, buurten: gpd.GeoDataFrame) -> None:
    """Take every point layer whose files cover at least half of the selected gemeenten (one pattern per layer)."""
    column = [c for c in buurten.columns if c in ("GM_CODE", "gemeentecode")][0]
    centres = buurten[[column, "geometry"]].dissolve(by=column).geometry.representative_point()
    wanted = max(1, math.ceil(len(centres) / 2))
    groups: dict[tuple[str, tuple[str, ...]], list[FoundFile]] = {}
    for found in recognised.of_kind("punten"):
        groups.setdefault((layer_name(found), tuple(c.lower() for c in found.columns)), []).append(found)
    used: set[str] = set()
    for (name, _), files in sorted(groups.items()):
        pad = one_source(files, files)
        if pad is None or name in used:
            selection.left_out.append(f"{files[0].label}: points whose files no single pattern names")
            continue
        covered = _gemeenten_covered(files, centres)
        if covered < wanted:
            selection.left_out.append(
                f"{files[0].label}{'' if len(files) == 1 else f' and {len(files) - 1} more'}: covers {covered} of "
                f"the {len(centres)} gemeenten; add it for those under per_gemeente.<code>.lagen"
            )
            continue
        used.add(name)
        selection.layers.append(
            ChosenLayer(
                name,
                pad,
                files[0].layer,
                name_column(files[0]),
                sum(f.features for f in files),
                len(files),
                files[0].path.stem,
            )
        )
        selection.found.append(f"lagen.{name}: {len(files)} files ({pad})")


def _gemeenten_covered(files: list[FoundFile], centres: gpd.GeoSeries) -> int:
    """How many gemeenten (their centres) lie inside the area the files cover (the convex hull of all their points).

    A layer of hospitals has no point in most gemeenten but covers them all (a count of 0 is a figure); a layer of
    one region's schools covers only that region.
    """
    points = []
    for found in files:
        frame = pyogrio.read_dataframe(found.path, layer=found.layer, columns=[])
        if frame.crs is not None:
            points.append(shapely.union_all(frame.to_crs(centres.crs).geometry.values))
    covered = shapely.convex_hull(shapely.union_all(points)) if points else None
    return 0 if covered is None else int(centres.within(covered).sum())
