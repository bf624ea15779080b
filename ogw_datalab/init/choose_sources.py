"""Which recognised files make up one gemeente's configuration, and which are left out and why.

A file is taken when it covers the gemeente: a kaart layer that holds its codes, a point layer with points inside
its outline (the union of its buurten), BAG addresses that hold (nearly) all its homes, a table with rows for its
areas of the same gebiedsindeling. Files of the same content in several folders (a region's file and its
neighbour's, a national and a regional copy) become one source: a glob pattern that the readers merge, each area
or point once (``ogw_datalab.readers.read_areas``, ``ogw_datalab.readers.source_files``).
"""

from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from ..indicators.similar_buurten import FEATURES
from ..readers.read_areas import MergedAreas, read_cbs_areas
from ..staging.stage_areas import CBS_AREA_COLUMNS
from .find_gemeente import InitError, gemeenten_in
from .recognise_files import FoundFile, Naming, Recognised

RD_NEW = "EPSG:28992"
# CBS renamed the kaart's columns (BU_CODE -> buurtcode, AANT_INW -> aantal_inwoners): files of a year before this use
# the older names. (The shared 2015 files use the older names, the 2021 and 2024 files the newer ones.)
NEWER_NAMING_FROM = 2019
# The kerncijfers of the kaart that the first catalogue publishes per buurt: our name -> (older, newer) column.
KERNCIJFERS: dict[str, tuple[str, ...]] = {
    "aandeel_0_14": FEATURES["aandeel_0_14"].columns,
    "aandeel_15_24": FEATURES["aandeel_15_24"].columns,
    "aandeel_65plus": FEATURES["aandeel_65plus"].columns,
    "eenpersoonshuishoudens": FEATURES["aandeel_eenpersoonshuishoudens"].columns,
    "huishoudens_met_kinderen": FEATURES["aandeel_huishoudens_met_kinderen"].columns,
    "huishoudensgrootte": FEATURES["huishoudensgrootte"].columns,
    "bevolkingsdichtheid": FEATURES["bevolkingsdichtheid"].columns,
    "autos_per_huishouden": ("AUTO_HH", "personenautos_per_huishouden"),
}
MIN_ADDRESS_SHARE = 0.5  # addresses inside the gemeente / its households: below this, a sample, not its homes
NAME_WORDS = ("naam",)
NOT_NAME_WORDS = ("gemeente", "straat", "plaats", "concern", "correspondentie", "gebied", "provincie", "regio")


@dataclass(frozen=True)
class ChosenLayer:
    """A point layer of the gemeente: its file or pattern, its name column, and how many points lie inside."""

    name: str
    pad: Path
    laag: str | None
    naam_kolom: str | None
    inside: int
    files: int
    source_name: str


@dataclass(frozen=True)
class ChosenAddresses:
    """The BAG addresses of the gemeente."""

    pad: Path
    laag: str | None
    kolommen: dict[str, str]
    inside: int


@dataclass
class Selection:
    """What one gemeente's configuration is made of, and the sentences ``init`` prints about it."""

    code: str
    naam: str
    jaar: int
    naming: Naming
    buurten: Path
    buurten_laag: str | None
    wijken: Path
    wijken_laag: str | None
    buurten_count: int
    inwoners: float
    huishoudens: float
    kerncijfers: dict[str, str] = field(default_factory=dict)
    layers: list[ChosenLayer] = field(default_factory=list)
    adressen: ChosenAddresses | None = None
    partners: list = field(default_factory=list)  # choose_partners.ChosenPartner
    found: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    cannot_build: str | None = None
    missing_wijken: list[str] = field(default_factory=list)
    buurt_code_column: str = "BU_CODE"
    reference: Path | None = None
    addresses_downloaded: bool = False  # download mode: BAG addresses come from 'fetch', not from a local file
    green_layer: str | None = None  # download mode: the BGT begroeid terreindeel layer (polygons)

    @property
    def has_addresses(self) -> bool:
        """Whether the configuration has BAG addresses (a local file, or a download)."""
        return self.adressen is not None or self.addresses_downloaded

    @property
    def cannot_build_nl(self) -> str:
        """Why the configuration cannot be built, in Dutch, for the comment at the top of the file."""
        return (
            f"De wijklaag mist wijk {', '.join(self.missing_wijken)}, waar buurten van {self.naam} bij horen; een "
            "bouw vraagt elke wijk van de buurten. Voeg die wijk toe aan het wijkbestand, of kies een wijkbestand "
            "dat haar heeft."
        )


def expected_naming(jaar: int) -> Naming:
    """Return the kaart's column names CBS used in ``jaar``."""
    return "nieuwer" if jaar >= NEWER_NAMING_FROM else "ouder"


def other_years(path: Path, folder: Path, jaar: int) -> set[int]:
    """Return the years that a file's name and its folders below ``folder`` give, unless one of them is ``jaar``.

    ``cbs_wijkbuurtkaart_2015_nl/twente/buurt.geojson`` asked for 2016: {2015}. The kaart's columns give its year only
    as a range (:func:`expected_naming`); a kaart whose name gives another year is not taken for ``jaar``.
    """
    try:
        below = path.resolve().relative_to(folder.resolve())
    except ValueError:
        below = Path(path.name)
    named = {int(year) for year in re.findall(r"(?<!\d)(?:19[89]\d|20\d\d)(?!\d)", below.as_posix())}
    return set() if jaar in named else named


def of_year(files: list[FoundFile], folder: Path, jaar: int) -> list[FoundFile]:
    """Return the kaart layers that can be those of ``jaar``: its column names, and no other year in their names."""
    naming = expected_naming(jaar)
    return [f for f in files if f.naming == naming and not other_years(f.path, folder, jaar)]


def points_text(count: int) -> str:
    """'1 point', '2 points'."""
    return f"{count} point" + ("" if count == 1 else "s")


def _other_year_hint(years: set[int], jaar: int) -> str:
    """Say what to do when only another year's kaart holds the gemeente: that year, or the sources of ``jaar``."""
    other = f"init with --jaar {' or '.join(map(str, sorted(years)))} for those files, or " if years else ""
    return f". Run {other}init without --bronnen for download blocks of the national sources of {jaar}"


def one_source(files: list[FoundFile], alike: list[FoundFile]) -> Path | None:
    """One file, or a glob pattern that names exactly files of the same content (``alike``); None if none fits."""
    if len(files) == 1:
        return files[0].path
    names = {f.path.name for f in files}
    if len(names) != 1:
        return None
    common = Path(os.path.commonpath([f.path.parent for f in files]))
    pattern = common / "**" / names.pop()
    matched = {Path(p).resolve() for p in glob.glob(str(pattern), recursive=True)}
    return pattern if matched <= {f.path.resolve() for f in alike} else None


def choose_areas(recognised: Recognised, code: str, naam: str, jaar: int) -> Selection:
    """Choose the buurt and wijk layers of gemeente ``code`` for ``jaar``.

    Raises
    ------
    InitError
        When no buurt layer of the year's column names holds it completely.
    """
    naming = expected_naming(jaar)
    all_buurten = recognised.of_kind("kaart", "buurt")
    holding = [f for f in all_buurten if code in set(gemeenten_in(f)["gemeentecode"])]
    right = of_year(holding, recognised.folder, jaar)
    other = {f.path: other_years(f.path, recognised.folder, jaar) for f in holding}
    left_out = [
        f"{f.label}: CBS buurt layer with the {f.naming} column names (not those of {jaar}): another year's "
        "buurten, never mixed with this year's"
        for f in holding
        if f.naming != naming
    ] + [
        f"{f.label}: its name says {' and '.join(map(str, sorted(other[f.path])))}, not {jaar} (the kaart's "
        "columns do not say its year): another year's buurten, never published as this year's"
        for f in holding
        if f.naming == naming and other[f.path]
    ]
    if not right:
        raise InitError(
            f"{code} ({naam}) is in no CBS buurt layer of {jaar} under {recognised.folder}"
            + (f"; only in {', '.join(f.label for f in holding)}" if holding else "")
            + _other_year_hint(set().union(*other.values()), jaar)
        )
    alike = [f for f in of_year(all_buurten, recognised.folder, jaar) if f.path.name == right[0].path.name]
    buurten = one_source(right, alike) or max(right, key=lambda f: f.features).path
    buurt_layer = right[0].layer
    areas = _read_areas(buurten, buurt_layer, "bronnen.buurten")
    table = areas.gemeenten.set_index("gemeentecode")
    if code not in table.index:
        raise InitError(f"{code} ({naam}) has no buurt with a polygon in {buurten}")
    row = table.loc[code]
    if not bool(row["volledig"]):
        raise InitError(
            f"{code} ({naam}) is not complete in {buurten}: its {row['aantal']} buurten there hold "
            f"{row['inwoners']:.0f} of its {row['inwoners_gemeente']:.0f} inhabitants"
        )
    frame = areas.of_gemeenten([code])
    wijken, wijk_layer, missing = _choose_wijken(recognised, right, jaar, code, frame, areas)
    everywhere = one_source(alike, alike) if len(alike) > 1 else None
    selection = Selection(
        code=code,
        naam=naam,
        jaar=jaar,
        naming=naming,
        buurten=buurten,
        buurten_laag=buurt_layer,
        wijken=wijken,
        wijken_laag=wijk_layer,
        buurten_count=len(frame),
        inwoners=float(_column(frame, "aantal_inwoners").sum()),
        huishoudens=float(_column(frame, "aantal_huishoudens").sum()),
        left_out=left_out,
        missing_wijken=missing,
        buurt_code_column=areas.code_column,
        reference=everywhere,
    )
    files = f"{len(right)} files" if len(right) > 1 else "1 file"
    selection.found.append(
        f"buurten: {len(frame)} buurten of {code} {naam} ({selection.inwoners:,.0f} inhabitants) in {buurten} "
        f"({files} holding its codes)"
    )
    selection.found.append(f"wijken: {wijken}")
    if missing:
        selection.cannot_build = (
            f"the wijk layer has no wijk {', '.join(missing)}, which buurten of {code} ({naam}) belong to: a build "
            "needs every wijk of the buurten (the CBS wijk file of this year lacks it)"
        )
    choose_kerncijfers(selection, frame)
    return selection


def read_kaart_codes(selection: Selection) -> dict[str, set[str]]:
    """Return the gemeente's buurtcodes and wijkcodes in the chosen kaart layers."""
    codes = {}
    levels = (("buurt", selection.buurten, selection.buurten_laag), ("wijk", selection.wijken, selection.wijken_laag))
    for level, path, layer in levels:
        areas = _read_areas(path, layer, f"bronnen.{level}en")
        codes[level] = set(areas.of_gemeenten([selection.code])[areas.code_column])
    return codes


def outline_of(selection: Selection) -> shapely.Geometry:
    """Return the gemeente's outline in EPSG:28992: the union of its buurten."""
    areas = _read_areas(selection.buurten, selection.buurten_laag, "bronnen.buurten")
    outline = shapely.union_all(areas.of_gemeenten([selection.code]).geometry.values)
    shapely.prepare(outline)
    return outline


def choose_layers(recognised: Recognised, selection: Selection, outline: shapely.Geometry) -> None:
    """Add every point layer with points inside the gemeente (same name and columns in several folders: once)."""
    groups: dict[tuple[str, tuple[str, ...]], list[FoundFile]] = {}
    for found in recognised.of_kind("punten"):
        key = (layer_name(found), tuple(c.lower() for c in found.columns))
        groups.setdefault(key, []).append(found)
    used: set[str] = set()
    for (name, _), files in sorted(groups.items()):
        counts = {f: _points_inside(f, outline) for f in files}
        inside = [f for f in files if counts[f]]
        if not inside:
            selection.left_out.append(f"{files[0].label}{_and_more(files)}: points, none inside {selection.naam}")
            continue
        pad = one_source(inside, files) or max(inside, key=lambda f: counts[f]).path
        unique = name if name not in used else f"{name}_{len(used)}"
        used.add(unique)
        layer = ChosenLayer(
            name=unique,
            pad=pad,
            laag=inside[0].layer,
            naam_kolom=name_column(inside[0]),
            inside=sum(counts[f] for f in inside),
            files=len(inside),
            source_name=inside[0].path.stem,
        )
        selection.layers.append(layer)
        selection.found.append(f"lagen.{unique}: {points_text(layer.inside)} inside {selection.naam} in {pad}")


def choose_addresses(recognised: Recognised, selection: Selection, outline: shapely.Geometry) -> None:
    """Take BAG addresses that hold (nearly) all the gemeente's homes; a sample of a few streets is left out."""
    best: tuple[int, FoundFile] | None = None
    for found in recognised.of_kind("adressen"):
        inside = _points_inside(found, outline)
        if inside and (best is None or inside > best[0]):
            best = (inside, found)
        elif not inside:
            selection.left_out.append(f"{found.label}: addresses, none inside {selection.naam}")
    if best is None:
        selection.left_out.append(
            f"distances to facilities: no BAG addresses of {selection.naam} under {recognised.folder}"
        )
        return
    inside, found = best
    if inside < MIN_ADDRESS_SHARE * selection.huishoudens:
        selection.left_out.append(
            f"{found.label}: {inside:,} addresses inside {selection.naam}, which has {selection.huishoudens:,.0f} "
            "households: a sample, not its homes (distances from a sample would mislead)"
        )
        return
    lowered = {c.lower(): c for c in found.columns}
    kolommen = {} if "identificatie" in lowered else {"identificatie": lowered.get("id", found.columns[0])}
    selection.adressen = ChosenAddresses(found.path, found.layer, kolommen, inside)
    selection.found.append(f"bronnen.adressen: {inside:,} addresses inside {selection.naam} in {found.label}")


def layer_name(found: FoundFile) -> str:
    """Name a layer in the configuration after its file or layer name: lower case, digits and _."""
    name = re.sub(r"[^a-z0-9]+", "_", (found.layer or found.path.stem).lower()).strip("_")
    return name if name and name[0].isalpha() else f"laag_{name}"


def _read_areas(path: Path, layer: str | None, where: str) -> MergedAreas:
    try:
        return read_cbs_areas(path, layer=layer, where=where)
    except ValueError as error:
        raise InitError(str(error)) from None


def _choose_wijken(
    recognised: Recognised,
    buurt_files: list[FoundFile],
    jaar: int,
    code: str,
    buurten: gpd.GeoDataFrame,
    areas: MergedAreas,
) -> tuple[Path, str | None, list[str]]:
    """Choose the wijk layers beside the chosen buurt layers (same folder or GeoPackage); list the wijken they lack."""
    all_wijken = of_year(recognised.of_kind("kaart", "wijk"), recognised.folder, jaar)
    folders = {f.path.parent for f in buurt_files}
    beside = [f for f in all_wijken if f.path.parent in folders and code in set(gemeenten_in(f)["gemeentecode"])]
    beside = beside or [f for f in all_wijken if f.path.parent in folders]
    if not beside:
        raise InitError(f"{code}: no CBS wijk layer beside its buurt layers ({', '.join(map(str, folders))})")
    alike = [f for f in all_wijken if f.path.name == beside[0].path.name]
    wijken = one_source(beside, alike) or beside[0].path
    wijk_areas = _read_areas(wijken, beside[0].layer, "bronnen.wijken")
    have = set(wijk_areas.of_gemeenten([code])[wijk_areas.code_column])
    wanted = set(_column(buurten, "wijkcode").dropna())
    return wijken, beside[0].layer, sorted(wanted - have)


def _column(frame: gpd.GeoDataFrame, ours: str):
    lowered = {str(c).lower(): c for c in frame.columns}
    column = next(lowered[c.lower()] for c in CBS_AREA_COLUMNS[ours] if c.lower() in lowered)
    return frame[column]


def choose_kerncijfers(selection: Selection, frame: gpd.GeoDataFrame) -> None:
    """Take the kerncijfers the kaart gives for at least one of the gemeente's buurten (CBS keeps some secret)."""
    lowered = {str(c).lower(): str(c) for c in frame.columns}
    for ours, candidates in KERNCIJFERS.items():
        column = next((lowered[c.lower()] for c in candidates if c.lower() in lowered), None)
        if column is None:
            continue
        values = frame[column].astype("float64")
        if values.notna().sum() == 0:
            selection.left_out.append(f"{ours} ({column}): CBS gives no value for any buurt of {selection.naam}")
            continue
        selection.kerncijfers[ours] = column
    if selection.kerncijfers:
        shown = ", ".join(selection.kerncijfers.values())
        selection.found.append(
            f"partners.cbs_kerncijfers: {len(selection.kerncijfers)} kerncijfers per buurt ({shown})"
        )


def _points_inside(found: FoundFile, outline: shapely.Geometry) -> int:
    try:
        frame = pyogrio.read_dataframe(found.path, layer=found.layer, columns=[])
    except Exception:  # noqa: BLE001 - unreadable here means unreadable in the build too: not taken
        return 0
    if frame.crs is None:
        return 0
    points = shapely.centroid(frame.geometry.to_crs(RD_NEW).dropna().to_numpy())
    points = points[~shapely.is_empty(points)]
    return int(shapely.contains_xy(outline, shapely.get_x(points), shapely.get_y(points)).sum())


def name_column(found: FoundFile) -> str | None:
    """Return the column that names each point (``LOC_NAAM``, ``Naam locatie``), if any."""
    for column in found.columns:
        lowered = column.lower().strip()
        if any(w in lowered for w in NAME_WORDS) and not any(w in lowered for w in NOT_NAME_WORDS):
            return column.strip()
    return None


def _and_more(files: list[FoundFile]) -> str:
    return f" and {len(files) - 1} more of the same content" if len(files) > 1 else ""
