"""The map pages: one per opgave (the composite score and each indicator as layers) and one per indicator.

Both have the same parts: a web map (built with folium in :mod:`.web_map`; Leaflet from ``assets/``) with a
legend, tooltips and a popup that leads to the buurtprofiel; a search box; a sortable table with every value;
downloads; and for print a static map (inline SVG) in the colours of the chosen layer.
Only published values reach a page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..indicators.catalogue import Indicator
from ..indicators.opgaven import Opgave
from .colours import class_breaks, colour_values, legend_items
from .downloads import Download
from .dutch import (
    NO_DATA,
    count_text,
    format_change,
    format_number,
    format_score,
    format_value,
    is_missing,
    join_words,
    rank_meaning,
    rank_text,
    value_with_unit,
)
from .explain import explain_formula
from .pages import Pages
from .shapes import SiteShapes
from .site_data import SiteData
from .svg import Shape, svg_map
from .tijdreeksen import sensor_layer
from .web_map import build_web_map, render_web_map

SCORE_BOUNDS = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
SCORE_UNIT = "0 = geen aandacht nodig, 100 = de meeste aandacht"


@dataclass(frozen=True)
class MapLayer:
    """One choropleth layer: per buurt (in the order of the site's buurten) its colour and texts."""

    key: str
    title: str
    unit: str
    gemeente: str
    legend: list[tuple[str, str]]
    colours: list[str]
    texts: list[str]
    ranks: list[str]
    changes: list[str]
    comparisons: list[str] = field(default_factory=list)  # per buurt "hoger dan 8 van 10 vergelijkbare buurten"
    estimate: str = ""  # the catalogue's 'modelschatting' sentence when the figure is a model estimate


@dataclass(frozen=True)
class Cell:
    """A table cell: what it shows, what it sorts on, and whether it is a number."""

    text: str
    sort: str
    numeric: bool = True
    note: str = ""


@dataclass(frozen=True)
class MapPage:
    """Everything one map page shows."""

    kind: str
    id: str
    title: str
    intro: str
    sentences: list[str]
    layers: list[MapLayer]
    headers: list[tuple[str, str, bool]]  # (title, unit, numeric)
    rows: list[list[Cell]]
    downloads: list[Download]
    hefbomen: list[tuple[str, str, str]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    method: str = ""
    opgaven: list[tuple[str, str]] = field(default_factory=list)
    kiemen: tuple[str, list[list]] | None = None
    sensoren: tuple[str, list[list]] | None = None


def page_name(kind: str, item_id: str) -> str:
    """File name of a map page: ``opgave_<id>.html`` or ``<indicator id>.html``."""
    return f"opgave_{item_id}.html" if kind == "opgave" else f"{item_id}.html"


def profile_href(code: str, root: str = "") -> str:
    """Link to the profile page of a buurt or wijk, relative to ``root``."""
    folder = "wijken" if code.upper().startswith("WK") else "buurten"
    return f"{root}{folder}/{code}.html"


def _ranks(ranks: pd.Series, meaning: str, reasons: pd.Series | None = None) -> list[str]:
    """Write 'Rang 12 van 43 (1 = vraagt de meeste aandacht)' per area.

    Where an area has a value but no rank because the indicator cannot tell the areas apart, 'geen rang, want
    <reden>' (``reasons``); otherwise empty where there is no rank.
    """
    present = ranks.dropna()
    total, counts = len(present), present.value_counts()
    why = reasons.tolist() if reasons is not None else [None] * len(ranks)
    return [
        (f"geen rang, want {reason}" if isinstance(reason, str) and reason else "")
        if is_missing(r)
        else f"{rank_text(r, total, shared=int(counts.get(r, 1)))} ({meaning})"
        for r, reason in zip(ranks.tolist(), why, strict=True)
    ]


def score_layer(data: SiteData, opgave: Opgave) -> MapLayer:
    """Make the composite score of an opgave a layer (dark = asks most attention)."""
    scores = data.scores_of(opgave.id)
    colours, palette = colour_values(
        scores["score"].tolist(), ["gepubliceerd"] * len(scores), SCORE_BOUNDS, "lager_is_beter"
    )
    texts = [
        f"{format_score(s)} van 100" + (f" (vooral: {d})" if isinstance(d, str) and d else "")
        if not is_missing(s)
        else "geen score: te weinig indicatoren met een waarde"
        for s, d in zip(scores["score"], scores["drijvers"], strict=True)
    ]
    legend = legend_items(palette, SCORE_BOUNDS, lambda v: format_number(v), colours=colours)
    return MapLayer(
        "score",
        f"Score {opgave.titel}",
        SCORE_UNIT,
        "",
        legend,
        colours,
        texts,
        _ranks(scores["rang"], rank_meaning("lager_is_beter")),
        [""] * len(scores),
    )


def indicator_layer(data: SiteData, indicator: Indicator, key: str, richting: str | None = None) -> MapLayer:
    """One indicator as a layer, coloured by class in the direction of ``richting`` (default: the catalogue's)."""
    rows = data.values_of(indicator.id)
    values, status = rows["waarde"].tolist(), rows["status"].tolist()
    bounds = class_breaks(rows["waarde"], indicator.klassen)
    colours, palette = colour_values(values, status, bounds, richting or indicator.richting)
    texts = [_value_text(v, s, r, indicator) for v, s, r in zip(values, status, rows["reden"], strict=True)]
    changes = [format_change(d, y, indicator) or "" for d, y in zip(rows["verschil"], rows["vorig_jaar"], strict=True)]
    legend = legend_items(
        palette,
        bounds,
        lambda v: format_value(v, indicator),
        values=values,
        colours=colours,
        wat="buurten",
        step=10.0**-indicator.decimalen,
    )
    compared = data.comparisons_of(indicator.id)
    comparisons = [compared[code][0] if code in compared else "" for code in rows.index]
    return MapLayer(
        key,
        indicator.titel,
        indicator.eenheid,
        f"Gemeente: {gemeente_text(data, indicator)}",
        legend,
        colours,
        texts,
        _ranks(rows["rang"], rank_meaning(indicator.richting), rows["rang_reden"]),
        changes,
        comparisons,
        indicator.modelschatting or "",
    )


def _value_text(value: object, status: object, reason: object, indicator: Indicator) -> str:
    """'19,1% van de woningen', 'onderdrukt: <reden>', or 'geen gegevens' (with the reason when one is given)."""
    if status == "onderdrukt":
        if not isinstance(reason, str) or not reason:
            return "onderdrukt"
        return reason if "onderdrukt" in reason.split(":")[0] else f"onderdrukt: {reason}"  # not said twice
    if is_missing(value):
        return f"{NO_DATA} ({reason})" if isinstance(reason, str) and reason else NO_DATA
    return value_with_unit(value, indicator)


def gemeente_text(data: SiteData, indicator: Indicator) -> str:
    """Write the gemeente's value with its unit, or why there is none ('alleen per buurt bekend')."""
    if indicator.aggregation == "geen":
        return "alleen per buurt bekend"
    if indicator.id not in data.gemeente_values.index:
        return NO_DATA
    row = data.gemeente_values.loc[indicator.id]
    return _value_text(row["waarde"], row["status"], row["reden"], indicator)


def _number_cell(value: object, indicator: Indicator | None, status: object = None, reason: object = None) -> Cell:
    if status == "onderdrukt":
        return Cell("onderdrukt", "", note=str(reason or ""))
    if is_missing(value):
        return Cell(NO_DATA, "")
    text = format_value(value, indicator) if indicator else format_score(value)
    return Cell(text, f"{float(value):.6g}")  # type: ignore[arg-type]


def _area_cells(data: SiteData) -> list[list[Cell]]:
    """Per buurt the cell of its name (the table's first column, which stays in view on a phone)."""
    return [[Cell(str(name), str(name), numeric=False)] for name in data.buurten["buurtnaam"]]


def _wijk_cells(data: SiteData) -> list[Cell]:
    """Per buurt the cell of its wijk's name: after the page's own figure, which a phone shows without swiping."""
    return [Cell(wijk if isinstance(wijk, str) else "", "", numeric=False) for wijk in data.buurten["wijknaam"]]


def _columns(frame: pd.DataFrame, *names: str) -> list[tuple]:
    """Return the rows of ``frame`` as tuples of the named columns (much faster than row-wise pandas access)."""
    return list(zip(*(frame[n].tolist() for n in names), strict=True))


def opgave_page(data: SiteData, opgave: Opgave, downloads: list[Download]) -> MapPage:
    """Describe the map page of one opgave: score first, then each of its indicators in the opgave's direction."""
    catalogue = data.catalogue
    layers = [score_layer(data, opgave)]
    for number, item in enumerate(opgave.indicatoren, start=1):
        layer = indicator_layer(data, catalogue.by_id(item.id), f"i{number}", item.richting)
        if item.doel is not None:
            doel = value_with_unit(item.doel, catalogue.by_id(item.id))
            layer = MapLayer(**{**layer.__dict__, "unit": f"{layer.unit} · doel: {doel}"})
        layers.append(layer)
    rows = _area_cells(data)
    for cells, score, wijk in zip(rows, data.scores_of(opgave.id)["score"].tolist(), _wijk_cells(data), strict=True):
        cells += [_number_cell(score, None), wijk]
    for item in opgave.indicatoren:
        indicator = catalogue.by_id(item.id)
        values = _columns(data.values_of(item.id), "waarde", "status", "reden")
        for cells, (value, status, reason) in zip(rows, values, strict=True):
            cells.append(_number_cell(value, indicator, status, reason))
    headers = [("Buurt", "", False), ("Score", "0-100", True), ("Wijk", "", False)] + [
        (catalogue.by_id(i.id).titel, catalogue.by_id(i.id).eenheid, True) for i in opgave.indicatoren
    ]
    kiemen = data.kiemen_layer(opgave)
    return MapPage(
        kind="opgave",
        id=opgave.id,
        title=opgave.titel,
        intro=opgave.angel,
        sentences=opgave_sentences(data, opgave),
        layers=layers,
        headers=headers,
        rows=rows,
        downloads=downloads,
        hefbomen=[
            (h.naam, h.beschrijving, join_words([catalogue.by_id(i).titel for i in h.indicatoren]))
            for h in opgave.hefbomen
        ],
        sources=sorted({catalogue.by_id(i.id).bron.text() for i in opgave.indicatoren}),
        kiemen=_kiemen_points(kiemen) if kiemen is not None and len(kiemen) else None,
        sensoren=_sensors(data, [catalogue.by_id(i.id) for i in opgave.indicatoren]),
    )


def _sensors(data: SiteData, indicators: list[Indicator]) -> tuple[str, list[list]] | None:
    """Return the sensor point layer of the tijdreeksen these indicators are computed from, if any."""
    names = sorted({i.formule.tijdreeks for i in indicators if i.formule.tijdreeks is not None})
    return sensor_layer([data.tijdreeksen[n] for n in names if n in data.tijdreeksen])


def _kiemen_points(points) -> tuple[str, list[list]]:
    wgs84 = points.to_crs("EPSG:4326")
    return (
        "Kiemen: waar verandering al zichtbaar is",
        [[round(p.y, 5), round(p.x, 5), label] for p, label in zip(wgs84.geometry, wgs84["label"], strict=True)],
    )


def opgave_sentences(data: SiteData, opgave: Opgave, *, with_top: bool = True) -> list[str]:
    """Write the key figures of an opgave in short sentences.

    Which buurt asks most attention and why (``with_top``), how many have a score, and where the gemeente
    stands on each indicator.
    """
    scores = data.scores_of(opgave.id)
    top = data.top_of(opgave.id)
    sentences = []
    if with_top and len(top):
        first = top.iloc[0]
        why = f", vooral door {first['drijvers']}" if isinstance(first["drijvers"], str) and first["drijvers"] else ""
        sentences.append(f"{first['buurtnaam']} vraagt de meeste aandacht (score {format_score(first['score'])}){why}.")
    scored, total = int(scores["score"].notna().sum()), len(scores)
    if scored < total:
        sentences.append(
            f"{count_text(scored, 'buurt heeft', 'buurten hebben')} een score; "
            f"{count_text(total - scored, 'buurt heeft', 'buurten hebben')} te weinig gegevens."
        )
    for item in opgave.indicatoren:
        sentences.append(indicator_sentence(data, data.catalogue.by_id(item.id)))
    left_out = data.left_out_of(opgave.id)
    if len(left_out):
        sentences.append(
            "Niet in de score, omdat ze de buurten niet van elkaar onderscheiden: "
            + "; ".join(f"{t} ({r})" for t, r in zip(left_out["titel"], left_out["reden"], strict=True))
            + "."
        )
    return sentences


def indicator_sentence(data: SiteData, indicator: Indicator) -> str:
    """Write 'Titel: 40,7% van de woningen in de hele gemeente (Nederland: 47,0%).'.

    For a figure that exists per buurt only, the range over the buurten instead.
    """
    gemeente = data.gemeente_values["waarde"].get(indicator.id)
    if is_missing(gemeente):
        present = data.values_of(indicator.id)["waarde"].dropna()
        if not len(present):
            return f"{indicator.titel}: {NO_DATA}."
        high = value_with_unit(present.max(), indicator)
        sentence = f"{indicator.titel}: per buurt van {format_value(present.min(), indicator)} tot {high}"
    else:
        sentence = f"{indicator.titel}: {value_with_unit(gemeente, indicator)} in de hele gemeente"
    if indicator.nederland is not None:
        sentence += f" (Nederland: {value_with_unit(indicator.nederland, indicator)})"
    return sentence + "."


def indicator_page(data: SiteData, indicator: Indicator, downloads: list[Download]) -> MapPage:
    """Describe the map page of one indicator: its table (value, rank, change, reason) and how it is computed."""
    layer = indicator_layer(data, indicator, "i0")
    values = _columns(data.values_of(indicator.id), "waarde", "status", "reden", "rang", "verschil", "vorig_jaar")
    with_change = data.vorig_jaar is not None
    rows = _area_cells(data)
    for cells, (value, status, reason, rank, change, since), wijk in zip(rows, values, _wijk_cells(data), strict=True):
        cells += [_number_cell(value, indicator, status, reason), wijk]
        cells.append(Cell(str(int(rank)), str(int(rank))) if not is_missing(rank) else Cell("–", ""))
        if with_change:
            text = format_change(change, since, indicator)
            cells.append(Cell(text.split(" sinds")[0], f"{float(change):.6g}") if text else Cell("–", ""))
        note = reason if status == "onderdrukt" and isinstance(reason, str) else ""
        cells.append(Cell(note, note, numeric=False))
    headers = [("Buurt", "", False), (indicator.titel, indicator.eenheid, True), ("Wijk", "", False)]
    headers.append(("Rang", rank_meaning(indicator.richting), True))
    if with_change:
        headers.append((f"Verandering sinds {data.vorig_jaar}", indicator.eenheid, True))
    headers.append(("Toelichting", "", False))
    in_opgaven = [
        (o.titel, page_name("opgave", o.id)) for o in data.opgaven if indicator.id in [i.id for i in o.indicatoren]
    ]
    return MapPage(
        kind="indicator",
        id=indicator.id,
        title=indicator.titel,
        intro=indicator.beschrijving,
        sentences=indicator_sentences(data, indicator),
        layers=[layer],
        headers=headers,
        rows=rows,
        downloads=downloads,
        sources=[indicator.bron.text()],
        method=explain_formula(indicator),
        opgaven=in_opgaven,
        sensoren=_sensors(data, [indicator]),
    )


def indicator_sentences(data: SiteData, indicator: Indicator) -> list[str]:
    """Write the key figures of an indicator: gemeente, Netherlands, highest and lowest buurt, how many withheld."""
    rows = data.values_of(indicator.id)
    sentences = [f"Hele gemeente: {gemeente_text(data, indicator)}."]
    if indicator.nederland is not None:
        sentences.append(f"Nederland: {value_with_unit(indicator.nederland, indicator)}.")
    present = rows["waarde"].dropna()
    if len(present) > 1 and present.max() > present.min():
        names = data.buurten["buurtnaam"].to_dict()
        sentences.append(
            f"Hoogste waarde: {_holding(present, present.max(), names)} ({value_with_unit(present.max(), indicator)}); "
            f"laagste: {_holding(present, present.min(), names)} ({value_with_unit(present.min(), indicator)})."
        )
    elif len(present):
        sentences.append(f"Alle buurten met een waarde hebben {value_with_unit(present.iloc[0], indicator)}.")
    withheld = int((rows["status"] == "onderdrukt").sum())
    if withheld:
        sentences.append(f"{count_text(withheld, 'buurt is', 'buurten zijn')} onderdrukt om de privacy.")
    return sentences


def _holding(present: pd.Series, value: float, names: dict[str, str]) -> str:
    """Name the first buurt with ``value`` and how many more share it ('Centrum en 49 andere buurten')."""
    tied = [str(code) for code in present.index[present == value]]
    others = f" en {count_text(len(tied) - 1, 'andere buurt', 'andere buurten')}" if len(tied) > 1 else ""
    return names[tied[0]] + others


def print_map(page: MapPage, data: SiteData, shapes: SiteShapes) -> str:
    """Draw the static map for print, in the colours of the first layer (the page's script recolours it)."""
    layer = page.layers[0]
    pictures = [
        Shape(d, colour, stroke="#ffffff", stroke_width=1.2)
        for d, colour in zip(shapes.paths, layer.colours, strict=True)
    ]
    label = f"Kaart van {data.gemeente.naam}: {layer.title} per buurt; de tabel geeft dezelfde waarden."
    return svg_map(pictures, shapes.projection, label=label, css_class="printkaart-svg")


def write_map_page(pages: Pages, page: MapPage, data: SiteData, shapes: SiteShapes) -> Path:
    """Render ``page`` with the ``kaart.html`` template into the site folder, its map built with folium."""
    return pages.render(
        "kaart.html",
        page_name(page.kind, page.id),
        page=page,
        kaart=render_web_map(build_web_map(page, data, shapes), root="../" * page_name(page.kind, page.id).count("/")),
        printkaart=print_map(page, data, shapes),
        profile=profile_href,
        codes=list(data.buurten.index),
        vorig_jaar=data.vorig_jaar,
    )
