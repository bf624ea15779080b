"""Downloads that open right, per opgave and per indicator.

A CSV for Dutch Excel, a CSV for software, a GeoPackage for QGIS, a GeoJSON and a "lees mij" text that
explains every column.

Every file holds exactly the published values, rounded to the decimals the catalogue publishes. A
withheld value is an empty cell (never a word inside a numeric column), with its status and reason in
columns of their own.

- **Excel** (``.csv``): ``;`` between fields, a decimal comma, UTF-8 with a byte order mark (so that Excel
  reads é and ë right), readable headers with units.
- **Software** (``-data.csv``): ``,`` between fields, a decimal point, UTF-8, column ids as headers.
- **GeoPackage** (``.gpkg``): the same columns as the software CSV, numeric columns numeric, the full buurt
  outlines in the Dutch national grid (RD New, EPSG:28992).
- **GeoJSON** (``.geojson``): the same properties (numbers or null), outlines in WGS84 (EPSG:4326) as the
  GeoJSON standard (RFC 7946) requires.

The files are written straight into the site folder a build assembles (a fresh folder, published whole when it is
complete, :mod:`ogw_datalab.build_transaction`), so no file needs a temporary name of its own, and SQLite is not
asked to flush each GeoPackage to disk on its own (``OGR_SQLITE_SYNCHRONOUS=OFF`` while it is written; the other
files of the site are not flushed one by one either).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ..indicators.catalogue import Indicator
from ..indicators.opgaven import Opgave
from .dutch import is_missing
from .site_data import SiteData

FOLDER = "downloads"
STATUS_NO_DATA = "geen waarde"  # as the publication tables say it
SCORE_NO_VALUE = "minder dan de helft van het gewicht van de indicatoren heeft een waarde"


@dataclass(frozen=True)
class Column:
    """One column of a download.

    Its id (software CSV, GeoPackage, GeoJSON), its Excel header, its meaning, and how many decimals a
    number keeps (None for text).
    """

    id: str
    header: str
    meaning: str
    values: list
    decimals: int | None = None


@dataclass(frozen=True)
class Download:
    """A file offered on a page: the label of the link, the path relative to the site, and a short note."""

    label: str
    href: str
    note: str


@dataclass(frozen=True)
class DownloadShapes:
    """The buurt outlines for downloads, computed once per site.

    Full detail in EPSG:28992 for the GeoPackage, and GeoJSON geometry text in EPSG:4326 (6 decimals,
    about 10 cm) for the GeoJSON.
    """

    rd: gpd.GeoSeries
    geojson: list[str]


def download_shapes(data: SiteData) -> DownloadShapes:
    """Prepare the outlines of :attr:`SiteData.buurten` for every download."""
    rd = data.buurten.geometry
    wgs84 = rd.to_crs("EPSG:4326").to_numpy()
    rounded = shapely.transform(wgs84, lambda xy: np.round(xy, 6))
    return DownloadShapes(rd=rd, geojson=[str(g) for g in shapely.to_geojson(rounded)])


def opgave_columns(data: SiteData, opgave: Opgave) -> list[Column]:
    """List the columns of an opgave's downloads: the buurt, the score and each indicator with status and reason."""
    scores = data.scores_of(opgave.id)
    columns = _area_columns(data) + [
        Column(
            "score",
            "Score (0 tot 100; 100 = vraagt de meeste aandacht)",
            f"samengestelde score van de opgave {opgave.titel}: het gewogen gemiddelde van de percentielen van de "
            "indicatoren, 100 = vraagt de meeste aandacht",
            scores["score"].tolist(),
            1,
        ),
        Column(
            "score_rang", "Rang van de score (1 = de meeste aandacht)", "rang van de score", _ints(scores["rang"]), 0
        ),
        Column(
            "score_reden",
            "Score: reden zonder score",
            "waarom een buurt geen score heeft",
            [SCORE_NO_VALUE if is_missing(s) else "" for s in scores["score"]],
        ),
    ]
    for item in opgave.indicatoren:
        columns += _indicator_value_columns(data, data.catalogue.by_id(item.id), prefix=item.id)
    return columns


def indicator_columns(data: SiteData, indicator: Indicator) -> list[Column]:
    """List the columns of an indicator's downloads: value with status and reason, rank, comparisons, change."""
    rows = data.values_of(indicator.id)
    unit = indicator.eenheid
    gemeente = data.gemeente_values["waarde"].get(indicator.id) if indicator.id in data.gemeente_values.index else None
    columns = _area_columns(data) + _indicator_value_columns(data, indicator, prefix="waarde")
    columns += [
        Column("rang", "Rang (1 = vraagt de meeste aandacht)", "rang onder de buurten", _ints(rows["rang"]), 0),
        Column(
            "percentiel",
            "Percentiel (100 = vraagt de meeste aandacht)",
            "percentiel onder de buurten, 100 = vraagt de meeste aandacht",
            rows["percentiel"].tolist(),
            1,
        ),
        Column(
            "gemeente_waarde",
            f"Gemeente {data.gemeente.naam} ({unit})",
            "de waarde voor de hele gemeente",
            [gemeente] * len(rows),
            indicator.decimalen,
        ),
        Column(
            "nederland_waarde",
            f"Nederland ({unit})",
            "de waarde voor Nederland, waar de bron die geeft",
            [indicator.nederland] * len(rows),
            indicator.decimalen,
        ),
    ]
    if data.vorig_jaar is not None:
        columns += [
            Column("vorig_jaar", "Vorig jaar", "het eerdere jaar waarmee vergeleken is", _ints(rows["vorig_jaar"]), 0),
            Column(
                "vorige_waarde",
                f"Waarde in het vorige jaar ({unit})",
                "de waarde van het eerdere jaar, naar de buurten van nu omgerekend",
                rows["vorige_waarde"].tolist(),
                indicator.decimalen,
            ),
            Column(
                "verschil",
                f"Verandering sinds het vorige jaar ({unit})",
                "de waarde van nu min die van het eerdere jaar",
                rows["verschil"].tolist(),
                indicator.decimalen,
            ),
        ]
    return columns


def _area_columns(data: SiteData) -> list[Column]:
    buurten = data.buurten
    return [
        Column("buurtcode", "Buurtcode", "code van de buurt (CBS)", buurten.index.tolist()),
        Column("buurtnaam", "Buurt", "naam van de buurt", buurten["buurtnaam"].tolist()),
        Column("wijkcode", "Wijkcode", "code van de wijk (CBS)", _texts(buurten["wijkcode"])),
        Column("wijknaam", "Wijk", "naam van de wijk", _texts(buurten["wijknaam"])),
    ]


def _indicator_value_columns(data: SiteData, indicator: Indicator, *, prefix: str) -> list[Column]:
    rows = data.values_of(indicator.id)
    status = [
        STATUS_NO_DATA if pd.isna(s) or (s == "gepubliceerd" and is_missing(v)) else str(s)
        for s, v in zip(rows["status"], rows["waarde"], strict=True)
    ]
    title = indicator.titel if prefix != "waarde" else "Waarde"
    return [
        Column(
            prefix,
            f"{indicator.titel} ({indicator.eenheid})",
            f"{indicator.titel}, in {indicator.eenheid}; leeg als de waarde onderdrukt is of ontbreekt"
            + (f". Modelschatting: {indicator.modelschatting}" if indicator.modelschatting else ""),
            rows["waarde"].tolist(),
            indicator.decimalen,
        ),
        Column(
            f"{prefix}_status",
            f"{title}: status",
            "gepubliceerd; onderdrukt (te weinig mensen, woningen of rijen om te publiceren); of geen waarde (de "
            "bron geeft voor deze buurt niets)",
            status,
        ),
        Column(
            f"{prefix}_reden", f"{title}: reden", "waarom de waarde onderdrukt is of ontbreekt", _texts(rows["reden"])
        ),
    ]


def _ints(values: pd.Series) -> list:
    return [None if is_missing(v) else int(v) for v in values]


def _texts(values: pd.Series) -> list[str]:
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v) for v in values]


def write_download_set(
    folder: Path,
    *,
    name: str,
    title: str,
    columns: list[Column],
    shapes: DownloadShapes,
    sources: list[str],
    gemeente: str,
) -> list[Download]:
    """Write the five files of one download set into ``<folder>/downloads`` and return the links.

    Parameters
    ----------
    folder
        The site folder.
    name
        File name stem, e.g. ``opgave_meer_groen`` or ``indicator_inwoners``.
    title
        What the set holds, for the "lees mij" text.
    columns
        The columns, one value per buurt in the order of ``shapes``.
    shapes
        The buurt outlines.
    sources
        The sources of the values, for the "lees mij" text.
    gemeente
        The gemeente's name.
    """
    target = folder / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    stem = f"{FOLDER}/{name}"
    (target / f"{name}.csv").write_bytes(excel_csv(columns).encode("utf-8-sig"))
    _write_text(target / f"{name}-data.csv", machine_csv(columns))
    typed = [_typed(c) for c in columns]  # the values as numbers, for both map layers
    _write_geopackage(target / f"{name}.gpkg", name, columns, typed, shapes)
    _write_text(target / f"{name}.geojson", geojson_text(name, columns, typed, shapes))
    _write_text(target / f"{name}-leesmij.txt", readme_text(name, title, columns, sources, gemeente))
    return [
        Download("Tabel voor Excel", f"{stem}.csv", "CSV met puntkomma's en decimale komma's"),
        Download("Tabel voor software", f"{stem}-data.csv", "CSV met komma's en decimale punten"),
        Download("Kaartlaag voor QGIS", f"{stem}.gpkg", "GeoPackage, Rijksdriehoekstelsel"),
        Download("Kaartlaag als GeoJSON", f"{stem}.geojson", "voor webkaarten, WGS84"),
        Download("Lees mij", f"{stem}-leesmij.txt", "uitleg bij elke kolom"),
    ]


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:  # the text's own line ends (CRLF in the CSVs)
        out.write(text)


def _cells(column: Column, decimal: str) -> list[str]:
    return [_cell(v, column.decimals, decimal) for v in column.values]


def _cell(value: object, decimals: int | None, decimal: str) -> str:
    """Write a number with fixed decimals and no thousands separator (Excel would misread one)."""
    if decimals is None:
        return "" if value is None else str(value)
    if is_missing(value):
        return ""
    number = round(float(value), decimals)  # type: ignore[arg-type]
    return f"{number if number != 0 else 0.0:.{decimals}f}".replace(".", decimal)


def _csv_text(rows: list[list[str]], separator: str) -> str:
    def quote(cell: str) -> str:
        if any(c in cell for c in (separator, '"', "\n", "\r")):
            return '"' + cell.replace('"', '""') + '"'
        return cell

    return "".join(separator.join(quote(c) for c in row) + "\r\n" for row in rows)


def excel_csv(columns: list[Column]) -> str:
    """Write the table for Dutch Excel: ``;``-separated, decimal comma, readable headers (encode with a BOM)."""
    body = list(zip(*(_cells(c, ",") for c in columns), strict=True))
    return _csv_text([[c.header for c in columns], *[list(r) for r in body]], ";")


def machine_csv(columns: list[Column]) -> str:
    """Write the table for software: ``,``-separated, decimal point, column ids as headers."""
    body = list(zip(*(_cells(c, ".") for c in columns), strict=True))
    return _csv_text([[c.id for c in columns], *[list(r) for r in body]], ",")


def _typed(column: Column) -> pd.Series:
    if column.decimals is None:
        return pd.Series([v if v not in ("", None) else None for v in column.values], dtype=object)
    numbers = [np.nan if is_missing(v) else round(float(v), column.decimals) for v in column.values]
    if column.decimals == 0:
        return pd.Series(pd.array([None if n != n else int(n) for n in numbers], dtype="Int64"))
    return pd.Series(numbers, dtype="float64")


def _write_geopackage(
    path: Path, layer: str, columns: list[Column], typed: list[pd.Series], shapes: DownloadShapes
) -> None:
    frame = gpd.GeoDataFrame(
        {c.id: t.to_numpy() for c, t in zip(columns, typed, strict=True)},
        geometry=shapes.rd.to_numpy(),
        crs="EPSG:28992",
    )
    path.unlink(missing_ok=True)
    with _unsynchronised_sqlite():
        pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG")


@contextmanager
def _unsynchronised_sqlite() -> Iterator[None]:
    """GDAL writes GeoPackages (SQLite) without waiting for the disk after each transaction, then as it was."""
    before = pyogrio.get_gdal_config_option("OGR_SQLITE_SYNCHRONOUS")
    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "OFF"})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": before})


def geojson_text(name: str, columns: list[Column], typed: list[pd.Series], shapes: DownloadShapes) -> str:
    """Write a GeoJSON FeatureCollection: the columns as properties (numbers or null), outlines in EPSG:4326."""
    values = [[_json_value(v) for v in t.tolist()] for t in typed]
    features = []
    for i, geometry in enumerate(shapes.geojson):
        properties = {c.id: column[i] for c, column in zip(columns, values, strict=True)}
        features.append(
            '{"type":"Feature","properties":'
            + json.dumps(properties, ensure_ascii=False)
            + ',"geometry":'
            + geometry
            + "}"
        )
    return (
        '{"type":"FeatureCollection","name":' + json.dumps(name) + ',"features":[\n' + ",\n".join(features) + "\n]}\n"
    )


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def readme_text(
    name: str, title: str, columns: list[Column], sources: list[str], gemeente: str, datum: dt.date | None = None
) -> str:
    """Write the "lees mij" of a download set: what each file is for, every column, what an empty cell means."""
    width = max(len(c.id) for c in columns)
    lines = [
        f"{title} – gemeente {gemeente}",
        f"Gemaakt op {(datum or dt.date.today()).strftime('%d-%m-%Y')} door het datalab (ogw-datalab).",
        "",
        "BESTANDEN",
        f"  {name}.csv          voor Excel: puntkomma tussen de velden, decimale komma, UTF-8 met BOM.",
        "                       Dubbelklik om te openen; de kolomkoppen noemen de eenheid.",
        f"  {name}-data.csv     voor software (R, Python, databases): komma tussen de velden, decimale punt,",
        "                       UTF-8, de kolomnamen hieronder als kop.",
        f"  {name}.gpkg         GeoPackage voor QGIS of ArcGIS: dezelfde kolommen, met de buurtgrenzen in het",
        "                       Rijksdriehoekstelsel (RD New, EPSG:28992).",
        f"  {name}.geojson      GeoJSON: dezelfde kolommen, buurtgrenzen in WGS84 (EPSG:4326).",
        "",
        "KOLOMMEN (naam in de data-csv, GeoPackage en GeoJSON – kop in de Excel-csv – betekenis)",
    ]
    for column in columns:
        lines.append(f"  {column.id.ljust(width)}  {column.header}")
        lines.append(f"  {' ' * width}  {column.meaning}")
    lines += [
        "",
        "LEGE CELLEN",
        "  Een waarde wordt niet gepubliceerd als ze over te weinig inwoners, woningen of rijen gaat, of als",
        "  ze anders uit het wijktotaal terug te rekenen zou zijn. De cel is dan leeg, de statuskolom zegt",
        "  'onderdrukt' en de redenkolom zegt waarom. 'geen waarde' betekent dat de bron voor die buurt",
        "  niets geeft. Een lege cel is nooit een nul.",
        "",
        "Getallen zijn afgerond op het aantal decimalen waarmee ze gepubliceerd worden.",
        "",
        "BRONNEN",
        *[f"  {s}" for s in sources],
        "",
    ]
    return "\r\n".join(lines)
