"""The overview of a region or the whole country: every gemeente's site, every buurt on one map.

``index.html`` lists the gemeenten (by region) with links to their own sites; ``kaart.html``
draws every buurt (11,700 for the near-national set) for each indicator and opgave score,
one layer at a time, on Leaflet's canvas renderer (one canvas instead of 11,700 SVG paths), the map built
with folium (:func:`~.web_map.build_overview_map`);
``downloads/`` holds all published buurt values as a GeoPackage and a GeoParquet (EPSG:28992).

Input, collected from the gemeenten's databases (:func:`published_values` per database):

- ``buurten``: GeoDataFrame ``buurtcode``, ``buurtnaam``, ``gemeentecode``, ``gemeentenaam``,
  geometry in EPSG:28992 (for example the merged area files, or each ``staging.buurten``);
- ``waarden``: DataFrame ``buurtcode``, ``laag``, ``waarde``, ``status`` (``gepubliceerd``,
  ``onderdrukt`` or ``geen waarde``): only published values carry a number;
- ``lagen``: :func:`overview_layers` of the catalogue and opgaven;
- ``gemeenten``: DataFrame ``gemeentecode``, ``gemeentenaam``, ``regio``, ``aantal_buurten``,
  ``inwoners``, ``site`` (the gemeente's ``index.html`` relative to the overview folder, or empty);
- optionally ``vergelijking``: DataFrame ``buurtcode``, ``laag``, ``lager``, ``hoger``,
  ``vergelijkbaar_met_waarde`` (:func:`~ogw_datalab.indicators.similar_buurten.compare_with_similar`
  with ``indicator`` as ``laag``); the tooltip says "hoger dan 8 van 10 vergelijkbare buurten".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import geopandas as gpd
import jinja2
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from ..duckdb_connection import connect
from ..files import replace_atomic, write_text_atomic
from ..indicators.catalogue import Catalogue, Klassen
from ..indicators.opgaven import Opgave
from ..storage import read_sql_file
from .colours import NO_VALUE_COLOUR, SUPPRESSED_COLOUR, class_breaks, legend_items, palette
from .dutch import format_number
from .offline import PDOK_GRIJS, check_offline, copy_assets
from .web_map import build_overview_map, render_web_map

SIMPLIFY_M = 100.0  # coverage_simplify tolerance: invisible at the zoom levels of a national map
COORDINATE_SCALE = 100_000  # degrees × 1e5 as integers: about 1 m
SCORE_BOUNDS = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
STATUSES = ("gepubliceerd", "onderdrukt", "geen waarde")
MAX_PAGE_BYTES = 5_000_000
COUNT_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"  # 0..61: counts of similar buurten


class OverviewError(ValueError):
    """The overview's input is inconsistent (unknown layers, doubled buurtcodes, another CRS)."""


@dataclass(frozen=True)
class OverviewLayer:
    """One map layer of the overview: an indicator or an opgave score."""

    id: str
    titel: str
    eenheid: str
    richting: str
    decimalen: int
    klassen: Klassen | None = None
    grenzen: tuple[float, ...] | None = None  # fixed class edges, lowest first (opgave scores)


@dataclass(frozen=True)
class OverviewPages:
    """What :func:`build_overview` wrote, and the map page's size."""

    index: Path
    kaart: Path
    geopackage: Path
    geoparquet: Path
    kaart_bytes: int
    buurten: int
    lagen: int


def overview_layers(catalogue: Catalogue, opgaven: list[Opgave]) -> list[OverviewLayer]:
    """Every indicator of the catalogue, then every opgave's score (``score_<id>``)."""
    layers = [
        OverviewLayer(i.id, i.titel, i.eenheid, i.richting, i.decimalen, klassen=i.klassen)
        for i in catalogue.indicatoren
    ]
    layers += [
        OverviewLayer(
            f"score_{o.id}",
            f"Score {o.titel}",
            "0 = geen aandacht nodig, 100 = de meeste (gerangschikt binnen de eigen gemeente)",
            "lager_is_beter",
            0,
            grenzen=SCORE_BOUNDS,
        )
        for o in opgaven
    ]
    return layers


def published_values(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Read the published buurt values and opgave scores of one gemeente's database, in the overview's long form."""
    return con.execute(read_sql_file("overview/published_values.sql")).df()


def build_overview(
    buurten: gpd.GeoDataFrame,
    waarden: pd.DataFrame,
    lagen: list[OverviewLayer],
    gemeenten: pd.DataFrame,
    *,
    folder: str | Path,
    titel: str,
    vergelijking: pd.DataFrame | None = None,
    simplify_m: float = SIMPLIFY_M,
    datum: dt.date | None = None,
) -> OverviewPages:
    """Write ``index.html``, ``kaart.html``, ``assets/`` and ``downloads/`` of the overview into ``folder``.

    Every file is written beside its place and renamed into it, so a failed build leaves the
    published overview as it was. The map page must stay below 5 MB and load nothing from
    another host but map tiles; otherwise nothing is written and the error says why.

    Raises
    ------
    OverviewError
        When the input is inconsistent or the map page would be too large.
    """
    folder = Path(folder)
    buurten = _checked_buurten(buurten)
    table = _wide_values(buurten, waarden, lagen)
    data = _page_data(buurten, table, lagen, gemeenten, vergelijking, simplify_m)
    environment = _environment()
    web_map = render_web_map(build_overview_map(data["bounds"], PDOK_GRIJS))
    kaart = environment.get_template("overzicht_kaart.html").render(
        titel=titel, data=_script_json(data), kaart=web_map, lagen=lagen, gemeenten=_gemeente_rows(gemeenten)
    )
    kaart = check_offline(kaart, "kaart.html")
    size = len(kaart.encode("utf-8"))
    if size > MAX_PAGE_BYTES:
        raise OverviewError(
            f"kaart.html would be {size / 1e6:.1f} MB, more than {MAX_PAGE_BYTES / 1e6:.0f} MB; "
            f"simplify more (simplify_m, now {simplify_m:g} m) or show fewer layers"
        )
    index = environment.get_template("overzicht_index.html").render(
        titel=titel,
        gemeenten=_gemeente_rows(gemeenten),
        regios=_regions(gemeenten),
        buurten=format_number(len(buurten)),
        lagen=lagen,
        datum=(datum or dt.date.today()).strftime("%d-%m-%Y"),
    )
    copy_assets(folder)
    downloads = folder / "downloads"
    geopackage = replace_atomic(downloads / "buurtwaarden.gpkg", lambda tmp: _write_geopackage(table, tmp))
    geoparquet = replace_atomic(downloads / "buurtwaarden.parquet", lambda tmp: _write_geoparquet(table, tmp))
    kaart_path = write_text_atomic(folder / "kaart.html", kaart)
    index_path = write_text_atomic(folder / "index.html", check_offline(index, "index.html"))
    return OverviewPages(index_path, kaart_path, geopackage, geoparquet, size, len(buurten), len(lagen))


def _checked_buurten(buurten: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in ("buurtcode", "buurtnaam", "gemeentecode", "gemeentenaam") if c not in buurten.columns]
    if missing:
        raise OverviewError(f"the buurten lack the columns {missing}")
    if buurten.crs is None or CRS.from_user_input(buurten.crs).to_epsg() != 28992:
        raise OverviewError(f"the buurten must be in EPSG:28992, not {buurten.crs}")
    doubles = buurten.loc[buurten["buurtcode"].duplicated(), "buurtcode"]
    if len(doubles):
        raise OverviewError(f"buurtcodes occur more than once, e.g. {doubles.head(5).tolist()}")
    return buurten.sort_values(["gemeentecode", "buurtcode"]).reset_index(drop=True)


def _wide_values(buurten: gpd.GeoDataFrame, waarden: pd.DataFrame, lagen: list[OverviewLayer]) -> gpd.GeoDataFrame:
    """One row per buurt: its identity, per layer the published value and its status."""
    known = {layer.id for layer in lagen}
    unknown = sorted(set(waarden["laag"]) - known)
    if unknown:
        raise OverviewError(f"values of unknown layers {unknown[:5]}; the layers are {sorted(known)}")
    wrong = sorted(set(waarden["status"].dropna()) - set(STATUSES))
    if wrong:
        raise OverviewError(f"unknown statuses {wrong}; expected {list(STATUSES)}")
    strays = sorted(set(waarden["buurtcode"]) - set(buurten["buurtcode"]))
    if strays:
        raise OverviewError(f"values of buurten that are not among the buurten, e.g. {strays[:5]}")
    published = waarden["status"] == "gepubliceerd"
    values = waarden.assign(waarde=pd.to_numeric(waarden["waarde"], errors="coerce").where(published))
    table = buurten[["buurtcode", "buurtnaam", "gemeentecode", "gemeentenaam", "geometry"]].copy()
    for layer in lagen:
        rows = values.loc[values["laag"] == layer.id].drop_duplicates("buurtcode").set_index("buurtcode")
        table[layer.id] = rows["waarde"].reindex(table["buurtcode"]).to_numpy(dtype=float)
        table[f"{layer.id}_status"] = rows["status"].reindex(table["buurtcode"]).fillna("geen waarde").to_numpy()
    return gpd.GeoDataFrame(table, geometry="geometry", crs=buurten.crs)


def _page_data(
    buurten: gpd.GeoDataFrame,
    table: gpd.GeoDataFrame,
    lagen: list[OverviewLayer],
    gemeenten: pd.DataFrame,
    vergelijking: pd.DataFrame | None,
    simplify_m: float,
) -> dict[str, Any]:
    names = buurten.drop_duplicates("gemeentecode").set_index("gemeentecode")["gemeentenaam"]
    codes = list(names.index)
    sites = gemeenten.set_index("gemeentecode")["site"] if "site" in gemeenten.columns else pd.Series(dtype=object)
    gemeente_rows = []
    for code, naam in names.items():
        site = sites.get(code)
        gemeente_rows.append([code, str(naam), str(site) if isinstance(site, str | Path) and str(site) else None])
    web = _web_geometries(buurten.geometry.to_numpy(), simplify_m)
    bounds = gpd.GeoSeries(web, crs="EPSG:4326").total_bounds
    layers = [_layer_data(layer, table) for layer in lagen]
    data: dict[str, Any] = {
        "bounds": [[round(bounds[1], 5), round(bounds[0], 5)], [round(bounds[3], 5), round(bounds[2], 5)]],
        "schaal": COORDINATE_SCALE,
        "gemeenten": gemeente_rows,
        "c": buurten["buurtcode"].tolist(),
        "n": [str(n) for n in buurten["buurtnaam"].fillna("")],
        "g": pd.Index(codes).get_indexer(buurten["gemeentecode"]).tolist(),
        "vormen": _encode_all(web),
        "lagen": layers,
        "kleuren": {"onderdrukt": SUPPRESSED_COLOUR, "geen": NO_VALUE_COLOUR},
    }
    if vergelijking is not None and len(vergelijking):
        data["vergelijking"] = _comparisons(vergelijking, table["buurtcode"])
    return data


def _comparisons(vergelijking: pd.DataFrame, codes: pd.Series) -> dict[str, str]:
    """Per layer three characters per buurt: how many similar buurten lie lower, higher, and have a value.

    Counts (at most 50) are written as one character each of :data:`COUNT_DIGITS`; a buurt
    without a comparison is ``"..."``. The page turns them into "hoger dan 8 van 10
    vergelijkbare buurten", as :func:`~ogw_datalab.indicators.similar_buurten.compare_with_similar` does.
    """
    out = {}
    digits = np.array(list(COUNT_DIGITS) + ["."])
    comparable = vergelijking.dropna(subset=["lager", "hoger", "vergelijkbaar_met_waarde"])
    for layer_id, rows in comparable.groupby("laag"):
        rows = rows.drop_duplicates("buurtcode").set_index("buurtcode").reindex(codes)
        counts = [
            rows[c].fillna(len(COUNT_DIGITS)).to_numpy(dtype=int).clip(0, len(COUNT_DIGITS))
            for c in ("lager", "hoger", "vergelijkbaar_met_waarde")
        ]
        cells = np.char.add(np.char.add(digits[counts[0]], digits[counts[1]]), digits[counts[2]])
        out[str(layer_id)] = "".join(cells.tolist())
    return out


def _layer_data(layer: OverviewLayer, table: pd.DataFrame) -> dict[str, Any]:
    values = table[layer.id].to_numpy(dtype=float)
    suppressed = (table[f"{layer.id}_status"] == "onderdrukt").to_numpy()
    bounds = list(layer.grenzen) if layer.grenzen else class_breaks(pd.Series(values), layer.klassen)
    colours = palette(layer.richting, len(bounds) - 1)
    index = np.clip(np.searchsorted(bounds[1:], values, side="left"), 0, len(colours) - 1)
    classes = np.where(suppressed, "s", np.where(np.isnan(values), "n", index.astype(str)))
    label = _labeller(layer)
    return {
        "id": layer.id,
        "titel": layer.titel,
        "eenheid": layer.eenheid,
        "decimalen": layer.decimalen,
        "kleuren": colours,
        "legenda": legend_items(colours, bounds, label),
        "k": "".join(classes.tolist()),
        "w": [None if np.isnan(v) else round(v, layer.decimalen) for v in values.tolist()],
    }


def _labeller(layer: OverviewLayer):
    def label(value: float) -> str:
        if layer.grenzen:
            return f"{value:.0f}"
        text = f"{value:,.{layer.decimalen}f}"
        return text.replace(",", "_").replace(".", ",").replace("_", ".")

    return label


def _web_geometries(polygons: np.ndarray, simplify_m: float) -> np.ndarray:
    """Simplified with shared edges kept shared (coverage_simplify), then in EPSG:4326.

    The 2015 region files do not form a perfect coverage (clip edges overlap a little); a
    buurt whose simplified shape comes out empty or invalid keeps its own shape.
    """
    simplified = shapely.coverage_simplify(polygons, simplify_m) if simplify_m > 0 else polygons
    broken = shapely.is_empty(simplified) | ~shapely.is_valid(simplified)
    simplified = np.where(broken, polygons, simplified)
    return gpd.GeoSeries(simplified, crs="EPSG:28992").to_crs("EPSG:4326").to_numpy()


def _encode_all(geometries: np.ndarray) -> list[list[list[list[int]]]]:
    """Per buurt: polygons -> rings -> [lat0, lon0, dlat1, dlon1, ...] in 1e-5 degrees (the page decodes them).

    Rings are written open (the closing point repeats the first); each ring starts with its
    absolute position, then steps from point to point, which keeps the numbers short.
    """
    _, coords, (ring_offsets, polygon_offsets, geometry_offsets) = shapely.to_ragged_array(_as_multi(geometries))
    scaled = np.round(coords[:, ::-1] * COORDINATE_SCALE).astype(np.int64)
    deltas = np.vstack([scaled[:1], np.diff(scaled, axis=0)])
    deltas[ring_offsets[:-1]] = scaled[ring_offsets[:-1]]  # every ring starts absolute
    flat = deltas.ravel().tolist()
    rings = [flat[2 * a : 2 * (b - 1)] for a, b in zip(ring_offsets[:-1], ring_offsets[1:], strict=True)]
    polygons = [rings[a:b] for a, b in zip(polygon_offsets[:-1], polygon_offsets[1:], strict=True)]
    return [polygons[a:b] for a, b in zip(geometry_offsets[:-1], geometry_offsets[1:], strict=True)]


def _as_multi(geometries: np.ndarray) -> np.ndarray:
    """Every geometry as a MultiPolygon, so that one ragged layout holds them all."""
    single = shapely.get_type_id(geometries) == 3
    out = geometries.copy()
    if single.any():
        out[single] = shapely.multipolygons(geometries[single], indices=np.arange(int(single.sum())))
    return out


def _script_json(data: dict[str, Any]) -> str:
    """JSON that is safe inside a script element (no '<' can close it)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def _gemeente_rows(gemeenten: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for row in gemeenten.sort_values(["gemeentenaam", "gemeentecode"]).to_dict("records"):
        site = row.get("site")
        inwoners = row.get("inwoners")
        rows.append(
            {
                "code": row["gemeentecode"],
                "naam": row["gemeentenaam"],
                "regio": row.get("regio") or "–",
                "buurten": int(row.get("aantal_buurten") or 0),
                "inwoners": f"{inwoners:,.0f}".replace(",", ".") if pd.notna(inwoners) else "–",
                "site": str(site) if isinstance(site, str | Path) and str(site) else None,
            }
        )
    return rows


def _regions(gemeenten: pd.DataFrame) -> list[tuple[str, int]]:
    if "regio" not in gemeenten.columns:
        return []
    counts = gemeenten["regio"].fillna("–").value_counts()
    return sorted((str(r), int(n)) for r, n in counts.items())


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("ogw_datalab.maps", "templates"), autoescape=True, undefined=jinja2.StrictUndefined
    )


def _write_geopackage(table: gpd.GeoDataFrame, path: Path) -> None:
    pyogrio.write_dataframe(table, path, layer="buurtwaarden", driver="GPKG")


def _write_geoparquet(table: gpd.GeoDataFrame, path: Path) -> None:
    """GeoParquet with its CRS (EPSG:28992) in the metadata, written by DuckDB (no pyarrow needed)."""
    frame = pd.DataFrame(table.drop(columns="geometry"))
    frame["__wkb"] = shapely.to_wkb(table.geometry.to_numpy())
    con = connect(":memory:")
    try:
        con.register("__frame", frame)
        con.execute(
            "CREATE TABLE buurtwaarden AS SELECT * EXCLUDE (__wkb), "
            "ST_SetCRS(ST_GeomFromWKB(__wkb), 'EPSG:28992') AS geometry FROM __frame"
        )
        con.execute(f"COPY buurtwaarden TO '{_sql_path(path)}' (FORMAT parquet)")
    finally:
        con.close()


def _sql_path(path: Path) -> str:
    """Quote a file path as the body of a SQL string literal (COPY takes no parameter for its target)."""
    return str(path).replace("'", "''")


__all__ = [
    "OverviewError",
    "OverviewLayer",
    "OverviewPages",
    "build_overview",
    "overview_layers",
    "published_values",
]
