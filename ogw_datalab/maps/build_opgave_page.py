"""One page per opgave: the composite score and every indicator on one map (one layer at a time),
a legend, tooltips, kiemen, hefbomen, a search box, an accessible table and downloads.

Only published values (``indicators.publicatie_buurt``) reach the page and the downloads.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import folium
import geopandas as gpd
import pandas as pd
import shapely
from branca.element import Element, Figure

from ..files import write_text_atomic
from ..indicators.catalogue import Catalogue, Indicator, Klassen
from ..indicators.opgaven import Opgave
from ..storage import layer_table, quote_identifier, table_name
from .build_indicator_map import (
    class_breaks,
    escape_texts,
    format_change,
    format_value,
    rank_texts,
    to_web_geometries,
)
from .colours import colour_values, legend_html, legend_items
from .offline import add_basemaps, finish_page, local_map, local_marker_cluster

SCORE_BOUNDS = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]


@dataclass(frozen=True)
class MapLayer:
    key: str
    title: str
    unit: str
    gemeente: str
    legend: list[tuple[str, str]]  # (colour, label)


def page_name(opgave: Opgave) -> str:
    return f"opgave_{opgave.id}.html"


def buurt_shapes(con: duckdb.DuckDBPyConnection, wijknamen: bool) -> gpd.GeoDataFrame:
    """Buurt outlines for the web: simplified without gaps between neighbours, EPSG:4326, 6 decimals."""
    rows = con.execute(
        """SELECT b.buurtcode, b.buurtnaam, CASE WHEN $wijknamen THEN w.wijknaam END AS wijknaam,
                  ST_AsWKB(b.geometry) AS geometry_wkb
           FROM staging.buurten AS b LEFT JOIN staging.wijken AS w USING (wijkcode) ORDER BY b.buurtcode""",
        {"wijknamen": wijknamen},
    ).df()
    return to_web_geometries(rows)


def _legend(
    classes: list[str], bounds: list[float], indicator: Indicator | None, *, complete: bool = True
) -> list[tuple[str, str]]:
    label = (lambda v: format_value(v, indicator)) if indicator else (lambda v: f"{v:.0f}")
    return legend_items(classes, bounds, label, complete=complete)


def opgave_layers(
    con: duckdb.DuckDBPyConnection, opgave: Opgave, catalogue: Catalogue, shapes: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, list[MapLayer], pd.DataFrame]:
    """Per buurt the text, colour and rank of the score and of each indicator; plus the table for downloads."""
    frame = shapes.rename(columns={"buurtcode": "c", "buurtnaam": "n", "wijknaam": "w"}).copy()
    frame["w"] = frame["w"].fillna("–")
    table = pd.DataFrame({"buurtcode": frame["c"], "buurtnaam": frame["n"]})
    scores = (
        con.execute(
            "SELECT buurtcode, score, rang, drijvers FROM indicators.opgave_scores WHERE opgave = ?", [opgave.id]
        )
        .df()
        .set_index("buurtcode")
        .reindex(frame["c"])
    )
    score_status = pd.Series(["gepubliceerd"] * len(frame))
    colours, palette = colour_values(
        scores["score"].reset_index(drop=True), score_status, SCORE_BOUNDS, "lager_is_beter"
    )
    frame["score_c"] = colours
    frame["score_t"] = [
        f"{s:.0f} van 100" + (f" ({d})" if isinstance(d, str) else "")
        if pd.notna(s)
        else "geen score (te weinig indicatoren)"
        for s, d in zip(scores["score"], scores["drijvers"], strict=True)
    ]
    frame["score_r"] = rank_texts(scores["rang"].reset_index(drop=True), scores["score"].reset_index(drop=True))
    frame["score_d"] = "–"
    table["score"] = scores["score"].to_numpy()
    layers = [
        MapLayer(
            "score",
            f"Score {opgave.titel}",
            "0 = geen aandacht nodig, 100 = de meeste",
            "–",
            _legend(palette, SCORE_BOUNDS, None),
        )
    ]
    gemeente = dict(con.execute("SELECT indicator, waarde FROM indicators.publicatie_gemeente").fetchall())
    for item in opgave.indicatoren:
        indicator = catalogue.by_id(item.id)
        rows = (
            con.execute(
                """SELECT p.buurtcode, p.waarde, p.status, p.reden, v.rang, v.rang_reden, t.verschil, t.vorig_jaar
               FROM indicators.publicatie_buurt AS p
               LEFT JOIN indicators.vergelijking_buurt AS v USING (indicator, buurtcode)
               LEFT JOIN indicators.trends AS t USING (indicator, buurtcode)
               WHERE p.indicator = ?""",
                [item.id],
            )
            .df()
            .set_index("buurtcode")
            .reindex(frame["c"])
        )
        values, status = rows["waarde"].reset_index(drop=True), rows["status"].reset_index(drop=True)
        bounds = class_breaks(values, indicator.klassen if indicator.klassen else Klassen())
        colours, palette = colour_values(values, status, bounds, item.richting)
        key = f"i{len(layers)}"
        frame[f"{key}_c"] = colours
        frame[f"{key}_t"] = [
            f"onderdrukt ({r})" if s == "onderdrukt" else format_value(v, indicator)
            for v, s, r in zip(values, status, rows["reden"], strict=True)
        ]
        reason = next((r for r in rows["rang_reden"] if isinstance(r, str)), None)
        frame[f"{key}_r"] = rank_texts(rows["rang"].reset_index(drop=True), values, reason)
        frame[f"{key}_d"] = [
            format_change(d, y, indicator) for d, y in zip(rows["verschil"], rows["vorig_jaar"], strict=True)
        ]
        table[indicator.id] = [("onderdrukt" if s == "onderdrukt" else v) for v, s in zip(values, status, strict=True)]
        gemeente_text = f"{format_value(gemeente.get(item.id), indicator)} {indicator.eenheid}"
        unit = indicator.eenheid + (f" · doel: {format_value(item.doel, indicator)}" if item.doel is not None else "")
        legend = _legend(palette, bounds, indicator, complete=bool(values.notna().all()))
        layers.append(MapLayer(key, indicator.titel, unit, gemeente_text, legend))
    return escape_texts(frame), layers, table


def left_out_sentence(con: duckdb.DuckDBPyConnection, opgave: Opgave) -> str | None:
    """One sentence naming the indicators left out of the opgave's score and why, or None when none were.

    Reads ``indicators.opgave_indicatoren_weggelaten`` (written with the scores).
    """
    rows = con.execute(
        "SELECT titel, reden FROM indicators.opgave_indicatoren_weggelaten WHERE opgave = ? ORDER BY indicator",
        [opgave.id],
    ).fetchall()
    if not rows:
        return None
    return (
        "Niet in de score, omdat ze de buurten niet van elkaar onderscheiden: "
        + "; ".join(f"{titel} ({reden})" for titel, reden in rows)
        + "."
    )


def kiemen_points(con: duckdb.DuckDBPyConnection, opgave: Opgave) -> gpd.GeoDataFrame | None:
    if opgave.kiemen is None:
        return None
    rows = con.execute(
        f"SELECT {quote_identifier(opgave.kiemen.label)} AS label, ST_AsWKB(ST_PointOnSurface(geometry)) AS wkb "
        f"FROM {table_name('staging', layer_table(opgave.kiemen.laag))}"
    ).df()
    points = shapely.from_wkb([bytes(b) for b in rows["wkb"]])
    return gpd.GeoDataFrame({"label": rows["label"]}, geometry=points, crs="EPSG:28992").to_crs("EPSG:4326")


def build_opgave_page(
    path: str | Path,
    *,
    opgave: Opgave,
    gemeentenaam: str,
    frame: gpd.GeoDataFrame,
    layers: list[MapLayer],
    table: pd.DataFrame,
    catalogue: Catalogue,
    kiemen: gpd.GeoDataFrame | None,
    downloads: dict[str, str],
    left_out: str | None = None,
) -> Path:
    """Write the opgave page; the map's layer switch, search and table sorting live in ``assets/opgave.js``.

    ``left_out`` is the sentence saying which indicators the score leaves out and why (:func:`left_out_sentence`).
    """
    fmap = local_map(tiles=None, control_scale=True, width="100%", height="100%")
    add_basemaps(fmap)
    first = layers[0].key
    areas = folium.GeoJson(
        frame,
        name="Buurten",
        style_function=lambda f: {
            "fillColor": f["properties"][f"{first}_c"],
            "color": "#3a3a3a",
            "weight": 1,
            "fillOpacity": 0.8,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
    ).add_to(fmap)
    if kiemen is not None and len(kiemen):
        cluster = local_marker_cluster(name="Kiemen: waar verandering al zichtbaar is").add_to(fmap)
        for label, point in zip(kiemen["label"], kiemen.geometry, strict=True):
            folium.Marker([point.y, point.x], tooltip=html.escape(str(label))).add_to(cluster)
    folium.LayerControl(collapsed=True).add_to(fmap)
    minx, miny, maxx, maxy = frame.total_bounds
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    page = fmap.get_root()
    assert isinstance(page, Figure)
    page.header.add_child(Element(_head(opgave, gemeentenaam)))
    page.html.add_child(Element(_header(opgave, gemeentenaam, left_out)), index=0)
    page.html.add_child(Element(_aside(opgave, layers, frame, catalogue, downloads)))
    page.html.add_child(Element(_table(opgave, layers, table, catalogue)))
    page.html.add_child(
        Element(
            '<footer><p>Gemaakt met ogw-datalab. <a href="colofon.html">Bronnen en methoden</a>. '
            "Achtergrondkaart: Kaartgegevens &copy; Kadaster / &copy; OpenStreetMap.</p></footer>"
        )
    )
    config = {
        "map": fmap.get_name(),
        "areas": areas.get_name(),
        "layers": [{"key": m.key, "title": html.escape(m.title), "gemeente": html.escape(m.gemeente)} for m in layers],
    }
    # Deferred: runs after the inline script at the end of the page has created the map.
    page.html.add_child(
        Element(f'<script>window.OGW = {json.dumps(config)};</script><script defer src="assets/opgave.js"></script>')
    )
    return write_text_atomic(path, finish_page(page.render(), str(path)))


def _head(opgave: Opgave, gemeentenaam: str) -> str:
    return (
        f"<title>{html.escape(opgave.titel)} – {html.escape(gemeentenaam)}</title>"
        '<link rel="stylesheet" href="assets/site.css">'
    )


def _header(opgave: Opgave, gemeentenaam: str, left_out: str | None = None) -> str:
    note = f'<p class="weggelaten">{html.escape(left_out)}</p>' if left_out else ""
    return (
        f'<a class="skip" href="#waarden">Naar de tabel met alle waarden</a><header>'
        f'<p class="meta"><a href="index.html">Datalab {html.escape(gemeentenaam)}</a> › opgave</p>'
        f"<h1>{html.escape(opgave.titel)}</h1><p>{html.escape(opgave.angel)}</p>{note}</header>"
    )


def _aside(
    opgave: Opgave, layers: list[MapLayer], frame: gpd.GeoDataFrame, catalogue: Catalogue, downloads: dict[str, str]
) -> str:
    options = "".join(f'<option value="{m.key}">{html.escape(m.title)}</option>' for m in layers)
    legends = "".join(legend_html(m.key, m.title, m.unit, m.legend, hidden=i > 0) for i, m in enumerate(layers))
    names = "".join(f'<option value="{n}"></option>' for n in sorted(frame["n"]))  # escaped in escape_texts
    hefbomen = (
        "".join(
            f"<li><strong>{html.escape(h.naam)}</strong>{': ' + html.escape(h.beschrijving) if h.beschrijving else ''}"
            f" (beweegt: {html.escape(', '.join(catalogue.by_id(i).titel for i in h.indicatoren))})</li>"
            for h in opgave.hefbomen
        )
        or "<li>Nog geen hefbomen benoemd.</li>"
    )
    files = "".join(
        f'<li><a href="{html.escape(href)}" download>{html.escape(label)}</a></li>' for label, href in downloads.items()
    )
    return (
        '<aside aria-label="Kaartlaag, legenda en hefbomen">'
        '<label for="kaartlaag">Kaartlaag</label>'
        f'<select id="kaartlaag">{options}</select>'
        f"<h2>Legenda</h2>{legends}"
        '<label for="zoek-buurt">Zoek een buurt</label>'
        f'<input type="search" id="zoek-buurt" list="buurtnamen" autocomplete="off"><datalist id="buurtnamen">{names}'
        '</datalist><button type="button" id="zoek-knop">Zoek</button><p id="zoek-status" role="status"></p>'
        f"<h2>Hefbomen</h2><ul>{hefbomen}</ul>"
        f"<h2>Downloads</h2><p>De gepubliceerde waarden (onderdrukte waarden staan er niet in):</p><ul>{files}</ul>"
        "</aside>"
    )


def _table(opgave: Opgave, layers: list[MapLayer], table: pd.DataFrame, catalogue: Catalogue) -> str:
    columns = ["Buurt", "Buurtcode", "Score"] + [catalogue.by_id(i.id).titel for i in opgave.indicatoren]
    head = "".join(
        f'<th scope="col" data-kolom="{k}"{" class=getal" if k >= 2 else ""}><button type="button">'
        f"{html.escape(c)}</button></th>"
        for k, c in enumerate(columns)
    )
    body = []
    for _, row in table.iterrows():
        cells = [
            f'<th scope="row" data-sort="{html.escape(row["buurtnaam"])}">{html.escape(row["buurtnaam"])}</th>',
            f'<td data-sort="{row["buurtcode"]}">{row["buurtcode"]}</td>',
            _cell(row["score"], None),
        ]
        cells += [_cell(row[i.id], catalogue.by_id(i.id)) for i in opgave.indicatoren]
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        '<section class="tabel" aria-labelledby="tabel-kop"><h2 id="tabel-kop">Alle waarden per buurt</h2>'
        '<table id="waarden"><caption>Score en indicatoren per buurt; klik op een kolomkop om te sorteren. '
        "Rang 1 vraagt de meeste aandacht.</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></section>"
    )


def _cell(value: str | float | None, indicator: Indicator | None) -> str:
    """A table cell: 'onderdrukt', a dash for no value, or the number (sortable on its raw value)."""
    if isinstance(value, str):
        return '<td class="getal onderdrukt" data-sort="">onderdrukt</td>'
    if value is None or value != value:  # NaN
        return '<td class="getal" data-sort="">–</td>'
    text = format_value(float(value), indicator) if indicator else f"{float(value):.0f}"
    return f'<td class="getal" data-sort="{float(value)}">{html.escape(text)}</td>'


def write_downloads(folder: str | Path, opgave: Opgave, table: pd.DataFrame, frame: gpd.GeoDataFrame) -> dict[str, str]:
    """CSV and GeoJSON of exactly the published values of one opgave; return label -> relative link."""
    folder = Path(folder)
    csv_name, geojson_name = f"downloads/{opgave.id}.csv", f"downloads/{opgave.id}.geojson"
    write_text_atomic(folder / csv_name, table.to_csv(index=False, sep=";", decimal=","))
    shapes = gpd.GeoDataFrame(table, geometry=frame.geometry.to_numpy(), crs="EPSG:4326")
    write_text_atomic(folder / geojson_name, shapes.to_json(drop_id=True, ensure_ascii=False))
    return {f"CSV ({opgave.id}.csv)": csv_name, f"GeoJSON ({opgave.id}.geojson)": geojson_name}
