"""Buurtprofielen and wijkprofielen: one page per buurt and per wijk, "hoe staat mijn buurt ervoor?".

A profile shows every published indicator of the area beside its wijk, the gemeente and the Netherlands
(a dot chart with a text alternative), its rank and its change since the previous year; the opgaven in which
it is a priority and why; the kiemen in or near it; a small locator map; and links to its neighbours.
A withheld value says why. Pages are plain HTML with inline SVG: no script is needed to read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import shapely

from ..indicators.catalogue import Indicator
from ..indicators.opgaven import Opgave
from .build_map_pages import gemeente_text, page_name, profile_href
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
    wijk_title,
)
from .pages import Pages
from .profile_maps import centre_in, locator_base, locator_map, zoom_map
from .shapes import SiteShapes
from .site_data import KIEMEN_BUFFER_M, SiteData, kiemen_near
from .svg import DotScale, Mark, dot_chart, legend_glyph
from .tijdreeksen import series_cards

DIRECTION = {"hoger_is_beter": "Hoger is beter.", "lager_is_beter": "Lager is beter.", "neutraal": ""}


@dataclass
class _Level:
    """The published values of one indicator at one level (buurt or wijk), prepared once for all profiles."""

    rows: dict[str, dict[str, Any]]
    scale: DotScale
    background: str
    low: str
    high: str
    total: int
    counts: dict[int, int]


@dataclass
class _Opgave:
    """The scores of one opgave, prepared once for all profiles."""

    scores: dict[str, tuple[Any, Any, Any]]
    ranked: int
    counts: dict[int, int]
    top: list[str]
    top_names: dict[str, str]


@dataclass
class Profiles:
    """Everything shared by the profile pages of one site: values per level, opgave scores and the base map."""

    data: SiteData
    shapes: SiteShapes
    buurt_levels: dict[str, _Level] = field(default_factory=dict)
    wijk_levels: dict[str, _Level] = field(default_factory=dict)
    opgaven: dict[str, _Opgave] = field(default_factory=dict)
    overview_base: str = ""
    names: dict[str, str] = field(default_factory=dict)
    wijknamen: dict[str, str] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)
    wijkcodes: list[Any] = field(default_factory=list)
    geometries: Any = None
    gemeente: dict[str, tuple[Any, str]] = field(default_factory=dict)
    comparisons: dict[str, dict[str, tuple[str, float]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Prepare the values, scales and scores every profile page uses."""
        data = self.data
        for indicator in data.catalogue.indicatoren:
            buurten, wijken = data.values_of(indicator.id), data.wijk_values_of(indicator.id)
            self.comparisons[indicator.id] = data.comparisons_of(indicator.id)
            medians = [m for _, m in self.comparisons[indicator.id].values()]  # buurt values too: drawn with them
            if indicator.aggregation == "som":  # totals of wijk and gemeente do not compare with buurten
                buurt_scale = DotScale.over([*buurten["waarde"], *medians])
                wijk_scale = DotScale.over(wijken["waarde"].tolist())
            else:
                extra = [data.gemeente_values["waarde"].get(indicator.id), indicator.nederland]
                values = [*buurten["waarde"], *wijken["waarde"], *medians, *[v for v in extra if not is_missing(v)]]
                buurt_scale = wijk_scale = DotScale.over(values)
            self.buurt_levels[indicator.id] = _level(buurten, indicator, buurt_scale)
            self.wijk_levels[indicator.id] = _level(wijken, indicator, wijk_scale)
        for opgave in data.opgaven:
            scores = data.scores_of(opgave.id)
            ranks = scores["rang"].dropna().astype(int)
            top = data.top_of(opgave.id)
            self.opgaven[opgave.id] = _Opgave(
                scores=dict(
                    zip(
                        scores.index, zip(scores["score"], scores["rang"], scores["drijvers"], strict=True), strict=True
                    )
                ),
                ranked=len(ranks),
                counts={int(k): int(v) for k, v in ranks.value_counts().items()},  # type: ignore[call-overload]
                top=top["buurtcode"].tolist(),
                top_names=dict(zip(top["buurtcode"], top["buurtnaam"], strict=True)),
            )
        self.overview_base = locator_base(self.shapes)
        self.names = data.buurten["buurtnaam"].to_dict()
        self.wijknamen = data.wijken["wijknaam"].to_dict()
        self.position = {code: i for i, code in enumerate(data.buurten.index)}
        self.wijkcodes = data.buurten["wijkcode"].tolist()
        self.geometries = data.buurten.geometry.to_numpy()
        self.gemeente = {  # per indicator the gemeente's value and its text, looked up once
            i.id: (data.gemeente_values["waarde"].get(i.id), gemeente_text(data, i)) for i in data.catalogue.indicatoren
        }


def _level(frame: pd.DataFrame, indicator: Indicator, scale: DotScale) -> _Level:
    present = frame["waarde"].dropna()
    ranks = frame["rang"].dropna().astype(int)
    low = format_value(present.min(), indicator) if len(present) else ""
    high = format_value(present.max(), indicator) if len(present) else ""
    columns = [
        c for c in ("waarde", "status", "reden", "rang", "rang_reden", "verschil", "vorig_jaar") if c in frame.columns
    ]
    rows = {code: dict(zip(columns, values, strict=True)) for code, *values in frame[columns].itertuples()}
    return _Level(
        rows=rows,
        scale=scale,
        background=scale.background(
            present.tolist(), format_value(scale.lo, indicator), format_value(scale.hi, indicator)
        )
        if len(present)
        else "",
        low=low,
        high=high,
        total=len(ranks),
        counts={int(k): int(v) for k, v in ranks.value_counts().items()},  # type: ignore[call-overload]
    )


def build_profiles(pages: Pages, data: SiteData, shapes: SiteShapes) -> list[dict[str, Any]]:
    """Write ``buurten/<buurtcode>.html`` and ``wijken/<wijkcode>.html``; return one entry per page."""
    shared = Profiles(data, shapes)
    written = []
    for code in data.buurten.index:
        path = pages.render("profiel.html", profile_href(code), p=buurt_profile(shared, code))
        written.append(_entry("buurt", code, data.buurten.at[code, "buurtnaam"], path, pages))
    for code in data.wijken.index:
        path = pages.render("profiel.html", profile_href(code), p=wijk_profile(shared, code))
        written.append(_entry("wijk", code, data.wijken.at[code, "wijknaam"], path, pages))
    return written


def _entry(kind: str, code: str, name: str, path: Path, pages: Pages) -> dict[str, Any]:
    relative = str(path.relative_to(pages.folder))
    return {"soort": kind, "id": code, "titel": name, "pagina": relative, "bytes": pages.sizes[relative]}


def buurt_profile(shared: Profiles, code: str) -> dict[str, Any]:
    """Collect the content of one buurtprofiel."""
    data = shared.data
    index = shared.position[code]
    name = shared.names[code]
    wijkcode = shared.wijkcodes[index]
    wijknaam = shared.wijknamen.get(wijkcode) if isinstance(wijkcode, str) else None
    crumbs = [(f"Datalab {data.gemeente.naam}", "../index.html")]
    if wijknaam is not None:
        crumbs.append((wijk_title(wijknaam), "../" + profile_href(wijkcode)))
    in_wijk = wijk_title(wijknaam, "wijk") + ", " if wijknaam else ""
    subtitle = f"Buurt in {in_wijk}gemeente {data.gemeente.naam} · buurtcode {code}"
    if wijknaam and not data.wijken_by_code:
        subtitle += f" · buurtgrenzen van {data.indelingen[0]}, wijkgrenzen van {data.indelingen[1]}"
    neighbours = data.neighbours.get(code, [])
    cards = [
        _card(shared, indicator, code, "buurt", wijkcode=wijkcode if wijknaam else None, wijknaam=wijknaam)
        for indicator in data.catalogue.indicatoren
    ]
    return {
        "kind": "buurt",
        "code": code,
        "name": name,
        "subtitle": subtitle,
        "crumbs": crumbs,
        "opgaven": [_buurt_opgave(shared, opgave, code) for opgave in data.opgaven],
        "overview": locator_map(
            shared.shapes,
            shared.overview_base,
            shared.shapes.paths[index],
            tuple(shared.shapes.centres[index]),
            f"Ligging van {name} in {data.gemeente.naam}.",
        ),
        "zoom": zoom_map(
            shared.shapes, data.buurten.index, shared.names, [index], [shared.position[n] for n in neighbours], name
        ),
        "zoom_caption": "de buurt en de buurten ernaast.",
        "chart_note": _chart_note(data, "buurt"),
        "glyphs": _glyphs("buurt", "buurten", similar=any(code in c for c in shared.comparisons.values())),
        "cards": cards,
        "similar": _similar(shared, code),
        "series": _series(data, code, "buurt"),
        "kiemen": _kiemen(data, shared.geometries[index], "de buurt"),
        "kiemen_afstand": f"{format_number(KIEMEN_BUFFER_M)} meter",
        "members": [],
        "neighbours": [(shared.names[n], "../" + profile_href(n)) for n in neighbours],
        "sources": sorted({i.bron.text() for i in data.catalogue.indicatoren}),
    }


def wijk_profile(shared: Profiles, code: str) -> dict[str, Any]:
    """Collect the content of one wijkprofiel: its values among the wijken, its buurten and their priorities."""
    data = shared.data
    name = shared.wijknamen[code]
    members = data.buurten_of_wijk(code)
    cards = [
        _card(shared, indicator, code, "wijk")
        for indicator in data.catalogue.indicatoren
        if indicator.aggregation != "geen"
    ]
    notes = {m: join_words([o.titel for o in data.opgaven if m in shared.opgaven[o.id].top]) for m in members}
    return {
        "kind": "wijk",
        "code": code,
        "name": name,
        "subtitle": f"Wijk in gemeente {data.gemeente.naam} · wijkcode {code} · "
        + count_text(len(members), "buurt", "buurten"),
        "crumbs": [(f"Datalab {data.gemeente.naam}", "../index.html")],
        "opgaven": [_wijk_opgave(shared, opgave, members) for opgave in data.opgaven],
        "overview": locator_map(
            shared.shapes,
            shared.overview_base,
            shared.shapes.wijk_paths.get(code, ""),
            centre_in(shared.shapes.projection, data.wijken.geometry.at[code]),
            f"Ligging van {wijk_title(name, 'wijk')} in {data.gemeente.naam}.",
        ),
        "zoom": zoom_map(
            shared.shapes,
            data.buurten.index,
            shared.names,
            [shared.position[m] for m in members],
            [],
            wijk_title(name, "wijk"),
            outline=data.wijken.geometry.at[code],
        ),
        "zoom_caption": "de buurten van de wijk.",
        "chart_note": _chart_note(data, "wijk") + " Cijfers die alleen per buurt bestaan, staan op de buurtprofielen.",
        "glyphs": _glyphs("wijk", "wijken"),
        "cards": cards,
        "similar": None,
        "series": _series(data, code, "wijk"),
        "kiemen": _kiemen(data, data.wijken.geometry.at[code], "de wijk"),
        "kiemen_afstand": f"{format_number(KIEMEN_BUFFER_M)} meter",
        "members": [
            (shared.names[m], "../" + profile_href(m), f"vraagt aandacht bij {notes[m]}" if notes[m] else "")
            for m in members
        ],
        "neighbours": [(shared.wijknamen[n], "../" + profile_href(n)) for n in data.wijk_neighbours.get(code, [])],
        "sources": sorted({i.bron.text() for i in data.catalogue.indicatoren}),
    }


def _chart_note(data: SiteData, kind: str) -> str:
    text = (
        f"Per cijfer de waarde, met in de grafiek elke {kind} van de gemeente als streepje, "
        "van de laagste tot de hoogste waarde."
    )
    if data.vorig_jaar is not None and kind == "buurt":
        text += f" De verandering is die sinds {data.vorig_jaar}, op de buurtgrenzen van nu."
    return text


def _glyphs(kind: str, wat: str, *, similar: bool = False) -> list[tuple[str, str]]:
    return [
        (legend_glyph("buurt"), f"deze {kind}"),
        *([(legend_glyph("wijk"), "de wijk")] if kind == "buurt" else []),
        (legend_glyph("gemeente"), "de gemeente"),
        (legend_glyph("nederland"), "Nederland"),
        *([(legend_glyph("vergelijkbaar"), "het midden van de vergelijkbare buurten")] if similar else []),
        (legend_glyph("andere"), f"de andere {wat}"),
    ]


def _similar(shared: Profiles, code: str) -> dict[str, Any] | None:
    """Return the buurten elsewhere that look most like this one, and on which kenmerken; None without the search."""
    data = shared.data
    if data.vergelijkbaar is None:
        return None
    rows = data.similar_of(code)
    names = [
        (
            f"{name} ({gemeente})" if isinstance(gemeente, str) and gemeente else str(name),
            "../" + profile_href(other) if other in shared.position else None,
        )
        for other, name, gemeente in zip(
            rows.get("vergelijkbare_buurtcode", []),
            rows.get("vergelijkbare_buurtnaam", []),
            rows.get("gemeentenaam", []),
            strict=True,
        )
    ]
    why = (
        f"Gekozen op {join_words(data.similar_features())}: de buurten die daarin het meest op deze buurt lijken, "
        "elk kenmerk even zwaar."
    )
    if not names:
        minimum = data.vergelijkbaar.min_inwoners
        return {
            "names": [],
            "why": why,
            "none": f"Voor deze buurt zijn geen vergelijkbare buurten gezocht: minder dan {minimum} inwoners, "
            "of een van de kenmerken is niet bekend.",
        }
    return {"names": names, "why": why, "none": ""}


def _series(data: SiteData, code: str, kind: str) -> list[dict[str, Any]]:
    """Per tijdreeks the monthly charts of this buurt or wijk (see :func:`.sensors.series_cards`)."""
    return [
        {"naam": name, "cards": series_cards(series, code, kind)}
        for name, series in data.tijdreeksen.items()
        if series.grootheden
    ]


def _card(
    shared: Profiles,
    indicator: Indicator,
    code: str,
    kind: str,
    *,
    wijkcode: str | None = None,
    wijknaam: str | None = None,
) -> dict[str, Any]:
    level = (shared.buurt_levels if kind == "buurt" else shared.wijk_levels)[indicator.id]
    row = level.rows[code]
    own = row["waarde"]
    state = "onderdrukt" if row["status"] == "onderdrukt" else ("geen" if is_missing(own) else "gepubliceerd")
    marks, spoken, lines = [], [], []
    if state == "gepubliceerd":
        marks.append(Mark("buurt", float(own)))
        spoken.append(f"deze {kind} {format_value(own, indicator)}")
    comparable = indicator.aggregation == "verhouding"  # a sum over a wijk is no value of the same kind
    if indicator.aggregation == "geen":
        lines.append("Alleen per buurt bekend.")
    else:
        if wijkcode is not None:
            wijk = shared.wijk_levels[indicator.id].rows[wijkcode]
            lines.append(f"{wijk_title(wijknaam or wijkcode)}: {_level_text(wijk, indicator)}")
            if comparable and not is_missing(wijk["waarde"]):
                marks.append(Mark("wijk", float(wijk["waarde"])))
                spoken.append(f"wijk {format_value(wijk['waarde'], indicator)}")
        gemeente, text = shared.gemeente[indicator.id]
        lines.append(f"Gemeente: {text}")
        if comparable and not is_missing(gemeente):
            marks.append(Mark("gemeente", float(gemeente)))  # type: ignore[arg-type]
            spoken.append(f"gemeente {format_value(gemeente, indicator)}")
    if indicator.nederland is not None:
        lines.append(f"Nederland: {value_with_unit(indicator.nederland, indicator)}")
        if indicator.aggregation != "som":
            marks.append(Mark("nederland", float(indicator.nederland)))
            spoken.append(f"Nederland {format_value(indicator.nederland, indicator)}")
    compared = shared.comparisons[indicator.id].get(code) if kind == "buurt" and state == "gepubliceerd" else None
    if compared is not None:
        text, median = compared
        middle = value_with_unit(median, indicator)
        lines.append(f"Vergeleken met vergelijkbare buurten: {text} (het midden: {middle})")
        marks.append(Mark("vergelijkbaar", median))
        spoken.append(f"midden van de vergelijkbare buurten {format_value(median, indicator)}")
    wat = "buurten" if kind == "buurt" else "wijken"
    if not is_missing(row["rang"]):
        rank = int(row["rang"])
        text = rank_text(rank, level.total, shared=level.counts.get(rank, 1), wat=wat)
        lines.append(f"{text} ({rank_meaning(indicator.richting)})")
    elif isinstance(row.get("rang_reden"), str) and row["rang_reden"]:
        lines.append(f"Geen rang, want {row['rang_reden']}")
    change = format_change(row.get("verschil"), row.get("vorig_jaar"), indicator)
    if change:
        lines.append(f"Verandering: {change}")
    if DIRECTION[indicator.richting]:
        lines.append(DIRECTION[indicator.richting])
    chart = ""
    if level.background:
        spoken.append(f"de {wat} van de gemeente lopen van {level.low} tot {level.high}")
        label = f"{indicator.titel} ({indicator.eenheid}): " + "; ".join(spoken) + "."
        chart = dot_chart(level.scale, level.background, marks, label=label)
    return {
        "id": indicator.id,
        "titel": indicator.titel,
        "href": f"../{page_name('indicator', indicator.id)}",
        "state": state,
        "reason": row["reden"] if isinstance(row["reden"], str) else "",
        "value": value_with_unit(own, indicator),
        "chart": chart,
        "lines": lines,
        "estimate": indicator.modelschatting or "",
    }


def _level_text(row: dict[str, Any], indicator: Indicator) -> str:
    if row["status"] == "onderdrukt":
        return f"onderdrukt ({row['reden']})"
    if is_missing(row["waarde"]):
        return f"{NO_DATA} ({row['reden']})" if isinstance(row["reden"], str) and row["reden"] else NO_DATA
    return value_with_unit(row["waarde"], indicator)


def _buurt_opgave(shared: Profiles, opgave: Opgave, code: str) -> dict[str, Any]:
    scored = shared.opgaven[opgave.id]
    score, rank, drivers = scored.scores[code]
    href = f"../{page_name('opgave', opgave.id)}#{code}"
    entry = {"titel": opgave.titel, "href": href, "priority": "", "why": ""}
    if is_missing(score):
        return {**entry, "text": "geen score: te weinig indicatoren met een waarde."}
    rank = int(rank)
    place = rank_text(rank, scored.ranked, shared=scored.counts.get(rank, 1)).lower()
    text = f"score {format_score(score)} van 100, {place}."
    if code in scored.top:
        entry["priority"] = (
            f"Een van de {count_text(len(scored.top), 'buurt', 'buurten')} die de meeste aandacht vragen."
        )
    why = f"Weegt het zwaarst: {join_words(drivers.split('; '))}." if isinstance(drivers, str) and drivers else ""
    return {**entry, "text": text, "why": why}


def _wijk_opgave(shared: Profiles, opgave: Opgave, members: list[str]) -> dict[str, Any]:
    top = shared.opgaven[opgave.id].top
    inside = [code for code in top if code in members]
    entry = {"titel": opgave.titel, "href": f"../{page_name('opgave', opgave.id)}", "priority": "", "why": ""}
    if not top:
        return {**entry, "text": "geen buurten met een score."}
    counted = count_text(len(top), "buurt", "buurten")
    if not inside:
        return {**entry, "text": f"geen van de {counted} die de meeste aandacht vragen ligt in deze wijk."}
    names = join_words([shared.names[c] for c in inside])
    verb = "ligt" if len(inside) == 1 else "liggen"
    return {
        **entry,
        "text": f"{len(inside)} van de {counted} die de meeste aandacht vragen {verb} in deze wijk: {names}.",
    }


def _kiemen(data: SiteData, geometry: shapely.Geometry, where: str) -> list[dict[str, Any]] | None:
    if not data.kiemen:
        return None
    groups = []
    for layer, items in kiemen_near(data, geometry).items():
        users = [o.titel for o in data.opgaven if o.kiemen is not None and o.kiemen.laag == layer]
        groups.append(
            {
                "title": f"Kiemen bij {join_words(users)}",
                "items": [
                    (label, f"in {where}" if d == 0 else f"op {format_number(round(d, -1))} meter")
                    for label, d in items
                ],
            }
        )
    return groups
